//! Shared request plumbing: the lenient JSON body parser (see the README's Routes), header and query access,
//! and the `Authorization` token parser.
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

/// Parses a JSON object body into `T`; unknown fields are ignored. A body that is not an object
/// (`[]`, `"x"`, empty) is malformed, whatever `T` would accept.
///
/// Like the vendors' Java servers (Jackson), a leading UTF-8 byte-order mark is skipped (.NET and
/// PowerShell clients send one) and a repeated key takes its last value.
pub fn json_object<'a, T: Deserialize<'a>>(body: &'a [u8]) -> Result<T, JsonError> {
    let body = body.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(body);
    // JSON text is UTF-8: invalid bytes are refused even inside fields the route ignores. Parsing the
    // checked text (not the bytes) spares serde_json a second UTF-8 check of every string.
    let Ok(text) = std::str::from_utf8(body) else {
        return Err(JsonError::Malformed);
    };
    if text
        .trim_start_matches(|c: char| c.is_ascii_whitespace())
        .as_bytes()
        .first()
        != Some(&b'{')
    {
        return Err(JsonError::Malformed);
    }
    match serde_json::from_str(text) {
        Ok(v) => Ok(v),
        // serde refuses a repeated field ("duplicate field"): only then parse again, last value wins,
        // so a body without repeats is parsed once.
        Err(e) if e.is_data() => last_wins(text).ok_or(JsonError::Malformed),
        Err(_) => Err(JsonError::Malformed),
    }
}

/// `T` from a JSON object whose repeated keys keep their last value. The members are read as raw text
/// borrowed from the body, so `T` sees them exactly as a direct parse would.
fn last_wins<'a, T: Deserialize<'a>>(text: &'a str) -> Option<T> {
    let Members(members) = serde_json::from_str(text).ok()?;
    // Walk from the end: the first sighting of a key there is its last value.
    let mut seen = std::collections::HashSet::with_capacity(members.len());
    let mut kept: Vec<(String, &RawValue)> = members
        .into_iter()
        .rev()
        .filter(|(k, _)| seen.insert(k.clone()))
        .collect();
    kept.reverse();
    let map = de::value::MapDeserializer::<_, serde_json::Error>::new(kept.into_iter());
    T::deserialize(map).ok()
}

/// An object's members in order, repeats included, each value as its raw JSON text.
struct Members<'a>(Vec<(String, &'a RawValue)>);

impl<'de> Deserialize<'de> for Members<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> de::Visitor<'de> for V {
            type Value = Members<'de>;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a JSON object")
            }
            fn visit_map<A: de::MapAccess<'de>>(self, mut m: A) -> Result<Members<'de>, A::Error> {
                let mut members = Vec::new();
                while let Some(member) = m.next_entry()? {
                    members.push(member);
                }
                Ok(Members(members))
            }
        }
        d.deserialize_map(V)
    }
}

/// Deserializes an optional string field the way the vendors' Java servers (Jackson) coerce it: a
/// string as is, a number as its JSON text exactly as sent (`1` → "1", `1.10` → "1.10", `1e2` → "1e2"),
/// `null` as absent; anything else is an error.
///
/// The field is read as the raw JSON text it spans (borrowed from the body, no copy), so a number keeps
/// its spelling; a string without escapes is taken straight from that text.
///
/// `T` is `String`, or `Cow<str>` to borrow the text from the body when it holds no escape (a request
/// field read once needs no copy of its own).
pub fn lenient_string<'de, D, T>(d: D) -> Result<Option<T>, D::Error>
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

/// Like [`lenient_string`], for types serde buffers before it deserializes them (`#[serde(flatten)]`,
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

    #[derive(Deserialize, Debug)]
    struct B {
        #[serde(default, deserialize_with = "lenient_string")]
        a: Option<String>,
    }

    #[test]
    fn coerces_numbers_and_rejects_other_kinds() {
        assert_eq!(
            json_object::<B>(br#"{"a":1}"#).unwrap().a.as_deref(),
            Some("1")
        );
        for n in [
            "1.5",
            "1.10",
            "1e2",
            "1E+2",
            "-0",
            "100.0",
            "18446744073709551616",
        ] {
            let body = format!(r#"{{"a":{n}}}"#);
            assert_eq!(
                json_object::<B>(body.as_bytes()).unwrap().a.as_deref(),
                Some(n)
            );
        }
        assert!(json_object::<B>(br#"{"a":{}}"#).is_err());
        assert!(json_object::<B>(br#"{"a":["1"]}"#).is_err());
        assert_eq!(
            json_object::<B>(br#"{"a":"x\"y\u00e9"}"#)
                .unwrap()
                .a
                .as_deref(),
            Some("x\"y\u{e9}")
        );
        assert_eq!(
            json_object::<B>(br#"{"a" : "plain" }"#)
                .unwrap()
                .a
                .as_deref(),
            Some("plain")
        );
        assert_eq!(json_object::<B>(br#"{"a":null}"#).unwrap().a, None);
        assert_eq!(json_object::<B>(br#"{}"#).unwrap().a, None);
        assert!(json_object::<B>(br#"{"a":true}"#).is_err());
        assert!(json_object::<B>(br#"["x"]"#).is_err());
        assert!(json_object::<B>(b"").is_err());
        assert!(json_object::<B>(b"{\"a\":\"\xff\"}").is_err());
    }

    #[test]
    fn skips_a_bom_and_keeps_the_last_of_repeated_keys() {
        let parse = |b: &[u8]| json_object::<B>(b).map(|v| v.a);
        assert_eq!(parse(b"\xEF\xBB\xBF{\"a\":\"x\"}"), Ok(Some("x".into())));
        assert_eq!(parse(br#"{"a":"x","b":0,"a":2}"#), Ok(Some("2".into())));
        assert_eq!(parse(br#"{"a":{},"a":"y"}"#), Ok(Some("y".into())));
        assert!(parse(br#"{"a":"y","a":{}}"#).is_err());
        assert!(parse(b"\xEF\xBB\xBF\xEF\xBB\xBF{}").is_err());
    }

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
