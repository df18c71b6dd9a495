//! Application state: settings, the fixtures, and the isolated namespaces (`X-Mock-Namespace`). A
//! namespace holds what this replica owns of it — its generator, journal and lint summary, and either
//! its whole state in memory or, on the shared store, only the identities it last rebuilt; a request
//! reaches the state through its [`Ns`] view and the store's verbs.

pub mod faults;
pub mod journal;
pub mod snapshot;
mod view;

use crate::clock::Clock;
use crate::fixtures::Fixtures;
use crate::ids::Generator;
use crate::lint::warnings::Summary;
use crate::metrics::Metrics;
use crate::store::memory;
use crate::store::redis::{Down, Hub, IdsCache, Remote};
use faults::Faults;
use journal::{Journal, JournalBytes};
use std::ops::Deref;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Instant;

pub use crate::store::Newest;
pub use view::Ns;

/// The namespace used when a request names none.
pub const DEFAULT_NAMESPACE: &str = "default";
pub use crate::store::MAX_NAMESPACES;

/// Run-time settings shared by every namespace.
#[derive(Debug, Clone)]
pub struct Settings {
    /// Seed for reproducible tokens (`--seed`); `None` draws from a CSPRNG.
    pub seed: Option<u64>,
    /// Secret that signs EnOS refresh tokens.
    pub jwt_secret: String,
    /// Request journal entries kept per namespace (0 disables the journal).
    pub journal_size: usize,
    /// Required as `Authorization: Bearer <t>` on the control plane, when set.
    pub admin_token: Option<String>,
    /// New namespaces start with their clock frozen here (epoch ms), when set.
    pub frozen_at_ms: Option<i64>,
    /// Allowed CORS origins, comma-separated, or `*`.
    pub cors_origins: String,
    /// Most credentials one namespace keeps (0: no limit); past it the least recently used go.
    pub max_tokens: usize,
    /// Answer the first deviation from the vendor page with the family's parameter error
    /// (`--strict`; `X-Mock-Strict` decides per request).
    pub strict: bool,
    /// The CA certificate (PEM) of the https listener, served at `/__admin/ca.pem`; `None` without one.
    pub tls_ca_pem: Option<String>,
    /// The base URL browsers reach the mock at (`--public-url`, no trailing slash): KooDrive
    /// authCodeURL's `orgIdHost`. `None`: the request's scheme and host.
    pub public_url: Option<String>,
    /// How long a client may take to send its body (30 s; shorter only in tests, through
    /// `MockServerBuilder::body_timeout`, so that the 408 is tested without waiting 30 s).
    pub body_timeout: std::time::Duration,
    /// Test-only (`MockServerBuilder::panic_when_asked`): a request carrying `X-Mock-Panic` panics
    /// where its handler would run, so that the panic catcher is tested over HTTP.
    #[doc(hidden)]
    pub panic_when_asked: bool,
}

/// Default of [`Settings::body_timeout`]: how long a client may take to send its body (then 408).
pub const BODY_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(30);

/// Default of [`Settings::max_tokens`] (`--max-tokens`): about 0.9 GB of credentials at most, more
/// than a 13-second benchmark run at full speed issues (~2 M), so that eviction is a safety valve for
/// long load tests rather than a cost every test pays.
pub const DEFAULT_MAX_TOKENS: usize = 4_000_000;

impl Settings {
    /// Whether `--cors-origins` allows any origin (empty or `*`).
    pub fn cors_any_origin(&self) -> bool {
        let o = self.cors_origins.trim();
        o.is_empty() || o == "*"
    }
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            seed: None,
            jwt_secret: "authmock-enos-refresh-secret".to_string(),
            journal_size: 1000,
            admin_token: None,
            frozen_at_ms: None,
            cors_origins: "*".to_string(),
            max_tokens: DEFAULT_MAX_TOKENS,
            strict: false,
            tls_ca_pem: None,
            public_url: None,
            body_timeout: BODY_TIMEOUT,
            panic_when_asked: false,
        }
    }
}

/// One isolated world: what a test sees through one `X-Mock-Namespace`.
#[derive(Debug)]
pub struct Namespace {
    pub name: String,
    pub settings: Arc<Settings>,
    pub gen: Generator,
    pub journal: Journal,
    /// The contract lint's warnings by rule and route.
    pub warnings: Summary,
    /// The server's counters (lockouts are counted where a login settles).
    pub metrics: Arc<Metrics>,
    home: Home,
    last_used: AtomicU64,
}

/// Where a namespace's state lives; only what this replica owns is held here.
// One per namespace, behind its `Arc`: boxing the memory store would only add a hop to every verb.
#[allow(clippy::large_enum_variant)]
#[derive(Debug)]
enum Home {
    /// In this process: identities, credentials, lockouts and clock, and the fault queue.
    Memory {
        store: memory::Store,
        faults: Faults,
    },
    /// On the shared store: the identities this replica last rebuilt (the rest is read per request).
    Redis { hub: Arc<Hub>, ids: IdsCache },
}

impl Namespace {
    /// Whether the namespace lives on the shared store.
    pub fn shared(&self) -> bool {
        matches!(self.home, Home::Redis { .. })
    }

    /// A namespace built from the fixtures; its journal counts into the server's `journal_bytes`.
    fn new(app: &App, name: &str) -> Namespace {
        let settings = app.settings.clone();
        let gen = match (settings.seed, &app.hub) {
            // A later process on the same Redis draws its own sequence, so as not to issue again
            // what an earlier one issued.
            (Some(seed), Some(h)) if h.remote.ordinal() > 1 => {
                Generator::seeded(seed, &format!("{name}#{}", h.remote.ordinal()))
            }
            (Some(seed), _) => Generator::seeded(seed, name),
            (None, _) => Generator::secure(),
        };
        let home = match &app.hub {
            // The shared store keeps the state; nothing is loaded here.
            Some(hub) => Home::Redis {
                hub: hub.clone(),
                ids: IdsCache::default(),
            },
            None => Home::Memory {
                store: memory::Store::from_fixtures(
                    &app.fixtures,
                    settings.max_tokens,
                    Namespace::fresh_clock(&settings),
                ),
                faults: Faults::default(),
            },
        };
        Namespace {
            name: name.to_string(),
            gen,
            journal: Journal::new(settings.journal_size, app.journal_bytes.clone()),
            warnings: Summary::default(),
            metrics: app.metrics.clone(),
            home,
            settings,
            last_used: AtomicU64::new(0),
        }
    }

    /// The clock a new namespace starts with (`--frozen-at`, else real time).
    fn fresh_clock(settings: &Settings) -> Clock {
        match settings.frozen_at_ms {
            Some(ms) => Clock::frozen_at(ms),
            None => Clock::real(),
        }
    }
}

/// Everything the handlers share; cloning is cheap.
#[derive(Debug, Clone)]
pub struct AppState(Arc<App>);

/// What every request of the server shares.
#[derive(Debug)]
pub struct App {
    pub settings: Arc<Settings>,
    pub fixtures: Arc<Fixtures>,
    /// The shared store, when `--store` names one.
    pub hub: Option<Arc<Hub>>,
    namespaces: crate::store::Map<String, Arc<Namespace>>,
    /// Bytes held by every namespace's journal (bounded by `journal::JOURNAL_BUDGET`).
    pub journal_bytes: Arc<JournalBytes>,
    /// What `GET /__admin/metrics` reports, counted by this replica.
    pub metrics: Arc<Metrics>,
    /// Serialises creating namespaces, so that the cap holds under concurrent first use.
    creating: Mutex<()>,
    tick: AtomicU64,
    pub started: Instant,
}

impl Deref for AppState {
    type Target = App;
    fn deref(&self) -> &App {
        &self.0
    }
}

impl AppState {
    pub fn new(settings: Settings, fixtures: Fixtures) -> AppState {
        AppState::with_store(settings, fixtures, None)
    }

    /// State kept in the shared store `remote` (`--store redis://…`), or in memory (`None`).
    pub fn with_store(settings: Settings, fixtures: Fixtures, remote: Option<Remote>) -> AppState {
        let settings = Arc::new(settings);
        let fixtures = Arc::new(fixtures);
        let hub = remote.map(|r| {
            let clock = Namespace::fresh_clock(&settings);
            Arc::new(Hub::new(r, fixtures.clone(), clock))
        });
        let app = App {
            hub,
            namespaces: crate::store::Map::default(),
            journal_bytes: Arc::default(),
            metrics: Arc::default(),
            creating: Mutex::new(()),
            tick: AtomicU64::new(1),
            started: Instant::now(),
            fixtures,
            settings,
        };
        let s = AppState(Arc::new(app));
        s.namespace(DEFAULT_NAMESPACE);
        s
    }

    /// The named namespace, created from the fixtures on first use. Creating one past
    /// [`MAX_NAMESPACES`] drops the least recently used (never `default`).
    /// CORS allows any origin (`--cors-origins` empty or `*`).
    pub fn namespace(&self, name: &str) -> Arc<Namespace> {
        let tick = self.tick.fetch_add(1, Ordering::Relaxed);
        if let Some(ns) = self.namespaces.get(name) {
            ns.last_used.store(tick, Ordering::Relaxed);
            return ns.clone();
        }
        let fresh = self.fresh(name);
        let _creating = self.creating.lock().unwrap_or_else(|e| e.into_inner());
        // Another request may have created it meanwhile.
        if let Some(ns) = self.namespaces.get(name) {
            ns.last_used.store(tick, Ordering::Relaxed);
            return ns.clone();
        }
        self.make_room();
        fresh.last_used.store(tick, Ordering::Relaxed);
        self.namespaces.insert(name.to_string(), fresh.clone());
        fresh
    }

    /// Evicts least recently used namespaces until one more fits (call with `creating` held).
    fn make_room(&self) {
        while self.namespaces.len() >= MAX_NAMESPACES {
            let victim = self
                .namespaces
                .iter()
                .filter(|e| e.key() != DEFAULT_NAMESPACE)
                .min_by_key(|e| e.value().last_used.load(Ordering::Relaxed))
                .map(|e| e.key().clone());
            match victim {
                Some(v) => {
                    self.namespaces.remove(&v);
                }
                None => break,
            }
        }
    }

    /// A new namespace built from the fixtures, not yet registered.
    fn fresh(&self, name: &str) -> Arc<Namespace> {
        Arc::new(Namespace::new(self, name))
    }

    /// Resets a namespace (for every replica, in the shared store).
    pub async fn reset(&self, name: &str) -> Result<(), Down> {
        if let Some(hub) = &self.hub {
            hub.remote.reset(name).await?;
            hub.changed();
        }
        self.reset_local(name);
        Ok(())
    }

    /// Resets every namespace: only a fresh `default` remains.
    pub async fn reset_all(&self) -> Result<(), Down> {
        if let Some(hub) = &self.hub {
            hub.remote.reset_all().await?;
            hub.changed();
        }
        self.namespaces.clear();
        self.reset_local(DEFAULT_NAMESPACE);
        Ok(())
    }

    /// The names of the namespaces in use (in the shared store: every replica's).
    pub async fn namespace_names(&self) -> Result<Vec<String>, Down> {
        let mut names: Vec<String> = match &self.hub {
            Some(hub) => hub.remote.namespaces().await?,
            None => self.namespaces().iter().map(|n| n.name.clone()).collect(),
        };
        if !names.iter().any(|n| n == DEFAULT_NAMESPACE) {
            names.push(DEFAULT_NAMESPACE.to_string());
        }
        names.sort();
        Ok(names)
    }

    /// Replaces a namespace by a fresh one built from the fixtures (requests in flight finish on the old).
    fn reset_local(&self, name: &str) {
        self.install(name, self.fresh(name));
    }

    /// Puts `fresh` in namespace `name`'s place (requests in flight finish on the old one).
    fn install(&self, name: &str, fresh: Arc<Namespace>) {
        let _creating = self.creating.lock().unwrap_or_else(|e| e.into_inner());
        if !self.namespaces.contains_key(name) {
            self.make_room();
        }
        // A namespace just reset counts as just used.
        let tick = self.tick.fetch_add(1, Ordering::Relaxed);
        fresh.last_used.store(tick, Ordering::Relaxed);
        self.namespaces.insert(name.to_string(), fresh);
    }

    /// Every live namespace, for sweeping and the state dump.
    pub fn namespaces(&self) -> Vec<Arc<Namespace>> {
        self.namespaces.iter().map(|e| e.value().clone()).collect()
    }

    /// How many namespaces this replica holds.
    pub fn namespace_count(&self) -> usize {
        self.namespaces.len()
    }

    /// One namespace if it exists (does not create it).
    pub fn existing(&self, name: &str) -> Option<Arc<Namespace>> {
        self.namespaces.get(name).map(|e| e.clone())
    }

    /// Sweeps expired credentials in every in-memory namespace (Redis expires its own keys); returns
    /// how many went.
    pub fn sweep(&self) -> usize {
        let swept = |ns: &Arc<Namespace>| match &ns.home {
            Home::Memory { store, .. } => store.sweep(),
            Home::Redis { .. } => 0,
        };
        self.namespaces().iter().map(swept).sum()
    }
}

#[cfg(test)]
mod unit {
    // The api test of the 408 runs on a shorter timeout: the production value is held here.
    #[test]
    fn a_body_may_take_30_seconds_by_default() {
        let d = super::Settings::default().body_timeout;
        assert_eq!(d, std::time::Duration::from_secs(30));
    }
}
