//! The request journal: a ring buffer per namespace of what clients sent and what they got.
//!
//! Recording is cheap and leaves no scattered memory behind: an entry's request target, headers and
//! bodies are copied into one buffer, and buffers of evicted entries are reused, so once the ring is
//! full recording allocates nothing. Masking of secrets happens only when the journal is read.
//!
//! Memory is bounded twice: an entry keeps at most the first 4 KiB of each body (and 8 KiB of the target
//! and of the headers), and all namespaces' journals together hold at most [`JOURNAL_BUDGET`] bytes: a
//! journal recording past that drops its own oldest entries first.

use crate::app::RouteName;
use axum::http::{HeaderMap, Method};
use serde_json::{json, Map, Value};
use std::collections::VecDeque;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

/// Buffers kept for reuse (more than the requests in flight at once is never needed).
const SPARE_BUFFERS: usize = 64;
/// A reused buffer larger than this (a big body once) is dropped rather than kept.
const MAX_KEPT_BUFFER: usize = 32 * 1024;
/// Bytes of a request or response body an entry keeps (`bodyBytes` tells the whole size).
pub const MAX_BODY_KEPT: usize = 4 * 1024;
/// Bytes of the request target, and of the packed headers, an entry keeps.
const MAX_HEAD_KEPT: usize = 8 * 1024;
/// Bytes all namespaces' journals hold together, at most (plus one entry per journal).
pub const JOURNAL_BUDGET: usize = 64 << 20;

/// The bytes held by every journal of a server, shared by its namespaces.
#[derive(Debug, Default)]
pub struct JournalBytes(AtomicUsize);

impl JournalBytes {
    pub fn get(&self) -> usize {
        self.0.load(Ordering::Relaxed)
    }
}

/// The first `max` bytes of `b`.
fn kept(b: &[u8], max: usize) -> &[u8] {
    &b[..b.len().min(max)]
}

/// One journaled exchange.
#[derive(Debug)]
pub struct Entry {
    pub id: u64,
    pub time_ms: i64,
    pub method: Method,
    /// The route pattern it matched, if any.
    pub route: Option<RouteName>,
    pub status: u16,
    pub duration_us: u64,
    /// A fault that shaped the answer, if any.
    pub fault: Option<String>,
    /// Request target, packed headers (`name: value\n`), request body, response body — back to back,
    /// each cut at its limit.
    buf: Vec<u8>,
    ends: [usize; 3],
    /// Whole sizes of the request and response bodies.
    sizes: [usize; 2],
}

impl Entry {
    /// Path and query as received.
    pub fn uri(&self) -> &str {
        std::str::from_utf8(&self.buf[..self.ends[0]]).unwrap_or("")
    }
    fn headers(&self) -> &[u8] {
        &self.buf[self.ends[0]..self.ends[1]]
    }
    pub fn body(&self) -> &[u8] {
        &self.buf[self.ends[1]..self.ends[2]]
    }
    pub fn response_body(&self) -> &[u8] {
        &self.buf[self.ends[2]..]
    }
    fn route_str(&self) -> Option<&str> {
        self.route.as_ref().map(RouteName::as_str)
    }
}

/// The request half of an entry, captured before the handler runs (it consumes the request).
#[derive(Debug)]
pub struct Recording {
    buf: Vec<u8>,
    ends: [usize; 2],
    body_size: usize,
}

/// What is known once the answer is ready.
#[derive(Debug)]
pub struct Outcome {
    pub time_ms: i64,
    pub method: Method,
    pub route: Option<RouteName>,
    pub status: u16,
    pub duration_us: u64,
    pub fault: Option<String>,
}

/// Bounded journal; capacity 0 disables it.
#[derive(Debug)]
pub struct Journal {
    cap: usize,
    ring: Mutex<VecDeque<Arc<Entry>>>,
    spare: Mutex<Vec<Vec<u8>>>,
    seq: AtomicU64,
    /// Bytes of this journal's entries (changed under the ring's lock).
    held: AtomicUsize,
    /// Bytes of every journal of the server.
    total: Arc<JournalBytes>,
}

impl Drop for Journal {
    fn drop(&mut self) {
        self.total
            .0
            .fetch_sub(self.held.load(Ordering::Relaxed), Ordering::Relaxed);
    }
}

/// Filters of `GET /__admin/requests`.
#[derive(Debug, Default)]
pub struct Filter {
    pub limit: Option<usize>,
    pub method: Option<String>,
    pub path: Option<String>,
    pub status: Option<u16>,
}

impl Journal {
    /// A journal of at most `cap` entries, counting its bytes into `total`.
    pub fn new(cap: usize, total: Arc<JournalBytes>) -> Journal {
        Journal {
            cap,
            ring: Mutex::new(VecDeque::new()),
            spare: Mutex::new(Vec::new()),
            seq: AtomicU64::new(1),
            held: AtomicUsize::new(0),
            total,
        }
    }

    pub fn enabled(&self) -> bool {
        self.cap > 0
    }

    pub fn capacity(&self) -> usize {
        self.cap
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, VecDeque<Arc<Entry>>> {
        self.ring.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn spare(&self) -> std::sync::MutexGuard<'_, Vec<Vec<u8>>> {
        self.spare.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Copies the request half into a (reused) buffer.
    pub fn begin(&self, uri: &str, headers: &HeaderMap, body: &[u8]) -> Recording {
        let mut buf = self.spare().pop().unwrap_or_default();
        buf.clear();
        // The target is ASCII (hyper checks it), so any cut is a character boundary.
        buf.extend_from_slice(kept(uri.as_bytes(), MAX_HEAD_KEPT));
        let uri_end = buf.len();
        for (k, v) in headers {
            if buf.len() - uri_end + k.as_str().len() + v.len() + 3 > MAX_HEAD_KEPT {
                break;
            }
            buf.extend_from_slice(k.as_str().as_bytes());
            buf.extend_from_slice(b": ");
            buf.extend_from_slice(v.as_bytes());
            buf.push(b'\n');
        }
        let headers_end = buf.len();
        buf.extend_from_slice(kept(body, MAX_BODY_KEPT));
        Recording {
            ends: [uri_end, headers_end],
            buf,
            body_size: body.len(),
        }
    }

    /// Completes the entry with the answer and pushes it, evicting the oldest when full.
    pub fn finish(&self, rec: Recording, response: &[u8], o: Outcome) {
        let mut buf = rec.buf;
        let body_end = buf.len();
        buf.extend_from_slice(kept(response, MAX_BODY_KEPT));
        let size = buf.capacity();
        let e = Arc::new(Entry {
            id: self.seq.fetch_add(1, Ordering::Relaxed),
            time_ms: o.time_ms,
            method: o.method,
            route: o.route,
            status: o.status,
            duration_us: o.duration_us,
            fault: o.fault,
            buf,
            ends: [rec.ends[0], rec.ends[1], body_end],
            sizes: [rec.body_size, response.len()],
        });
        // A full ring evicts one entry per request: kept apart from the rare budget evictions so that
        // the common case allocates no list.
        let mut evicted = None;
        let mut old = Vec::new();
        {
            let mut r = self.lock();
            if r.len() >= self.cap {
                if let Some(o) = r.pop_front() {
                    self.release(o.buf.capacity());
                    evicted = Some(o);
                }
            }
            r.push_back(e);
            self.held.fetch_add(size, Ordering::Relaxed);
            self.total.0.fetch_add(size, Ordering::Relaxed);
            // Over the server-wide budget: this journal gives up its oldest entries (never the new one).
            while self.total.get() > JOURNAL_BUDGET && r.len() > 1 {
                if let Some(o) = r.pop_front() {
                    self.release(o.buf.capacity());
                    old.push(o);
                }
            }
        }
        // Keep the evicted entry's buffer for the next recording, unless a reader still holds it.
        for entry in evicted
            .into_iter()
            .chain(old)
            .filter_map(|o| Arc::try_unwrap(o).ok())
        {
            if entry.buf.capacity() <= MAX_KEPT_BUFFER {
                let mut spare = self.spare();
                if spare.len() < SPARE_BUFFERS {
                    spare.push(entry.buf);
                }
            }
        }
    }

    /// Counts `n` bytes of entries as gone from this journal (call under the ring's lock).
    fn release(&self, n: usize) {
        self.held.fetch_sub(n, Ordering::Relaxed);
        self.total.0.fetch_sub(n, Ordering::Relaxed);
    }

    pub fn len(&self) -> usize {
        self.lock().len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    pub fn clear(&self) {
        let old = {
            let mut r = self.lock();
            self.release(self.held.load(Ordering::Relaxed));
            std::mem::take(&mut *r)
        };
        drop(old);
        self.spare().clear();
    }

    /// Matching entries, newest first.
    pub fn list(&self, f: &Filter) -> Vec<Arc<Entry>> {
        let snapshot: Vec<Arc<Entry>> = self.lock().iter().rev().cloned().collect();
        snapshot
            .into_iter()
            .filter(|e| {
                f.method
                    .as_deref()
                    .is_none_or(|m| e.method.as_str().eq_ignore_ascii_case(m))
                    && f.path.as_deref().is_none_or(|p| {
                        let path = e.uri().split('?').next().unwrap_or("");
                        path.contains(p) || e.route_str() == Some(p)
                    })
                    && f.status.is_none_or(|s| e.status == s)
            })
            .take(f.limit.unwrap_or(usize::MAX))
            .collect()
    }
}

/// Keeps the first 4 characters of a secret and masks the rest.
pub fn mask(s: &str) -> String {
    let keep: String = s.chars().take(4).collect();
    format!("{keep}****")
}

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
        let path = self.uri().split('?').next().unwrap_or("").to_string();
        json!({
            "id": self.id,
            "time": crate::clock::rfc3339(self.time_ms),
            "epochMs": self.time_ms,
            "method": self.method.as_str(),
            "path": path,
            "uri": uri_view(self.uri()),
            "route": self.route_str(),
            "request": {
                "headers": headers_view(self.headers()),
                "body": body_view(self.body(), true),
                "bodyBytes": self.sizes[0],
                "bodyTruncated": self.sizes[0] > self.body().len(),
            },
            "status": self.status,
            "response": {
                "body": body_view(self.response_body(), false),
                "bodyBytes": self.sizes[1],
                "bodyTruncated": self.sizes[1] > self.response_body().len(),
            },
            "durationMs": self.duration_us as f64 / 1000.0,
            "fault": self.fault,
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

    #[test]
    fn ring_buffer_stays_bounded() {
        let j = Journal::new(3, Arc::default());
        for i in 0..10u16 {
            let rec = j.begin("/x?a=1", &HeaderMap::new(), b"{}");
            let o = Outcome {
                time_ms: 0,
                method: Method::GET,
                route: None,
                status: 200 + i,
                duration_us: 0,
                fault: None,
            };
            j.finish(rec, b"{\"ok\":true}", o);
        }
        assert_eq!(j.len(), 3);
        let newest = &j.list(&Filter::default())[0];
        assert_eq!(
            (newest.status, newest.uri(), newest.body()),
            (209, "/x?a=1", &b"{}"[..])
        );
        assert_eq!(newest.response_body(), b"{\"ok\":true}");
    }
}
