//! Checking a snapshot whole before anything changes: its format and version first (a document of
//! another version is refused at `$.version`, whatever else it holds), then its shape, then every
//! value and reference, each problem named by its JSON path. What passes is built into the state
//! to restore, so that applying it cannot fail on the document.

use super::{ClockDoc, Credential, Snapshot, FORMAT, VERSION};
use crate::clock::{CLOCK_MAX_MS, CLOCK_MIN_MS};
use crate::contract::Family;
use crate::fixtures::{json_path, Fixtures};
use crate::namespace::faults::{known_route, Fault};
use crate::store::{
    verification_code_key, Applied, Change, Idents, Kind, LockState, Problem, Restore, Text,
};
use serde_json::Value;
use sha2::{Digest, Sha256};
use std::collections::HashSet;

/// A snapshot that passed every check, as what to restore.
pub struct Checked {
    /// The fixtures with the snapshot's identity changes applied.
    pub ids: Idents,
    pub state: Restore,
    pub faults: Vec<Fault>,
    /// A digest of the document (hex), which a seeded generator's stream is drawn from after the
    /// restore, so that tokens issued then do not repeat the snapshot's own.
    pub digest: String,
}

/// Checks a snapshot document against this server's fixtures; a namespace keeps at most
/// `max_tokens` credentials (0: no limit).
pub fn check(body: &[u8], fixtures: &Fixtures, max_tokens: usize) -> Result<Checked, Vec<Problem>> {
    let one = |path: &str, msg: String| vec![Problem::new(path, msg)];
    let v: Value =
        serde_json::from_slice(body).map_err(|e| one("$", format!("invalid JSON: {e}")))?;
    let Some(top) = v.as_object() else {
        return Err(one("$", "must be an object: an authmock snapshot".into()));
    };
    if top.get("format").and_then(Value::as_str) != Some(FORMAT) {
        return Err(one("$.format", format!("must be {FORMAT:?}")));
    }
    match top.get("version") {
        Some(x) if x.as_u64() == Some(VERSION) => {}
        Some(x) => {
            let msg = format!("version {x} is not one this server reads (it reads {VERSION})");
            return Err(one("$.version", msg));
        }
        None => return Err(one("$.version", format!("required ({VERSION})"))),
    }
    let doc: Snapshot = serde_path_to_error::deserialize(&v).map_err(|e| {
        let path = json_path(e.path());
        one(&path, e.into_inner().to_string())
    })?;
    let digest = Sha256::digest(body)[..8]
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    let mut out = Vec::new();
    check_clock(&doc.clock, &mut out);
    let ids = replay(fixtures, &doc.identities, &mut out);
    if max_tokens > 0 && doc.credentials.len() > max_tokens {
        let msg = format!("more credentials than a namespace keeps (--max-tokens {max_tokens})");
        out.push(Problem::new("$.credentials", msg));
    }
    let texts: Vec<&str> = doc.credentials.iter().map(|c| c.token.as_str()).collect();
    let mut seen = HashSet::new();
    for (i, c) in doc.credentials.iter().enumerate() {
        let at = format!("$.credentials[{i}]");
        if !seen.insert(c.token.as_str()) {
            out.push(Problem::new(format!("{at}.token"), "duplicate token"));
        }
        check_credential(c, &at, &ids, &texts, &doc.credentials, &mut out);
    }
    let mut locked = HashSet::new();
    let mut lockouts = Vec::with_capacity(doc.lockouts.len());
    for (i, l) in doc.lockouts.iter().enumerate() {
        let at = format!("$.lockouts[{i}]");
        if Family::named(&l.family).is_none() {
            let msg = "unknown family: expected koodrive, oneaccess or enos";
            out.push(Problem::new(format!("{at}.family"), msg));
        }
        if l.user_id.trim().is_empty() {
            out.push(Problem::new(format!("{at}.userId"), "must not be empty"));
        } else if !locked.insert((l.family.as_str(), l.user_id.as_str())) {
            out.push(Problem::new(format!("{at}.userId"), "duplicate account"));
        }
        if l.locked_until_ms < 0 {
            let msg = "must be an instant (ms), or 0: not locked";
            out.push(Problem::new(format!("{at}.lockedUntilMs"), msg));
        }
        let st = LockState {
            failures: l.failures,
            locked_until_ms: l.locked_until_ms,
        };
        lockouts.push((l.family.clone(), l.user_id.clone(), st));
    }
    let faults = check_faults(doc.faults, &mut out);
    if !out.is_empty() {
        return Err(out);
    }
    let credentials = doc
        .credentials
        .iter()
        .map(|c| (Text::from(c.token.as_str()), c.record()))
        .collect();
    let state = Restore {
        clock: doc.clock.clock(),
        changes: doc.identities,
        credentials,
        lockouts,
    };
    Ok(Checked {
        ids,
        state,
        faults,
        digest,
    })
}

fn check_clock(c: &ClockDoc, out: &mut Vec<Problem>) {
    let range = CLOCK_MIN_MS..=CLOCK_MAX_MS;
    match *c {
        ClockDoc::Frozen { epoch_ms } if !range.contains(&epoch_ms) => out.push(Problem::new(
            "$.clock.epochMs",
            "must be an instant from 0000-01-01 to 9999-12-31",
        )),
        ClockDoc::Offset { offset_ms } if offset_ms.unsigned_abs() > CLOCK_MAX_MS as u64 => out
            .push(Problem::new(
                "$.clock.offsetMs",
                "must keep the clock between 0000-01-01 and 9999-12-31",
            )),
        _ => {}
    }
}

/// The fixtures with `changes` applied in order; each must apply, and change something, as it did
/// when it was made.
fn replay(fixtures: &Fixtures, changes: &[Change], out: &mut Vec<Problem>) -> Idents {
    let ids = Idents::from_fixtures(fixtures);
    for (i, c) in changes.iter().enumerate() {
        let at = format!("$.identities[{i}]");
        let family = match c {
            Change::AddUser { family, .. }
            | Change::AddOrg { family, .. }
            | Change::RemoveUser { family, .. } => Some(family),
            Change::AddClient { .. } | Change::RevokeCode { .. } => None,
        };
        if family.is_some_and(|f| Family::named(f).is_none()) {
            let msg = "unknown family: expected koodrive, oneaccess or enos";
            out.push(Problem::new(format!("{at}.family"), msg));
            continue;
        }
        match ids.apply(c) {
            Applied::Refused(ps) => out.extend(ps.into_iter().map(|p| {
                let rest = p.path.strip_prefix('$').unwrap_or(&p.path);
                Problem::new(format!("{at}.body{rest}"), p.message)
            })),
            Applied::Done(false) => out.push(Problem::new(
                format!("{at}.id"),
                "no such user (in the fixtures or added before it)",
            )),
            Applied::Owner(None) => out.push(Problem::new(
                format!("{at}.code"),
                "no such reusable authorization code in the fixtures",
            )),
            _ => {}
        }
    }
    ids
}

/// Whether a credential of `kind` may be owned by `owner`: a user of its family (a OneAccess app
/// token: a client) that the fixtures or the snapshot's identities define.
fn owner_known(ids: &Idents, kind: Kind, owner: &str) -> bool {
    match kind {
        Kind::OaAppToken => ids.oa.client(owner).is_some(),
        Kind::OaSession | Kind::OaTicket => ids.oa.user(owner).is_some(),
        Kind::EnosLogin | Kind::EnosAccess | Kind::EnosRefresh => ids.enos.user(owner).is_some(),
        _ => ids.koo.user(owner).is_some(),
    }
}

/// A kind as the document spells it (`kooAccess`).
fn name(k: Kind) -> String {
    serde_json::to_value(k)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_default()
}

/// The kind a credential's `linked` names: an access token's refresh token and back.
fn pair_of(kind: Kind) -> Option<Kind> {
    Some(match kind {
        Kind::KooAccess => Kind::KooRefresh,
        Kind::KooRefresh => Kind::KooAccess,
        Kind::EnosAccess => Kind::EnosRefresh,
        Kind::EnosRefresh => Kind::EnosAccess,
        _ => return None,
    })
}

fn check_credential(
    c: &Credential,
    at: &str,
    ids: &Idents,
    texts: &[&str],
    all: &[Credential],
    out: &mut Vec<Problem>,
) {
    let mut bad = |field: &str, msg: String| out.push(Problem::new(format!("{at}.{field}"), msg));
    let family = c.kind.family();
    if c.token.is_empty() {
        bad("token", "must not be empty".into());
    }
    if c.family != family.name() {
        bad(
            "family",
            format!("a {} is {:?}", name(c.kind), family.name()),
        );
    }
    match (c.fixture, c.expires_at_ms) {
        (true, Some(_)) => bad("expiresAtMs", "a fixture never expires: null".into()),
        (false, None) => bad("expiresAtMs", "required (only a fixture has none)".into()),
        _ => {}
    }
    if let (Some(r), Some(e)) = (c.retain_until_ms, c.expires_at_ms) {
        if r < e {
            bad("retainUntilMs", "must not be before expiresAtMs".into());
        }
    }
    if !owner_known(ids, c.kind, &c.owner) {
        let what = if c.kind == Kind::OaAppToken {
            "client"
        } else {
            "user"
        };
        let msg = format!(
            "no {} {what} {:?} in the fixtures or the snapshot's identities",
            family.name(),
            c.owner
        );
        bad("owner", msg);
    }
    if c.kind == Kind::KooVerificationCode {
        if c.token != verification_code_key(&c.owner) {
            bad(
                "token",
                "a verification code is kept as \"vc:<owner>\"".to_string(),
            );
        }
        if c.bound_to.code.is_none() {
            bad(
                "boundTo.code",
                "a verification code needs its digits".into(),
            );
        }
    }
    let b = &c.bound_to;
    if let Some(org) = &b.org {
        let known = match family {
            Family::KooDrive => ids.koo.org(org).is_some(),
            Family::Enos => ids.enos.org(org).is_some(),
            Family::OneAccess => false,
        };
        if !known {
            bad("boundTo.org", format!("no {} org {org:?}", family.name()));
        }
    }
    if let Some(client) = &b.client {
        let known = match family {
            Family::KooDrive => ids.koo.client(client).is_some(),
            Family::OneAccess => ids.oa.client(client).is_some(),
            Family::Enos => false,
        };
        if !known {
            bad(
                "boundTo.client",
                format!("no {} client {client:?}", family.name()),
            );
        }
    }
    if let Some(t) = &b.tenant {
        if family != Family::OneAccess || !ids.oa.tenants().iter().any(|x| x.id == *t) {
            bad("boundTo.tenant", format!("no oneaccess tenant {t:?}"));
        }
    }
    // A pair's other half may be gone (used, logged out, revoked): the mock's own state holds such
    // halves, so only a pair that names a credential of the wrong kind is refused.
    if let Some(l) = &c.linked {
        match (pair_of(c.kind), texts.iter().position(|t| t == l)) {
            (None, _) => bad("linked", format!("a {} has no pair", name(c.kind))),
            (Some(k), Some(j)) if all[j].kind != k => {
                let msg = format!("names a {}, not a {}", name(all[j].kind), name(k));
                bad("linked", msg)
            }
            _ => {}
        }
    }
}

/// The faults, each on a known route with an action it can take, ids unique.
fn check_faults(mut faults: Vec<Fault>, out: &mut Vec<Problem>) -> Vec<Fault> {
    let mut ids = HashSet::new();
    for (i, f) in faults.iter_mut().enumerate() {
        let at = format!("$.faults[{i}]");
        if f.id.is_empty() || !ids.insert(f.id.clone()) {
            out.push(Problem::new(
                format!("{at}.id"),
                "must be a unique, non-empty id",
            ));
        }
        match known_route(&f.route) {
            Ok((route, family)) => {
                f.route = route;
                if let Err(m) = f.action.check(family) {
                    out.push(Problem::new(at.clone(), m));
                }
            }
            Err(m) => out.push(Problem::new(format!("{at}.route"), m)),
        }
        if f.times != 0 && f.hits >= f.times {
            let msg = "a fault is dropped once its hits reach its times";
            out.push(Problem::new(format!("{at}.hits"), msg));
        }
    }
    faults
}
