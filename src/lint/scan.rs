//! A borrowed scan of a JSON object's top-level members: each key and the kind of its value, without
//! decoding strings or building values (no allocation). The handler's own parse decides whether the
//! body is valid; this scan only has to be right on the bodies that parse, and stops on the rest.

/// The JSON kind of a member's value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JsonKind {
    String,
    Number,
    Bool,
    Null,
    Object,
    Array,
}

impl JsonKind {
    pub fn name(self) -> &'static str {
        match self {
            JsonKind::String => "string",
            JsonKind::Number => "number",
            JsonKind::Bool => "boolean",
            JsonKind::Null => "null",
            JsonKind::Object => "object",
            JsonKind::Array => "array",
        }
    }
}

/// One top-level member. `key` and, for a string, `text` are the raw bytes between the quotes (escapes
/// left as written).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Member<'a> {
    pub key: &'a [u8],
    pub kind: JsonKind,
    pub text: &'a [u8],
}

/// The body is not a JSON object this scan can read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Malformed;

/// Calls `f` with each top-level member of the object in `body`, in order.
pub fn members<'a>(body: &'a [u8], mut f: impl FnMut(Member<'a>)) -> Result<(), Malformed> {
    let mut s = Scanner { b: body, i: 0 };
    s.ws();
    s.expect(b'{')?;
    s.ws();
    if s.peek() == Some(b'}') {
        s.i += 1;
        return s.end();
    }
    loop {
        s.ws();
        s.expect(b'"')?;
        let key = s.string()?;
        s.ws();
        s.expect(b':')?;
        s.ws();
        let (kind, text) = s.value()?;
        f(Member { key, kind, text });
        s.ws();
        match s.next() {
            Some(b',') => continue,
            Some(b'}') => return s.end(),
            _ => return Err(Malformed),
        }
    }
}

/// The first `"` or `\\` in `b`, eight bytes at a time. Keys and values are mostly a dozen bytes long,
/// too short for memchr's vector setup to pay (bench/RESULTS.md, "Performance devices").
fn quote_or_backslash(b: &[u8]) -> Option<usize> {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGHS: u64 = 0x8080_8080_8080_8080;
    // High bit set in each zero byte of `x`, and maybe above one (the lowest set bit is exact).
    let zero = |x: u64| x.wrapping_sub(ONES) & !x & HIGHS;
    let mut chunks = b.chunks_exact(8);
    let mut at = 0;
    for c in chunks.by_ref() {
        let mut w = [0u8; 8];
        w.copy_from_slice(c);
        let w = u64::from_le_bytes(w);
        let hits = zero(w ^ (ONES * u64::from(b'"'))) | zero(w ^ (ONES * u64::from(b'\\')));
        if hits != 0 {
            return Some(at + hits.trailing_zeros() as usize / 8);
        }
        at += 8;
    }
    let tail = chunks
        .remainder()
        .iter()
        .position(|&c| c == b'"' || c == b'\\');
    tail.map(|p| at + p)
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

    fn expect(&mut self, c: u8) -> Result<(), Malformed> {
        if self.next() == Some(c) {
            Ok(())
        } else {
            Err(Malformed)
        }
    }

    fn end(&mut self) -> Result<(), Malformed> {
        self.ws();
        if self.i == self.b.len() {
            Ok(())
        } else {
            Err(Malformed)
        }
    }

    /// The rest of a string whose opening quote was read: its raw text. Control characters in it are
    /// left to the handler's parse to refuse.
    fn string(&mut self) -> Result<&'a [u8], Malformed> {
        let start = self.i;
        loop {
            let at = quote_or_backslash(&self.b[self.i..]).ok_or(Malformed)?;
            self.i += at + 1;
            if self.b[self.i - 1] == b'"' {
                return Ok(&self.b[start..self.i - 1]);
            }
            // A backslash escapes the next byte.
            self.next().ok_or(Malformed)?;
        }
    }

    fn value(&mut self) -> Result<(JsonKind, &'a [u8]), Malformed> {
        let start = self.i;
        let kind = match self.next().ok_or(Malformed)? {
            b'"' => return Ok((JsonKind::String, self.string()?)),
            b'{' | b'[' => {
                self.skip_nested()?;
                if self.b[start] == b'{' {
                    JsonKind::Object
                } else {
                    JsonKind::Array
                }
            }
            b't' => self.literal(b"rue", JsonKind::Bool)?,
            b'f' => self.literal(b"alse", JsonKind::Bool)?,
            b'n' => self.literal(b"ull", JsonKind::Null)?,
            b'-' | b'0'..=b'9' => {
                while matches!(
                    self.peek(),
                    Some(b'0'..=b'9' | b'.' | b'e' | b'E' | b'+' | b'-')
                ) {
                    self.i += 1;
                }
                JsonKind::Number
            }
            _ => return Err(Malformed),
        };
        Ok((kind, &self.b[start..self.i]))
    }

    fn literal(&mut self, rest: &[u8], kind: JsonKind) -> Result<JsonKind, Malformed> {
        if self.b[self.i..].starts_with(rest) {
            self.i += rest.len();
            Ok(kind)
        } else {
            Err(Malformed)
        }
    }

    /// Skips an object or array whose opening bracket was read, strings included.
    fn skip_nested(&mut self) -> Result<(), Malformed> {
        let mut depth = 1usize;
        while depth > 0 {
            match self.next().ok_or(Malformed)? {
                b'"' => {
                    self.string()?;
                }
                b'{' | b'[' => depth += 1,
                b'}' | b']' => depth -= 1,
                _ => {}
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod unit {
    use super::*;

    fn scan(body: &str) -> Result<Vec<(String, JsonKind, String)>, Malformed> {
        let mut v = Vec::new();
        members(body.as_bytes(), |m| {
            v.push((
                String::from_utf8_lossy(m.key).into_owned(),
                m.kind,
                String::from_utf8_lossy(m.text).into_owned(),
            ))
        })?;
        Ok(v)
    }

    #[test]
    fn reads_top_level_members_and_skips_nested_values() {
        let v = scan(
            r#" { "a" : "x\"}y", "b":1.5e3,"c":true,"d":null,"e":{"f":["}",{"g":1}]},"h":[1,"]"] } "#,
        )
        .unwrap();
        let kinds: Vec<(&str, JsonKind)> =
            v.iter().map(|(k, kind, _)| (k.as_str(), *kind)).collect();
        assert_eq!(
            kinds,
            [
                ("a", JsonKind::String),
                ("b", JsonKind::Number),
                ("c", JsonKind::Bool),
                ("d", JsonKind::Null),
                ("e", JsonKind::Object),
                ("h", JsonKind::Array),
            ]
        );
        assert_eq!(v[0].2, r#"x\"}y"#);
        assert_eq!(v[1].2, "1.5e3");
        assert_eq!(scan("{}").unwrap(), []);
    }

    #[test]
    fn finds_the_first_quote_or_backslash_at_any_offset() {
        for len in 0..40 {
            for at in 0..len {
                for c in [b'"', b'\\'] {
                    let mut b = vec![b'a'; len];
                    b[at] = c;
                    if at + 1 < len {
                        b[at + 1] = b'"';
                    }
                    assert_eq!(quote_or_backslash(&b), Some(at), "{len} {at}");
                }
            }
            assert_eq!(quote_or_backslash(&vec![0xff; len]), None);
        }
    }

    #[test]
    fn stops_on_what_is_not_one_object() {
        for bad in [
            "",
            "[]",
            "\"x\"",
            "{",
            r#"{"a":1,}"#,
            r#"{"a":1} x"#,
            r#"{"a" 1}"#,
            r#"{"a":tru}"#,
            r#"{"a":"x"#,
            r#"{"a":{"b":1}"#,
        ] {
            assert_eq!(scan(bad), Err(Malformed), "{bad:?}");
        }
    }
}
