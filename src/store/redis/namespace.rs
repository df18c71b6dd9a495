//! A namespace on the shared store: its header (epoch, clock, identity version, queued faults) and the
//! per-request [`Session`] the verbs run on.
//!
//! Each request first reads the namespace's header in one round trip, into a [`Session`]: the clock
//! and the identities are the shared ones as of that read, credentials and lockouts are read and
//! written in Redis under the epoch's prefix. Identities are rebuilt only when their version moved
//! (they are the fixtures plus the list of changes the control plane made, replayed).

use super::{Contended, Down, Meta, Remote, Setup};
use crate::clock::Clock;
use crate::contract::Family;
use crate::store::{
    Applied, Change, Fixtures, Idents, Kind, LockState, LoginAttempt, Lookup, Newest, Settled,
    Text, TokenRec, Tokens, Verbs,
};
use sha2::{Digest, Sha256};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, OnceLock};

/// The shared store and what every namespace needs to read it.
#[derive(Debug)]
pub struct Hub {
    pub remote: Remote,
    fixtures: Arc<Fixtures>,
    /// The EnOS static tokens of the fixtures, as stored.
    static_tokens: Vec<(String, String)>,
    /// The state of a new namespace's clock ([`Clock::state`]).
    default_clock: String,
    /// A new namespace's clock, for a request that could not read its namespace's (the journal's time).
    fresh_clock: Clock,
    /// The fixtures' identities, for a request that could not read its namespace's.
    fixture_ids: OnceLock<Idents>,
    /// A fingerprint of the fixtures: identities come from each replica's own files, so replicas
    /// whose files differ would disagree; the first request that finds out says so in the log.
    fixtures_id: String,
    mismatch_told: AtomicBool,
}

impl Hub {
    /// `fresh_clock`: how a new namespace's clock starts (`--frozen-at`, else real time).
    pub fn new(remote: Remote, fixtures: Arc<Fixtures>, fresh_clock: Clock) -> Hub {
        let static_tokens = fixtures
            .enos
            .static_tokens
            .iter()
            .map(|t| {
                let rec = TokenRec::fixture(Kind::EnosLogin, t.user_id.clone());
                (t.token.clone(), super::encode(&rec))
            })
            .collect();
        let digest = Sha256::digest(format!("{fixtures:?}").as_bytes());
        let fixtures_id = digest[..8].iter().map(|b| format!("{b:02x}")).collect();
        Hub {
            remote,
            fixtures,
            static_tokens,
            default_clock: fresh_clock.state(),
            fresh_clock,
            fixture_ids: OnceLock::new(),
            fixtures_id,
            mismatch_told: AtomicBool::new(false),
        }
    }

    /// The fixtures' identities (what a request that could not reach the store sees).
    pub fn ids(&self) -> &Idents {
        self.fixture_ids
            .get_or_init(|| Idents::from_fixtures(&self.fixtures))
    }

    /// The fingerprint of this replica's fixtures (kept in a namespace's header when it is set up).
    pub fn fixtures_id(&self) -> &str {
        &self.fixtures_id
    }

    /// A new namespace's clock (what a request that could not reach the store sees).
    pub fn clock(&self) -> &Clock {
        &self.fresh_clock
    }

    /// A clock in `state`, or a new namespace's.
    fn clock_of(&self, state: Option<&str>) -> Clock {
        state
            .and_then(Clock::from_state)
            .or_else(|| Clock::from_state(&self.default_clock))
            .unwrap_or_else(Clock::real)
    }

    /// Opens namespace `name` for one request: reads its header (one round trip), setting the
    /// namespace up if no replica has yet; `cache` keeps the identities this replica last rebuilt.
    pub async fn open(self: &Arc<Hub>, name: &str, cache: &IdsCache) -> Result<Session, Down> {
        let r = &self.remote;
        let mut meta: Meta = r.meta(name).await?;
        if meta.ids_version.is_none() {
            let setup = Setup {
                clock: &self.default_clock,
                fixtures: &self.fixtures_id,
                tokens: &self.static_tokens,
            };
            r.setup(name, &setup).await?;
            meta = r.meta(name).await?;
        }
        if meta
            .fixtures
            .as_ref()
            .is_some_and(|f| *f != self.fixtures_id)
            && !self.mismatch_told.swap(true, Ordering::Relaxed)
        {
            tracing::warn!(
                namespace = %name,
                "this replica's fixtures differ from those the namespace was set up with: replicas on one \
                 store must load the same fixtures, or they disagree about users, orgs and clients"
            );
        }
        let now_s = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs());
        let last = cache.1.load(Ordering::Relaxed);
        if now_s >= last + TOUCH_EVERY_S && cache.1.swap(now_s, Ordering::Relaxed) == last {
            // Off the request's path: a lost mark only makes the namespace look older.
            let (remote, name) = (r.clone(), name.to_string());
            tokio::spawn(async move { remote.touch_namespace(&name).await });
        }
        let version = meta.ids_version.unwrap_or(0);
        let ids = match cache.get(meta.epoch, version) {
            Some(ids) => ids,
            None => {
                let (doc, v, e) = r.field(name, "ids").await?;
                let ids = Arc::new(Idents::replay(&self.fixtures, &changes(doc.as_deref())));
                cache.put(e, v, ids.clone());
                ids
            }
        };
        Ok(Session {
            hub: self.clone(),
            name: name.to_string(),
            prefix: super::prefix(name, meta.epoch),
            clock: self.clock_of(meta.clock.as_deref()),
            ids,
            faults_queued: meta.faults.is_some(),
            broken: OnceLock::new(),
        })
    }
}

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
}

/// What a replica keeps of one shared namespace: the identities it last rebuilt, by (epoch,
/// version), and when it last marked the namespace used (seconds).
#[derive(Debug, Default)]
pub struct IdsCache(Mutex<Option<(u64, u64, Arc<Idents>)>>, AtomicU64);

/// How often a replica marks a namespace it serves as used, for the namespace limit.
const TOUCH_EVERY_S: u64 = 60;

impl IdsCache {
    fn get(&self, epoch: u64, version: u64) -> Option<Arc<Idents>> {
        let c = self.0.lock().unwrap_or_else(|e| e.into_inner());
        c.as_ref()
            .filter(|(e, v, _)| *e == epoch && *v == version)
            .map(|(_, _, ids)| ids.clone())
    }

    fn put(&self, epoch: u64, version: u64, ids: Arc<Idents>) {
        let mut c = self.0.lock().unwrap_or_else(|e| e.into_inner());
        // Never go back to an older version a slower request read.
        if c.as_ref()
            .is_none_or(|(e, v, _)| (epoch, version) > (*e, *v))
        {
            *c = Some((epoch, version, ids.clone()));
        }
    }
}

fn changes(doc: Option<&str>) -> Vec<Change> {
    doc.and_then(|d| serde_json::from_str(d).ok())
        .unwrap_or_default()
}

impl Session {
    /// Keeps the first error reply among `r` and the verbs before it, for the answer to name.
    pub fn noted<T>(&self, r: Result<T, Down>) -> Result<T, Down> {
        if let Err(Some(b)) = r.as_ref().map_err(Down::broken) {
            let _ = self.broken.set(b.clone());
        }
        r
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
            let mut list = changes(doc);
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
        Ok(changes(doc.as_deref()))
    }

    async fn credentials(&self) -> Result<Vec<(String, TokenRec)>, Down> {
        self.hub.remote.all(&self.prefix).await
    }

    async fn insert(&self, token: impl Into<Text>, rec: TokenRec) -> Result<(), Down> {
        self.hub.remote.put(&self.prefix, &token.into(), &rec).await
    }

    async fn replace(&self, token: impl Into<Text>, rec: TokenRec) -> Result<(), Down> {
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
        r.put_pair(&self.prefix, (&ta, &a.1), (&tb, &b.1)).await
    }

    async fn lookup(&self, token: &str, kinds: &[Kind], now: i64) -> Result<Lookup, Down> {
        self.hub
            .remote
            .lookup(&self.prefix, token, kinds, now)
            .await
    }

    async fn touch(
        &self,
        token: &str,
        kind: Kind,
        now: i64,
        window_ms: i64,
    ) -> Result<Option<TokenRec>, Down> {
        let r = &self.hub.remote;
        r.touch(&self.prefix, token, kind, now, window_ms).await
    }

    async fn take_if(
        &self,
        token: &str,
        kind: Kind,
        now: i64,
        pred: impl Fn(&TokenRec) -> bool,
    ) -> Result<Option<TokenRec>, Down> {
        let ok = |r: &TokenRec| r.kind == kind && r.live_at(now) && pred(r);
        self.hub.remote.take_if(&self.prefix, token, ok).await
    }

    async fn exchange<const N: usize>(
        &self,
        token: &str,
        kinds: &[Kind],
        now: i64,
        pred: impl Fn(&TokenRec) -> bool,
        issue: [(Text, TokenRec); N],
    ) -> Result<Option<TokenRec>, Down> {
        let ok = |r: &TokenRec| kinds.contains(&r.kind) && r.live_at(now) && pred(r);
        let r = &self.hub.remote;
        r.exchange(&self.prefix, token, ok, &issue).await
    }

    async fn retire(&self, token: &str, kinds: &[Kind]) -> Result<bool, Down> {
        let ok = |r: &TokenRec| kinds.contains(&r.kind) && !r.fixed;
        let taken = self.hub.remote.take_if(&self.prefix, token, ok).await?;
        Ok(taken.is_some())
    }

    async fn revoke(&self, token: &str) -> Result<Option<TokenRec>, Down> {
        self.hub.remote.revoke(&self.prefix, token).await
    }

    async fn remove_where(&self, pred: impl Fn(&TokenRec) -> bool) -> Result<usize, Down> {
        self.hub.remote.remove_where(&self.prefix, pred).await
    }

    async fn of_kind(&self, kind: Kind) -> Result<Vec<(String, TokenRec)>, Down> {
        let all = self.hub.remote.all(&self.prefix).await?;
        Ok(all.into_iter().filter(|(_, r)| r.kind == kind).collect())
    }

    async fn newest(&self, n: usize) -> Result<Newest, Down> {
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
        r.is_locked(&self.prefix, family.name(), user, now).await
    }

    async fn settle<const N: usize>(
        &self,
        attempt: LoginAttempt<'_>,
        issue: [(Text, TokenRec); N],
    ) -> Result<Settled, Down> {
        self.hub.remote.settle(&self.prefix, attempt, &issue).await
    }

    async fn lockouts(&self) -> Result<Vec<(String, String, LockState)>, Down> {
        self.hub.remote.lockouts(&self.prefix).await
    }
}
