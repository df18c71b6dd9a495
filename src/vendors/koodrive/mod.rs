//! Huawei KooDrive: enterprise session APIs (create session, auth, refresh, logoff) and the carrier
//! login APIs (login, refreshToken). Envelope `{"code":0,"msg":…,"data":…}`; errors `{"code":<int>,"msg"}`.
//!
//! Vendor pages: KooDrive API reference — "Initializing and Creating a Session" (`api-koodrive`) and
//! "Login" (`api-koodrive-carrier`); see `shared/seeds/000_*` and `001_*`.
//!
//! Layout: `session` and `carrier` hold the handlers of the two API groups, `types` the request and
//! response bodies, `error` the [`KooError`] enum and its body.

mod authcode;
mod authz;
mod carrier;
mod error;
mod session;
mod signin;
mod signin_page;
mod types;

pub use authcode::{authorize_uri, landing, NAMESPACE_PARAM};
pub use error::KooError;
pub use signin::{namespace_param, ORGID_ROUTES};

// The OpenAPI document names the handlers by their path in this module: utoipa documents each one
// in a `__path_<handler>` type beside it.
pub(crate) use authcode::__path_auth_code_url;
pub(crate) use carrier::{__path_login, __path_refresh_token};
pub(crate) use session::{
    __path_create_session, __path_session_auth, __path_session_logoff, __path_session_refresh,
};
pub(crate) use signin::{__path_authorize, __path_authorize_submit};

use crate::extract::Headers;
use crate::state::Ns;
use axum::body::Bytes;
use axum::http::request::Parts;
use axum::response::{IntoResponse, Response};
use carrier::{login, refresh_token};
use session::{create_session, session_auth, session_logoff, session_refresh};

/// The KooDrive operations.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    CreateSession,
    SessionAuth,
    SessionRefresh,
    SessionLogoff,
    Login,
    RefreshToken,
    AuthCodeUrl,
    /// OrgID's sign-in page (`/oauth2/authorize`): the page, and the form it posts.
    Authorize,
    AuthorizeSubmit,
}

/// Every KooDrive route, with the operation that answers it.
pub const ROUTES: &[(&str, &str, Op)] = &[
    ("POST", "/koodrive/ose/v1/session/", Op::CreateSession),
    ("POST", "/koodrive/ose/v1/session", Op::CreateSession),
    ("GET", "/koodrive/ose/v1/session/auth", Op::SessionAuth),
    (
        "POST",
        "/koodrive/ose/v1/session/refresh",
        Op::SessionRefresh,
    ),
    ("GET", "/koodrive/ose/v1/session/logoff", Op::SessionLogoff),
    (
        "GET",
        "/koodrive/ose/v1/session/authCodeURL",
        Op::AuthCodeUrl,
    ),
    ("POST", "/koodrive/ose/v1/auth/login", Op::Login),
    (
        "POST",
        "/koodrive/ose/v1/auth/refreshToken",
        Op::RefreshToken,
    ),
];

/// Sliding lifetime of a session token.
pub const SESSION_WINDOW_MS: i64 = 20 * 60 * 1000;
/// `expiresIn` of a login access token, in seconds.
pub const ACCESS_TTL_S: i64 = 1800;
/// Lifetime of a login refresh token.
pub const REFRESH_TTL_MS: i64 = 30 * 24 * 3600 * 1000;
/// Lifetime of minted one-time authorization and verification codes.
pub const CODE_TTL_MS: i64 = 5 * 60 * 1000;
/// Consecutive wrong passwords or codes that lock an account.
pub const LOCK_AFTER: u32 = 5;
/// How long a locked account stays locked.
pub const LOCK_MS: i64 = 15 * 60 * 1000;

/// Runs one operation on a request whose body has been read.
pub async fn handle(op: Op, ns: Ns, parts: Parts, body: Bytes) -> Response {
    let headers = Headers(parts.headers);
    match op {
        Op::CreateSession => create_session(ns, body).await.into_response(),
        Op::SessionAuth => session_auth(ns, headers).await.into_response(),
        Op::SessionRefresh => session_refresh(ns, headers).await.into_response(),
        Op::SessionLogoff => session_logoff(ns, headers).await.into_response(),
        Op::Login => login(ns, headers, body).await.into_response(),
        Op::RefreshToken => refresh_token(ns, headers, body).await.into_response(),
        Op::AuthCodeUrl => authcode::auth_code_url(ns, parts.uri, headers, parts.extensions).await,
        Op::Authorize => signin::authorize(ns, parts.uri, headers).await,
        Op::AuthorizeSubmit => signin::authorize_submit(ns, parts.uri, headers, body).await,
    }
}
