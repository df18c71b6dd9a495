//! The contract lint: where a request deviates from what its vendor page documents, although the mock
//! answers it (it is lenient on purpose). [`check`] returns the deviations as [`Warnings`];
//! the request pipeline sends them as `X-Mock-Warnings`, journals them, and in strict mode answers the
//! first one the mock would have accepted with the family's parameter error ([`refuse`]).
//!
//! Here: the rules ([`RULES`]: id, what, the vendor page sections they come from) and the order they
//! run in ([`check`]); their checks are in `rules`; what each route's page documents is read from
//! [`crate::contract::spec`]. A request that follows its page costs one pass over its headers and a
//! walk over the body's top-level members, as parsed once for the lint and the handler
//! ([`crate::contract::json::Body`]), and allocates nothing.

mod rules;
mod strict;
#[cfg(test)]
mod unit;
pub mod warnings;

pub use strict::{parse_switch, refuse, SPELLINGS as SWITCH_SPELLINGS};
pub use warnings::{Warning, Warnings};

use crate::contract::json::Body;
use crate::contract::pages::{
    Cite, ENOS_CHOOSE_ORGANIZATION, KOODRIVE_AUTH_CODE_URL, KOODRIVE_CREATE_SESSION,
    KOODRIVE_LOGIN, ONEACCESS_SSO_TICKET,
};
use crate::contract::Op;
use axum::http::HeaderMap;

/// One rule: its stable id, what it catches, and the vendor page sections that say so.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rule {
    pub id: &'static str,
    pub what: &'static str,
    pub sources: &'static [Cite],
}

impl Rule {
    /// The sections as one line: `"Title", Section (address); …` (the `source` of `/__admin/warnings`).
    pub fn source(&self) -> String {
        let cited: Vec<String> = self.sources.iter().map(Cite::to_string).collect();
        cited.join("; ")
    }
}

const REQUEST: &str = "Request Parameters";
const KOO_SESSION_URI: Cite = Cite::new(KOODRIVE_CREATE_SESSION, "URI");
const KOO_SESSION_PARAMS: Cite = Cite::new(KOODRIVE_CREATE_SESSION, REQUEST);
const KOO_SESSION_EXAMPLE: Cite = Cite::new(KOODRIVE_CREATE_SESSION, "Example Requests");
const KOO_AUTH_CODE_URL_PARAMS: Cite = Cite::new(KOODRIVE_AUTH_CODE_URL, REQUEST);
const KOO_LOGIN_URI: Cite = Cite::new(KOODRIVE_LOGIN, "URI");
const KOO_LOGIN_PARAMS: Cite = Cite::new(KOODRIVE_LOGIN, REQUEST);
const KOO_LOGIN_EXAMPLE: Cite = Cite::new(KOODRIVE_LOGIN, "Example Requests");
const OA_TICKET_URI: Cite = Cite::new(ONEACCESS_SSO_TICKET, "URI");
const OA_TICKET_PARAMS: Cite = Cite::new(ONEACCESS_SSO_TICKET, REQUEST);
const ENOS_ORG_FORMAT: Cite = Cite::new(ENOS_CHOOSE_ORGANIZATION, "Request Format");
const ENOS_ORG_BODY: Cite = Cite::new(ENOS_CHOOSE_ORGANIZATION, "Request Parameters (Body)");
const ENOS_ORG_SAMPLE: Cite = Cite::new(ENOS_CHOOSE_ORGANIZATION, "Samples");

/// Every rule, in the order a request is checked.
pub const RULES: &[Rule] = &[
    Rule {
        id: "path-slash",
        what: "a repeated slash in the path (`//koodrive/…`, from a base URL ending in `/`)",
        sources: &[KOO_SESSION_URI, KOO_LOGIN_URI, OA_TICKET_URI, ENOS_ORG_FORMAT],
    },
    Rule {
        id: "auth-scheme",
        what: "`Authorization` not in the page's form: `Bearer <t>` on KooDrive session routes, `AT <t>` (or `AT+<t>`) on auth/refreshToken, `Bearer <t>` on OneAccess and EnOS — a bare token, `+` for the space, or another scheme",
        // The KooDrive pages show the tokens as issued, in their example responses.
        sources: &[
            Cite::new(KOODRIVE_CREATE_SESSION, "Example Responses"),
            Cite::new(KOODRIVE_LOGIN, "Example Responses"),
            OA_TICKET_PARAMS,
            ENOS_ORG_SAMPLE,
        ],
    },
    Rule {
        id: "content-type",
        what: "sso-ticket and verify: `Content-Type` not `application/json;charset=utf8` (missing: a note, as the page's example sends none); other JSON routes: a `Content-Type` that is not `application/json`",
        sources: &[OA_TICKET_PARAMS, KOO_SESSION_EXAMPLE, KOO_LOGIN_EXAMPLE, ENOS_ORG_SAMPLE],
    },
    Rule {
        id: "required",
        what: "a Mandatory header, query parameter or body field missing or blank (the mock refuses these too; the warning names what is missing)",
        sources: &[
            KOO_SESSION_PARAMS,
            KOO_AUTH_CODE_URL_PARAMS,
            KOO_LOGIN_PARAMS,
            OA_TICKET_PARAMS,
            ENOS_ORG_BODY,
        ],
    },
    Rule {
        id: "x-tenant-id",
        what: "sso-ticket and verify without `X-tenant-id`: a note, never a warning (optional; mandatory only when an ISV calls)",
        sources: &[OA_TICKET_PARAMS],
    },
    Rule {
        id: "x-traceid",
        what: "KooDrive `X-Traceid` that is not 58 characters (\"contains 58 bits\")",
        sources: &[KOO_SESSION_PARAMS, KOO_LOGIN_PARAMS],
    },
    Rule {
        id: "language",
        what: "KooDrive `language` that is not a language tag like `en-US`",
        sources: &[KOO_SESSION_PARAMS],
    },
    Rule {
        id: "unknown-field",
        what: "a body field the page does not document, with the closest documented name",
        sources: &[
            KOO_SESSION_PARAMS,
            KOO_SESSION_EXAMPLE,
            KOO_LOGIN_PARAMS,
            OA_TICKET_PARAMS,
            ENOS_ORG_BODY,
        ],
    },
    Rule {
        id: "type",
        what: "a JSON number (accepted), boolean, object or array (refused) where the page says String",
        sources: &[KOO_SESSION_PARAMS, KOO_LOGIN_PARAMS, OA_TICKET_PARAMS, ENOS_ORG_BODY],
    },
    Rule {
        id: "device-ip",
        what: "OneAccess `device_ip` that is not an IP address (\"for example, 10.10.10.1\")",
        sources: &[OA_TICKET_PARAMS],
    },
];

/// The deviations of one request to `op` from its vendor page. `collapsed` is the path as the client
/// sent it when the server collapsed repeated slashes in it (`None` when the path had none); `body` is
/// the whole request body.
pub fn check(op: Op, collapsed: Option<&str>, headers: &HeaderMap, body: &[u8]) -> Warnings {
    check_with_query(op, collapsed, headers, None, body)
}

/// [`check`], with the request's query string checked for the page's Mandatory query parameters.
pub fn check_with_query(
    op: Op,
    collapsed: Option<&str>,
    headers: &HeaderMap,
    query: Option<&str>,
    body: &[u8],
) -> Warnings {
    check_request(op, collapsed, headers, query, &Body::new(body)).0
}

/// [`check_with_query`] on a body the handler reads too (parsed only if the route's page documents a
/// JSON body, and then once for both), and the request's first `X-Mock-Strict` value as sent, found in
/// the same pass over the headers.
pub fn check_request<'h>(
    op: Op,
    collapsed: Option<&str>,
    headers: &'h HeaderMap,
    query: Option<&str>,
    body: &Body<'_>,
) -> (Warnings, Option<&'h [u8]>) {
    let spec = crate::contract::spec::spec(op);
    let heads = rules::Heads::of(&spec, headers);
    let mut w = Warnings::default();
    rules::path(collapsed, &mut w);
    if let Some(auth) = &spec.auth {
        rules::auth(auth, heads.authorization, &mut w);
    }
    rules::content_type(spec.content_type, heads.content_type, &mut w);
    rules::headers(&spec, &heads, &mut w);
    if let Some(fields) = spec.body {
        rules::body(fields, body.members(), &mut w);
    }
    for name in spec.query {
        let present = form_urlencoded::parse(query.unwrap_or("").as_bytes())
            .any(|(k, v)| k == *name && !v.trim().is_empty());
        if !present {
            w.push(
                "required",
                false,
                format!("{name} query parameter is Mandatory"),
            );
        }
    }
    (w, heads.strict)
}
