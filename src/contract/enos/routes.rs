//! The EnOS operations: the route table that maps `(method, path)` to each, the lifetimes and lockout
//! limits the handlers apply, and what each route's vendor page documents ([`spec`], read by the lint).

use crate::contract::spec::{f, ContentType, Spec, BEARER, NONE};

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

/// The EnOS pages' documentation of `op`.
pub fn spec(op: Op) -> Spec {
    use Op::*;
    match op {
        // "Log In".
        Login => Spec {
            body: Some(const { &[f("account", true), f("password", true)] }),
            content_type: ContentType::Json,
            ..NONE
        },
        // "Choose Organization", Request Parameters (Body) and the header in its Samples.
        SessionSet => Spec {
            body: Some(const { &[f("orgId", true)] }),
            auth: Some(BEARER),
            content_type: ContentType::Json,
            ..NONE
        },
        TokenRefresh => NONE,
        // The vendor's own client sends revokeAll as a form with the body `{}` (docs/decisions.md).
        Logout | SessionInfo | UserInfo | RevokeAll => Spec {
            auth: Some(BEARER),
            ..NONE
        },
    }
}
