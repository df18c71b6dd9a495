//! What the EnOS vendor pages document for each route, as data the lint checks against.

use super::routes::Op;
use crate::contract::spec::{f, ContentType, Spec, BEARER, NONE};

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
