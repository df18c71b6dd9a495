//! The checks behind each rule of [`super::RULES`]. They read the request as bytes, in one
//! pass over the headers and one walk over the body's parsed members, and push a warning only when they
//! find a deviation: text is decoded and messages are built on that path alone.

use crate::contract::json::{JsonKind, Malformed, Members};
use crate::contract::spec::{Auth, ContentType, Field, Spec};
use crate::lint::warnings::Warnings;
use axum::http::header::{AUTHORIZATION, CONTENT_TYPE};
use axum::http::HeaderMap;

/// Length of an `X-Traceid` ("The value contains 58 bits": 58 characters, the page's 58位).
const TRACEID_LEN: usize = 58;
/// Echoed request text is cut to this many characters.
const ECHO: usize = 40;
/// The `Content-Type` of "Obtaining sso_ticket Using session_token", Request Parameters.
const UTF8_JSON: &str = "application/json;charset=utf8";

/// Request text quoted in a message, cut short.
fn echo(b: &[u8]) -> String {
    let s = String::from_utf8_lossy(b);
    if s.chars().count() <= ECHO {
        s.into_owned()
    } else {
        let cut: String = s.chars().take(ECHO).collect();
        format!("{cut}...")
    }
}

/// The headers the rules read, found in one pass. A blank value counts as absent (as the handlers
/// have it); of a repeated header the first counts.
#[derive(Default)]
pub(super) struct Heads<'a> {
    pub(super) content_type: Option<&'a [u8]>,
    pub(super) authorization: Option<&'a [u8]>,
    traceid: Option<&'a [u8]>,
    language: Option<&'a [u8]>,
    /// `X-Mock-Strict` as sent, blank or not (strict mode refuses a value that is no switch).
    pub(super) strict: Option<&'a [u8]>,
    tenant: bool,
    /// Bit `i` set: the route's Mandatory header `i` is present.
    mandatory: u32,
}

impl<'a> Heads<'a> {
    pub(super) fn of(spec: &Spec, headers: &'a HeaderMap) -> Heads<'a> {
        let mut h = Heads::default();
        for (name, value) in headers {
            let v = value.as_bytes().trim_ascii();
            let slot = if name == CONTENT_TYPE {
                &mut h.content_type
            } else if name == AUTHORIZATION {
                &mut h.authorization
            } else {
                match name.as_str() {
                    "x-traceid" => &mut h.traceid,
                    "language" => &mut h.language,
                    "x-mock-strict" => {
                        h.strict.get_or_insert(value.as_bytes());
                        continue;
                    }
                    "x-tenant-id" => {
                        h.tenant |= !v.is_empty();
                        continue;
                    }
                    n => {
                        let i = spec.headers.iter().position(|m| m.lower == n);
                        if let (Some(i), false) = (i, v.is_empty()) {
                            h.mandatory |= 1 << i;
                        }
                        continue;
                    }
                }
            };
            if !v.is_empty() {
                slot.get_or_insert(v);
            }
        }
        h
    }
}

/// `path-slash`: `raw` is the path as sent, when the server collapsed its slashes.
pub(super) fn path(raw: Option<&str>, w: &mut Warnings) {
    if let Some(raw) = raw {
        w.push(
            "path-slash",
            true,
            format!(
                "repeated slash in {}; the page's path has single slashes",
                echo(raw.as_bytes())
            ),
        );
    }
}

/// `auth-scheme`, and `required` for a missing token.
pub(super) fn auth(a: &Auth, value: Option<&[u8]>, w: &mut Warnings) {
    let expected = a.scheme;
    let Some(v) = value else {
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
    let split = v
        .iter()
        .position(|&b| b == b' ' || b == b'+')
        .filter(|&i| (1..=16).contains(&i) && v[..i].iter().all(u8::is_ascii_alphabetic));
    let Some(i) = split else {
        if v.eq_ignore_ascii_case(expected.as_bytes()) {
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
    let (scheme, sep) = (&v[..i], v[i]);
    if scheme.eq_ignore_ascii_case(expected.as_bytes()) {
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
            .is_some_and(|s| s.as_bytes().eq_ignore_ascii_case(scheme));
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

/// The media type and `charset` of a `Content-Type` value.
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
pub(super) fn content_type(ct: ContentType, value: Option<&[u8]>, w: &mut Warnings) {
    match (ct, value) {
        (ContentType::Unchecked, _) | (ContentType::Json, None) => {}
        (ContentType::Json, Some(v)) => {
            // The common spellings first, without decoding the value.
            if v.eq_ignore_ascii_case(b"application/json") {
                return;
            }
            let text = String::from_utf8_lossy(v);
            if !media(&text).0.eq_ignore_ascii_case("application/json") {
                w.push(
                    "content-type",
                    true,
                    format!("{} for a JSON body; expected application/json", echo(v)),
                );
            }
        }
        // The page's own example sends none: a note, not a deviation.
        (ContentType::Utf8Json, None) => w.note(
            "content-type",
            "missing; the page's Request Parameters set application/json;charset=utf8 (its example sends none)",
        ),
        (ContentType::Utf8Json, Some(v)) => {
            if v.eq_ignore_ascii_case(UTF8_JSON.as_bytes()) {
                return;
            }
            let text = String::from_utf8_lossy(v);
            let (m, charset) = media(&text);
            let exact = m.eq_ignore_ascii_case("application/json")
                && charset.is_some_and(|c| c.eq_ignore_ascii_case("utf8"));
            if !exact {
                w.push(
                    "content-type",
                    true,
                    format!("expected {UTF8_JSON}, got {}", echo(v)),
                );
            }
        }
    }
}

/// `required` (Mandatory headers), `x-tenant-id`, `x-traceid`, `language`.
pub(super) fn headers(spec: &Spec, h: &Heads<'_>, w: &mut Warnings) {
    for (i, m) in spec.headers.iter().enumerate() {
        if h.mandatory & (1 << i) == 0 {
            w.push(
                "required",
                false,
                format!("{} header is Mandatory", m.shown),
            );
        }
    }
    // Optional unless an ISV calls, which the mock cannot tell: a note.
    if spec.tenant && !h.tenant {
        w.note(
            "x-tenant-id",
            "X-tenant-id missing; the page makes it mandatory when an ISV calls",
        );
    }
    if !spec.gateway {
        return;
    }
    if let Some(t) = h.traceid {
        // Characters, not bytes: UTF-8 continuation bytes do not count.
        let n = t.iter().filter(|&&b| b & 0xC0 != 0x80).count();
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
    if let Some(l) = h.language {
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
pub(super) fn language_tag(s: &[u8]) -> bool {
    let mut parts = s.split(|&b| b == b'-');
    let alpha = |p: &[u8], n: std::ops::RangeInclusive<usize>| {
        n.contains(&p.len()) && p.iter().all(u8::is_ascii_alphabetic)
    };
    let region = |p: &[u8]| alpha(p, 2..=2) || (p.len() == 3 && p.iter().all(u8::is_ascii_digit));
    if !parts.next().is_some_and(|p| alpha(p, 2..=3)) {
        return false;
    }
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

/// `unknown-field`, `type`, `device-ip`, and `required` for Mandatory body fields, over every member
/// (repeats included). A body that does not parse is the handler's to refuse: it gets no body warnings.
pub(super) fn body(fields: &[Field], members: Result<&Members<'_>, Malformed>, w: &mut Warnings) {
    let Ok(members) = members else {
        return;
    };
    let mut seen = 0u32;
    for m in members.as_slice() {
        let Some(i) = fields.iter().position(|f| f.name == m.key) else {
            unknown(fields, m.key.as_bytes(), w);
            continue;
        };
        let field = &fields[i];
        match m.kind {
            JsonKind::String => {
                // Blank counts as missing, as the handlers have it.
                if m.text.bytes().all(|b| b.is_ascii_whitespace()) {
                    continue;
                }
                seen |= 1 << i;
                if field.ip && m.text.parse::<std::net::IpAddr>().is_err() {
                    w.push(
                        "device-ip",
                        true,
                        format!(
                            "{} {} is not an IP address",
                            field.name,
                            echo(m.text.as_bytes())
                        ),
                    );
                }
            }
            JsonKind::Number => {
                seen |= 1 << i;
                w.push(
                    "type",
                    true,
                    format!("{} is a JSON number; the page says String", field.name),
                );
            }
            JsonKind::Null => {}
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
            format!("{} - did you mean {name}?", echo(key.as_bytes()))
        }
        _ => {
            let names: Vec<&str> = fields.iter().map(|f| f.name).collect();
            format!(
                "{} - not documented for this route ({})",
                echo(key.as_bytes()),
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
