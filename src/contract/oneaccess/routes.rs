//! The OneAccess operations: the route table that maps `(method, path)` to each, the lifetimes and lockout
//! limits the handlers apply, and what each route's vendor page documents ([`spec`], read by the lint).

use crate::contract::spec::{f, h, ip, ContentType, Field, Header, Spec, BEARER, NONE};

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

static SDK_LOGIN_HEADERS: [Header; 4] = [
    h("X-client-id", "x-client-id"),
    h("X-device-fingerprint", "x-device-fingerprint"),
    h("X-operating-sys-version", "x-operating-sys-version"),
    h("X-agent", "x-agent"),
];

const OA_TICKET_FIELDS: &[Field] = &[
    f("session_token", true),
    f("operating_sys_version", true),
    ip("device_ip"),
    f("device_fingerprint", true),
    f("agent", false),
    f("client_id", false),
];
const OA_VERIFY_FIELDS: &[Field] = &[
    f("sso_ticket", true),
    f("operating_sys_version", true),
    ip("device_ip"),
    f("device_fingerprint", true),
    f("agent", false),
];

/// The OneAccess pages' documentation of `op`.
pub fn spec(op: Op) -> Spec {
    use Op::*;
    match op {
        TenantToken => NONE,
        // "Logging In with a Username and Password".
        SdkLogin => Spec {
            body: Some(const { &[f("user_name", true), f("password", true)] }),
            headers: &SDK_LOGIN_HEADERS,
            content_type: ContentType::Json,
            ..NONE
        },
        // "Obtaining sso_ticket Using session_token", Request Parameters.
        SsoTicket => Spec {
            body: Some(OA_TICKET_FIELDS),
            auth: Some(BEARER),
            content_type: ContentType::Utf8Json,
            tenant: true,
            ..NONE
        },
        // No page: the same headers as sso-ticket (docs/decisions.md).
        VerifyTicket => Spec {
            body: Some(OA_VERIFY_FIELDS),
            auth: Some(BEARER),
            content_type: ContentType::Utf8Json,
            tenant: true,
            ..NONE
        },
    }
}
