//! The two readings of a body before they were one (commit 5201a36), kept as the parity test's
//! oracles: the handler's serde_json parse and the lint's borrowed scan.

use serde::de::{self, Deserializer};
use serde::Deserialize;
use serde_json::value::RawValue;

/// The handler's parse: BOM skipped, UTF-8 checked, an object, serde_json, and on a data error a
/// second parse in which repeated keys keep their last value.
pub fn json_object<'a, T: Deserialize<'a>>(body: &'a [u8]) -> Option<T> {
    let body = body.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(body);
    let text = std::str::from_utf8(body).ok()?;
    if text
        .trim_start_matches(|c: char| c.is_ascii_whitespace())
        .as_bytes()
        .first()
        != Some(&b'{')
    {
        return None;
    }
    match serde_json::from_str(text) {
        Ok(v) => Some(v),
        Err(e) if e.is_data() => last_wins(text),
        Err(_) => None,
    }
}

fn last_wins<'a, T: Deserialize<'a>>(text: &'a str) -> Option<T> {
    let Entries(members) = serde_json::from_str(text).ok()?;
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

struct Entries<'a>(Vec<(String, &'a RawValue)>);

impl<'de> Deserialize<'de> for Entries<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> de::Visitor<'de> for V {
            type Value = Entries<'de>;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a JSON object")
            }
            fn visit_map<A: de::MapAccess<'de>>(self, mut m: A) -> Result<Entries<'de>, A::Error> {
                let mut members = Vec::new();
                while let Some(member) = m.next_entry()? {
                    members.push(member);
                }
                Ok(Entries(members))
            }
        }
        d.deserialize_map(V)
    }
}

/// A top-level member as the lint sees it: raw key, kind name, raw text.
pub type Seen = (Vec<u8>, &'static str, Vec<u8>);

/// The lint's scan: each top-level member, raw; `None` where it stopped. It neither skipped a BOM
/// nor checked strings, numbers or nested values.
pub fn scan(body: &[u8]) -> Option<Vec<Seen>> {
    let mut s = Scanner { b: body, i: 0 };
    let mut out = Vec::new();
    s.ws();
    s.expect(b'{')?;
    s.ws();
    if s.peek() == Some(b'}') {
        s.i += 1;
        return s.end().then_some(out);
    }
    loop {
        s.ws();
        s.expect(b'"')?;
        let key = s.string()?;
        s.ws();
        s.expect(b':')?;
        s.ws();
        let (kind, text) = s.value()?;
        out.push((key.to_vec(), kind, text.to_vec()));
        s.ws();
        match s.next() {
            Some(b',') => continue,
            Some(b'}') => return s.end().then_some(out),
            _ => return None,
        }
    }
}

struct Scanner<'a> {
    b: &'a [u8],
    i: usize,
}

impl<'a> Scanner<'a> {
    fn peek(&self) -> Option<u8> {
        self.b.get(self.i).copied()
    }

    fn next(&mut self) -> Option<u8> {
        let c = self.peek()?;
        self.i += 1;
        Some(c)
    }

    fn ws(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            self.i += 1;
        }
    }

    fn expect(&mut self, c: u8) -> Option<()> {
        (self.next() == Some(c)).then_some(())
    }

    fn end(&mut self) -> bool {
        self.ws();
        self.i == self.b.len()
    }

    fn string(&mut self) -> Option<&'a [u8]> {
        let start = self.i;
        loop {
            let at = self.b[self.i..]
                .iter()
                .position(|&c| c == b'"' || c == b'\\')?;
            self.i += at + 1;
            if self.b[self.i - 1] == b'"' {
                return Some(&self.b[start..self.i - 1]);
            }
            self.next()?;
        }
    }

    fn value(&mut self) -> Option<(&'static str, &'a [u8])> {
        let start = self.i;
        let kind = match self.next()? {
            b'"' => return Some(("string", self.string()?)),
            b'{' | b'[' => {
                self.skip_nested()?;
                if self.b[start] == b'{' {
                    "object"
                } else {
                    "array"
                }
            }
            b't' => self.literal(b"rue", "boolean")?,
            b'f' => self.literal(b"alse", "boolean")?,
            b'n' => self.literal(b"ull", "null")?,
            b'-' | b'0'..=b'9' => {
                while matches!(
                    self.peek(),
                    Some(b'0'..=b'9' | b'.' | b'e' | b'E' | b'+' | b'-')
                ) {
                    self.i += 1;
                }
                "number"
            }
            _ => return None,
        };
        Some((kind, &self.b[start..self.i]))
    }

    fn literal(&mut self, rest: &[u8], kind: &'static str) -> Option<&'static str> {
        self.b[self.i..].starts_with(rest).then(|| {
            self.i += rest.len();
            kind
        })
    }

    fn skip_nested(&mut self) -> Option<()> {
        let mut depth = 1usize;
        while depth > 0 {
            match self.next()? {
                b'"' => {
                    self.string()?;
                }
                b'{' | b'[' => depth += 1,
                b'}' | b']' => depth -= 1,
                _ => {}
            }
        }
        Some(())
    }
}
