//! Opening a namespace on the shared store for one request: the [`Hub`] every namespace reads it
//! through, and what a replica keeps of each namespace between requests ([`IdsCache`]: the
//! identities it last rebuilt and the header it last read).

use super::namespace::Session;
use super::{Down, Meta, Remote, Setup};
use crate::clock::Clock;
use crate::store::{Change, Fixtures, Idents, Kind, Text, TokenRec};
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, OnceLock};

/// The shared store and what every namespace needs to read it.
#[derive(Debug)]
pub struct Hub {
    pub remote: Remote,
    pub(super) fixtures: Arc<Fixtures>,
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
    /// Bumped by every header change this replica makes: a cached header read before it is not
    /// used, so that one replica never needs a second run to see its own change.
    changes: AtomicU64,
    /// Owners of the tokens this replica issued lately ([`Hints`]).
    pub(super) hints: Hints,
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
        let hints = Hints::default();
        let fixed: Vec<(Text, TokenRec)> = fixtures
            .enos
            .static_tokens
            .iter()
            .map(|t| {
                let rec = TokenRec::fixture(Kind::EnosLogin, t.user_id.clone());
                (Text::from(t.token.as_str()), rec)
            })
            .collect();
        hints.remember(&fixed);
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
            changes: AtomicU64::new(0),
            hints,
        }
    }

    /// Notes that this replica changed a namespace's header (a field, a reset).
    pub fn changed(&self) {
        self.changes.fetch_add(1, Ordering::AcqRel);
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
    pub(super) fn clock_of(&self, state: Option<&str>) -> Clock {
        state
            .and_then(Clock::from_state)
            .or_else(|| Clock::from_state(&self.default_clock))
            .unwrap_or_else(Clock::real)
    }

    /// Opens namespace `name` for one request: reads its header (one round trip), setting the
    /// namespace up if no replica has yet; `cache` keeps the header and identities this replica last
    /// read. With `cached`, a header in `cache` that queues no fault is used unread, unconfirmed.
    pub async fn open(
        self: &Arc<Hub>,
        name: &str,
        cache: &IdsCache,
        cached: bool,
    ) -> Result<Session, Down> {
        let changes = self.changes.load(Ordering::Acquire);
        if cached {
            if let Some((meta, ids)) = cache.header(changes) {
                self.touch(name, cache);
                return Ok(Session::new(self.clone(), name, &meta, ids, false));
            }
        }
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
        if !meta.stamped {
            r.stamp(name).await?;
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
        self.touch(name, cache);
        let version = meta.ids_version.unwrap_or(0);
        let ids = match cache.get(meta.epoch, version) {
            Some(ids) => ids,
            None => {
                let (doc, v, e) = r.field(name, "ids").await?;
                let ids = Arc::new(Idents::replay(&self.fixtures, &changes_of(doc.as_deref())));
                cache.put(e, v, ids.clone());
                ids
            }
        };
        match meta.faults {
            None => cache.keep(changes, Arc::new(meta.clone())),
            Some(_) => cache.drop_header(),
        }
        Ok(Session::new(self.clone(), name, &meta, ids, true))
    }

    /// Marks namespace `name` used, at most once a minute, off the request's path.
    fn touch(&self, name: &str, cache: &IdsCache) {
        let now_s = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs());
        let last = cache.1.load(Ordering::Relaxed);
        if now_s >= last + TOUCH_EVERY_S && cache.1.swap(now_s, Ordering::Relaxed) == last {
            // A lost mark only makes the namespace look older.
            let (remote, name) = (self.remote.clone(), name.to_string());
            tokio::spawn(async move { remote.touch_namespace(&name).await });
        }
    }
}

/// What a replica keeps of one shared namespace: the identities it last rebuilt, by (epoch,
/// version), when it last marked the namespace used (seconds), and the last header it read that
/// queued no fault (with the count of this replica's own changes it was read after).
#[derive(Debug, Default)]
pub struct IdsCache(
    Mutex<Option<(u64, u64, Arc<Idents>)>>,
    AtomicU64,
    Mutex<Option<(u64, Arc<Meta>)>>,
);

/// How often a replica marks a namespace it serves as used, for the namespace limit.
const TOUCH_EVERY_S: u64 = 60;

impl IdsCache {
    fn get(&self, epoch: u64, version: u64) -> Option<Arc<Idents>> {
        let c = self.0.lock().unwrap_or_else(|e| e.into_inner());
        c.as_ref()
            .filter(|(e, v, _)| *e == epoch && *v == version)
            .map(|(_, _, ids)| ids.clone())
    }

    /// The header kept, with its identities, unless this replica changed a header since.
    fn header(&self, changes: u64) -> Option<(Arc<Meta>, Arc<Idents>)> {
        let meta = {
            let c = self.2.lock().unwrap_or_else(|e| e.into_inner());
            c.as_ref().filter(|(n, _)| *n == changes)?.1.clone()
        };
        let ids = self.get(meta.epoch, meta.ids_version?)?;
        Some((meta, ids))
    }

    fn keep(&self, changes: u64, meta: Arc<Meta>) {
        *self.2.lock().unwrap_or_else(|e| e.into_inner()) = Some((changes, meta));
    }

    /// Forgets the header kept (it was found stale).
    fn drop_header(&self) {
        *self.2.lock().unwrap_or_else(|e| e.into_inner()) = None;
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

/// How many owners [`Hints`] keeps in each of its two generations.
const HINTS: usize = 16_384;

/// The owners of the EnOS login and access tokens this replica issued lately: what EnOS
/// `session/set` must know before it signs the refresh token it issues, so that it can send its
/// one script at once rather than read the token first. A guess, which that script checks (the
/// token's owner never changes); a token issued by another replica, or forgotten, is read first.
/// Two generations bound it: when the newer fills, the older is dropped.
#[derive(Debug, Default)]
pub(super) struct Hints(Mutex<[HashMap<Text, Text>; 2]>);

impl Hints {
    /// Remembers the owners of the hinted credentials among `issued`.
    pub(super) fn remember(&self, issued: &[(Text, TokenRec)]) {
        let mut hinted = issued
            .iter()
            .filter(|(_, r)| matches!(r.kind, Kind::EnosLogin | Kind::EnosAccess))
            .peekable();
        if hinted.peek().is_none() {
            return;
        }
        let mut g = self.0.lock().unwrap_or_else(|e| e.into_inner());
        for (t, r) in hinted {
            if g[0].len() >= HINTS {
                g[1] = std::mem::take(&mut g[0]);
            }
            g[0].insert(t.clone(), r.owner.clone());
        }
    }

    /// The owner remembered for `token`, if any.
    pub(super) fn owner(&self, token: &str) -> Option<Text> {
        let g = self.0.lock().unwrap_or_else(|e| e.into_inner());
        g[0].get(token).or_else(|| g[1].get(token)).cloned()
    }
}

pub(super) fn changes_of(doc: Option<&str>) -> Vec<Change> {
    doc.and_then(|d| serde_json::from_str(d).ok())
        .unwrap_or_default()
}
