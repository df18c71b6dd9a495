//! What the KooDrive vendor pages document for each route, as data the lint checks against.

use super::routes::Op;
use crate::contract::spec::{f, h, Auth, ContentType, Header, Spec, NONE};

static SESSION_ID: [Header; 1] = [h("x-session-id", "x-session-id")];
static AGENT_NAME: [Header; 1] = [h("x-hw-agentName", "x-hw-agentname")];

const KOO_SESSION_AUTH: Auth = Auth {
    scheme: "Bearer",
    plus_documented: false,
    also_accepted: None,
    bare_accepted: true,
    required: true,
};

/// The KooDrive pages' documentation of `op`.
pub fn spec(op: Op) -> Spec {
    use Op::*;
    let base = Spec {
        gateway: true,
        ..NONE
    };
    match op {
        // "Initializing and Creating a Session", Request Parameters; `domain` appears in its Example Requests.
        CreateSession => Spec {
            body: Some(const { &[f("code", true), f("domain", false)] }),
            content_type: ContentType::Json,
            ..base
        },
        SessionAuth => Spec {
            auth: Some(KOO_SESSION_AUTH),
            ..base
        },
        SessionRefresh => Spec {
            auth: Some(KOO_SESSION_AUTH),
            headers: &SESSION_ID,
            ..base
        },
        SessionLogoff => Spec {
            auth: Some(Auth {
                required: false,
                ..KOO_SESSION_AUTH
            }),
            ..base
        },
        // "Login" (carrier), Request Parameters.
        Login => Spec {
            body: Some(
                const {
                    &[
                        f("account", true),
                        f("authType", true),
                        f("password", false),
                        f("captchaToken", false),
                    ]
                },
            ),
            headers: &AGENT_NAME,
            content_type: ContentType::Json,
            ..base
        },
        // "Refreshing a Token": `AT+<token>` or `AT <token>`; the mock also takes `Bearer` and a bare token.
        RefreshToken => Spec {
            body: Some(const { &[f("refreshToken", true)] }),
            auth: Some(Auth {
                scheme: "AT",
                plus_documented: true,
                also_accepted: Some("Bearer"),
                bare_accepted: true,
                required: true,
            }),
            content_type: ContentType::Json,
            ..base
        },
    }
}
