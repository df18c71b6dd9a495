//! The state of one namespace: identities per vendor family, every issued credential, lockout counters.
//!
//! This is the only code that touches `dashmap`, and its state is private: callers say what happens
//! (`settle`, `ids().apply(change)`, `tokens().take_if`, …); `state::Db` puts the same verbs over this
//! store or the shared one. Methods are synchronous and return owned values, so no
//! shard lock is ever held across an `.await`. Identities are checked in one place per family (its
//! `build` for a fixture file, its `add_*` for one identity of the admin API), with the same messages.

pub mod enos;
mod idents;
pub mod koodrive;
mod locks;
pub mod oneaccess;
pub mod orgid;
pub mod remote;
pub mod tokens;

use crate::family::Family;
use dashmap::DashMap;
pub use idents::{Applied, Change, Idents};
pub use locks::LockState;
use serde::Serialize;
pub use tokens::{Kind, Lookup, Text, TokenRec, Tokens, NEVER};

/// The concurrent map of the store. Keys are ids from fixtures and tokens the mock issues; lookups of
/// client-sent strings never insert, so a fast non-DoS-resistant hasher is safe.
pub type Map<K, V> = DashMap<K, V, foldhash::fast::RandomState>;

/// One validation problem: where (a JSON path) and what.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Problem {
    pub path: String,
    pub message: String,
}

impl Problem {
    pub fn new(path: impl Into<String>, message: impl Into<String>) -> Problem {
        Problem {
            path: path.into(),
            message: message.into(),
        }
    }
}

pub(crate) fn check_nonempty(out: &mut Vec<Problem>, at: &str, field: &str, v: &str) {
    if v.trim().is_empty() {
        out.push(Problem::new(format!("{at}.{field}"), "must not be empty"));
    }
}

/// All three families' fixtures, as parsed from their files.
#[derive(Debug, Clone, Default)]
pub struct Fixtures {
    pub koodrive: koodrive::KooFixtures,
    pub oneaccess: oneaccess::OaFixtures,
    pub enos: enos::EnosFixtures,
}

/// How a login attempt was settled.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Settled {
    /// The account is locked: the credential was not counted.
    Locked,
    /// The credential was right: the failure count is cleared.
    Passed,
    /// The credential was wrong and counted: attempts left before the lock (0: this one locked it).
    Failed(u32),
}

/// What `DELETE /__admin/tokens/{x}` removed.
#[derive(Debug, Clone)]
pub struct Revoked {
    /// The credential's kind as the state dump names it (`kooAccess`, …; `kooVerificationCode` for a minted verification code).
    pub kind: String,
    pub family: Family,
    pub owner: String,
}

impl Revoked {
    /// What revoking this credential removed.
    pub fn of(r: &TokenRec) -> Revoked {
        let kind = serde_json::to_value(r.kind).unwrap_or_default();
        Revoked {
            kind: kind.as_str().unwrap_or_default().to_string(),
            family: r.kind.family(),
            owner: r.owner.to_string(),
        }
    }
}

/// The state of one namespace.
#[derive(Debug)]
pub struct Store {
    ids: Idents,
    tokens: Tokens,
    locks: locks::Locks,
}

impl Store {
    /// A fresh store holding the fixtures (static tokens included), keeping at most `max_tokens`
    /// credentials (0: no limit). The fixtures were validated when they were parsed.
    pub fn from_fixtures(f: &Fixtures, max_tokens: usize) -> Store {
        let s = Store {
            ids: Idents::from_fixtures(f),
            tokens: Tokens::with_limit(max_tokens),
            locks: locks::Locks::default(),
        };
        for t in &f.enos.static_tokens {
            let rec = TokenRec::fixture(Kind::EnosLogin, t.user_id.clone());
            s.tokens.insert(t.token.clone(), rec);
        }
        s
    }

    /// Every family's identities.
    pub fn ids(&self) -> &Idents {
        &self.ids
    }

    /// Every issued credential.
    pub fn tokens(&self) -> &Tokens {
        &self.tokens
    }

    /// Whether `family`'s account `user` is locked at `now` (an elapsed lock is cleared).
    pub fn is_locked(&self, family: &str, user: &str, now: i64) -> bool {
        self.locks.is_locked(family, user, now)
    }

    /// Settles one login attempt whose credential was `ok` (see [`Settled`]).
    pub fn settle(
        &self,
        (family, user): (&str, &str),
        now: i64,
        ok: bool,
        max: u32,
        window_ms: i64,
    ) -> Settled {
        if self.is_locked(family, user, now) {
            Settled::Locked
        } else if ok {
            self.locks.record_success(family, user);
            Settled::Passed
        } else {
            Settled::Failed(self.locks.record_failure(family, user, now, max, window_ms))
        }
    }

    /// Every account with failures or a lock, as (family, user id, state).
    pub fn lockouts(&self) -> Vec<(String, String, LockState)> {
        self.locks.list()
    }

    /// Drops expired credentials, codes and elapsed lockouts; returns how many credentials went.
    pub fn sweep(&self, now: i64) -> usize {
        let n = self.tokens.sweep(now);
        self.ids.koo.sweep(now);
        self.locks.sweep(now);
        n
    }
}
