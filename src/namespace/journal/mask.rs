//! How a journal entry is shown: secrets masked in bodies, queries and headers.

use super::Entry;
use serde_json::{json, Map, Value};

pub use crate::logging::mask;

/// Whether a field or parameter named `k` holds a secret. `code` is an authorization code in a request
/// but a status in a response (OneAccess answers `"code":"200"`), so it is masked in requests only;
/// expiry instants and token types (`refreshTokenExpire`, `token_type`) are not secrets.
fn is_secret_key(k: &str, request: bool) -> bool {
    let l = k.to_ascii_lowercase();
    if l.contains("expire") || l.ends_with("type") {
        return false;
    }
    l.contains("password")
        || l.contains("secret")
        || l.contains("token")
        || l.contains("ticket")
        || l.contains("session")
        || (request && l == "code")
}

/// OneAccess messages that quote the credential they refuse (`Access token expired:<token>`).
const QUOTING_MESSAGES: [&str; 2] = ["Invalid access token:", "Access token expired:"];

/// A message with the credential it quotes masked; `None` when it quotes none.
fn mask_quoted(msg: &str) -> Option<String> {
    QUOTING_MESSAGES.iter().find_map(|p| {
        let rest = msg.strip_prefix(p)?;
        let quoted = rest.trim_start();
        let gap = &rest[..rest.len() - quoted.len()];
        Some(format!("{p}{gap}{}", mask(quoted)))
    })
}

fn mask_value(v: &mut Value, request: bool) {
    match v {
        Value::Object(m) => {
            for (k, val) in m.iter_mut() {
                if let Value::String(s) = val {
                    if let Some(masked) = mask_quoted(s) {
                        *s = masked;
                        continue;
                    }
                }
                if is_secret_key(k, request) {
                    match val {
                        Value::String(s) => {
                            *s = mask(s);
                            continue;
                        }
                        // A password or code sent as a JSON number is as secret as its text.
                        Value::Number(n) => {
                            *val = Value::String(mask(&n.to_string()));
                            continue;
                        }
                        _ => {}
                    }
                }
                mask_value(val, request);
            }
        }
        Value::Array(a) => a.iter_mut().for_each(|x| mask_value(x, request)),
        _ => {}
    }
}

/// Masks secrets in a body that is not valid JSON (a malformed request, or an answer cut short by the
/// `malformed` fault): the string or bare value after every `"<secret key>":`, even if unterminated.
fn mask_text(text: &str, request: bool) -> String {
    let b = text.as_bytes();
    let mut out = String::with_capacity(text.len());
    // The last string read, while it may still turn out to be a key.
    let mut key: Option<&str> = None;
    // The next value belongs to a secret key.
    let mut secret = false;
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'"' => {
                let start = i + 1;
                let mut j = start;
                while j < b.len() && b[j] != b'"' {
                    j += if b[j] == b'\\' { 2 } else { 1 };
                }
                let s = &text[start..j.min(b.len())];
                out.push('"');
                if secret {
                    out.push_str(&mask(s));
                    secret = false;
                    key = None;
                } else {
                    out.push_str(s);
                    key = Some(s);
                }
                if j < b.len() {
                    out.push('"');
                }
                i = j + 1;
            }
            b':' if key.is_some() => {
                secret = key.is_some_and(|k| is_secret_key(k, request));
                key = None;
                out.push(':');
                i += 1;
            }
            c if c.is_ascii_whitespace() => {
                out.push(char::from(c));
                i += 1;
            }
            b'{' | b'[' if secret => {
                // An object or array under a secret-sounding key (`sessionInfo`): its own fields decide.
                secret = false;
                out.push(char::from(b[i]));
                i += 1;
            }
            _ if secret => {
                // A bare value (a number or literal), up to the next delimiter.
                let end = text[i..]
                    .find(|c: char| matches!(c, ',' | '}' | ']') || c.is_whitespace())
                    .map_or(b.len(), |n| i + n);
                out.push_str(&mask(&text[i..end]));
                secret = false;
                i = end;
            }
            _ => {
                let Some(ch) = text[i..].chars().next() else {
                    break;
                };
                out.push(ch);
                key = None;
                i += ch.len_utf8();
            }
        }
    }
    out
}

/// A body for display: JSON with secret fields masked, a form with secret fields masked, or text with
/// secret values masked. `request` tells a request body from an answer.
pub fn body_view(b: &[u8], request: bool) -> Value {
    if b.is_empty() {
        return Value::Null;
    }
    if let Ok(mut v) = serde_json::from_slice::<Value>(b) {
        mask_value(&mut v, request);
        return v;
    }
    let text = String::from_utf8_lossy(b);
    if text.contains('=') && !text.contains(' ') && !text.contains('{') {
        let masked: Vec<String> = form_urlencoded::parse(b)
            .map(|(k, v)| {
                let v = if is_secret_key(&k, request) {
                    mask(&v)
                } else {
                    v.into_owned()
                };
                form_urlencoded::Serializer::new(String::new())
                    .append_pair(&k, &v)
                    .finish()
            })
            .collect();
        return Value::String(masked.join("&"));
    }
    Value::String(mask_text(&text, request))
}

/// The request target with secret query parameters masked.
pub fn uri_view(uri: &str) -> String {
    match uri.split_once('?') {
        None => uri.to_string(),
        Some((path, q)) => {
            let mut ser = form_urlencoded::Serializer::new(String::new());
            for (k, v) in form_urlencoded::parse(q.as_bytes()) {
                let v = if is_secret_key(&k, true) {
                    mask(&v)
                } else {
                    v.into_owned()
                };
                ser.append_pair(&k, &v);
            }
            format!("{path}?{}", ser.finish())
        }
    }
}

fn headers_view(packed: &[u8]) -> Value {
    let mut m = Map::new();
    for line in packed.split(|b| *b == b'\n').filter(|l| !l.is_empty()) {
        let line = String::from_utf8_lossy(line);
        let (name, text) = line.split_once(": ").unwrap_or((&line, ""));
        let text = text.to_string();
        let shown = if name == "authorization"
            || name == "proxy-authorization"
            || name == "cookie"
            || name == "apim-accesstoken"
            || name.contains("token")
            || name.contains("session")
        {
            mask(&text)
        } else {
            text
        };
        match m.get_mut(name) {
            Some(Value::String(prev)) => {
                prev.push_str(", ");
                prev.push_str(&shown);
            }
            _ => {
                m.insert(name.to_string(), Value::String(shown));
            }
        }
    }
    Value::Object(m)
}

impl Entry {
    /// The entry as `GET /__admin/requests` shows it, secrets masked.
    pub fn view(&self) -> Value {
        let o = &self.outcome;
        let path = self.uri().split('?').next().unwrap_or("").to_string();
        json!({
            "id": self.id,
            "time": crate::clock::rfc3339(o.time_ms),
            "epochMs": o.time_ms,
            "method": o.method.as_str(),
            "path": path,
            "uri": uri_view(self.uri()),
            "route": o.route,
            "request": {
                "headers": headers_view(self.headers()),
                "body": body_view(self.body(), true),
                "bodyBytes": self.sizes[0],
                "bodyTruncated": self.sizes[0] > self.body().len(),
            },
            "status": o.status,
            "response": {
                "body": body_view(self.response_body(), false),
                "bodyBytes": self.sizes[1],
                "bodyTruncated": self.sizes[1] > self.response_body().len(),
            },
            "durationMs": o.duration_us as f64 / 1000.0,
            "fault": o.fault,
            "warnings": o.warnings.to_json(),
            "notes": o.warnings.notes_json(),
            "traceId": o.trace.as_ref().and_then(|t| t.trace_id()),
            "traceparent": o.trace.as_ref().and_then(|t| t.traceparent.as_deref()),
            "xTraceid": o.trace.as_ref().and_then(|t| t.x_traceid.as_deref()),
        })
    }
}

#[cfg(test)]
mod unit {
    use super::*;
    use axum::body::Bytes;

    #[test]
    fn masks_secrets_in_bodies_and_queries() {
        let b = Bytes::from_static(
            br#"{"account":"a","password":"123qweASD143","data":{"accessToken":"AT 3b91abcdef"}}"#,
        );
        let v = body_view(&b, true);
        assert_eq!(v["password"], "123q****");
        assert_eq!(v["data"]["accessToken"], "AT 3****");
        assert_eq!(v["account"], "a");
        let f = body_view(
            &Bytes::from_static(b"grant_type=client_credentials&client_secret=demo-client-secret"),
            true,
        );
        assert_eq!(f, "grant_type=client_credentials&client_secret=demo****");
        assert_eq!(
            uri_view("/x?refreshToken=eyJhbGciOi"),
            "/x?refreshToken=eyJh****"
        );
    }

    #[test]
    fn masks_secrets_in_bodies_that_are_not_json() {
        let malformed = Bytes::from_static(
            b"{\n\"account\": \"0027188460911\",\n\"password\": \"123qweASD143\",\n}",
        );
        assert_eq!(
            body_view(&malformed, true),
            "{\n\"account\": \"0027188460911\",\n\"password\": \"123q****\",\n}"
        );
        let cut = Bytes::from_static(br#"{"data":{"sessionInfo":{"accessToken":"AT 3e088dbce3a"#);
        assert_eq!(
            body_view(&cut, false),
            r#"{"data":{"sessionInfo":{"accessToken":"AT 3****"#
        );
        let numbers = Bytes::from_static(br#"{"captchaToken":123456,"code":0,"x":1"#);
        assert_eq!(
            body_view(&numbers, true),
            r#"{"captchaToken":1234****,"code":0****,"x":1"#
        );
        let answer =
            Bytes::from_static(br#"{"code":"200","refreshTokenExpire":1,"token_type":"Bearer"}"#);
        assert_eq!(
            body_view(&answer, false),
            serde_json::json!({"code":"200","refreshTokenExpire":1,"token_type":"Bearer"})
        );
        let numeric = Bytes::from_static(br#"{"password":123456}"#);
        assert_eq!(body_view(&numeric, true)["password"], "1234****");
    }
}
