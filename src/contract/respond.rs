//! The hand-written JSON of the hot success answers (the benchmarked routes). Keys are literals and
//! each value is copied once; a value that needs escaping goes through serde_json, so the bytes are
//! serde_json's in every case (each [`WriteJson`] type also derives `Serialize`, and its unit test
//! compares the two). It is kept because it pays on the hot routes (bench/RESULTS.md, "Performance
//! devices"); every other answer uses `axum::Json`.

use axum::body::Body;
use axum::http::{header, HeaderValue};
use axum::response::{IntoResponse, Response};

/// Large enough for every vendor answer but the state dump, which grows past it.
const INITIAL: usize = 1024;

fn json_response(buf: Vec<u8>) -> Response {
    let mut r = Response::new(Body::from(buf));
    r.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    r
}

/// A body written by hand: literal JSON punctuation and keys, escaped strings, integers.
#[derive(Debug)]
pub struct JsonOut(Vec<u8>);

impl Default for JsonOut {
    fn default() -> Self {
        JsonOut(Vec::with_capacity(INITIAL))
    }
}

impl JsonOut {
    /// JSON text as is: punctuation and quoted keys, e.g. `{"code":` (never a value from outside).
    #[inline]
    pub fn raw(&mut self, json: &'static str) -> &mut Self {
        self.0.extend_from_slice(json.as_bytes());
        self
    }

    /// `s` as a JSON string, exactly as serde_json writes it.
    #[inline]
    pub fn str(&mut self, s: &str) -> &mut Self {
        let b = s.as_bytes();
        // No early exit, so the check compiles to a few vector compares for a token-sized string.
        let plain = b
            .iter()
            .fold(true, |ok, &c| ok & (c >= 0x20) & (c != b'"') & (c != b'\\'));
        if plain {
            self.0.reserve(b.len() + 2);
            self.0.push(b'"');
            self.0.extend_from_slice(b);
            self.0.push(b'"');
        } else {
            // Writing a str into a Vec cannot fail.
            let _ = serde_json::to_writer(&mut self.0, s);
        }
        self
    }

    /// An integer.
    #[inline]
    pub fn int(&mut self, n: impl itoa::Integer) -> &mut Self {
        self.0
            .extend_from_slice(itoa::Buffer::new().format(n).as_bytes());
        self
    }

    /// `true` or `false`.
    #[inline]
    pub fn bool(&mut self, v: bool) -> &mut Self {
        self.raw(if v { "true" } else { "false" })
    }

    /// Writes a nested value.
    #[inline]
    pub fn value(&mut self, v: &impl WriteJson) -> &mut Self {
        v.write_json(self);
        self
    }

    /// The bytes written.
    pub fn into_bytes(self) -> Vec<u8> {
        self.0
    }
}

/// A value that writes its own JSON, byte for byte what its `Serialize` gives.
pub trait WriteJson {
    fn write_json(&self, out: &mut JsonOut);

    /// The value's JSON text (what the unit tests compare with serde_json's).
    fn to_json(&self) -> Vec<u8> {
        let mut out = JsonOut::default();
        self.write_json(&mut out);
        out.into_bytes()
    }
}

impl WriteJson for bool {
    fn write_json(&self, out: &mut JsonOut) {
        out.bool(*self);
    }
}

/// A JSON answer written by [`WriteJson`] (`Content-Type: application/json`).
#[derive(Debug, Clone, Copy)]
pub struct HandWrittenJson<T>(pub T);

impl<T: WriteJson> IntoResponse for HandWrittenJson<T> {
    fn into_response(self) -> Response {
        json_response(self.0.to_json())
    }
}

/// Asserts that a value's hand-written JSON is byte for byte serde_json's.
#[cfg(test)]
pub fn assert_same_json<T: WriteJson + serde::Serialize>(v: &T) {
    let fast = String::from_utf8(v.to_json()).expect("hand-written JSON is UTF-8");
    let serde = serde_json::to_string(v).expect("serde serialises");
    assert_eq!(fast, serde);
}

/// Seconds a client should wait before retrying while the shared store is unreachable.
pub const RETRY_AFTER_S: &str = "1";

/// `resp` with `Retry-After`, for a 503 while the shared store is unreachable.
pub fn retry_later(mut resp: axum::response::Response) -> axum::response::Response {
    resp.headers_mut().insert(
        axum::http::header::RETRY_AFTER,
        axum::http::HeaderValue::from_static(RETRY_AFTER_S),
    );
    resp
}

#[cfg(test)]
mod unit {
    use super::*;
    use proptest::prelude::*;

    struct S(String);
    impl WriteJson for S {
        fn write_json(&self, out: &mut JsonOut) {
            out.str(&self.0);
        }
    }
    impl serde::Serialize for S {
        fn serialize<Z: serde::Serializer>(&self, s: Z) -> Result<Z::Ok, Z::Error> {
            self.0.serialize(s)
        }
    }

    #[test]
    fn strings_escape_as_serde_json_does() {
        for s in [
            "",
            "plain",
            "AT 0123456789abcdef",
            "quote \" backslash \\ slash /",
            "\u{0}\u{1}\u{8}\t\n\u{b}\u{c}\r\u{1f} \u{7f}",
            "ünïcødé 中文 😀",
            "\u{2028}\u{2029}",
        ] {
            assert_same_json(&S(s.to_string()));
        }
    }

    #[test]
    fn integers_and_bools() {
        for n in [0, 1, -1, 1800, i64::MAX, i64::MIN] {
            let mut o = JsonOut::default();
            o.int(n as u64);
            assert_eq!(o.into_bytes(), serde_json::to_vec(&(n as u64)).unwrap());
            let mut o = JsonOut::default();
            o.int(n);
            assert_eq!(o.into_bytes(), serde_json::to_vec(&n).unwrap());
        }
        assert_same_json(&true);
        assert_same_json(&false);
    }

    proptest! {
        #[test]
        fn any_string_matches_serde_json(s in any::<String>()) {
            assert_same_json(&S(s));
        }

        #[test]
        fn ascii_controls_match_serde_json(s in "[\\x00-\\x7f]{0,40}") {
            assert_same_json(&S(s));
        }
    }
}
