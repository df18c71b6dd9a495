//! What the OneAccess vendor pages document for each route, as data the lint checks against.

use super::routes::Op;
use crate::contract::spec::{f, h, ip, ContentType, Field, Header, Spec, BEARER, NONE};

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
