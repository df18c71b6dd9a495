//! The state of a namespace — identities per vendor family, every issued credential, lockout counters,
//! the clock — behind one verb list ([`Verbs`]) that two backends implement side by side: [`memory`]
//! (this process's maps, the default) and [`redis`] (the shared store, `--store redis://…`).
//!
//! The model both backends keep is here: [`credential`] records, the identities ([`Idents`], per
//! family in `koodrive`, `oneaccess`, `enos`, checked in one place per family: its `build` for a
//! fixture file, its `add_*` for one identity of the admin API) and the [`Change`]s made to them.
//! A verb fails only with [`Down`], when the shared store did not answer; a credential is handed out
//! only once its record is stored. No verb holds a shard lock across an `.await`.

pub mod credential;
pub mod enos;
mod idents;
pub mod koodrive;
pub mod memory;
pub mod oneaccess;
pub mod orgid;
pub mod redeem;
pub mod redis;

use crate::clock::Clock;
use crate::contract::Family;
pub use credential::{verification_code_key, Kind, Lookup, Must, Text, TokenRec, NEVER};
use dashmap::DashMap;
use futures_util::future::{Either, FutureExt};
pub use idents::{Applied, Change, Idents};
pub use memory::credentials::Tokens;
pub use memory::locks::LockState;
pub use redeem::{unowned, Bind, Guard, Inherit, Redeem, Redeemed};
pub use redis::Down;
use serde::Serialize;
use std::future::{ready, Future};

/// At most this many namespaces live at once (`default` included), in memory and in Redis alike; the
/// least recently used one is dropped for a new one.
pub const MAX_NAMESPACES: usize = 1000;

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

/// One login attempt to settle: the account, when, whether its credential was right, and the lockout
/// policy (`max` failures lock the account for `window_ms`).
#[derive(Debug, Clone, Copy)]
pub struct LoginAttempt<'a> {
    pub family: Family,
    pub user: &'a str,
    pub now: i64,
    pub ok: bool,
    pub max: u32,
    pub window_ms: i64,
    /// A minted KooDrive verification code presented instead of a right credential (`ok` false):
    /// the attempt passes if it is `user`'s live code, which is used up in the same step as the
    /// lock check, so a locked account never uses it up and of racers exactly one passes with it.
    pub code: Option<&'a str>,
}

/// What a namespace is restored to (a snapshot checked whole): its clock, its identity changes
/// (replayed on the fixtures), every credential and every lockout. The fault queue is the
/// namespace's, not the store's, and travels beside it.
#[derive(Debug)]
pub struct Restore {
    pub clock: Clock,
    pub changes: Vec<Change>,
    pub credentials: Vec<(Text, TokenRec)>,
    /// (family, user id, state).
    pub lockouts: Vec<(String, String, LockState)>,
}

/// A state dump's view of the credentials: how many, how many of each kind, the newest.
pub type Newest = (usize, Vec<(Kind, usize)>, Vec<(String, TokenRec)>);

/// The verb list: everything a request does to a namespace's state, which each backend implements
/// whole. Verbs say what happens (`settle`, `redeem`, `change`), never how; the one-time guarantees
/// (one winner among any number of racers, on any replica) are each backend's single step.
// Called on a concrete backend (through `Backend`), never through `dyn`: whether a verb's future is
// `Send` is known at each call, so the bare `async fn` costs nothing.
#[allow(async_fn_in_trait)]
pub trait Verbs {
    /// Every family's identities, as this request sees them.
    fn ids(&self) -> &Idents;
    /// The namespace's clock, as this request sees it.
    fn clock(&self) -> &Clock;
    /// Runs `op` on the clock and keeps what it did (for every replica, in the shared store).
    async fn clock_op<R>(&self, op: impl Fn(&Clock) -> R) -> Result<R, Down>;
    /// Applies an identity change (for every replica, in the shared store).
    async fn change(&self, c: &Change) -> Result<Applied, Down>;
    /// The identity changes made since the namespace was set up, in the order they took effect.
    async fn changes(&self) -> Result<Vec<Change>, Down>;
    /// Every stored credential (one-time ones not yet used, fixtures, expired ones still kept), as
    /// (text, record).
    async fn credentials(&self) -> Result<Vec<(String, TokenRec)>, Down>;

    /// Stores a new credential; once this returns `Ok` it may be handed out.
    async fn insert(&self, token: impl Into<Text>, rec: TokenRec) -> Result<(), Down>;
    /// Stores a credential, replacing one stored under the same text.
    async fn replace(&self, token: impl Into<Text>, rec: TokenRec) -> Result<(), Down>;
    /// Stores two linked credentials (access and refresh), both or neither.
    async fn insert_pair(
        &self,
        a: (impl Into<Text>, TokenRec),
        b: (impl Into<Text>, TokenRec),
    ) -> Result<(), Down>;
    /// Finds a credential of one of `kinds` and tells whether it is live at `now`.
    async fn lookup(&self, token: &str, kinds: &[Kind], now: i64) -> Result<Lookup, Down>;
    /// The live credential of `kind`, its expiry slid to `now + window_ms` (fixtures keep theirs).
    async fn touch(
        &self,
        token: &str,
        kind: Kind,
        now: i64,
        window_ms: i64,
    ) -> Result<Option<TokenRec>, Down>;
    /// Spends (or reads) a credential under a guard and stores its successors, in one step (see
    /// [`Redeem`]): exactly one of any number of concurrent callers (on any replica) takes it; a
    /// fixture is reusable, so it stays and every caller gets it. Unless the answer is
    /// [`Redeemed::Done`], nothing was taken, stored or retired.
    async fn redeem<const N: usize>(
        &self,
        step: Redeem<'_>,
        issue: [(Text, TokenRec); N],
    ) -> Result<Redeemed, Down>;
    /// The owner of the live credential `token` of one of `kinds`, if this replica knows it without
    /// asking the store: the memory store always does; on the shared store, for an EnOS token this
    /// replica issued lately. A guess for a verb that checks it (`Must::owner`), never an answer.
    fn owner_hint(&self, token: &str, kinds: &[Kind], now: i64) -> Option<Text>;
    /// Renews a credential: takes `token` if it is of `kind`, live at `now` and bound as `must`
    /// says, and stores `fresh` in its place, with its owner and bindings, live from `now` for
    /// `ttl_ms`. One step, as [`Verbs::redeem`] (a fixture stays); `None`: nothing taken or stored.
    async fn renew(
        &self,
        token: &str,
        kind: Kind,
        now: i64,
        must: Must<'_>,
        fresh: Text,
        ttl_ms: i64,
    ) -> Result<Option<TokenRec>, Down>;
    /// Retires a credential of one of `kinds` unless it is a fixture; true if it was there.
    async fn retire(&self, token: &str, kinds: &[Kind]) -> Result<bool, Down>;
    /// Removes any credential; returns what it was.
    async fn revoke(&self, token: &str) -> Result<Option<TokenRec>, Down>;
    /// Removes every credential for which `pred` holds; returns how many.
    async fn remove_where(&self, pred: impl Fn(&TokenRec) -> bool) -> Result<usize, Down>;
    /// Every credential of `kind`, as (text, record).
    async fn of_kind(&self, kind: Kind) -> Result<Vec<(String, TokenRec)>, Down>;
    /// The state dump's view of the listed credentials: the count, the count by kind, the `n` newest.
    async fn newest(&self, n: usize) -> Result<Newest, Down>;
    /// The credential limit (0: none).
    fn limit(&self) -> usize;
    /// Credentials evicted by the limit.
    fn evicted(&self) -> u64;

    /// Whether `family`'s account `user` is locked at `now` (an elapsed lock is cleared).
    async fn is_locked(&self, family: Family, user: &str, now: i64) -> Result<bool, Down>;
    /// Settles a login attempt: [`Settled::Locked`] if the account is locked, else a failure counts
    /// (locking the account at `max`) and a success (`ok`, or a live `code` used up) clears the
    /// count and stores `issue`, the credentials the login hands out. One step.
    async fn settle<const N: usize>(
        &self,
        attempt: LoginAttempt<'_>,
        issue: [(Text, TokenRec); N],
    ) -> Result<Settled, Down>;
    /// Every account with failures or a lock, as (family, user id, state).
    async fn lockouts(&self) -> Result<Vec<(String, String, LockState)>, Down>;
}

/// The backend a request's namespace lives on.
///
/// An enum over the two backends rather than a `dyn Verbs`: the set is closed (memory, Redis), the
/// verbs are `async` and generic (closures), which a trait object cannot carry without boxing every
/// future, and static dispatch keeps a memory verb a plain inlined call on the hot path. The trait is
/// what makes both backends implement the same list; this enum only picks one.
#[derive(Clone, Copy)]
pub enum Backend<'a> {
    Memory(&'a memory::Store),
    Redis(&'a redis::Session),
    /// A shared namespace whose header could not be read: every verb answers [`Down`].
    Unreachable(&'a redis::Hub),
}

/// Runs one verb on whichever backend this is, as a future that holds only the verb's answer or a
/// box. A memory verb runs at once (it never waits), so the futures that await verbs do not carry
/// the verb's arguments and inner future once more at every level; a Redis verb's future (hundreds
/// of bytes of client state) is boxed, so that it does not size them either: those futures are moved
/// whole, and hyper moves the request's (bench/RESULTS.md, sessions 12 and 13).
macro_rules! on {
    ($self:ident, $b:ident => $call:expr) => {
        match *$self {
            Backend::Memory($b) => Either::Left(ready(at_once($call))),
            Backend::Redis($b) => Either::Right(Box::pin(async move { $b.noted($call.await) })),
            Backend::Unreachable(_) => Either::Left(ready(Err(Down::LOST))),
        }
    };
}

/// A memory verb's answer: its `async fn` never awaits, so its first poll answers.
fn at_once<T>(verb: impl Future<Output = Result<T, Down>>) -> Result<T, Down> {
    let answer = verb.now_or_never();
    debug_assert!(answer.is_some(), "a memory verb waited");
    answer.unwrap_or(Err(Down::LOST))
}

impl<'a> Backend<'a> {
    /// [`Verbs::ids`], for as long as the backend's borrow.
    pub fn idents(self) -> &'a Idents {
        match self {
            Backend::Memory(m) => m.ids(),
            Backend::Redis(r) => r.ids(),
            Backend::Unreachable(h) => h.ids(),
        }
    }

    /// [`Verbs::clock`], for as long as the backend's borrow.
    pub fn time(self) -> &'a Clock {
        match self {
            Backend::Memory(m) => m.clock(),
            Backend::Redis(r) => r.clock(),
            Backend::Unreachable(h) => h.clock(),
        }
    }
}

impl Verbs for Backend<'_> {
    fn ids(&self) -> &Idents {
        self.idents()
    }
    fn clock(&self) -> &Clock {
        self.time()
    }
    fn clock_op<R>(&self, op: impl Fn(&Clock) -> R) -> impl Future<Output = Result<R, Down>> {
        on!(self, b => b.clock_op(op))
    }
    fn change(&self, c: &Change) -> impl Future<Output = Result<Applied, Down>> {
        on!(self, b => b.change(c))
    }
    fn changes(&self) -> impl Future<Output = Result<Vec<Change>, Down>> {
        on!(self, b => b.changes())
    }
    fn credentials(&self) -> impl Future<Output = Result<Vec<(String, TokenRec)>, Down>> {
        on!(self, b => b.credentials())
    }
    fn insert(
        &self,
        token: impl Into<Text>,
        rec: TokenRec,
    ) -> impl Future<Output = Result<(), Down>> {
        on!(self, b => b.insert(token, rec))
    }
    fn replace(
        &self,
        token: impl Into<Text>,
        rec: TokenRec,
    ) -> impl Future<Output = Result<(), Down>> {
        on!(self, b => b.replace(token, rec))
    }
    fn insert_pair(
        &self,
        a: (impl Into<Text>, TokenRec),
        b2: (impl Into<Text>, TokenRec),
    ) -> impl Future<Output = Result<(), Down>> {
        on!(self, b => b.insert_pair(a, b2))
    }
    fn lookup(
        &self,
        token: &str,
        kinds: &[Kind],
        now: i64,
    ) -> impl Future<Output = Result<Lookup, Down>> {
        on!(self, b => b.lookup(token, kinds, now))
    }
    fn touch(
        &self,
        token: &str,
        kind: Kind,
        now: i64,
        window_ms: i64,
    ) -> impl Future<Output = Result<Option<TokenRec>, Down>> {
        on!(self, b => b.touch(token, kind, now, window_ms))
    }
    fn redeem<const N: usize>(
        &self,
        step: Redeem<'_>,
        issue: [(Text, TokenRec); N],
    ) -> impl Future<Output = Result<Redeemed, Down>> {
        on!(self, b => b.redeem(step, issue))
    }
    fn owner_hint(&self, token: &str, kinds: &[Kind], now: i64) -> Option<Text> {
        match self {
            Backend::Memory(m) => m.owner_hint(token, kinds, now),
            Backend::Redis(r) => r.owner_hint(token, kinds, now),
            Backend::Unreachable(_) => None,
        }
    }
    fn renew(
        &self,
        token: &str,
        kind: Kind,
        now: i64,
        must: Must<'_>,
        fresh: Text,
        ttl_ms: i64,
    ) -> impl Future<Output = Result<Option<TokenRec>, Down>> {
        on!(self, b => b.renew(token, kind, now, must, fresh, ttl_ms))
    }
    fn retire(&self, token: &str, kinds: &[Kind]) -> impl Future<Output = Result<bool, Down>> {
        on!(self, b => b.retire(token, kinds))
    }
    fn revoke(&self, token: &str) -> impl Future<Output = Result<Option<TokenRec>, Down>> {
        on!(self, b => b.revoke(token))
    }
    fn remove_where(
        &self,
        pred: impl Fn(&TokenRec) -> bool,
    ) -> impl Future<Output = Result<usize, Down>> {
        on!(self, b => b.remove_where(pred))
    }
    fn of_kind(&self, kind: Kind) -> impl Future<Output = Result<Vec<(String, TokenRec)>, Down>> {
        on!(self, b => b.of_kind(kind))
    }
    fn newest(&self, n: usize) -> impl Future<Output = Result<Newest, Down>> {
        on!(self, b => b.newest(n))
    }
    fn limit(&self) -> usize {
        match self {
            Backend::Memory(m) => m.limit(),
            Backend::Redis(r) => r.limit(),
            Backend::Unreachable(_) => 0,
        }
    }
    fn evicted(&self) -> u64 {
        match self {
            Backend::Memory(m) => m.evicted(),
            Backend::Redis(r) => r.evicted(),
            Backend::Unreachable(_) => 0,
        }
    }
    fn is_locked(
        &self,
        family: Family,
        user: &str,
        now: i64,
    ) -> impl Future<Output = Result<bool, Down>> {
        on!(self, b => b.is_locked(family, user, now))
    }
    fn settle<const N: usize>(
        &self,
        attempt: LoginAttempt<'_>,
        issue: [(Text, TokenRec); N],
    ) -> impl Future<Output = Result<Settled, Down>> {
        on!(self, b => b.settle(attempt, issue))
    }
    fn lockouts(&self) -> impl Future<Output = Result<Vec<(String, String, LockState)>, Down>> {
        on!(self, b => b.lockouts())
    }
}

impl Backend<'_> {
    /// The live credential of one of `kinds`, if any.
    pub async fn live(
        &self,
        token: &str,
        kinds: &[Kind],
        now: i64,
    ) -> Result<Option<TokenRec>, Down> {
        Ok(match self.lookup(token, kinds, now).await? {
            Lookup::Live(r) => Some(r),
            _ => None,
        })
    }
}
