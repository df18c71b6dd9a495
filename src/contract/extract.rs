//! Shared request plumbing: why a JSON body could not be used (the body itself is read by
//! [`crate::contract::json`]), header and query access, and the `Authorization` token parser.
//!
//! Handlers never use axum's rejecting extractors for input: they take the raw body and headers and turn
//! every parse failure into their own family's parameter error, after checking the token first.

use axum::extract::FromRequestParts;
use axum::http::header::{AsHeaderName, HeaderName, AUTHORIZATION};
use axum::http::request::Parts;
use axum::http::HeaderMap;
use serde::de::{self, Deserializer};
use serde::Deserialize;
use serde_json::value::RawValue;
use std::convert::Infallible;

/// Header names read on every request of a route, parsed once: a lookup by `&str` parses and
/// lower-cases the name first (about half of each lookup's cost under callgrind).
pub mod names {
    use super::HeaderName;
    pub const X_MOCK_NAMESPACE: HeaderName = HeaderName::from_static("x-mock-namespace");
    pub const X_MOCK_ERROR: HeaderName = HeaderName::from_static("x-mock-error");
    pub const X_MOCK_DELAY: HeaderName = HeaderName::from_static("x-mock-delay");
    pub const X_MOCK_STRICT: HeaderName = HeaderName::from_static("x-mock-strict");
    pub const X_HW_AGENT_NAME: HeaderName = HeaderName::from_static("x-hw-agentname");
    pub const X_SESSION_ID: HeaderName = HeaderName::from_static("x-session-id");
    pub const X_TENANT_ID: HeaderName = HeaderName::from_static("x-tenant-id");
}

/// The request headers, moved out of the request rather than cloned as axum's `HeaderMap` extractor
/// does (the handlers only read them, and nothing after them needs them).
#[derive(Debug)]
pub struct Headers(pub HeaderMap);

/// Marks a request that came in on the https listener (a request extension the server sets).
#[derive(Debug, Clone, Copy)]
pub struct OverTls;

impl<S: Send + Sync> FromRequestParts<S> for Headers {
    type Rejection = Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Infallible> {
        Ok(Headers(std::mem::take(&mut parts.headers)))
    }
}

/// Why a body could not be used.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JsonError {
    /// Not JSON, not an object, invalid UTF-8, or a field of the wrong type.
    Malformed,
}

/// [`crate::contract::json::lenient_string`] for serde_json's deserializer (the control plane's bodies):
/// the field is read as the raw JSON text it spans (borrowed from the body, no copy), so a number keeps
/// its spelling (`1.10` → "1.10"); a string without escapes is taken straight from that text.
pub fn serde_json_lenient_string<'de, D, T>(d: D) -> Result<Option<T>, D::Error>
where
    D: Deserializer<'de>,
    T: From<&'de str> + From<String>,
{
    let Some(raw) = Option::<&'de RawValue>::deserialize(d)? else {
        return Ok(None);
    };
    let text = raw.get();
    match text.as_bytes().first() {
        Some(b'"') => {
            let inner = &text[1..text.len() - 1];
            if inner.contains('\\') {
                serde_json::from_str::<String>(text)
                    .map(|s| Some(s.into()))
                    .map_err(de::Error::custom)
            } else {
                Ok(Some(inner.into()))
            }
        }
        Some(b'-' | b'0'..=b'9') => Ok(Some(text.into())),
        _ => Err(de::Error::invalid_type(
            de::Unexpected::Other(text),
            &"a string or a number",
        )),
    }
}

/// Like [`serde_json_lenient_string`], for types serde buffers before it deserializes them (`#[serde(flatten)]`,
/// untagged enums), where the raw text is gone: a number arrives parsed and is written back in
/// serde_json's spelling (`1.10` → "1.1").
pub fn lenient_string_parsed<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    match Option::<serde_json::Value>::deserialize(d)? {
        None | Some(serde_json::Value::Null) => Ok(None),
        Some(serde_json::Value::String(s)) => Ok(Some(s)),
        Some(serde_json::Value::Number(n)) => Ok(Some(n.to_string())),
        Some(other) => Err(de::Error::invalid_type(
            de::Unexpected::Other(&other.to_string()),
            &"a string or a number",
        )),
    }
}

/// A present field value that is not empty or blank, exactly as sent: credentials, codes and tokens are
/// compared untrimmed, so `"secret "` is not `"secret"`.
pub fn present<T: AsRef<str>>(v: &Option<T>) -> Option<&str> {
    v.as_ref()
        .map(AsRef::as_ref)
        .filter(|s| !s.trim().is_empty())
}

/// A header's value as text, if present and non-empty (HTTP strips the spaces around it). A value with
/// UTF-8 beyond ASCII (`X-agent: Mozilla/5.0 (华为)`) is taken as UTF-8; one that is not UTF-8 counts
/// as absent.
pub fn header(headers: &HeaderMap, name: impl AsHeaderName) -> Option<&str> {
    headers
        .get(name)
        .and_then(|v| std::str::from_utf8(v.as_bytes()).ok())
        .map(str::trim)
        .filter(|s| !s.is_empty())
}

/// The token in `Authorization`: the value after one of `schemes` (case-insensitive, followed by a space
/// or a `+`), or the whole value when it carries no scheme. `None` when the header is absent or empty.
pub fn auth_token<'a>(headers: &'a HeaderMap, schemes: &[&str]) -> Option<&'a str> {
    let v = header(headers, AUTHORIZATION)?;
    for s in schemes {
        if v.eq_ignore_ascii_case(s) {
            return None;
        }
        if v.len() > s.len()
            && v.as_bytes()[..s.len()].eq_ignore_ascii_case(s.as_bytes())
            && matches!(v.as_bytes()[s.len()], b' ' | b'+')
        {
            let t = v[s.len() + 1..].trim();
            return if t.is_empty() { None } else { Some(t) };
        }
    }
    Some(v)
}

/// The token after `scheme` (case-insensitive, then a space or a `+`); `None` when the header is absent
/// or carries another scheme or none (OneAccess and EnOS require theirs; only KooDrive takes a bare token).
pub fn scheme_token<'a>(headers: &'a HeaderMap, scheme: &str) -> Option<&'a str> {
    after_scheme(header(headers, AUTHORIZATION)?, scheme)
}

/// The non-empty token after `scheme` (case-insensitive, then a space or a `+`) in an `Authorization`
/// value; `None` when the value carries another scheme or none.
pub fn after_scheme<'a>(v: &'a str, scheme: &str) -> Option<&'a str> {
    let s = scheme.len();
    if v.len() > s + 1
        && v.as_bytes()[..s].eq_ignore_ascii_case(scheme.as_bytes())
        && matches!(v.as_bytes()[s], b' ' | b'+')
    {
        Some(v[s + 1..].trim()).filter(|t| !t.is_empty())
    } else {
        None
    }
}

/// A query parameter's first value, if present and not blank, exactly as sent (untrimmed).
pub fn query_param(query: Option<&str>, name: &str) -> Option<String> {
    let q = query?;
    form_urlencoded::parse(q.as_bytes())
        .find(|(k, _)| k == name)
        .filter(|(_, v)| !v.trim().is_empty())
        .map(|(_, v)| v.into_owned())
}

#[cfg(test)]
mod unit {
    use super::*;

    #[test]
    fn auth_schemes() {
        let mut h = HeaderMap::new();
        h.insert("authorization", "Bearer+abc".parse().unwrap());
        assert_eq!(auth_token(&h, &["Bearer"]), Some("abc"));
        h.insert("authorization", "bearer abc".parse().unwrap());
        assert_eq!(auth_token(&h, &["Bearer"]), Some("abc"));
        h.insert("authorization", "abc".parse().unwrap());
        assert_eq!(auth_token(&h, &["Bearer", "AT"]), Some("abc"));
        h.insert("authorization", "AT ".parse().unwrap());
        assert_eq!(auth_token(&h, &["AT"]), None);
    }
}
