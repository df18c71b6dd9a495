//! What each vendor page documents for a route, as data the rules check against.
//!
//! A route whose page the mock does not follow takes its fields from the page of its neighbour or from
//! docs/decisions.md; [`crate::contract::pages`] lists the pages. The rules are listed in the lint
//! (`lint::RULES`).

use super::{enos, koodrive, oneaccess, Op};

/// A documented JSON body field (every one is a String on its page).
#[derive(Debug, Clone, Copy)]
pub struct Field {
    pub name: &'static str,
    pub mandatory: bool,
    /// Holds an IP address (the `device-ip` rule).
    pub ip: bool,
}

pub(super) const fn f(name: &'static str, mandatory: bool) -> Field {
    Field {
        name,
        mandatory,
        ip: false,
    }
}

pub(super) const fn ip(name: &'static str) -> Field {
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

pub(super) const fn h(shown: &'static str, lower: &'static str) -> Header {
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
    /// Exactly `application/json;charset=utf8`, required ("Obtaining sso_ticket Using session_token").
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
    /// `X-tenant-id` is expected ("Obtaining sso_ticket Using session_token": mandatory for ISV callers).
    pub tenant: bool,
    /// Mandatory query parameters.
    pub query: &'static [&'static str],
}

pub(super) const NONE: Spec = Spec {
    body: None,
    headers: &[],
    auth: None,
    content_type: ContentType::Unchecked,
    gateway: false,
    tenant: false,
    query: &[],
};

pub(super) const BEARER: Auth = Auth {
    scheme: "Bearer",
    plus_documented: false,
    also_accepted: None,
    bare_accepted: false,
    required: true,
};

/// The page's documentation of `op`.
pub fn spec(op: Op) -> Spec {
    match op {
        Op::KooDrive(op) => koodrive::routes::spec(op),
        Op::OneAccess(op) => oneaccess::routes::spec(op),
        Op::Enos(op) => enos::routes::spec(op),
    }
}
