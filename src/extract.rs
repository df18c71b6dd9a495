//! Shared request plumbing: the lenient JSON body parser (§0 of the contract), header and query access,
//! and the `Authorization` token parser.
//!
//! Handlers never use axum's rejecting extractors for input: they take the raw body and headers and turn
//! every parse failure into their own family's parameter error, after checking the token first.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::HeaderMap;
use serde::de::{self, DeserializeOwned, Deserializer, Visitor};
use std::convert::Infallible;
use std::fmt;

/// The request headers, moved out of the request rather than cloned as axum's `HeaderMap` extractor
/// does (the handlers only read them, and nothing after them needs them).
#[derive(Debug)]
pub struct Headers(pub HeaderMap);

impl<S: Send + Sync> FromRequestParts<S> for Headers {
    type Rejection = Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Infallible> {
        Ok(Headers(std::mem::take(&mut parts.headers)))
    }
}

/// Why a body could not be used.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BodyError {
    /// Not JSON, not an object, invalid UTF-8, or a field of the wrong type.
    Malformed,
}

/// Parses a JSON object body into `T`; unknown fields are ignored. A body that is not an object
/// (`[]`, `"x"`, empty) is malformed, whatever `T` would accept.
pub fn json_object<T: DeserializeOwned>(body: &[u8]) -> Result<T, BodyError> {
    // JSON text is UTF-8: invalid bytes are refused even inside fields the route ignores.
    if std::str::from_utf8(body).is_err() {
        return Err(BodyError::Malformed);
    }
    let first = body.iter().find(|b| !b.is_ascii_whitespace());
    if first != Some(&b'{') {
        return Err(BodyError::Malformed);
    }
    serde_json::from_slice(body).map_err(|_| BodyError::Malformed)
}

/// Deserializes an optional string field the way the vendors' Java servers coerce it: a string as is, a
/// number as its JSON text (`1` → "1", `1.5` → "1.5"), `null` as absent; anything else is an error.
pub fn lenient_string<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    struct V;
    impl<'de> Visitor<'de> for V {
        type Value = Option<String>;
        fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
            f.write_str("a string or a number")
        }
        fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
            Ok(Some(v.to_owned()))
        }
        fn visit_string<E: de::Error>(self, v: String) -> Result<Self::Value, E> {
            Ok(Some(v))
        }
        fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
            Ok(Some(v.to_string()))
        }
        fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
            Ok(Some(v.to_string()))
        }
        fn visit_f64<E: de::Error>(self, v: f64) -> Result<Self::Value, E> {
            Ok(Some(
                serde_json::Number::from_f64(v)
                    .map(|n| n.to_string())
                    .unwrap_or_default(),
            ))
        }
        fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok(None)
        }
        fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok(None)
        }
        fn visit_some<D2: Deserializer<'de>>(self, d: D2) -> Result<Self::Value, D2::Error> {
            d.deserialize_any(V)
        }
    }
    d.deserialize_option(V)
}

/// A present, non-empty (after trimming) field value.
pub fn present(v: &Option<String>) -> Option<&str> {
    v.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

/// A header's value as text, if present and non-empty.
pub fn header<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(str::trim)
        .filter(|s| !s.is_empty())
}

/// The token in `Authorization`: the value after one of `schemes` (case-insensitive, followed by a space
/// or a `+`), or the whole value when it carries no scheme. `None` when the header is absent or empty.
pub fn auth_token<'a>(headers: &'a HeaderMap, schemes: &[&str]) -> Option<&'a str> {
    let v = header(headers, "authorization")?;
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
    let v = header(headers, "authorization")?;
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

/// A query parameter's first value, if present and non-empty.
pub fn query_param(query: Option<&str>, name: &str) -> Option<String> {
    let q = query?;
    form_urlencoded::parse(q.as_bytes())
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.trim().to_string())
        .filter(|v| !v.is_empty())
}

#[cfg(test)]
mod unit {
    use super::*;
    use serde::Deserialize;

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
        assert_eq!(
            json_object::<B>(br#"{"a":1.5}"#).unwrap().a.as_deref(),
            Some("1.5")
        );
        assert_eq!(json_object::<B>(br#"{"a":null}"#).unwrap().a, None);
        assert_eq!(json_object::<B>(br#"{}"#).unwrap().a, None);
        assert!(json_object::<B>(br#"{"a":true}"#).is_err());
        assert!(json_object::<B>(br#"["x"]"#).is_err());
        assert!(json_object::<B>(b"").is_err());
        assert!(json_object::<B>(b"{\"a\":\"\xff\"}").is_err());
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
