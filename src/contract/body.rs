//! A JSON request body read once: [`Object`] keeps where each top-level member of the body is (from
//! one [`scan`](super::scan) pass), the contract lint walks those members, and the handler
//! deserializes its request type from the same members ([`JsonBody::parse`]) instead of parsing the
//! body a second time. Each value's own text is still checked by serde_json as it is deserialized, so
//! a body is accepted or refused exactly as [`json_object`] would.

use super::extract::{json_object, JsonError};
use super::scan::{self, JsonKind, Malformed, Member};
use axum::body::Bytes;
use serde::de::{self, value::MapDeserializer, IntoDeserializer};
use serde::Deserialize;
use std::borrow::Cow;

/// Members kept without allocating; the pages document at most six fields a route.
const INLINE: usize = 12;

/// Where one member is in the body: its key and its value, each as raw text (a string with its quotes).
#[derive(Debug, Clone, Copy, Default)]
struct Span {
    key: (u32, u32),
    kind: Option<JsonKind>,
    value: (u32, u32),
}

/// The top-level members of a JSON object body, by position.
#[derive(Debug, Clone)]
pub struct Object {
    inline: [Span; INLINE],
    len: usize,
    /// Members past [`INLINE`] (an empty `Vec` holds no allocation).
    more: Vec<Span>,
}

impl Object {
    /// Scans `body`; `Err` when it is not one JSON object the scan can read.
    pub fn scan(body: &[u8]) -> Result<Object, Malformed> {
        let mut o = Object {
            inline: [Span::default(); INLINE],
            len: 0,
            more: Vec::new(),
        };
        let at = |s: &[u8]| {
            let start = s.as_ptr() as usize - body.as_ptr() as usize;
            (start as u32, (start + s.len()) as u32)
        };
        // The quotes around a string are either side of its text.
        let wider = |(a, b): (u32, u32)| (a - 1, b + 1);
        scan::members(body, |m| {
            let value = match m.kind {
                JsonKind::String => wider(at(m.text)),
                _ => at(m.text),
            };
            let span = Span {
                key: wider(at(m.key)),
                kind: Some(m.kind),
                value,
            };
            if o.len < INLINE {
                o.inline[o.len] = span;
                o.len += 1;
            } else {
                o.more.push(span);
            }
        })?;
        Ok(o)
    }

    fn spans(&self) -> impl Iterator<Item = &Span> {
        self.inline[..self.len].iter().chain(&self.more)
    }

    /// The members, in order, borrowed from `body` (the body this object was scanned from).
    pub fn members<'a>(&'a self, body: &'a [u8]) -> impl Iterator<Item = Member<'a>> + 'a {
        let cut = |(a, b): (u32, u32)| &body[a as usize..b as usize];
        let unquote = |b: &'a [u8]| &b[1..b.len() - 1];
        self.spans().map(move |s| {
            let kind = s.kind.unwrap_or(JsonKind::Null);
            let value = cut(s.value);
            Member {
                key: unquote(cut(s.key)),
                kind,
                text: if kind == JsonKind::String {
                    unquote(value)
                } else {
                    value
                },
            }
        })
    }
}

/// A request body and, when the lint scanned it as a JSON object, its members.
#[derive(Debug, Clone)]
pub struct JsonBody {
    pub bytes: Bytes,
    object: Option<Object>,
}

impl JsonBody {
    pub fn new(bytes: Bytes, object: Option<Object>) -> JsonBody {
        JsonBody { bytes, object }
    }

    /// The body as `T`, as [`json_object`] reads it: from the scanned members when there are any, by
    /// a whole parse otherwise (a body the scan could not read, a byte-order mark).
    pub fn parse<'a, T: Deserialize<'a>>(&'a self) -> Result<T, JsonError> {
        let Some(o) = &self.object else {
            return json_object(&self.bytes);
        };
        // JSON text is UTF-8, even inside fields the route ignores (as `json_object`); spans end at
        // ASCII bytes, so each is UTF-8 too.
        let Ok(text) = std::str::from_utf8(&self.bytes) else {
            return Err(JsonError::Malformed);
        };
        let cut = |(a, b): (u32, u32)| &text[a as usize..b as usize];
        if o.spans().any(|s| key(cut(s.key)).is_none()) {
            return Err(JsonError::Malformed);
        }
        let pairs = || {
            o.spans()
                .map(move |s| (key(cut(s.key)).unwrap_or_default(), Value(cut(s.value))))
        };
        match T::deserialize(MapDeserializer::<_, serde_json::Error>::new(pairs())) {
            Ok(v) => Ok(v),
            // A repeated key: the last value wins (as `json_object`), so only then are keys compared.
            Err(_) => {
                let all: Vec<(Cow<'a, str>, Value<'a>)> = pairs().collect();
                let last = |i: usize, k: &Cow<str>| all[i + 1..].iter().all(|(l, _)| l != k);
                let kept = all.iter().enumerate().filter(|(i, (k, _))| last(*i, k));
                let kept = kept.map(|(_, p)| p.clone());
                T::deserialize(MapDeserializer::<_, serde_json::Error>::new(kept))
                    .map_err(|_| JsonError::Malformed)
            }
        }
    }
}

/// A key's text (with its quotes) decoded as serde_json would: `None` when serde_json would refuse it.
fn key(quoted: &str) -> Option<Cow<'_, str>> {
    let inner = &quoted[1..quoted.len() - 1];
    if inner.contains('\\') {
        serde_json::from_str::<String>(quoted).ok().map(Cow::Owned)
    } else if inner.bytes().any(|b| b < 0x20) {
        None
    } else {
        Some(Cow::Borrowed(inner))
    }
}

/// A member's value as its raw JSON text, deserialized (and checked) by serde_json.
#[derive(Clone, Copy)]
struct Value<'a>(&'a str);

impl<'a> IntoDeserializer<'a, serde_json::Error> for Value<'a> {
    type Deserializer = Value<'a>;
    fn into_deserializer(self) -> Value<'a> {
        self
    }
}

macro_rules! forward {
    ($($method:ident)*) => {$(
        fn $method<V: de::Visitor<'a>>(self, visitor: V) -> Result<V::Value, serde_json::Error> {
            let mut d = serde_json::Deserializer::from_str(self.0);
            let v = de::Deserializer::$method(&mut d, visitor)?;
            d.end()?;
            Ok(v)
        }
    )*};
}

impl<'a> de::Deserializer<'a> for Value<'a> {
    type Error = serde_json::Error;

    forward! {
        deserialize_any deserialize_bool deserialize_i8 deserialize_i16 deserialize_i32 deserialize_i64
        deserialize_i128 deserialize_u8 deserialize_u16 deserialize_u32 deserialize_u64 deserialize_u128
        deserialize_f32 deserialize_f64 deserialize_char deserialize_str deserialize_string
        deserialize_bytes deserialize_byte_buf deserialize_option deserialize_unit deserialize_seq
        deserialize_map deserialize_identifier deserialize_ignored_any
    }

    fn deserialize_unit_struct<V: de::Visitor<'a>>(
        self,
        name: &'static str,
        visitor: V,
    ) -> Result<V::Value, serde_json::Error> {
        let mut d = serde_json::Deserializer::from_str(self.0);
        let v = de::Deserializer::deserialize_unit_struct(&mut d, name, visitor)?;
        d.end()?;
        Ok(v)
    }

    fn deserialize_newtype_struct<V: de::Visitor<'a>>(
        self,
        name: &'static str,
        visitor: V,
    ) -> Result<V::Value, serde_json::Error> {
        let mut d = serde_json::Deserializer::from_str(self.0);
        let v = de::Deserializer::deserialize_newtype_struct(&mut d, name, visitor)?;
        d.end()?;
        Ok(v)
    }

    fn deserialize_tuple<V: de::Visitor<'a>>(
        self,
        len: usize,
        visitor: V,
    ) -> Result<V::Value, serde_json::Error> {
        let mut d = serde_json::Deserializer::from_str(self.0);
        let v = de::Deserializer::deserialize_tuple(&mut d, len, visitor)?;
        d.end()?;
        Ok(v)
    }

    fn deserialize_tuple_struct<V: de::Visitor<'a>>(
        self,
        name: &'static str,
        len: usize,
        visitor: V,
    ) -> Result<V::Value, serde_json::Error> {
        let mut d = serde_json::Deserializer::from_str(self.0);
        let v = de::Deserializer::deserialize_tuple_struct(&mut d, name, len, visitor)?;
        d.end()?;
        Ok(v)
    }

    fn deserialize_struct<V: de::Visitor<'a>>(
        self,
        name: &'static str,
        fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, serde_json::Error> {
        let mut d = serde_json::Deserializer::from_str(self.0);
        let v = de::Deserializer::deserialize_struct(&mut d, name, fields, visitor)?;
        d.end()?;
        Ok(v)
    }

    fn deserialize_enum<V: de::Visitor<'a>>(
        self,
        name: &'static str,
        variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, serde_json::Error> {
        let mut d = serde_json::Deserializer::from_str(self.0);
        let v = de::Deserializer::deserialize_enum(&mut d, name, variants, visitor)?;
        d.end()?;
        Ok(v)
    }
}

#[cfg(test)]
mod unit {
    use super::*;
    use crate::contract::extract::lenient_string;

    #[derive(Deserialize, Debug, PartialEq)]
    struct Req<'a> {
        #[serde(borrow, default, deserialize_with = "lenient_string")]
        a: Option<Cow<'a, str>>,
        #[serde(borrow, default, deserialize_with = "lenient_string")]
        b: Option<Cow<'a, str>>,
    }

    /// What the scanned members give, and what a whole parse gives.
    fn both(body: &str) -> (Result<Req<'_>, JsonError>, Result<Req<'_>, JsonError>) {
        let object = Object::scan(body.as_bytes()).ok();
        let read = JsonBody::new(Bytes::copy_from_slice(body.as_bytes()), object);
        let scanned = read.parse::<Req>().map(|r| {
            let own = |v: Option<Cow<str>>| v.map(|s| Cow::Owned(s.into_owned()));
            Req {
                a: own(r.a),
                b: own(r.b),
            }
        });
        (scanned, json_object(body.as_bytes()))
    }

    #[test]
    fn the_scanned_members_read_as_a_whole_parse_does() {
        for body in [
            r#"{"a":"x","b":"y"}"#,
            r#" { "a" : 1.10 , "b" : -0 } "#,
            r#"{"a":"x","a":"z"}"#,
            r#"{"a":"x\"y","b":"\u00e9"}"#,
            r#"{"\u0061":"escaped key","b":null}"#,
            r#"{"c":{"d":[1,"}",{"e":null}]},"a":"x"}"#,
            r#"{"c":{"d" 1},"a":"x"}"#,
            r#"{"c":[1,],"a":"x"}"#,
            r#"{"c":01,"a":"x"}"#,
            r#"{"c":1-2,"a":"x"}"#,
            r#"{"c":"\x","a":"x"}"#,
            "{\"c\":\"tab\tin\"}",
            "{\"k\tey\":1}",
            r#"{"a":true}"#,
            r#"{"a":{}}"#,
            r#"{"a":[]}"#,
            "\u{feff}{\"a\":\"bom\"}",
            r#"{}"#,
            r#"[]"#,
            r#"{"a":"x",}"#,
            r#"{"a":nul}"#,
        ] {
            let (scanned, whole) = both(body);
            assert_eq!(scanned, whole, "{body}");
        }
    }

    #[test]
    fn a_body_that_is_not_utf8_is_malformed_either_way() {
        let body = b"{\"a\":\"\xff\"}";
        let read = JsonBody::new(Bytes::from_static(body), Object::scan(body).ok());
        assert_eq!(read.parse::<Req>(), Err(JsonError::Malformed));
        assert_eq!(json_object::<Req>(body), Err(JsonError::Malformed));
    }

    #[test]
    fn members_past_the_inline_ones_are_kept() {
        let body: String = format!(
            "{{{}\"a\":\"last\"}}",
            (0..20)
                .map(|i| format!("\"k{i}\":{i},"))
                .collect::<String>()
        );
        let o = Object::scan(body.as_bytes()).unwrap();
        assert_eq!(o.members(body.as_bytes()).count(), 21);
        let read = JsonBody::new(Bytes::from(body.clone()), Some(o));
        assert_eq!(read.parse::<Req>().unwrap().a.as_deref(), Some("last"));
    }
}
