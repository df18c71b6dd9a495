//! Namespace snapshots: a namespace's whole state as one versioned JSON document
//! (`GET /__admin/snapshot`), and restoring one into a namespace (`PUT /__admin/snapshot`), on
//! either store. The format is documented in docs/snapshots.md; [`check`] refuses a document
//! before anything changes, [`apply`] swaps the namespace's state in one step.
//!
//! Expiries are absolute instants on the mock clock (ms), and the clock travels with them, so a
//! restored credential has exactly the lifetime left that it had when the snapshot was taken.

mod apply;
mod check;

pub use check::{check, Checked};

use super::faults::Fault;
use super::Ns;
use crate::clock::Clock;
use crate::store::credential::Bindings;
use crate::store::{Change, Down, Kind, LockState, Text, TokenRec, Verbs, NEVER};
use serde::{Deserialize, Serialize};

/// The `format` every snapshot names.
pub const FORMAT: &str = "authmock-snapshot";
/// The format's version this server writes and reads.
pub const VERSION: u64 = 1;

/// A namespace's state (format `authmock-snapshot`, version 1).
#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Snapshot {
    pub format: String,
    pub version: u64,
    pub clock: ClockDoc,
    /// The identity changes made at run time, in order (replayed on the fixtures). Added users
    /// carry their passwords: a restored namespace must accept the same logins.
    pub identities: Vec<Change>,
    pub credentials: Vec<Credential>,
    pub lockouts: Vec<Lockout>,
    pub faults: Vec<Fault>,
}

/// The clock, as `GET /__admin/clock` names its modes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(
    tag = "mode",
    rename_all = "camelCase",
    rename_all_fields = "camelCase",
    deny_unknown_fields
)]
pub enum ClockDoc {
    /// Real time.
    Real,
    /// Stopped at `epochMs`.
    Frozen { epoch_ms: i64 },
    /// Running, `offsetMs` ahead of real time (behind when negative).
    Offset { offset_ms: i64 },
}

impl ClockDoc {
    fn of(c: &Clock) -> ClockDoc {
        let state = c.state();
        let ms = state.get(2..).and_then(|m| m.parse().ok()).unwrap_or(0);
        match state.as_bytes().first() {
            Some(b'f') => ClockDoc::Frozen { epoch_ms: ms },
            _ if ms == 0 => ClockDoc::Real,
            _ => ClockDoc::Offset { offset_ms: ms },
        }
    }

    fn clock(self) -> Clock {
        let c = Clock::real();
        match self {
            ClockDoc::Real => {}
            ClockDoc::Frozen { epoch_ms } => {
                c.freeze();
                c.set(epoch_ms);
            }
            ClockDoc::Offset { offset_ms } => c.advance(offset_ms),
        }
        c
    }
}

/// One stored credential: its text, what it is, whose, its lifetime on the mock clock and its
/// bindings. A one-time credential that is listed has not been used (using it removes it).
#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Credential {
    /// The credential's text (a minted verification code's: `vc:<userId>`, its digits in
    /// `boundTo.code`).
    pub token: String,
    pub kind: Kind,
    /// The vendor family whose routes accept it (follows from `kind`).
    pub family: String,
    /// User id (client id for a OneAccess app token).
    pub owner: String,
    pub issued_at_ms: i64,
    /// When it stops being accepted (the first refused millisecond); `null`: never (a fixture).
    pub expires_at_ms: Option<i64>,
    /// When it may be dropped, if later than `expiresAtMs` (a KooDrive access token is kept while
    /// its refresh token lives, because refreshing needs it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retain_until_ms: Option<i64>,
    /// A fixture credential: never expires, never used up.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub fixture: bool,
    #[serde(default, skip_serializing_if = "Bound::is_empty")]
    pub bound_to: Bound,
    /// The paired credential (access ↔ refresh).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub linked: Option<String>,
}

/// What a credential is bound to besides its owner (the state dump's `boundTo`).
#[derive(Debug, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Bound {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub org: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub session: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fingerprint: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tenant: Option<String>,
    /// A minted verification code's digits.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
}

impl Bound {
    fn is_empty(&self) -> bool {
        let b = self;
        [
            &b.org,
            &b.session,
            &b.fingerprint,
            &b.client,
            &b.tenant,
            &b.code,
        ]
        .iter()
        .all(|x| x.is_none())
    }

    fn of(b: Option<&Bindings>) -> Bound {
        let s = |x: &Option<Text>| x.as_deref().map(str::to_string);
        match b {
            None => Bound::default(),
            Some(b) => Bound {
                org: s(&b.org),
                session: s(&b.session),
                fingerprint: s(&b.fingerprint),
                client: s(&b.client),
                tenant: s(&b.tenant),
                code: s(&b.code),
            },
        }
    }

    fn bindings(&self) -> Option<Box<Bindings>> {
        let t = |x: &Option<String>| x.as_deref().map(Text::from);
        (!self.is_empty()).then(|| {
            Box::new(Bindings {
                org: t(&self.org),
                session: t(&self.session),
                fingerprint: t(&self.fingerprint),
                client: t(&self.client),
                tenant: t(&self.tenant),
                code: t(&self.code),
            })
        })
    }
}

impl Credential {
    fn of(token: String, r: &TokenRec) -> Credential {
        let expires = (r.expires_ms != NEVER).then_some(r.expires_ms);
        Credential {
            token,
            kind: r.kind,
            family: r.kind.family().name().to_string(),
            owner: r.owner.to_string(),
            issued_at_ms: r.issued_ms,
            expires_at_ms: expires,
            retain_until_ms: (r.retain_ms > r.expires_ms).then_some(r.retain_ms),
            fixture: r.fixed,
            bound_to: Bound::of(r.bind.as_deref()),
            linked: r.link.as_deref().map(str::to_string),
        }
    }

    /// The record this stands for (checked: a fixture has no expiry, any other one has).
    fn record(&self) -> TokenRec {
        let expires = self.expires_at_ms.unwrap_or(NEVER);
        TokenRec {
            kind: self.kind,
            owner: Text::from(self.owner.as_str()),
            issued_ms: self.issued_at_ms,
            expires_ms: expires,
            retain_ms: self.retain_until_ms.unwrap_or(expires).max(expires),
            fixed: self.fixture,
            bind: self.bound_to.bindings(),
            link: self.linked.as_deref().map(Text::from),
        }
    }
}

/// An account's consecutive failed logins and its lock.
#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Lockout {
    pub family: String,
    pub user_id: String,
    pub failures: u32,
    /// Locked until this instant (mock clock, ms); 0: not locked (failures counted only).
    pub locked_until_ms: i64,
}

/// Namespace `ns`'s state as a snapshot: sorted (credentials by issue time, then text), so that
/// two snapshots of one state are the same text.
pub async fn take(ns: &Ns) -> Result<Snapshot, Down> {
    let s = ns.store();
    let mut credentials: Vec<Credential> = s
        .credentials()
        .await?
        .into_iter()
        .map(|(t, r)| Credential::of(t, &r))
        .collect();
    credentials.sort_by(|a, b| (a.issued_at_ms, &a.token).cmp(&(b.issued_at_ms, &b.token)));
    let mut lockouts: Vec<Lockout> = s
        .lockouts()
        .await?
        .into_iter()
        .map(
            |(family, user_id, st): (String, String, LockState)| Lockout {
                family,
                user_id,
                failures: st.failures,
                locked_until_ms: st.locked_until_ms,
            },
        )
        .collect();
    lockouts.sort_by(|a, b| (&a.family, &a.user_id).cmp(&(&b.family, &b.user_id)));
    Ok(Snapshot {
        format: FORMAT.to_string(),
        version: VERSION,
        clock: ClockDoc::of(ns.clock()),
        identities: s.changes().await?,
        credentials,
        lockouts,
        faults: ns.faults(|f| f.list()).await?,
    })
}
