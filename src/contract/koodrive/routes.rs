//! The KooDrive operations: the route tables that map `(method, path)` to each (the family's own, and
//! OrgID's sign-in page that getAuthCodeURL sends a browser to), the lifetimes and lockout limits the
//! handlers apply, and what each route's vendor page documents ([`spec`], read by the lint).

use crate::contract::spec::{f, h, Auth, ContentType, Header, Spec, NONE};

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

/// The path of OrgID's sign-in page.
pub const AUTHORIZE: &str = "/oauth2/authorize";

/// OrgID's sign-in page, outside every family's prefix: the routes getAuthCodeURL's `uri` leads to,
/// answered by KooDrive operations (the pipeline's own refusals on them are the mock's `{"error"}`).
pub const ORGID_ROUTES: &[(&str, &str, Op)] = &[
    ("GET", AUTHORIZE, Op::Authorize),
    ("POST", AUTHORIZE, Op::AuthorizeSubmit),
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
        // "Obtaining the Authorization Code URL (getAuthCodeURL)": Query `domain`, Mandatory.
        AuthCodeUrl => Spec {
            query: &["domain"],
            ..base
        },
        // OrgID's sign-in page is a browser's, not a KooDrive API: nothing to check.
        Authorize | AuthorizeSubmit => NONE,
    }
}
