//! The one reading of a JSON request body: a validating pass that keeps the top-level members as text
//! borrowed from the body. It accepts exactly what serde_json accepts for an object read into a struct
//! (unknown and nested values skipped, so nesting is not depth-limited; escapes checked for their form,
//! and in top-level keys, which every reader decodes, for their UTF-16 pairs). Keys and strings are
//! decoded later, by whoever reads them.

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

/// One top-level member. `key` and, for a string, `text` are the raw text between the quotes (escapes
/// left as written); for any other kind, `text` is the value as written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Member<'a> {
    pub key: &'a str,
    pub kind: JsonKind,
    pub text: &'a str,
    /// `key` holds a backslash escape.
    pub key_escaped: bool,
    /// `text` is a string holding a backslash escape.
    pub text_escaped: bool,
}

/// The body is not one JSON object in UTF-8 text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Malformed;

/// Members kept inline: every documented request body has at most six fields. The parse lives in
/// the request's future, which is copied whole more than once per request, so inline room is dear.
const INLINE: usize = 8;

const NO_MEMBER: Member<'static> = Member {
    key: "",
    kind: JsonKind::Null,
    text: "",
    key_escaped: false,
    text_escaped: false,
};

/// An object's top-level members in order, repeats included. Up to eight are kept inline (no
/// allocation); a bigger object moves them all to the heap.
#[derive(Debug)]
pub struct Members<'a> {
    len: usize,
    inline: [Member<'a>; INLINE],
    spill: Vec<Member<'a>>,
}

impl<'a> Members<'a> {
    fn new() -> Members<'a> {
        Members {
            len: 0,
            inline: [NO_MEMBER; INLINE],
            spill: Vec::new(),
        }
    }

    fn push(&mut self, m: Member<'a>) {
        if self.len < INLINE {
            self.inline[self.len] = m;
        } else {
            if self.len == INLINE {
                self.spill.extend_from_slice(&self.inline);
            }
            self.spill.push(m);
        }
        self.len += 1;
    }

    pub fn as_slice(&self) -> &[Member<'a>] {
        if self.len <= INLINE {
            &self.inline[..self.len]
        } else {
            &self.spill
        }
    }
}

/// Parses `body` as one JSON object: a leading UTF-8 byte-order mark is skipped (as the vendors' Java
/// servers do), the whole text must be UTF-8, and nothing but whitespace may follow the object.
pub fn parse(body: &[u8]) -> Result<Members<'_>, Malformed> {
    let body = body.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(body);
    let text = std::str::from_utf8(body).map_err(|_| Malformed)?;
    let mut p = Parser {
        s: text,
        b: text.as_bytes(),
        i: 0,
    };
    let mut members = Members::new();
    p.ws();
    p.expect(b'{')?;
    p.ws();
    if p.eat(b'}') {
        p.end()?;
        return Ok(members);
    }
    loop {
        p.expect(b'"')?;
        let (key, key_escaped) = p.string(true)?;
        p.ws();
        p.expect(b':')?;
        p.ws();
        let (kind, text, text_escaped) = p.value()?;
        members.push(Member {
            key,
            kind,
            text,
            key_escaped,
            text_escaped,
        });
        p.ws();
        match p.next() {
            Some(b',') => p.ws(),
            Some(b'}') => {
                p.end()?;
                return Ok(members);
            }
            _ => return Err(Malformed),
        }
    }
}

/// The first `"`, `\\` or control character (below 0x20) in `b`: where a string ends, escapes or
/// goes wrong.
fn string_stop(b: &[u8]) -> Option<usize> {
    b.iter().position(|&c| c == b'"' || c == b'\\' || c < 0x20)
}

/// The open arrays and objects of a nested value, innermost last: a bit each, the first 128 inline.
#[derive(Default)]
struct Open {
    depth: usize,
    inline: u128,
    deeper: Vec<bool>,
}

impl Open {
    fn push(&mut self, object: bool) {
        if self.depth < 128 {
            self.inline = (self.inline & !(1 << self.depth)) | (u128::from(object) << self.depth);
        } else {
            self.deeper.push(object);
        }
        self.depth += 1;
    }

    fn pop(&mut self) {
        self.depth -= 1;
        if self.depth >= 128 {
            self.deeper.pop();
        }
    }

    /// Whether the innermost open value is an object; `None` when none is open.
    fn top(&self) -> Option<bool> {
        match self.depth {
            0 => None,
            d if d <= 128 => Some(self.inline & (1 << (d - 1)) != 0),
            _ => self.deeper.last().copied(),
        }
    }
}

struct Parser<'a> {
    s: &'a str,
    b: &'a [u8],
    i: usize,
}

impl<'a> Parser<'a> {
    fn peek(&self) -> Option<u8> {
        self.b.get(self.i).copied()
    }

    fn next(&mut self) -> Option<u8> {
        let c = self.peek()?;
        self.i += 1;
        Some(c)
    }

    fn eat(&mut self, c: u8) -> bool {
        let hit = self.peek() == Some(c);
        self.i += usize::from(hit);
        hit
    }

    fn ws(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            self.i += 1;
        }
    }

    fn expect(&mut self, c: u8) -> Result<(), Malformed> {
        if self.eat(c) {
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

    /// The rest of a string whose opening quote was read: its raw text, and whether it holds an escape.
    /// A top-level `key` is decoded by every reader, so its `\u` escapes must pair as UTF-16 (as
    /// serde_json has it); elsewhere four hex digits will do.
    fn string(&mut self, key: bool) -> Result<(&'a str, bool), Malformed> {
        let start = self.i;
        let mut escaped = false;
        loop {
            let at = string_stop(&self.b[self.i..]).ok_or(Malformed)?;
            self.i += at + 1;
            match self.b[self.i - 1] {
                b'"' => return Ok((&self.s[start..self.i - 1], escaped)),
                b'\\' => {
                    escaped = true;
                    match self.next() {
                        Some(b'"' | b'\\' | b'/' | b'b' | b'f' | b'n' | b'r' | b't') => {}
                        Some(b'u') => {
                            let unit = self.hex4()?;
                            if key {
                                self.surrogate_pair(unit)?;
                            }
                        }
                        _ => return Err(Malformed),
                    }
                }
                _ => return Err(Malformed),
            }
        }
    }

    /// The four hex digits of a `\u` escape.
    fn hex4(&mut self) -> Result<u16, Malformed> {
        let hex = self.b.get(self.i..self.i + 4).ok_or(Malformed)?;
        let mut unit = 0u16;
        for &c in hex {
            let d = char::from(c).to_digit(16).ok_or(Malformed)?;
            unit = unit << 4 | d as u16;
        }
        self.i += 4;
        Ok(unit)
    }

    /// After a `\u` escape of `unit`: a trailing surrogate alone is refused, a leading one must be
    /// followed at once by an escaped trailing one.
    fn surrogate_pair(&mut self, unit: u16) -> Result<(), Malformed> {
        match unit {
            0xDC00..=0xDFFF => Err(Malformed),
            0xD800..=0xDBFF => {
                if self.b.get(self.i..self.i + 2) != Some(&b"\\u"[..]) {
                    return Err(Malformed);
                }
                self.i += 2;
                match self.hex4()? {
                    0xDC00..=0xDFFF => Ok(()),
                    _ => Err(Malformed),
                }
            }
            _ => Ok(()),
        }
    }

    /// A member's value: its kind, its text (between the quotes for a string) and whether a string
    /// holds an escape.
    fn value(&mut self) -> Result<(JsonKind, &'a str, bool), Malformed> {
        let start = self.i;
        let kind = match self.peek() {
            Some(b'"') => {
                self.i += 1;
                let (text, escaped) = self.string(false)?;
                return Ok((JsonKind::String, text, escaped));
            }
            Some(b'{') => {
                self.nested()?;
                JsonKind::Object
            }
            Some(b'[') => {
                self.nested()?;
                JsonKind::Array
            }
            _ => self.scalar()?,
        };
        Ok((kind, &self.s[start..self.i], false))
    }

    /// A string, number, `true`, `false` or `null`.
    fn scalar(&mut self) -> Result<JsonKind, Malformed> {
        let literal = |p: &mut Self, word: &[u8], kind| {
            if p.b[p.i..].starts_with(word) {
                p.i += word.len();
                Ok(kind)
            } else {
                Err(Malformed)
            }
        };
        match self.peek() {
            Some(b'"') => {
                self.i += 1;
                self.string(false)?;
                Ok(JsonKind::String)
            }
            Some(b't') => literal(self, b"true", JsonKind::Bool),
            Some(b'f') => literal(self, b"false", JsonKind::Bool),
            Some(b'n') => literal(self, b"null", JsonKind::Null),
            Some(b'-' | b'0'..=b'9') => {
                self.number()?;
                Ok(JsonKind::Number)
            }
            _ => Err(Malformed),
        }
    }

    /// `-`? (`0` | [1-9][0-9]*) (`.` [0-9]+)? ([eE] [+-]? [0-9]+)?
    fn number(&mut self) -> Result<(), Malformed> {
        self.eat(b'-');
        match self.next() {
            Some(b'0') => {}
            Some(b'1'..=b'9') => self.digits(),
            _ => return Err(Malformed),
        }
        if self.eat(b'.') {
            self.digit()?;
        }
        if matches!(self.peek(), Some(b'e' | b'E')) {
            self.i += 1;
            if !self.eat(b'+') {
                self.eat(b'-');
            }
            self.digit()?;
        }
        Ok(())
    }

    fn digits(&mut self) {
        while matches!(self.peek(), Some(b'0'..=b'9')) {
            self.i += 1;
        }
    }

    /// At least one digit.
    fn digit(&mut self) -> Result<(), Malformed> {
        if !matches!(self.peek(), Some(b'0'..=b'9')) {
            return Err(Malformed);
        }
        self.digits();
        Ok(())
    }

    /// A key and its colon, inside a nested object.
    fn key(&mut self) -> Result<(), Malformed> {
        self.ws();
        self.expect(b'"')?;
        self.string(false)?;
        self.ws();
        self.expect(b':')
    }

    /// An array or object, at its opening bracket, validated to its end without recursion (as
    /// serde_json skips a value: no depth limit).
    fn nested(&mut self) -> Result<(), Malformed> {
        let mut open = Open::default();
        loop {
            self.ws();
            match self.peek() {
                Some(c @ (b'{' | b'[')) => {
                    self.i += 1;
                    self.ws();
                    let object = c == b'{';
                    if self.eat(if object { b'}' } else { b']' }) {
                        // Empty: a whole value, handled below like a scalar.
                    } else {
                        open.push(object);
                        if object {
                            self.key()?;
                        }
                        continue;
                    }
                }
                _ => {
                    self.scalar()?;
                }
            }
            // After a value: close what ends here, then a comma starts the next value.
            loop {
                let Some(object) = open.top() else {
                    return Ok(());
                };
                self.ws();
                match self.next() {
                    Some(b',') => {
                        if object {
                            self.key()?;
                        }
                        break;
                    }
                    Some(b'}') if object => open.pop(),
                    Some(b']') if !object => open.pop(),
                    _ => return Err(Malformed),
                }
            }
        }
    }
}
