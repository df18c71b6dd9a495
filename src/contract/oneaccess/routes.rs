//! The OneAccess operations, the route table that maps `(method, path)` to each, and the lifetimes and
//! lockout limits the handlers apply.

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
