//! Huawei Cloud OneAccess: app access credential, SDK user login, sso_ticket from a session_token, and
//! ticket redemption. Success bodies have no wrapper; errors are `{"error_code","error_msg"}`.
//!
//! Vendor page: OneAccess API reference, "Obtaining sso_ticket Using session_token"
//! (<https://support.huaweicloud.com/intl/en-us/api-oneaccess/ShowSSOTicketBySessionToken.html>), with
//! its neighbours "Obtaining an Access Credential" and "Logging In with a Username and Password".

pub mod error;
pub mod routes;
pub mod types;

pub use error::OaError;
pub use routes::{Op, ROUTES};
