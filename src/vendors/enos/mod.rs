//! EnOS Application Portal: login, choose organization (session/set), token refresh, logout, session and
//! user info, revoking refresh tokens. Envelope `{"code":0,"message":"OK","data":…}`; errors are HTTP 200
//! with the code in the body (the vendor's own client drops non-2xx answers), except 413.
//!
//! Vendor page: EnOS Application Portal API reference v2.2 — "Choose Organization" (seed 003) and the
//! neighbouring "Log In", "Refresh Access Token", "Log Out", "Get Token Information", "Get User
//! Information", "Revoke Refresh Token" pages.
//!
//! Layout: `handlers` holds the routes' handlers, `types` the request and response bodies and the
//! envelopes, `error` the [`EnosError`] enum and its body.

mod error;
mod handlers;
mod types;

pub use error::EnosError;

// The OpenAPI document names the handlers by their path in this module: utoipa documents each one
// in a `__path_<handler>` type beside it.
pub(crate) use handlers::{
    __path_login, __path_logout, __path_revoke_all, __path_session_info, __path_session_set,
    __path_token_refresh, __path_user_info,
};

use crate::extract::Headers;
use crate::namespace::Ns;
use axum::body::Bytes;
use axum::extract::RawQuery;
use axum::http::request::Parts;
use axum::response::{IntoResponse, Response};
use handlers::{login, logout, revoke_all, session_info, session_set, token_refresh, user_info};

/// The EnOS operations.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    Login,
    SessionSet,
    TokenRefresh,
    Logout,
    SessionInfo,
    UserInfo,
    RevokeAll,
}

/// Every EnOS route, with the operation that answers it.
pub const ROUTES: &[(&str, &str, Op)] = &[
    ("POST", "/app-portal-service/v2.2/login", Op::Login),
    (
        "POST",
        "/app-portal-service/v2.2/session/set",
        Op::SessionSet,
    ),
    (
        "POST",
        "/app-portal-service/v2.1/session/set",
        Op::SessionSet,
    ),
    (
        "GET",
        "/app-portal-service/v2.2/token/refresh",
        Op::TokenRefresh,
    ),
    ("GET", "/app-portal-service/v2.2/logout", Op::Logout),
    (
        "GET",
        "/app-portal-service/v2.2/session/info",
        Op::SessionInfo,
    ),
    ("GET", "/app-portal-service/v2.2/user/info", Op::UserInfo),
    (
        "POST",
        "/app-portal-service/v2.2/refreshToken/revokeAll",
        Op::RevokeAll,
    ),
];

/// Lifetime of access tokens (login and org-bound) — the vendor documents none; mock-defined 2 hours.
pub const ACCESS_TTL_MS: i64 = 2 * 3600 * 1000;
/// Lifetime of a refresh token: 30 days.
pub const REFRESH_TTL_MS: i64 = 30 * 24 * 3600 * 1000;
pub const LOCK_AFTER: u32 = 5;
pub const LOCK_MS: i64 = 15 * 60 * 1000;
const TOKEN_PREFIX: &str = "APP_PORTAL_S_";

/// Runs one operation on a request whose body has been read.
pub async fn handle(op: Op, ns: Ns, parts: Parts, body: Bytes) -> Response {
    let query = || RawQuery(parts.uri.query().map(str::to_owned));
    match op {
        Op::Login => login(ns, body).await.into_response(),
        Op::SessionSet => session_set(ns, Headers(parts.headers), body)
            .await
            .into_response(),
        Op::TokenRefresh => token_refresh(ns, query()).await.into_response(),
        Op::Logout => logout(ns, Headers(parts.headers)).await.into_response(),
        Op::SessionInfo => session_info(ns, Headers(parts.headers))
            .await
            .into_response(),
        Op::UserInfo => user_info(ns, Headers(parts.headers)).await.into_response(),
        Op::RevokeAll => {
            let q = query();
            revoke_all(ns, Headers(parts.headers), q)
                .await
                .into_response()
        }
    }
}
