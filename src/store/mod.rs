//! The state of one namespace: identities per vendor family, every issued credential, lockout counters.
//!
//! This is the only code that touches `dashmap`. Methods are synchronous and return owned values, so no
//! shard lock is ever held across an `.await`.

pub mod enos;
pub mod koodrive;
pub mod oneaccess;
pub mod tokens;

use crate::fixtures::Fixtures;
use dashmap::DashMap;
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

/// Consecutive failed logins of one account.
#[derive(Debug, Clone, Copy, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct LockState {
    pub failures: u32,
    /// 0 while not locked.
    pub locked_until_ms: i64,
}

/// Calls `f` with the lockout key `family:user`, built on the stack when it fits (every login attempt
/// looks its account up twice; a `format!` there cost 2 % of a login).
fn with_lock_key<R>(family: &str, user: &str, f: impl FnOnce(&str) -> R) -> R {
    let mut buf = [0u8; 128];
    let n = family.len() + 1 + user.len();
    if n > buf.len() {
        return f(&format!("{family}:{user}"));
    }
    buf[..family.len()].copy_from_slice(family.as_bytes());
    buf[family.len()] = b':';
    buf[family.len() + 1..n].copy_from_slice(user.as_bytes());
    // Two strs joined by an ASCII colon are UTF-8.
    f(std::str::from_utf8(&buf[..n]).unwrap_or_default())
}

/// The state of one namespace.
#[derive(Debug)]
pub struct Store {
    pub koo: koodrive::KooData,
    pub oa: oneaccess::OaData,
    pub enos: enos::EnosData,
    pub tokens: Tokens,
    /// "family:userId" → failures and lock.
    pub locks: Map<String, LockState>,
}

impl Store {
    /// A fresh store holding the fixtures (static tokens included), keeping at most `max_tokens`
    /// credentials (0: no limit).
    pub fn from_fixtures(f: &Fixtures, max_tokens: usize) -> Store {
        let s = Store {
            koo: koodrive::KooData::load(&f.koodrive),
            oa: oneaccess::OaData::load(&f.oneaccess),
            enos: enos::EnosData::load(&f.enos),
            tokens: Tokens::with_limit(max_tokens),
            locks: Map::default(),
        };
        for t in &f.enos.static_tokens {
            let mut rec = TokenRec::new(Kind::EnosLogin, t.user_id.clone(), 0, 0);
            rec.expires_ms = NEVER;
            rec.retain_ms = NEVER;
            rec.fixed = true;
            s.tokens.insert(t.token.clone(), rec);
        }
        s
    }

    /// Whether `family`'s account `user` is locked at `now` (an elapsed lock is cleared).
    pub fn is_locked(&self, family: &str, user: &str, now: i64) -> bool {
        with_lock_key(family, user, |key| {
            let Some(mut st) = self.locks.get_mut(key) else {
                return false;
            };
            if st.locked_until_ms == 0 {
                return false;
            }
            if now < st.locked_until_ms {
                return true;
            }
            *st = LockState::default();
            false
        })
    }

    /// Counts a failure; at `max` consecutive failures the account locks for `window_ms`.
    /// Returns the attempts left before the lock (0 when this failure locked it).
    pub fn record_failure(
        &self,
        family: &str,
        user: &str,
        now: i64,
        max: u32,
        window_ms: i64,
    ) -> u32 {
        let mut st = self.locks.entry(format!("{family}:{user}")).or_default();
        st.failures = st.failures.saturating_add(1);
        if st.failures >= max {
            st.locked_until_ms = now.saturating_add(window_ms);
            0
        } else {
            max - st.failures
        }
    }

    /// A success clears the count.
    pub fn record_success(&self, family: &str, user: &str) {
        with_lock_key(family, user, |key| self.locks.remove(key));
    }

    /// Drops expired credentials, codes and elapsed lockouts; returns how many credentials went.
    pub fn sweep(&self, now: i64) -> usize {
        let n = self.tokens.sweep(now);
        self.koo.captchas.retain(|_, (_, exp)| now < *exp);
        self.locks
            .retain(|_, st| st.locked_until_ms == 0 || now < st.locked_until_ms);
        n
    }
}
