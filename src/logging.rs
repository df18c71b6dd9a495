//! Log output for the binary: lines collected in memory and written to stderr in batches by a
//! background thread (every 50 ms, or as soon as 64 KiB is pending), so a request never waits for a
//! write; small writes, so the writer never stalls the CPU the server is pinned to.
//!
//! Request lines, the one event on the hot path, are written straight into the batch
//! ([`set_request_log`]) in the exact text or JSON shape tracing-subscriber gives every other event.
//! It is kept because it pays (bench/RESULTS.md, "Performance devices"). Embedded servers ([`crate::MockServer`]) emit them as `tracing` events for
//! whatever subscriber the host installed.

use axum::http::Method;
use std::borrow::Cow;
use std::io::Write;
use std::sync::atomic::{AtomicU8, Ordering};
use std::sync::{Condvar, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};
use tracing_subscriber::fmt::MakeWriter;

static PENDING: Mutex<Vec<u8>> = Mutex::new(Vec::new());
/// Wakes the flusher early when the batch reaches [`CHUNK`].
static FULL: Condvar = Condvar::new();
/// The batch size at which the flusher is woken before its next tick.
const CHUNK: usize = 64 * 1024;
/// A writer that finds this much pending writes it out itself (the flusher is falling behind).
const FLUSH_AT: usize = 1024 * 1024;
const FLUSH_EVERY: Duration = Duration::from_millis(50);

/// Where request lines go.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RequestLog {
    /// A `tracing` event (target `authmock::request`, level INFO): the library default.
    Tracing,
    /// Written straight into the stderr batch as tracing-subscriber's compact text line.
    Text,
    /// Written straight into the stderr batch as tracing-subscriber's flattened JSON object.
    Json,
    /// Not logged (the filter turns `authmock::request` INFO off).
    Off,
}

static MODE: AtomicU8 = AtomicU8::new(0);

/// Chooses how request lines are written, for the whole process.
pub fn set_request_log(mode: RequestLog) {
    let v = match mode {
        RequestLog::Tracing => 0,
        RequestLog::Text => 1,
        RequestLog::Json => 2,
        RequestLog::Off => 3,
    };
    MODE.store(v, Ordering::Relaxed);
}

/// Keeps the first 4 characters of a secret and masks the rest: how a credential is shown wherever it
/// would otherwise appear (the log, the journal).
pub fn mask(s: &str) -> String {
    let keep: String = s.chars().take(4).collect();
    format!("{keep}****")
}

/// Path prefixes (ASCII case ignored) after which the rest of the path is a credential.
const CREDENTIAL_PATHS: [&str; 1] = ["/__admin/tokens/"];

/// `path` with the credential it carries masked (`/__admin/tokens/APP_****`); any other path as is.
pub fn mask_path(path: &str) -> Cow<'_, str> {
    for prefix in CREDENTIAL_PATHS {
        let n = prefix.len();
        if path.len() > n
            && path.as_bytes()[..n].eq_ignore_ascii_case(prefix.as_bytes())
            && path.is_char_boundary(n)
        {
            return Cow::Owned(format!("{}{}", &path[..n], mask(&path[n..])));
        }
    }
    Cow::Borrowed(path)
}

/// The trace context a request line carries: W3C trace-id and KooDrive `X-Traceid`, when valid.
#[derive(Debug, Clone, Copy, Default)]
pub struct TraceIds<'a> {
    pub trace_id: Option<&'a str>,
    pub x_traceid: Option<&'a str>,
}

/// Logs one answered request: method, path (a credential in it masked), status, latency, (outside
/// the default) namespace and its trace context.
pub fn request(
    method: &Method,
    path: &str,
    status: u16,
    latency_us: u64,
    namespace: Option<&str>,
    trace: TraceIds<'_>,
) {
    let TraceIds {
        trace_id,
        x_traceid,
    } = trace;
    let path = &*mask_path(path);
    match MODE.load(Ordering::Relaxed) {
        0 => tracing::info!(
            target: "authmock::request",
            method = %method,
            path,
            status,
            latency_us,
            namespace,
            trace_id,
            x_traceid,
        ),
        1 => append(|b| {
            timestamp(b);
            b.extend_from_slice(b"  INFO authmock::request: method=");
            b.extend_from_slice(method.as_str().as_bytes());
            b.extend_from_slice(b" path=");
            quoted(b, path);
            b.extend_from_slice(b" status=");
            number(b, u64::from(status));
            b.extend_from_slice(b" latency_us=");
            number(b, latency_us);
            if let Some(ns) = namespace {
                b.extend_from_slice(b" namespace=");
                quoted(b, ns);
            }
            if let Some(t) = trace_id {
                b.extend_from_slice(b" trace_id=");
                quoted(b, t);
            }
            if let Some(t) = x_traceid {
                b.extend_from_slice(b" x_traceid=");
                quoted(b, t);
            }
            b.push(b'\n');
        }),
        2 => append(|b| {
            b.extend_from_slice(b"{\"timestamp\":\"");
            timestamp(b);
            b.extend_from_slice(b"\",\"level\":\"INFO\",\"method\":");
            quoted(b, method.as_str());
            b.extend_from_slice(b",\"path\":");
            quoted(b, path);
            b.extend_from_slice(b",\"status\":");
            number(b, u64::from(status));
            b.extend_from_slice(b",\"latency_us\":");
            number(b, latency_us);
            if let Some(ns) = namespace {
                b.extend_from_slice(b",\"namespace\":");
                quoted(b, ns);
            }
            if let Some(t) = trace_id {
                b.extend_from_slice(b",\"trace_id\":");
                quoted(b, t);
            }
            if let Some(t) = x_traceid {
                b.extend_from_slice(b",\"x_traceid\":");
                quoted(b, t);
            }
            b.extend_from_slice(b",\"target\":\"authmock::request\"}\n");
        }),
        _ => {}
    }
}

/// Appends to the batch under its lock; wakes the flusher when the batch has just reached [`CHUNK`],
/// and writes the batch out itself if the flusher has fallen far behind.
fn append(f: impl FnOnce(&mut Vec<u8>)) {
    let (crossed, full) = {
        let mut p = PENDING.lock().unwrap_or_else(|e| e.into_inner());
        let before = p.len();
        f(&mut p);
        let after = p.len();
        (
            before < CHUNK && after >= CHUNK,
            (after >= FLUSH_AT).then(|| std::mem::take(&mut *p)),
        )
    };
    if let Some(data) = full {
        let _ = std::io::stderr().lock().write_all(&data);
    } else if crossed {
        FULL.notify_one();
    }
}

/// `"s"` with `"`, `\` and control characters escaped (valid as a JSON string and as the text
/// format's quoted value).
fn quoted(b: &mut Vec<u8>, s: &str) {
    b.push(b'"');
    // A path or namespace rarely holds one: check all bytes at once (no early exit, so it vectorises).
    let plain = s.bytes().fold(true, |ok, c| {
        ok & (c >= 0x20) & (c != 0x7f) & (c != b'"') & (c != b'\\')
    });
    if plain {
        b.extend_from_slice(s.as_bytes());
        b.push(b'"');
        return;
    }
    for &c in s.as_bytes() {
        match c {
            b'"' | b'\\' => b.extend_from_slice(&[b'\\', c]),
            0..=0x1f | 0x7f => {
                let mut hex = [0; 2];
                crate::ids::encode_hex(&[c], &mut hex);
                b.extend_from_slice(b"\\u00");
                b.extend_from_slice(&hex);
            }
            _ => b.push(c),
        }
    }
    b.push(b'"');
}

fn number(b: &mut Vec<u8>, n: u64) {
    b.extend_from_slice(itoa::Buffer::new().format(n).as_bytes());
}

fn padded(b: &mut Vec<u8>, n: u64, width: usize) {
    let mut digits = [b'0'; 8];
    let mut n = n;
    for d in digits[..width].iter_mut().rev() {
        *d = b'0' + (n % 10) as u8;
        n /= 10;
    }
    b.extend_from_slice(&digits[..width]);
}

/// Now as RFC 3339 UTC with microseconds (`2026-11-22T03:12:25.458972Z`), as tracing-subscriber prints.
/// The text up to the seconds is kept per thread and rebuilt only when the second changes.
fn timestamp(b: &mut Vec<u8>) {
    thread_local! {
        static SECOND: std::cell::RefCell<(u64, Vec<u8>)> = const { std::cell::RefCell::new((u64::MAX, Vec::new())) };
    }
    let since = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default();
    let secs = since.as_secs();
    SECOND.with_borrow_mut(|(at, text)| {
        if *at != secs {
            text.clear();
            date_time(text, secs);
            *at = secs;
        }
        b.extend_from_slice(text);
    });
    b.push(b'.');
    padded(b, u64::from(since.subsec_micros()), 6);
    b.push(b'Z');
}

/// `YYYY-MM-DDTHH:MM:SS` of an epoch second.
fn date_time(b: &mut Vec<u8>, secs: u64) {
    let (y, m, d) = crate::clock::civil_from_days((secs / 86_400) as i64);
    let rem = secs % 86_400;
    padded(b, y.max(0) as u64, 4);
    b.push(b'-');
    padded(b, m as u64, 2);
    b.push(b'-');
    padded(b, d as u64, 2);
    b.push(b'T');
    padded(b, rem / 3600, 2);
    b.push(b':');
    padded(b, rem / 60 % 60, 2);
    b.push(b':');
    padded(b, rem % 60, 2);
}

/// A `MakeWriter` for tracing-subscriber that appends to the batch.
#[derive(Debug, Clone, Copy, Default)]
pub struct BatchedStderr;

/// Writes one event into the batch.
#[derive(Debug)]
pub struct BatchWriter;

impl Write for BatchWriter {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        append(|b| b.extend_from_slice(buf));
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl<'a> MakeWriter<'a> for BatchedStderr {
    type Writer = BatchWriter;
    fn make_writer(&'a self) -> BatchWriter {
        BatchWriter
    }
}

/// Writes out whatever is pending.
pub fn flush() {
    let data = std::mem::take(&mut *PENDING.lock().unwrap_or_else(|e| e.into_inner()));
    write_out(&data);
}

fn write_out(data: &[u8]) {
    if !data.is_empty() {
        let mut err = std::io::stderr().lock();
        let _ = err.write_all(data);
        let _ = err.flush();
    }
}

/// Starts the thread that writes the batch out every 50 ms, or as soon as it holds [`CHUNK`] bytes. It
/// swaps the batch with a spare buffer, so both keep their capacity and appending never regrows a
/// buffer from empty.
pub fn start_flusher() {
    let _ = std::thread::Builder::new()
        .name("authmock-log".into())
        .spawn(|| {
            let mut spare: Vec<u8> = Vec::new();
            loop {
                {
                    let pending = PENDING.lock().unwrap_or_else(|e| e.into_inner());
                    let (mut pending, _) = FULL
                        .wait_timeout_while(pending, FLUSH_EVERY, |p| p.len() < CHUNK)
                        .unwrap_or_else(|e| e.into_inner());
                    std::mem::swap(&mut *pending, &mut spare);
                }
                write_out(&spare);
                spare.clear();
                // Let a burst's buffer go once traffic calms down.
                if spare.capacity() > FLUSH_AT {
                    spare = Vec::new();
                }
            }
        });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps_read_as_rfc3339_utc_seconds() {
        let mut b = Vec::new();
        date_time(&mut b, 951_782_400 + 3_723);
        assert_eq!(b, b"2000-02-29T01:02:03");
    }

    #[test]
    fn quoting_escapes_quotes_backslashes_and_controls() {
        let mut b = Vec::new();
        quoted(&mut b, "a\"b\\c\n");
        assert_eq!(b, b"\"a\\\"b\\\\c\\u000a\"");
    }

    #[test]
    fn quoting_passes_plain_text_and_escapes_each_special_byte() {
        let mut b = Vec::new();
        quoted(&mut b, "/koodrive/ose/v1/auth/login?x=ü");
        assert_eq!(b, "\"/koodrive/ose/v1/auth/login?x=ü\"".as_bytes());
        for (c, want) in [
            ("\u{7f}", "\\u007f"),
            ("\u{1f}", "\\u001f"),
            ("\"", "\\\""),
            ("\\", "\\\\"),
        ] {
            let mut b = Vec::new();
            quoted(&mut b, &format!("a{c}b"));
            assert_eq!(String::from_utf8(b).unwrap(), format!("\"a{want}b\""));
        }
    }

    #[test]
    fn a_credential_in_a_path_is_masked() {
        assert_eq!(
            mask_path("/__admin/tokens/APP_PORTAL_S_TDKKeqfYBK3m5z3L"),
            "/__admin/tokens/APP_****"
        );
        assert_eq!(
            mask_path("/__admin/TOKENS/Bearer+ab12"),
            "/__admin/TOKENS/Bear****"
        );
        assert_eq!(mask_path("/__admin/tokens/"), "/__admin/tokens/");
        assert!(matches!(
            mask_path("/koodrive/ose/v1/auth/login"),
            Cow::Borrowed(_)
        ));
    }

    #[test]
    fn numbers() {
        let mut b = Vec::new();
        number(&mut b, 0);
        b.push(b' ');
        number(&mut b, 18_446_744_073_709_551_615);
        b.push(b' ');
        padded(&mut b, 7, 6);
        assert_eq!(b, b"0 18446744073709551615 000007");
    }
}
