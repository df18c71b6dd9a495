//! Huawei KooDrive: enterprise session APIs (create session, auth, refresh, logoff) and the carrier
//! login APIs (login, refreshToken). Envelope `{"code":0,"msg":…,"data":…}`; errors `{"code":<int>,"msg"}`.
//!
//! Vendor pages: KooDrive API reference, "Initializing and Creating a Session" and its neighbours
//! (<https://support.huaweicloud.com/intl/en-us/api-koodrive/createSession.html>), and the carrier
//! "Login" (<https://support.huaweicloud.com/intl/en-us/api-koodrive-carrier/Login.html>). Also the
//! routes of the OrgID-like sign-in page "Obtaining the Authorization Code URL (getAuthCodeURL)"
//! (<https://support.huaweicloud.com/intl/en-us/api-koodrive/getAuthCodeURL.html>) sends a browser to.

pub mod error;
pub mod routes;
pub mod types;

pub use error::KooError;
pub use routes::{Op, ORGID_ROUTES, ROUTES};
