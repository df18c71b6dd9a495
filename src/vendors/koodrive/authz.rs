//! The authorization request of OrgID's sign-in page, checked in RFC 6749's order (sections 4.1.1 and 4.1.2.1):
//! the client and its redirect URI first (an error page, never a redirect, until both are trusted),
//! then the rest (refused back to the client as `error=…` with its `state`).

use super::signin_page::{self as page, html, redirect};
use crate::namespace::Ns;
use crate::store::orgid::OrgIdClient;
use axum::http::StatusCode;
use axum::response::Response;
use std::sync::Arc;

/// Longest parameter value taken (longer: refused as malformed).
const MAX_PARAM: usize = 2048;
/// Longest `state` echoed back.
const MAX_STATE: usize = 1024;
/// Scopes OrgID knows.
const SCOPES: &[&str] = &["openid", "phone", "profile", "email"];

/// The parameters of a request (query or form) as sent.
pub(super) struct Params(Vec<(String, String)>);

impl Params {
    pub(super) fn parse(text: &[u8]) -> Params {
        let it = form_urlencoded::parse(text);
        Params(it.map(|(k, v)| (k.into_owned(), v.into_owned())).collect())
    }

    /// `Ok(None)` when absent or blank; `Err` when repeated or too long.
    pub(super) fn one(&self, name: &str) -> Result<Option<&str>, ()> {
        let mut it = self.0.iter().filter(|(k, _)| k == name);
        let v = it.next().map(|(_, v)| v.as_str());
        if it.next().is_some() || v.is_some_and(|v| v.len() > MAX_PARAM) {
            return Err(());
        }
        Ok(v.filter(|v| !v.trim().is_empty()))
    }
}

/// A checked authorization request.
pub(super) struct Authz {
    pub client: Arc<OrgIdClient>,
    pub redirect_uri: String,
    pub state: Option<String>,
    pub scope: Option<String>,
    pub login_hint: Option<String>,
    pub prompt_none: bool,
}

/// Why a request is refused.
pub(super) enum Refusal {
    /// An error page, no redirect (the client or its redirect URI cannot be trusted).
    Page(&'static str, String),
    /// Back to the client with an OAuth2 error.
    Back {
        uri: String,
        error: &'static str,
        description: &'static str,
        state: Option<String>,
    },
}

impl Refusal {
    pub(super) fn answer(self) -> Response {
        match self {
            Refusal::Page(title, detail) => {
                html(StatusCode::BAD_REQUEST, page::error(title, &detail))
            }
            Refusal::Back {
                uri,
                error,
                description,
                state,
            } => {
                let q = [("error", error), ("error_description", description)];
                let mut pairs: Vec<(&str, &str)> = q.to_vec();
                if let Some(s) = &state {
                    pairs.push(("state", s));
                }
                redirect(&uri, &pairs)
            }
        }
    }
}

/// A `state` RFC 6749 allows: printable ASCII (VSCHAR), not too long.
fn state_ok(s: &str) -> bool {
    s.len() <= MAX_STATE && s.bytes().all(|b| (0x20..=0x7e).contains(&b))
}

/// Checks an authorization request in RFC 6749's order: the client and its redirect URI first (no
/// redirect before both are trusted), then the rest (redirected).
pub(super) fn check(ns: &Ns, p: &Params) -> Result<Authz, Refusal> {
    let client_id = match p.one("client_id") {
        Ok(Some(c)) => c,
        Ok(None) => {
            return Err(Refusal::Page(
                "Missing client",
                "The request names no client_id.".into(),
            ))
        }
        Err(()) => {
            return Err(Refusal::Page(
                "Invalid client",
                "client_id is repeated or too long.".into(),
            ))
        }
    };
    let Some(client) = ns.koo().client(client_id) else {
        let detail = format!("No OrgID client {client_id:?} is registered with this server.");
        return Err(Refusal::Page("Unknown client", detail));
    };
    let redirect_uri = match p.one("redirect_uri") {
        Ok(Some(u)) if client.allows(u) => u.to_string(),
        Ok(Some(u)) => {
            let detail = format!("The client does not allow the redirect URI {u:?}.");
            return Err(Refusal::Page("Redirect URI not allowed", detail));
        }
        Ok(None) => {
            return Err(Refusal::Page(
                "Missing redirect URI",
                "The request names no redirect_uri.".into(),
            ))
        }
        Err(()) => {
            return Err(Refusal::Page(
                "Invalid redirect URI",
                "redirect_uri is repeated or too long.".into(),
            ))
        }
    };
    let back = |error, description, state: Option<&str>| Refusal::Back {
        uri: redirect_uri.clone(),
        error,
        description,
        state: state.map(str::to_string),
    };
    let state = match p.one("state") {
        Ok(s) if s.is_none_or(state_ok) => s,
        _ => {
            return Err(back(
                "invalid_request",
                "state is repeated, too long or not printable ASCII",
                None,
            ))
        }
    };
    let (Ok(rt), Ok(scope), Ok(hint), Ok(prompt)) = (
        p.one("response_type"),
        p.one("scope"),
        p.one("login_hint"),
        p.one("prompt"),
    ) else {
        return Err(back(
            "invalid_request",
            "a parameter is repeated or too long",
            state,
        ));
    };
    match rt {
        None => return Err(back("invalid_request", "response_type is required", state)),
        Some("code") => {}
        Some(_) => {
            return Err(back(
                "unsupported_response_type",
                "only response_type=code is supported",
                state,
            ))
        }
    }
    if scope.is_some_and(|s| s.split(' ').any(|t| !t.is_empty() && !SCOPES.contains(&t))) {
        return Err(back(
            "invalid_scope",
            "scope takes openid, phone, profile and email",
            state,
        ));
    }
    Ok(Authz {
        redirect_uri: redirect_uri.clone(),
        client,
        state: state.map(str::to_string),
        scope: scope.map(str::to_string),
        login_hint: hint.map(str::to_string),
        prompt_none: prompt.is_some_and(|p| p.split(' ').any(|t| t == "none")),
    })
}

#[cfg(test)]
mod unit {
    use super::*;

    #[test]
    fn a_repeated_or_overlong_parameter_is_refused_and_blank_is_absent() {
        let p = Params::parse(b"a=1&a=2&b=&c=x");
        assert!(p.one("a").is_err());
        assert_eq!(p.one("b"), Ok(None));
        assert_eq!(p.one("c"), Ok(Some("x")));
        let long = format!("d={}", "x".repeat(MAX_PARAM + 1));
        assert!(Params::parse(long.as_bytes()).one("d").is_err());
    }

    #[test]
    fn state_is_printable_ascii() {
        assert!(state_ok("a b~!<>\"'"));
        assert!(!state_ok("a\r\nSet-Cookie: x"));
        assert!(!state_ok("é"));
        assert!(!state_ok(&"s".repeat(MAX_STATE + 1)));
    }
}
