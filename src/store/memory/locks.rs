//! Lockout counters: consecutive failed logins per account, and the lock they set.

use crate::store::Map;
use serde::Serialize;

/// Consecutive failed logins of one account.
#[derive(Debug, Clone, Copy, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct LockState {
    pub failures: u32,
    /// 0 while not locked.
    pub locked_until_ms: i64,
}

/// The lockouts of one namespace, keyed `family:userId`.
#[derive(Debug, Default)]
pub(super) struct Locks(Map<String, LockState>);

/// Calls `f` with the lockout key `family:user`, built on the stack when it fits (every login attempt
/// looks its account up twice, so the key is not allocated for it).
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

impl Locks {
    pub(super) fn is_locked(&self, family: &str, user: &str, now: i64) -> bool {
        with_lock_key(family, user, |key| {
            let Some(mut st) = self.0.get_mut(key) else {
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

    pub(super) fn record_failure(
        &self,
        family: &str,
        user: &str,
        now: i64,
        max: u32,
        window_ms: i64,
    ) -> u32 {
        let mut st = self.0.entry(format!("{family}:{user}")).or_default();
        st.failures = st.failures.saturating_add(1);
        if st.failures >= max {
            st.locked_until_ms = now.saturating_add(window_ms);
            0
        } else {
            max - st.failures
        }
    }

    pub(super) fn record_success(&self, family: &str, user: &str) {
        with_lock_key(family, user, |key| self.0.remove(key));
    }

    /// Sets an account's state (a restored snapshot's).
    pub(super) fn set(&self, family: &str, user: &str, st: LockState) {
        self.0.insert(format!("{family}:{user}"), st);
    }

    /// Drops elapsed locks.
    pub(super) fn sweep(&self, now: i64) {
        self.0
            .retain(|_, st| st.locked_until_ms == 0 || now < st.locked_until_ms);
    }

    /// Every account with failures or a lock, as (family, user id, state).
    pub(super) fn list(&self) -> Vec<(String, String, LockState)> {
        let it = self.0.iter().map(|l| {
            let (family, user) = l.key().split_once(':').unwrap_or(("", l.key()));
            (family.to_string(), user.to_string(), *l.value())
        });
        it.collect()
    }
}
