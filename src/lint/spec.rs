//! What each vendor page documents for a route, as data the rules check against.
//!
//! Neighbour routes, which have no seed page, take their fields from the contract section that describes
//! them. The rules themselves are listed in [`crate::warnings::RULES`].

use crate::vendors::{enos, koodrive, oneaccess, Op};

/// A documented JSON body field (every one is a String on its page).
#[derive(Debug, Clone, Copy)]
pub struct Field {
    pub name: &'static str,
    pub mandatory: bool,
    /// Holds an IP address (the `device-ip` rule).
    pub ip: bool,
}

const fn f(name: &'static str, mandatory: bool) -> Field {
    Field {
        name,
        mandatory,
        ip: false,
    }
}

const fn ip(name: &'static str) -> Field {
    Field {
        name,
        mandatory: true,
        ip: true,
    }
}

/// A Mandatory header: its name as the page spells it, and in lower case (as `HeaderName` has it).
#[derive(Debug, Clone, Copy)]
pub struct Header {
    pub shown: &'static str,
    pub lower: &'static str,
}

const fn h(shown: &'static str, lower: &'static str) -> Header {
    Header { shown, lower }
}

/// The documented `Authorization` form of a route.
#[derive(Debug, Clone, Copy)]
pub struct Auth {
    /// The scheme the page shows (`Bearer`, `AT`), followed by a space.
    pub scheme: &'static str,
    /// `<scheme>+<token>` is documented too (KooDrive auth/refreshToken).
    pub plus_documented: bool,
    /// Schemes the mock accepts besides the documented one.
    pub also_accepted: Option<&'static str>,
    /// The mock accepts a bare token (KooDrive, the cookie form).
    pub bare_accepted: bool,
    /// The route refuses a request without a token.
    pub required: bool,
}

/// How a route's `Content-Type` is checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ContentType {
    /// No body to describe (GET routes), a form, or a body the vendor's client labels otherwise.
    Unchecked,
    /// A JSON body: a `Content-Type`, when sent, names `application/json`.
    Json,
    /// Exactly `application/json;charset=utf8`, required (seed 002).
    Utf8Json,
}

/// What one route's page documents.
#[derive(Debug, Clone)]
pub struct Spec {
    /// The documented JSON body fields; `None` for a route without a JSON body.
    pub body: Option<&'static [Field]>,
    /// Mandatory headers (other than `Authorization` and `Content-Type`).
    pub headers: &'static [Header],
    pub auth: Option<Auth>,
    pub content_type: ContentType,
    /// The KooDrive gateway headers `X-Traceid` and `language` are checked.
    pub gateway: bool,
    /// `X-tenant-id` is expected (seed 002: mandatory for ISV callers).
    pub tenant: bool,
    /// Mandatory query parameters.
    pub query: &'static [&'static str],
}

static SESSION_ID: [Header; 1] = [h("x-session-id", "x-session-id")];
static AGENT_NAME: [Header; 1] = [h("x-hw-agentName", "x-hw-agentname")];
static SDK_LOGIN_HEADERS: [Header; 4] = [
    h("X-client-id", "x-client-id"),
    h("X-device-fingerprint", "x-device-fingerprint"),
    h("X-operating-sys-version", "x-operating-sys-version"),
    h("X-agent", "x-agent"),
];

const NONE: Spec = Spec {
    body: None,
    headers: &[],
    auth: None,
    content_type: ContentType::Unchecked,
    gateway: false,
    tenant: false,
    query: &[],
};

const KOO_SESSION_AUTH: Auth = Auth {
    scheme: "Bearer",
    plus_documented: false,
    also_accepted: None,
    bare_accepted: true,
    required: true,
};

const BEARER: Auth = Auth {
    scheme: "Bearer",
    plus_documented: false,
    also_accepted: None,
    bare_accepted: false,
    required: true,
};

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

/// The page's documentation of `op`.
pub fn spec(op: Op) -> Spec {
    match op {
        Op::KooDrive(op) => koodrive_spec(op),
        Op::OneAccess(op) => oneaccess_spec(op),
        Op::Enos(op) => enos_spec(op),
    }
}

fn koodrive_spec(op: koodrive::Op) -> Spec {
    use koodrive::Op::*;
    let base = Spec {
        gateway: true,
        ..NONE
    };
    match op {
        // 000:25 `code`; `domain` appears in the example request (000:97).
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
        // 001:10 header, 001:13-16 body.
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
        // CONTRACT §1.4: `AT+<token>` or `AT <token>`; the mock also takes `Bearer` and a bare token.
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
        // getAuthCodeURL: Query `domain`, Mandatory.
        AuthCodeUrl => Spec {
            query: &["domain"],
            ..base
        },
        // OrgID's sign-in page is a browser's, not a KooDrive API: nothing to check.
        Authorize | AuthorizeSubmit => NONE,
    }
}

fn oneaccess_spec(op: oneaccess::Op) -> Spec {
    use oneaccess::Op::*;
    match op {
        TenantToken => NONE,
        // CONTRACT §2.2.
        SdkLogin => Spec {
            body: Some(const { &[f("user_name", true), f("password", true)] }),
            headers: &SDK_LOGIN_HEADERS,
            content_type: ContentType::Json,
            ..NONE
        },
        // 002:12-52.
        SsoTicket => Spec {
            body: Some(OA_TICKET_FIELDS),
            auth: Some(BEARER),
            content_type: ContentType::Utf8Json,
            tenant: true,
            ..NONE
        },
        // CONTRACT §2.4: the same headers as sso-ticket.
        VerifyTicket => Spec {
            body: Some(OA_VERIFY_FIELDS),
            auth: Some(BEARER),
            content_type: ContentType::Utf8Json,
            tenant: true,
            ..NONE
        },
    }
}

fn enos_spec(op: enos::Op) -> Spec {
    use enos::Op::*;
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
