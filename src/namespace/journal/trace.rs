//! Trace context a request carries: a W3C `traceparent` (W3C Trace Context, section 3.2) and KooDrive's
//! `X-Traceid`. Kept only when well formed; a malformed value is ignored, never echoed.

use axum::http::{HeaderMap, HeaderName};

static TRACEPARENT: HeaderName = HeaderName::from_static("traceparent");
static X_TRACEID: HeaderName = HeaderName::from_static("x-traceid");

/// Longest `X-Traceid` kept (the KooDrive page says 58 characters; the lint warns on any other length).
const MAX_X_TRACEID: usize = 128;

/// The trace context of one request; `None` fields were absent or malformed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Trace {
    /// The whole `traceparent` value.
    pub traceparent: Option<Box<str>>,
    /// KooDrive's `X-Traceid`.
    pub x_traceid: Option<Box<str>>,
}

impl Trace {
    /// The request's trace context; `None` when it carries none worth keeping (the common case,
    /// which allocates nothing).
    pub fn of(headers: &HeaderMap) -> Option<Box<Trace>> {
        // One pass over the few headers a request has, comparing lengths first, costs less than two
        // hashed lookups (bench/RESULTS.md).
        let (mut traceparent, mut x_traceid) = (None, None);
        for (name, value) in headers {
            let slot = match name.as_str().len() {
                11 if *name == TRACEPARENT => &mut traceparent,
                9 if *name == X_TRACEID => &mut x_traceid,
                _ => continue,
            };
            if slot.is_none() {
                *slot = value.to_str().ok().map(str::trim);
            }
        }
        let traceparent = traceparent.filter(|v| valid_traceparent(v));
        let x_traceid = x_traceid.filter(|v| valid_x_traceid(v));
        if traceparent.is_none() && x_traceid.is_none() {
            return None;
        }
        Some(Box::new(Trace {
            traceparent: traceparent.map(Into::into),
            x_traceid: x_traceid.map(Into::into),
        }))
    }

    /// The W3C trace-id (32 hex digits), if a `traceparent` was kept.
    pub fn trace_id(&self) -> Option<&str> {
        self.traceparent.as_deref().and_then(|t| t.get(3..35))
    }

    /// Whether `id` is this request's W3C trace-id or its `X-Traceid` (exactly; a trace-id in any case).
    pub fn matches(&self, id: &str) -> bool {
        self.trace_id().is_some_and(|t| t.eq_ignore_ascii_case(id))
            || self.x_traceid.as_deref() == Some(id)
    }
}

fn lower_hex(s: &str) -> bool {
    s.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

/// `version-traceid-parentid-flags`: lowercase hex of 2, 32, 16 and 2 digits; version `ff` and
/// all-zero ids are invalid; a later version may append `-…` fields, which version `00` may not.
pub fn valid_traceparent(v: &str) -> bool {
    let Some(head) = v.get(..55) else {
        return false;
    };
    let b = head.as_bytes();
    if b[2] != b'-' || b[35] != b'-' || b[52] != b'-' {
        return false;
    }
    let (version, trace, parent, flags) = (&head[..2], &head[3..35], &head[36..52], &head[53..55]);
    let fields_hex = [version, trace, parent, flags].iter().all(|f| lower_hex(f));
    let rest_ok = match version {
        "00" => v.len() == 55,
        _ => v.len() == 55 || v.as_bytes()[55] == b'-',
    };
    fields_hex
        && version != "ff"
        && rest_ok
        && trace.bytes().any(|c| c != b'0')
        && parent.bytes().any(|c| c != b'0')
}

/// 1–128 characters of `A-Z a-z 0-9 . _ -`.
fn valid_x_traceid(v: &str) -> bool {
    !v.is_empty()
        && v.len() <= MAX_X_TRACEID
        && v.bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'))
}

#[cfg(test)]
mod tests {
    use super::valid_traceparent as ok;

    #[test]
    fn traceparent_follows_the_w3c_format() {
        let good = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
        assert!(ok(good));
        assert!(ok(
            "01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-extra"
        ));
        assert!(!ok(&good.to_uppercase()));
        assert!(!ok(
            "00-00000000000000000000000000000000-00f067aa0ba902b7-01"
        ));
        assert!(!ok(
            "00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01"
        ));
        assert!(!ok(
            "ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"
        ));
        assert!(!ok(&format!("{good}-x")));
        assert!(!ok(
            "00-4bf92f3577b34da6a3ce929d0e0e473-00f067aa0ba902b7-01"
        ));
        assert!(!ok(
            "00-4bf92f3577b34da6a3ce929d0e0e4736_00f067aa0ba902b7-01"
        ));
        assert!(!ok(
            "00-4bf92f3577b34da6a3ce929d0e0e473g-00f067aa0ba902b7-01"
        ));
        assert!(!ok(
            "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01\u{e9}"
        ));
    }
}
