//! The checks behind each rule of [`super::spec::RULES`]. Each reads borrowed request data and pushes a
//! warning only when it finds a deviation: the messages are built on that path alone.

use super::scan::{self, Kind};
use super::spec::{Auth, ContentType, Field, Spec};
use crate::extract::header;
use crate::warnings::Warnings;
use axum::http::header::{AUTHORIZATION, CONTENT_TYPE};
use axum::http::{HeaderMap, HeaderName};

const X_TRACEID: HeaderName = HeaderName::from_static("x-traceid");
const LANGUAGE: HeaderName = HeaderName::from_static("language");
const X_TENANT_ID: HeaderName = HeaderName::from_static("x-tenant-id");
/// Length of an `X-Traceid` ("The value contains 58 bits": 58 characters, the page's 58位).
const TRACEID_LEN: usize = 58;
/// Echoed request text is cut to this many characters.
const ECHO: usize = 40;

/// Request text quoted in a message, cut short.
fn echo(s: &str) -> String {
    if s.chars().count() <= ECHO {
        s.to_string()
    } else {
        let cut: String = s.chars().take(ECHO).collect();
        format!("{cut}...")
    }
}

/// `path-slash`.
pub(super) fn path(raw: &str, w: &mut Warnings) {
    if raw.contains("//") {
        w.push(
            "path-slash",
            true,
            format!(
                "repeated slash in {}; the page's path has single slashes",
                echo(raw)
            ),
        );
    }
}

/// `auth-scheme`, and `required` for a missing token.
pub(super) fn auth(a: &Auth, headers: &HeaderMap, w: &mut Warnings) {
    let expected = a.scheme;
    let Some(v) = header(headers, AUTHORIZATION) else {
        if a.required {
            w.push(
                "required",
                false,
                format!("Authorization header is Mandatory ({expected} <token>)"),
            );
        }
        return;
    };
    // `<scheme><space or +><token>`: a scheme is a short run of letters.
    let split = v.bytes().position(|b| b == b' ' || b == b'+').filter(|&i| {
        (1..=16).contains(&i) && v.as_bytes()[..i].iter().all(u8::is_ascii_alphabetic)
    });
    let Some(i) = split else {
        if v.eq_ignore_ascii_case(expected) {
            if a.required {
                w.push(
                    "required",
                    false,
                    format!("Authorization carries no token after {expected}"),
                );
            }
        } else {
            w.push(
                "auth-scheme",
                a.bare_accepted,
                format!("a bare token; the page's form is {expected} <token>"),
            );
        }
        return;
    };
    let (scheme, sep) = (&v[..i], v.as_bytes()[i]);
    if scheme.eq_ignore_ascii_case(expected) {
        if sep == b'+' && !a.plus_documented {
            w.push(
                "auth-scheme",
                true,
                format!("{expected}+<token>; the page's form is {expected} <token> (a space)"),
            );
        }
    } else {
        let accepted = a
            .also_accepted
            .is_some_and(|s| s.eq_ignore_ascii_case(scheme));
        w.push(
            "auth-scheme",
            accepted,
            format!(
                "scheme {}; the page's form is {expected} <token>",
                echo(scheme)
            ),
        );
    }
}

/// The media type and `charset` of a `Content-Type` value, lower-cased comparisons left to the caller.
fn media(v: &str) -> (&str, Option<&str>) {
    let mut parts = v.split(';');
    let media = parts.next().unwrap_or("").trim();
    let charset = parts.find_map(|p| {
        let (k, val) = p.split_once('=')?;
        k.trim()
            .eq_ignore_ascii_case("charset")
            .then(|| val.trim().trim_matches('"'))
    });
    (media, charset)
}

/// `content-type`.
pub(super) fn content_type(ct: ContentType, headers: &HeaderMap, w: &mut Warnings) {
    const EXACT: &str = "application/json;charset=utf8";
    let value = header(headers, CONTENT_TYPE);
    match ct {
        ContentType::Unchecked => {}
        ContentType::Json => {
            if let Some(v) = value {
                if !media(v).0.eq_ignore_ascii_case("application/json") {
                    w.push(
                        "content-type",
                        true,
                        format!("{} for a JSON body; expected application/json", echo(v)),
                    );
                }
            }
        }
        ContentType::Utf8Json => match value {
            None => w.push(
                "content-type",
                true,
                format!("missing; the page sets {EXACT}"),
            ),
            Some(v) => {
                let (m, charset) = media(v);
                let exact = m.eq_ignore_ascii_case("application/json")
                    && charset.is_some_and(|c| c.eq_ignore_ascii_case("utf8"));
                if !exact {
                    w.push(
                        "content-type",
                        true,
                        format!("expected {EXACT}, got {}", echo(v)),
                    );
                }
            }
        },
    }
}

/// `required` (Mandatory headers), `x-tenant-id`, `x-traceid`, `language`.
pub(super) fn headers(spec: &Spec, headers: &HeaderMap, w: &mut Warnings) {
    for h in spec.headers {
        if header(headers, &h.name).is_none() {
            w.push(
                "required",
                false,
                format!("{} header is Mandatory", h.shown),
            );
        }
    }
    if spec.tenant && header(headers, X_TENANT_ID).is_none() {
        w.push(
            "x-tenant-id",
            true,
            "X-tenant-id missing; the page makes it mandatory when an ISV calls",
        );
    }
    if !spec.gateway {
        return;
    }
    if let Some(t) = header(headers, X_TRACEID) {
        let n = t.chars().count();
        if n != TRACEID_LEN {
            w.push(
                "x-traceid",
                true,
                format!(
                    "{n} characters; the page's X-Traceid has {TRACEID_LEN} (\"contains 58 bits\")"
                ),
            );
        }
    }
    if let Some(l) = header(headers, LANGUAGE) {
        if !language_tag(l) {
            w.push(
                "language",
                true,
                format!("{} is not a language tag like en-US", echo(l)),
            );
        }
    }
}

/// A language tag of the page's shape: a 2-3 letter language, an optional 4-letter script, an optional
/// region of 2 letters or 3 digits, joined by `-` (`en`, `en-US`, `zh-Hans-CN`, `es-419`).
pub(super) fn language_tag(s: &str) -> bool {
    let mut parts = s.split('-');
    let alpha = |p: &str, n: std::ops::RangeInclusive<usize>| {
        n.contains(&p.len()) && p.bytes().all(|b| b.is_ascii_alphabetic())
    };
    if !parts.next().is_some_and(|p| alpha(p, 2..=3)) {
        return false;
    }
    let region =
        |p: &str| alpha(p, 2..=2) || (p.len() == 3 && p.bytes().all(|b| b.is_ascii_digit()));
    let (second, third) = (parts.next(), parts.next());
    if parts.next().is_some() {
        return false;
    }
    match (second, third) {
        (None, _) => true,
        (Some(r), None) => region(r),
        (Some(s), Some(r)) => alpha(s, 4..=4) && region(r),
    }
}

/// `unknown-field`, `type`, `device-ip`, and `required` for Mandatory body fields. A body this scan
/// cannot read is the handler's to refuse: its warnings are dropped.
pub(super) fn body(fields: &[Field], body: &[u8], w: &mut Warnings) {
    let before = w.len();
    let mut seen = 0u32;
    let scanned = scan::members(body, |m| {
        let Some((i, field)) = fields
            .iter()
            .enumerate()
            .find(|(_, f)| f.name.as_bytes() == m.key)
        else {
            unknown(fields, m.key, w);
            return;
        };
        match m.kind {
            Kind::String => {
                let text = std::str::from_utf8(m.text).unwrap_or("");
                if !text.trim().is_empty() {
                    seen |= 1 << i;
                }
                if field.ip && !text.trim().is_empty() && text.parse::<std::net::IpAddr>().is_err()
                {
                    w.push(
                        "device-ip",
                        true,
                        format!("{} {} is not an IP address", field.name, echo(text)),
                    );
                }
            }
            Kind::Number => {
                seen |= 1 << i;
                w.push(
                    "type",
                    true,
                    format!("{} is a JSON number; the page says String", field.name),
                );
            }
            Kind::Null => {}
            // Present, if of the wrong kind: `type` says so, `required` need not.
            k => {
                seen |= 1 << i;
                w.push(
                    "type",
                    false,
                    format!(
                        "{} is a JSON {}; the page says String",
                        field.name,
                        k.name()
                    ),
                );
            }
        }
    });
    if scanned.is_err() {
        w.truncate(before);
        return;
    }
    for (i, f) in fields.iter().enumerate() {
        if f.mandatory && seen & (1 << i) == 0 {
            w.push("required", false, format!("{} field is Mandatory", f.name));
        }
    }
}

/// Warns about an undocumented field, naming the closest documented one when it is close.
fn unknown(fields: &[Field], key: &[u8], w: &mut Warnings) {
    let key = String::from_utf8_lossy(key);
    let best = fields
        .iter()
        .map(|f| (distance(&key, f.name), f.name))
        .min_by_key(|(d, _)| *d);
    let message = match best {
        Some((d, name)) if d <= 2.max(name.len() / 3) => {
            format!("{} - did you mean {name}?", echo(&key))
        }
        _ => {
            let names: Vec<&str> = fields.iter().map(|f| f.name).collect();
            format!(
                "{} - not documented for this route ({})",
                echo(&key),
                names.join(", ")
            )
        }
    };
    w.push("unknown-field", true, message);
}

/// Edit distance between two names, ignoring case, `_` and `-` (`orgid`, `org_id` and `orgId` are 0
/// apart).
pub(super) fn distance(a: &str, b: &str) -> usize {
    let norm = |s: &str| -> Vec<u8> {
        s.bytes()
            .filter(|c| *c != b'_' && *c != b'-')
            .map(|c| c.to_ascii_lowercase())
            .collect()
    };
    let (a, b) = (norm(a), norm(b));
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.iter().enumerate() {
        let mut cur = vec![i + 1; b.len() + 1];
        for (j, cb) in b.iter().enumerate() {
            let sub = prev[j] + usize::from(ca != cb);
            cur[j + 1] = sub.min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        prev = cur;
    }
    prev[b.len()]
}
