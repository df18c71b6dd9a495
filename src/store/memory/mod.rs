//! The in-memory backend (the default): a namespace's identities, credentials, lockouts and clock in
//! this process's maps. This is the only code that touches `dashmap`; every verb is a plain
//! synchronous call that returns owned values, so no shard lock is ever held across an `.await`.

pub mod credentials;
pub mod locks;

use super::{
    verification_code_key, Applied, Change, Down, Fixtures, Idents, Kind, LockState, LoginAttempt,
    Lookup, Must, Newest, Redeem, Redeemed, Restore, Settled, Text, TokenRec, Tokens, Verbs,
};
use crate::clock::Clock;
use crate::contract::Family;
use crate::ids::secret_eq;
use std::sync::Mutex;

/// The state of one namespace, in memory.
#[derive(Debug)]
pub struct Store {
    ids: Idents,
    /// The identity changes made so far, in order (what a snapshot carries; the shared store keeps
    /// the same list in the namespace's header). Held while a change applies, so the order is the
    /// order the changes took effect in.
    changes: Mutex<Vec<Change>>,
    tokens: Tokens,
    locks: locks::Locks,
    clock: Clock,
}

impl Store {
    /// A fresh store holding the fixtures (static tokens included), keeping at most `max_tokens`
    /// credentials (0: no limit), its clock starting as `clock`. The fixtures were validated when
    /// they were parsed.
    pub fn from_fixtures(f: &Fixtures, max_tokens: usize, clock: Clock) -> Store {
        let s = Store::empty(Idents::from_fixtures(f), Vec::new(), max_tokens, clock);
        for t in &f.enos.static_tokens {
            let rec = TokenRec::fixture(Kind::EnosLogin, t.user_id.clone());
            s.tokens.insert(t.token.clone(), rec);
        }
        s
    }

    /// A store of identities `ids` (the fixtures with `changes` applied) and no credential yet.
    fn empty(ids: Idents, changes: Vec<Change>, max_tokens: usize, clock: Clock) -> Store {
        Store {
            ids,
            changes: Mutex::new(changes),
            tokens: Tokens::with_limit(max_tokens),
            locks: locks::Locks::default(),
            clock,
        }
    }

    /// A store holding exactly `state` (a restored snapshot, checked whole before this is built):
    /// `ids` are the fixtures with `state.changes` applied.
    pub fn restored(ids: Idents, state: Restore, max_tokens: usize) -> Store {
        let s = Store::empty(ids, state.changes, max_tokens, state.clock);
        for (t, r) in state.credentials {
            s.tokens.insert(t, r);
        }
        for (family, user, st) in state.lockouts {
            s.locks.set(&family, &user, st);
        }
        s
    }

    /// Every issued credential.
    pub fn tokens(&self) -> &Tokens {
        &self.tokens
    }

    /// Uses up `user`'s minted verification code if it is `code` and live at `now`.
    fn redeem_code(&self, user: &str, code: &str, now: i64) -> bool {
        let key = verification_code_key(user);
        let matches = |r: &TokenRec| r.code().is_some_and(|c| secret_eq(code, c));
        let kind = Kind::KooVerificationCode;
        self.tokens.take_if(&key, kind, now, matches).is_some()
    }

    /// Takes a live credential of one of `kinds` bound as `must` says, or (a fixture) returns it
    /// and keeps it: what a renewal spends.
    fn spend(&self, token: &str, kinds: &[Kind], now: i64, must: Must<'_>) -> Option<TokenRec> {
        let Lookup::Live(seen) = self.tokens.lookup(token, kinds, now) else {
            return None;
        };
        if seen.fixed {
            Some(seen).filter(|r| must.holds(r))
        } else {
            self.tokens
                .take_if(token, seen.kind, now, |r| !r.fixed && must.holds(r))
        }
    }

    /// Drops expired credentials and elapsed lockouts; returns how many credentials went.
    pub fn sweep(&self) -> usize {
        let now = self.clock.now_ms();
        let n = self.tokens.sweep(now);
        self.locks.sweep(now);
        n
    }
}

impl Verbs for Store {
    fn ids(&self) -> &Idents {
        &self.ids
    }

    fn clock(&self) -> &Clock {
        &self.clock
    }

    async fn clock_op<R>(&self, op: impl Fn(&Clock) -> R) -> Result<R, Down> {
        Ok(op(&self.clock))
    }

    async fn change(&self, c: &Change) -> Result<Applied, Down> {
        let mut list = self.changes.lock().unwrap_or_else(|e| e.into_inner());
        let applied = self.ids.apply(c);
        if applied.changed() {
            list.push(c.clone());
        }
        Ok(applied)
    }

    async fn changes(&self) -> Result<Vec<Change>, Down> {
        Ok(self
            .changes
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone())
    }

    async fn credentials(&self) -> Result<Vec<(String, TokenRec)>, Down> {
        Ok(self.tokens.all())
    }

    async fn insert(&self, token: impl Into<Text>, rec: TokenRec) -> Result<(), Down> {
        self.tokens.insert(token, rec);
        Ok(())
    }

    async fn replace(&self, token: impl Into<Text>, rec: TokenRec) -> Result<(), Down> {
        self.tokens.insert(token, rec);
        Ok(())
    }

    async fn insert_pair(
        &self,
        a: (impl Into<Text>, TokenRec),
        b: (impl Into<Text>, TokenRec),
    ) -> Result<(), Down> {
        self.tokens.insert(a.0, a.1);
        self.tokens.insert(b.0, b.1);
        Ok(())
    }

    async fn lookup(&self, token: &str, kinds: &[Kind], now: i64) -> Result<Lookup, Down> {
        Ok(self.tokens.lookup(token, kinds, now))
    }

    async fn touch(
        &self,
        token: &str,
        kind: Kind,
        now: i64,
        window_ms: i64,
    ) -> Result<Option<TokenRec>, Down> {
        Ok(self.tokens.touch(token, kind, now, window_ms))
    }

    async fn redeem<const N: usize>(
        &self,
        r: Redeem<'_>,
        issue: [(Text, TokenRec); N],
    ) -> Result<Redeemed, Down> {
        // Of a guard that holds, only its tenant and owner are needed: read in place, not copied.
        let guard = match r.guard {
            None => None,
            Some(g) => {
                let seen = |x: &TokenRec| match g.must.holds(x) {
                    true => Ok((
                        x.bind.as_ref().and_then(|b| b.tenant.clone()),
                        x.owner.clone(),
                    )),
                    false => Err(x.clone()),
                };
                match self.tokens.lookup_with(g.token, g.kinds, r.now, seen) {
                    Lookup::Live(Ok(held)) => Some(held),
                    Lookup::Live(Err(rec)) => {
                        let guard = Some(rec);
                        return Ok(Redeemed::Refused { guard, seen: None });
                    }
                    Lookup::Expired if !g.live => None,
                    Lookup::Expired => return Ok(Redeemed::Guard(Lookup::Expired)),
                    Lookup::Missing => return Ok(Redeemed::Guard(Lookup::Missing)),
                }
            }
        };
        let (tenant, owner) = match &guard {
            Some((t, o)) => (t.as_deref(), Some(o)),
            None => (None, None),
        };
        // The guard's record, for a refusal (read again: a refusal is off the hot path).
        let refused = |seen: Option<TokenRec>| -> Result<Redeemed, Down> {
            let guard = r.guard.filter(|_| guard.is_some());
            let guard = guard.and_then(|g| self.tokens.live(g.token, g.kinds, r.now));
            Ok(Redeemed::Refused { guard, seen })
        };
        let fits = |x: &TokenRec| {
            r.must.holds(x) && (!r.guard_tenant || (tenant.is_some() && x.tenant() == tenant))
        };
        // A read credential's successors are filled in place; a taken one's from what was taken.
        let mut issue = Some(issue);
        let looked = self.tokens.lookup_with(r.token, r.kinds, r.now, |x| {
            if !fits(x) {
                return Err(x.clone());
            }
            if r.keep {
                if let Some(issue) = &mut issue {
                    for (i, (_, rec)) in issue.iter_mut().enumerate() {
                        rec.inherit(i == 0, r.inherit, x, owner);
                    }
                }
                return Ok(None);
            }
            Ok(Some((x.kind, x.fixed.then(|| x.clone()))))
        });
        let taken = match looked {
            Lookup::Live(Ok(None)) => None,
            Lookup::Live(Ok(Some((_, Some(fixed))))) => Some(fixed),
            Lookup::Live(Ok(Some((kind, None)))) => {
                let must = r.must;
                let taken = self
                    .tokens
                    .take_if(r.token, kind, r.now, |x| !x.fixed && must.holds(x));
                match taken {
                    Some(t) => Some(t),
                    None => return refused(None),
                }
            }
            Lookup::Live(Err(seen)) => return refused(Some(seen)),
            _ => return refused(None),
        };
        for (i, (t, mut rec)) in issue.into_iter().flatten().enumerate() {
            if let Some(from) = &taken {
                rec.inherit(i == 0, r.inherit, from, owner);
            }
            self.tokens.insert(t, rec);
        }
        if let Some(g) = r.guard.filter(|_| r.retire_guard) {
            self.tokens.retire(g.token, g.kinds);
        }
        let link = taken.as_ref().and_then(|t| t.link.as_deref());
        if let Some(link) = link.filter(|_| !r.retire_link.is_empty()) {
            self.tokens.retire(link, r.retire_link);
        }
        Ok(Redeemed::Done { taken })
    }

    fn owner_hint(&self, token: &str, kinds: &[Kind], now: i64) -> Option<Text> {
        self.tokens.live(token, kinds, now).map(|r| r.owner)
    }

    async fn renew(
        &self,
        token: &str,
        kind: Kind,
        now: i64,
        must: Must<'_>,
        fresh: Text,
        ttl_ms: i64,
    ) -> Result<Option<TokenRec>, Down> {
        let got = self.spend(token, &[kind], now, must);
        if let Some(old) = &got {
            let mut next = TokenRec::new(kind, old.owner.clone(), now, ttl_ms);
            next.bind = old.bind.clone();
            self.tokens.insert(fresh, next);
        }
        Ok(got)
    }

    async fn retire(&self, token: &str, kinds: &[Kind]) -> Result<bool, Down> {
        Ok(self.tokens.retire(token, kinds))
    }

    async fn revoke(&self, token: &str) -> Result<Option<TokenRec>, Down> {
        Ok(self.tokens.revoke(token))
    }

    async fn remove_where(&self, pred: impl Fn(&TokenRec) -> bool) -> Result<usize, Down> {
        Ok(self.tokens.remove_where(pred))
    }

    async fn of_kind(&self, kind: Kind) -> Result<Vec<(String, TokenRec)>, Down> {
        Ok(self.tokens.of_kind(kind))
    }

    async fn newest(&self, n: usize) -> Result<Newest, Down> {
        Ok(self.tokens.newest(n))
    }

    fn limit(&self) -> usize {
        self.tokens.limit()
    }

    fn evicted(&self) -> u64 {
        self.tokens.evicted()
    }

    async fn is_locked(&self, family: Family, user: &str, now: i64) -> Result<bool, Down> {
        Ok(self.locks.is_locked(family.name(), user, now))
    }

    async fn settle<const N: usize>(
        &self,
        a: LoginAttempt<'_>,
        issue: [(Text, TokenRec); N],
    ) -> Result<Settled, Down> {
        let (family, user) = (a.family.name(), a.user);
        Ok(if self.locks.is_locked(family, user, a.now) {
            Settled::Locked
        } else if a.ok || a.code.is_some_and(|c| self.redeem_code(user, c, a.now)) {
            self.locks.record_success(family, user);
            for (t, r) in issue {
                self.tokens.insert(t, r);
            }
            Settled::Passed
        } else {
            let left = self
                .locks
                .record_failure(family, user, a.now, a.max, a.window_ms);
            Settled::Failed(left)
        })
    }

    async fn lockouts(&self) -> Result<Vec<(String, String, LockState)>, Down> {
        Ok(self.locks.list())
    }
}
