//! A typed request from the parsed members, through its serde derive: a map whose repeated keys keep
//! their last value (the earlier ones are never looked at), keys with escapes decoded; a string value
//! is borrowed from the body unless it holds an escape, a number is handed as its text (its spelling
//! kept), `null` as none, and a boolean, object or array is refused where a string is read.

use super::parse::{JsonKind, Member};
use serde::de::value::Error;
use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, Visitor};
use std::borrow::Cow;
use std::marker::PhantomData;

/// Above this many members, the last of each key is found with a set instead of by looking ahead:
/// a 64 KiB body holds thousands, and looking ahead from each would cost their square.
const LOOK_AHEAD_MAX: usize = 16;

/// `T` from an object's members.
pub(super) fn from_members<'a, T: de::Deserialize<'a>>(members: &[Member<'a>]) -> Result<T, Error> {
    let last = match members.len() {
        n if n > LOOK_AHEAD_MAX => Some(last_of_each_key(members)?),
        _ => None,
    };
    T::deserialize(Object(members, last.as_deref()))
}

/// For each member, whether no later member repeats its key (keys compared decoded).
fn last_of_each_key(members: &[Member<'_>]) -> Result<Vec<bool>, Error> {
    let mut seen = std::collections::HashSet::with_capacity(members.len());
    let mut last = vec![false; members.len()];
    for (i, m) in members.iter().enumerate().rev() {
        last[i] = seen.insert(decode(m.key, m.key_escaped)?);
    }
    Ok(last)
}

#[cfg(test)]
thread_local! {
    /// Escaped texts decoded on this thread (the tests count them).
    pub(super) static DECODED: std::cell::Cell<usize> = const { std::cell::Cell::new(0) };
}

/// A JSON string's raw text (between its quotes) decoded, borrowed when it holds no escape. Decoding
/// is serde_json's, so a lone UTF-16 surrogate is refused as it would be.
fn decode(raw: &str, escaped: bool) -> Result<Cow<'_, str>, Error> {
    if !escaped {
        return Ok(Cow::Borrowed(raw));
    }
    #[cfg(test)]
    DECODED.with(|d| d.set(d.get() + 1));
    let quoted = format!("\"{raw}\"");
    serde_json::from_str::<String>(&quoted)
        .map(Cow::Owned)
        .map_err(de::Error::custom)
}

/// The members, and for a long list which of them is the last of its key ([`last_of_each_key`]).
struct Object<'m, 'a>(&'m [Member<'a>], Option<&'m [bool]>);

impl<'de> Deserializer<'de> for Object<'_, 'de> {
    type Error = Error;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        visitor.visit_map(Entries {
            members: self.0,
            last: self.1,
            next: 0,
            value: None,
        })
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes byte_buf option
        unit unit_struct newtype_struct seq tuple tuple_struct map struct enum identifier ignored_any
    }
}

struct Entries<'m, 'a> {
    members: &'m [Member<'a>],
    last: Option<&'m [bool]>,
    next: usize,
    value: Option<Member<'a>>,
}

impl<'de> MapAccess<'de> for Entries<'_, 'de> {
    type Error = Error;

    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, Error> {
        while let Some(&m) = self.members.get(self.next) {
            self.next += 1;
            let key = decode(m.key, m.key_escaped)?;
            let later = &self.members[self.next..];
            let repeated = if let Some(last) = self.last {
                !last[self.next - 1]
            } else if m.key_escaped || later.iter().any(|l| l.key_escaped) {
                let mut found = false;
                for l in later {
                    found |= decode(l.key, l.key_escaped)? == key;
                }
                found
            } else {
                later.iter().any(|l| l.key == m.key)
            };
            if repeated {
                continue;
            }
            self.value = Some(m);
            return seed.deserialize(Key(key)).map(Some);
        }
        Ok(None)
    }

    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value, Error> {
        let m = self
            .value
            .take()
            .ok_or_else(|| de::Error::custom("value before key"))?;
        seed.deserialize(Value(m))
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.members.len() - self.next)
    }
}

struct Key<'a>(Cow<'a, str>);

impl<'de> Deserializer<'de> for Key<'de> {
    type Error = Error;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        match self.0 {
            Cow::Borrowed(k) => visitor.visit_borrowed_str(k),
            Cow::Owned(k) => visitor.visit_string(k),
        }
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes byte_buf option
        unit unit_struct newtype_struct seq tuple tuple_struct map struct enum identifier ignored_any
    }
}

/// One member's value.
struct Value<'a>(Member<'a>);

impl<'de> Deserializer<'de> for Value<'de> {
    type Error = Error;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        let m = self.0;
        match m.kind {
            JsonKind::String => match decode(m.text, m.text_escaped)? {
                Cow::Borrowed(s) => visitor.visit_borrowed_str(s),
                Cow::Owned(s) => visitor.visit_string(s),
            },
            JsonKind::Number => visitor.visit_borrowed_str(m.text),
            JsonKind::Bool => visitor.visit_bool(m.text == "true"),
            JsonKind::Null => visitor.visit_unit(),
            JsonKind::Object => Err(de::Error::invalid_type(de::Unexpected::Map, &visitor)),
            JsonKind::Array => Err(de::Error::invalid_type(de::Unexpected::Seq, &visitor)),
        }
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        match self.0.kind {
            JsonKind::Null => visitor.visit_none(),
            _ => visitor.visit_some(self),
        }
    }

    fn deserialize_ignored_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        visitor.visit_unit()
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes byte_buf
        unit unit_struct newtype_struct seq tuple tuple_struct map struct enum identifier
    }
}

/// Deserializes an optional string field of a request the way the vendors' Java servers (Jackson)
/// coerce it: a string as is, a number as its JSON text exactly as sent (`1` → "1", `1.10` → "1.10",
/// `1e2` → "1e2"), `null` as absent; anything else is an error. It reads through [`super::Body::json`]'s
/// deserializer, which hands a number as its text (for serde_json, see
/// [`crate::contract::extract::serde_json_lenient_string`]).
///
/// `T` is `String`, or `Cow<str>` to borrow the text from the body when it holds no escape (a request
/// field read once needs no copy of its own).
pub fn lenient_string<'de, D, T>(d: D) -> Result<Option<T>, D::Error>
where
    D: Deserializer<'de>,
    T: From<&'de str> + From<String>,
{
    d.deserialize_option(Lenient(PhantomData))
}

struct Lenient<T>(PhantomData<T>);

impl<'de, T: From<&'de str> + From<String>> Visitor<'de> for Lenient<T> {
    type Value = Option<T>;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("a string or a number")
    }

    fn visit_none<E: de::Error>(self) -> Result<Option<T>, E> {
        Ok(None)
    }

    fn visit_unit<E: de::Error>(self) -> Result<Option<T>, E> {
        Ok(None)
    }

    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Option<T>, D::Error> {
        d.deserialize_str(self)
    }

    fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Option<T>, E> {
        Ok(Some(v.into()))
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Option<T>, E> {
        Ok(Some(v.to_owned().into()))
    }

    fn visit_string<E: de::Error>(self, v: String) -> Result<Option<T>, E> {
        Ok(Some(v.into()))
    }
}
