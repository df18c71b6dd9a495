//! What the EnOS vendor pages document for each route, as data the lint checks against.

use super::routes::Op;
use crate::contract::spec::{f, ContentType, Spec, BEARER, NONE};

/// The EnOS pages' documentation of `op`.
pub fn spec(op: Op) -> Spec {
    use Op::*;
    match op {
        // CONTRACT §3.1.
        Login => Spec {
            body: Some(const { &[f("account", true), f("password", true)] }),
            content_type: ContentType::Json,
            ..NONE
        },
        // 003:12 body, 003:45 header.
        SessionSet => Spec {
            body: Some(const { &[f("orgId", true)] }),
            auth: Some(BEARER),
            content_type: ContentType::Json,
            ..NONE
        },
        TokenRefresh => NONE,
        // The vendor's own client sends revokeAll as a form with the body `{}` (CONTRACT §3.3).
        Logout | SessionInfo | UserInfo | RevokeAll => Spec {
            auth: Some(BEARER),
            ..NONE
        },
    }
}
