//! A namespace on the shared store: its header (epoch, clock, identity version, queued faults) and the
//! per-request [`Session`] the verbs run on.
//!
//! A request's [`Session`] holds the namespace's header: the clock and the identities are the shared
//! ones as of that header, credentials and lockouts are read and written in Redis under the epoch's
//! prefix. Identities are rebuilt only when their version moved (they are the fixtures plus the list
//! of changes the control plane made, replayed).
//!
//! A vendor request with no fault in sight opens its session from the header this replica last read,
//! unconfirmed: its first command confirms it, in the same script ([`Check`]), so the request costs
//! the round trips of its verbs alone (one for a login). A header that moved (a reset, an eviction,
//! the clock, the identities or the faults changed by any replica) makes that command do nothing and
//! marks the session stale; the pipeline then runs the request again on a fresh read. The verbs that
//! scan the epoch (the control plane's, and EnOS `revokeAll`'s) and a request that ran no verb confirm
//! the header with one read of it instead.

use super::header::Check;
use super::hub::{changes_of, Hub};
use super::record::Fit;
use super::{Contended, Down, Meta};
use crate::clock::Clock;
use crate::contract::Family;
use crate::store::{
    Applied, Change, Idents, Kind, LockState, LoginAttempt, Lookup, Must, Newest, Redeem, Redeemed,
    Settled, Text, TokenRec, Tokens, Verbs,
};
use std::sync::{Arc, OnceLock};

/// One request's view of a shared namespace.
#[derive(Debug)]
pub struct Session {
    hub: Arc<Hub>,
    name: String,
    /// Key prefix of the epoch's credentials and lockouts.
    prefix: String,
    clock: Clock,
    ids: Arc<Idents>,
    /// Whether the header listed queued faults.
    pub faults_queued: bool,
    /// The first error reply a verb of this request got (a key of the wrong type, named).
    broken: OnceLock<Arc<str>>,
    /// The header this session was opened with, checked by the first command.
    check: Check,
}

impl Session {
    /// A session on `meta`, the header this request read (`confirmed`) or the replica's last read.
    pub(super) fn new(
        hub: Arc<Hub>,
        name: &str,
        meta: &Meta,
        ids: Arc<Idents>,
        confirmed: bool,
    ) -> Session {
        Session {
            prefix: super::prefix(name, meta.epoch),
            clock: hub.clock_of(meta.clock.as_deref()),
            faults_queued: meta.faults.is_some(),
            hub,
            name: name.to_string(),
            ids,
            broken: OnceLock::new(),
            check: Check::new(name, meta, confirmed),
        }
    }

    /// Keeps the first error reply among `r` and the verbs before it, for the answer to name.
    pub fn noted<T>(&self, r: Result<T, Down>) -> Result<T, Down> {
        if let Err(Some(b)) = r.as_ref().map_err(Down::broken) {
            let _ = self.broken.set(b.clone());
        }
        r
    }

    /// Whether this session's header is still to be confirmed.
    pub fn unconfirmed(&self) -> bool {
        self.check.unconfirmed()
    }

    /// Whether this session's header was found stale: the request must run again on a fresh one.
    pub fn stale(&self) -> bool {
        self.check.stale()
    }

    /// Confirms the header with one read, unless done: before a verb whose commands do not check
    /// it, and at the end of a request that ran no verb. A stale header answers [`Down::LOST`] (and
    /// [`Session::stale`] says so): the request runs again, and nothing was written.
    pub async fn confirm(&self) -> Result<(), Down> {
        let Some(want) = self.check.pending()? else {
            return Ok(());
        };
        let meta = self.hub.remote.meta(&self.name).await;
        let meta = self.noted(meta)?;
        self.check
            .verdict(meta.versions == want && meta.ids_version.is_some())
    }

    /// What this request found unusable in the store, if anything.
    pub fn broken(&self) -> Option<Arc<str>> {
        self.broken.get().cloned()
    }

    /// Changes a field of the namespace's header with `f`, which gets its current text and returns
    /// the new text (`None`: leave it) and an answer; retried when another replica wrote first.
    async fn update<R>(
        &self,
        field: &str,
        f: impl Fn(Option<&str>) -> (Option<String>, R),
    ) -> Result<R, Down> {
        self.confirm().await?;
        let r = &self.hub.remote;
        let mut contended = Contended::new();
        loop {
            let (cur, version, epoch) = r.field(&self.name, field).await?;
            let (new, answer) = f(cur.as_deref());
            let Some(new) = new else {
                return Ok(answer);
            };
            if r.swap_field(&self.name, field, version, epoch, &new)
                .await?
            {
                self.hub.changed();
                return Ok(answer);
            }
            contended.lost().await?;
        }
    }

    /// Reads or changes the namespace's fault queue, kept as JSON text in its header: `f` gets the
    /// current text and returns the new one (`None`: leave it) and an answer.
    pub async fn faults<R>(
        &self,
        f: impl Fn(Option<&str>) -> (Option<String>, R),
    ) -> Result<R, Down> {
        self.update("faults", f).await
    }
}

impl Verbs for Session {
    fn ids(&self) -> &Idents {
        &self.ids
    }

    fn clock(&self) -> &Clock {
        &self.clock
    }

    async fn clock_op<R>(&self, op: impl Fn(&Clock) -> R) -> Result<R, Down> {
        self.update("clock", |s| {
            let c = self.hub.clock_of(s);
            let out = op(&c);
            (Some(c.state()), out)
        })
        .await
    }

    async fn change(&self, c: &Change) -> Result<Applied, Down> {
        let fixtures = &self.hub.fixtures;
        self.update("ids", |doc| {
            let mut list = changes_of(doc);
            let applied = Idents::replay(fixtures, &list).apply(c);
            if !applied.changed() {
                return (None, applied);
            }
            list.push(c.clone());
            (serde_json::to_string(&list).ok(), applied)
        })
        .await
    }

    async fn changes(&self) -> Result<Vec<Change>, Down> {
        let (doc, _, _) = self.hub.remote.field(&self.name, "ids").await?;
        Ok(changes_of(doc.as_deref()))
    }

    async fn credentials(&self) -> Result<Vec<(String, TokenRec)>, Down> {
        // The epoch's prefix is the one the header names: confirmed before its keys are listed.
        self.confirm().await?;
        self.hub.remote.all(&self.prefix).await
    }

    async fn insert(&self, token: impl Into<Text>, rec: TokenRec) -> Result<(), Down> {
        let r = &self.hub.remote;
        let token: Text = token.into();
        r.put(&self.check, &self.prefix, &[(&token, &rec)]).await
    }

    async fn replace(&self, token: impl Into<Text>, rec: TokenRec) -> Result<(), Down> {
        self.confirm().await?;
        self.hub
            .remote
            .replace(&self.prefix, &token.into(), &rec)
            .await
    }

    async fn insert_pair(
        &self,
        a: (impl Into<Text>, TokenRec),
        b: (impl Into<Text>, TokenRec),
    ) -> Result<(), Down> {
        let (ta, tb): (Text, Text) = (a.0.into(), b.0.into());
        let r = &self.hub.remote;
        r.put(&self.check, &self.prefix, &[(&ta, &a.1), (&tb, &b.1)])
            .await
    }

    async fn lookup(&self, token: &str, kinds: &[Kind], now: i64) -> Result<Lookup, Down> {
        let r = &self.hub.remote;
        r.lookup(&self.check, &self.prefix, token, kinds, now).await
    }

    async fn touch(
        &self,
        token: &str,
        kind: Kind,
        now: i64,
        window_ms: i64,
    ) -> Result<Option<TokenRec>, Down> {
        let r = &self.hub.remote;
        r.touch(&self.check, &self.prefix, token, kind, now, window_ms)
            .await
    }

    async fn redeem<const N: usize>(
        &self,
        step: Redeem<'_>,
        issue: [(Text, TokenRec); N],
    ) -> Result<Redeemed, Down> {
        let r = &self.hub.remote;
        let done = r.redeem(&self.check, &self.prefix, &step, &issue).await?;
        match (&done, step.inherit.owner) {
            (Redeemed::Done { taken: Some(t) }, true) => {
                let filled = issue.map(|(text, mut rec)| {
                    rec.owner = t.owner.clone();
                    (text, rec)
                });
                self.hub.hints.remember(&filled);
            }
            (Redeemed::Done { .. }, false) => self.hub.hints.remember(&issue),
            _ => {}
        }
        Ok(done)
    }

    fn owner_hint(&self, token: &str, _kinds: &[Kind], _now: i64) -> Option<Text> {
        self.hub.hints.owner(token)
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
        let fit = Fit {
            kinds: std::slice::from_ref(&kind),
            now: Some(now),
            must,
        };
        let r = &self.hub.remote;
        r.renew(&self.check, &self.prefix, token, fit, &fresh, ttl_ms)
            .await
    }

    async fn retire(&self, token: &str, kinds: &[Kind]) -> Result<bool, Down> {
        let fit = Fit {
            kinds,
            now: None,
            must: Must::ANY,
        };
        let r = &self.hub.remote;
        let taken = r
            .take_if(&self.check, &self.prefix, token, fit, true)
            .await?;
        Ok(taken.is_some())
    }

    async fn revoke(&self, token: &str) -> Result<Option<TokenRec>, Down> {
        self.confirm().await?;
        self.hub.remote.revoke(&self.prefix, token).await
    }

    async fn remove_where(&self, pred: impl Fn(&TokenRec) -> bool) -> Result<usize, Down> {
        self.confirm().await?;
        self.hub.remote.remove_where(&self.prefix, pred).await
    }

    async fn of_kind(&self, kind: Kind) -> Result<Vec<(String, TokenRec)>, Down> {
        self.confirm().await?;
        let all = self.hub.remote.all(&self.prefix).await?;
        Ok(all.into_iter().filter(|(_, r)| r.kind == kind).collect())
    }

    async fn newest(&self, n: usize) -> Result<Newest, Down> {
        self.confirm().await?;
        // Ranked by the same code as the memory table's, on a throwaway table.
        let t = Tokens::default();
        for (k, r) in self.hub.remote.all(&self.prefix).await? {
            t.insert(k, r);
        }
        Ok(t.newest(n))
    }

    /// None: the shared store is bounded by Redis's own `maxmemory`.
    fn limit(&self) -> usize {
        0
    }

    fn evicted(&self) -> u64 {
        0
    }

    async fn is_locked(&self, family: Family, user: &str, now: i64) -> Result<bool, Down> {
        let r = &self.hub.remote;
        r.is_locked(&self.check, &self.prefix, family.name(), user, now)
            .await
    }

    async fn settle<const N: usize>(
        &self,
        attempt: LoginAttempt<'_>,
        issue: [(Text, TokenRec); N],
    ) -> Result<Settled, Down> {
        let r = &self.hub.remote;
        let settled = r.settle(&self.check, &self.prefix, attempt, &issue).await?;
        if settled == Settled::Passed {
            self.hub.hints.remember(&issue);
        }
        Ok(settled)
    }

    async fn lockouts(&self) -> Result<Vec<(String, String, LockState)>, Down> {
        self.confirm().await?;
        self.hub.remote.lockouts(&self.prefix).await
    }
}
