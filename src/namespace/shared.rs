//! A namespace whose state lives in the shared store (`--store redis://…`).
//!
//! Each request first reads the namespace's header (epoch, clock, identity version, queued faults) in
//! one round trip, into a [`Synced`] view that the request then runs on: the clock and the identities
//! are the shared ones as of that read, credentials and lockouts are read and written in Redis.
//! Identities are rebuilt only when their version moved (they are the fixtures plus the list of
//! changes the control plane made, replayed).

use super::faults::{Fault, Faults};
use super::{Namespace, Settings};
use crate::clock::Clock;
use crate::store::redis::{self as remote, Contended, Down, Meta, Remote, Setup};
use crate::store::{Applied, Change, Fixtures, Idents, Kind, TokenRec};
use sha2::{Digest, Sha256};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

/// The shared store and what every namespace needs to read it.
#[derive(Debug)]
pub struct Hub {
    pub remote: Remote,
    pub fixtures: Arc<Fixtures>,
    /// The EnOS static tokens of the fixtures, as stored.
    static_tokens: Vec<(String, String)>,
    default_clock: String,
    /// A fingerprint of the fixtures: identities come from each replica's own files, so replicas
    /// whose files differ would disagree; the first request that finds out says so in the log.
    fixtures_id: String,
    mismatch_told: AtomicBool,
}

impl Hub {
    pub fn new(remote: Remote, fixtures: Arc<Fixtures>, settings: &Settings) -> Hub {
        let static_tokens = fixtures
            .enos
            .static_tokens
            .iter()
            .map(|t| {
                let rec = TokenRec::fixture(Kind::EnosLogin, t.user_id.clone());
                (t.token.clone(), remote::encode(&rec))
            })
            .collect();
        let digest = Sha256::digest(format!("{fixtures:?}").as_bytes());
        let fixtures_id = digest[..8].iter().map(|b| format!("{b:02x}")).collect();
        Hub {
            remote,
            fixtures,
            static_tokens,
            default_clock: Namespace::fresh_clock(settings).state(),
            fixtures_id,
            mismatch_told: AtomicBool::new(false),
        }
    }
}

/// One request's view of a shared namespace.
#[derive(Debug)]
pub struct Synced {
    pub hub: Arc<Hub>,
    /// Key prefix of the epoch's credentials and lockouts.
    pub prefix: String,
    pub clock: Clock,
    pub ids: Arc<Idents>,
    pub faults_queued: bool,
}

/// The identities a namespace's replica last rebuilt, by (epoch, version).
#[derive(Debug, Default)]
pub struct IdsCache(Mutex<Option<(u64, u64, Arc<Idents>)>>);

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

/// Reads the namespace's header, setting the namespace up if no replica has yet.
pub async fn sync(ns: &Namespace, hub: &Arc<Hub>) -> Result<Synced, Down> {
    let r = &hub.remote;
    let mut meta: Meta = r.meta(&ns.name).await?;
    if meta.ids_version.is_none() {
        let setup = Setup {
            clock: &hub.default_clock,
            fixtures: &hub.fixtures_id,
            tokens: &hub.static_tokens,
        };
        r.setup(&ns.name, &setup).await?;
        meta = r.meta(&ns.name).await?;
    }
    if meta
        .fixtures
        .as_ref()
        .is_some_and(|f| *f != hub.fixtures_id)
        && !hub.mismatch_told.swap(true, Ordering::Relaxed)
    {
        tracing::warn!(
            namespace = %ns.name,
            "this replica's fixtures differ from those the namespace was set up with: replicas on one \
             store must load the same fixtures, or they disagree about users, orgs and clients"
        );
    }
    let version = meta.ids_version.unwrap_or(0);
    let ids = match ns.ids_cache.get(meta.epoch, version) {
        Some(ids) => ids,
        None => {
            let (doc, v, e) = r.field(&ns.name, "ids").await?;
            let ids = Arc::new(Idents::replay(&hub.fixtures, &changes(doc.as_deref())));
            ns.ids_cache.put(e, v, ids.clone());
            ids
        }
    };
    let clock = meta
        .clock
        .as_deref()
        .and_then(Clock::from_state)
        .unwrap_or_else(|| Namespace::fresh_clock(&ns.settings));
    Ok(Synced {
        hub: hub.clone(),
        prefix: remote::prefix(&ns.name, meta.epoch),
        clock,
        ids,
        faults_queued: meta.faults.is_some(),
    })
}

impl Synced {
    /// Changes a field of the namespace's header with `f`, which gets its current text and returns
    /// the new text (`None`: leave it) and an answer; retried when another replica wrote first.
    async fn update<R>(
        &self,
        ns: &str,
        field: &str,
        f: impl Fn(Option<&str>) -> (Option<String>, R),
    ) -> Result<R, Down> {
        let r = &self.hub.remote;
        let mut contended = Contended::new();
        loop {
            let (cur, version, epoch) = r.field(ns, field).await?;
            let (new, answer) = f(cur.as_deref());
            let Some(new) = new else {
                return Ok(answer);
            };
            if r.swap_field(ns, field, version, epoch, &new).await? {
                return Ok(answer);
            }
            contended.lost().await?;
        }
    }

    /// Applies an identity change for every replica.
    pub async fn change(&self, ns: &str, c: &Change) -> Result<Applied, Down> {
        let fixtures = &self.hub.fixtures;
        self.update(ns, "ids", |doc| {
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

    /// Runs `op` on the shared clock.
    pub async fn clock<R>(&self, ns: &Namespace, op: impl Fn(&Clock) -> R) -> Result<R, Down> {
        self.update(&ns.name, "clock", |s| {
            let c = s
                .and_then(Clock::from_state)
                .unwrap_or_else(|| Namespace::fresh_clock(&ns.settings));
            let out = op(&c);
            (Some(c.state()), out)
        })
        .await
    }

    /// Runs `op` on the shared fault queue (written back only if `op` changed it).
    pub async fn faults<R>(&self, ns: &str, op: impl Fn(&Faults) -> R) -> Result<R, Down> {
        self.update(ns, "faults", |s| {
            let list: Vec<Fault> = s
                .and_then(|s| serde_json::from_str(s).ok())
                .unwrap_or_default();
            let faults = Faults::from_list(list);
            let out = op(&faults);
            let new = serde_json::to_string(&faults.list()).unwrap_or_default();
            (
                Some(new).filter(|n| Some(n.as_str()) != s.or(Some("[]"))),
                out,
            )
        })
        .await
    }
}
