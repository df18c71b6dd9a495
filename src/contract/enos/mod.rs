//! EnOS Application Portal: login, choose organization (session/set), token refresh, logout, session and
//! user info, revoking refresh tokens. Envelope `{"code":0,"message":"OK","data":…}`; errors are HTTP 200
//! with the code in the body (the vendor's own client drops non-2xx answers), except 413.
//!
//! Vendor page: EnOS Application Portal API reference 3.0.0, "Choose Organization"
//! (<https://support.enos-iot.com/app-portal-api/en/3.0.0/user_and_ou/choose_organization>), with its
//! neighbours "Log In", "Refresh Access Token", "Log Out", "Get Token Information" and "Get User
//! Information".

pub mod error;
pub mod routes;
pub mod types;

pub use error::EnosError;
pub use routes::{Op, ROUTES};
