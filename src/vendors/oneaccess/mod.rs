//! Huawei Cloud OneAccess: app access credential, SDK user login, sso_ticket from a session_token, and
//! ticket redemption. Success bodies have no wrapper; errors are `{"error_code","error_msg"}`.
//!
//! Vendor page: OneAccess API reference — "Obtaining sso_ticket Using session_token" (seed 002), with the
//! neighbouring "Obtaining an Access Credential", "Login" and "Verifying sso_ticket" pages.
//!
//! Layout: `handlers` holds the routes' handlers, `types` the request and response bodies, `error` the
//! [`OaError`] enum and its body.

mod error;
mod handlers;
mod types;

pub use error::OaError;

// The OpenAPI document names the handlers by their path in this module: utoipa documents each one
// in a `__path_<handler>` type beside it.
pub(crate) use handlers::{
    __path_sdk_login, __path_sso_ticket, __path_tenant_token, __path_verify_ticket,
};

use crate::extract::Headers;
use crate::namespace::Ns;
use axum::body::Bytes;
use axum::http::request::Parts;
use axum::response::{IntoResponse, Response};
use handlers::{sdk_login, sso_ticket, tenant_token, verify_ticket};

/// The OneAccess operations.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    TenantToken,
    SdkLogin,
    SsoTicket,
    VerifyTicket,
}

/// Every OneAccess route, with the operation that answers it.
pub const ROUTES: &[(&str, &str, Op)] = &[
    ("POST", "/api/v2/tenant/token", Op::TenantToken),
    ("POST", "/api/v2/sdk/login", Op::SdkLogin),
    (
        "POST",
        "/api/v2/tenant/sso/session-token/sso-ticket",
        Op::SsoTicket,
    ),
    (
        "POST",
        "/api/v2/tenant/sso/sso-ticket/verify",
        Op::VerifyTicket,
    ),
];

/// Lifetime of an app access credential, seconds.
pub const APP_TOKEN_TTL_S: i64 = 1800;
/// Lifetime of a session_token, seconds.
pub const SESSION_TTL_S: i64 = 604_800;
/// Lifetime of an sso_ticket, seconds.
pub const TICKET_TTL_S: i64 = 9600;
/// Wrong passwords allowed before the account locks.
pub const LOCK_AFTER: u32 = 10;
pub const LOCK_MS: i64 = 15 * 60 * 1000;
const ISSUER: &str = "https://oneaccess.authmock.local";

/// Runs one operation on a request whose body has been read.
pub async fn handle(op: Op, ns: Ns, parts: Parts, body: Bytes) -> Response {
    let headers = Headers(parts.headers);
    match op {
        Op::TenantToken => tenant_token(ns, headers, body).await.into_response(),
        Op::SdkLogin => sdk_login(ns, headers, body).await.into_response(),
        Op::SsoTicket => sso_ticket(ns, headers, body).await.into_response(),
        Op::VerifyTicket => verify_ticket(ns, headers, body).await.into_response(),
    }
}
