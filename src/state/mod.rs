//! Application state: settings, the fixtures, and the isolated namespaces (`X-Mock-Namespace`), each with
//! its own store, clock, generator, journal and faults.

pub mod faults;
pub mod journal;

use crate::clock::Clock;
use crate::fixtures::Fixtures;
use crate::store::Store;
use crate::tokens::Generator;
use crate::warnings::Summary;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use faults::Faults;
use journal::{Journal, JournalBytes};
use std::convert::Infallible;
use std::ops::Deref;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Instant;

/// The namespace used when a request names none.
pub const DEFAULT_NAMESPACE: &str = "default";
/// At most this many namespaces live at once; the least recently used one is dropped for a new one.
pub const MAX_NAMESPACES: usize = 1000;

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
}

/// Default of [`Settings::max_tokens`] (`--max-tokens`): about 0.9 GB of credentials at most, more
/// than a 13-second benchmark run at full speed issues (~2 M), so that eviction is a safety valve for
/// long load tests rather than a cost every test pays.
pub const DEFAULT_MAX_TOKENS: usize = 4_000_000;

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
        }
    }
}

/// One isolated world: what a test sees through one `X-Mock-Namespace`.
#[derive(Debug)]
pub struct Namespace {
    pub name: String,
    pub settings: Arc<Settings>,
    pub store: Store,
    pub clock: Clock,
    pub gen: Generator,
    pub journal: Journal,
    pub faults: Faults,
    /// The contract lint's warnings by rule and route.
    pub warnings: Summary,
    last_used: AtomicU64,
}

impl Namespace {
    /// A namespace built from the fixtures; its journal counts into the server's `journal_bytes`.
    pub fn new(
        name: &str,
        settings: Arc<Settings>,
        fixtures: &Fixtures,
        journal_bytes: Arc<JournalBytes>,
    ) -> Namespace {
        let clock = match settings.frozen_at_ms {
            Some(ms) => Clock::frozen_at(ms),
            None => Clock::real(),
        };
        let gen = match settings.seed {
            Some(seed) => Generator::seeded(seed, name),
            None => Generator::secure(),
        };
        Namespace {
            name: name.to_string(),
            store: Store::from_fixtures(fixtures, settings.max_tokens),
            clock,
            gen,
            journal: Journal::new(settings.journal_size, journal_bytes),
            faults: Faults::default(),
            warnings: Summary::default(),
            settings,
            last_used: AtomicU64::new(0),
        }
    }

    /// Now on this namespace's clock, in epoch milliseconds.
    pub fn now(&self) -> i64 {
        self.clock.now_ms()
    }
}

/// A handle to the namespace a request runs in.
#[derive(Debug, Clone)]
pub struct Ns(pub Arc<Namespace>);

impl Deref for Ns {
    type Target = Namespace;
    fn deref(&self) -> &Namespace {
        &self.0
    }
}

/// The control plane's handlers take the namespace the pipeline resolved from the request's extensions.
impl FromRequestParts<AppState> for Ns {
    type Rejection = Infallible;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Infallible> {
        Ok(match parts.extensions.get::<Ns>() {
            Some(ns) => ns.clone(),
            None => Ns(state.namespace(DEFAULT_NAMESPACE)),
        })
    }
}

/// Everything the handlers share; cloning is cheap.
#[derive(Debug, Clone)]
pub struct AppState(Arc<Shared>);

#[derive(Debug)]
pub struct Shared {
    pub settings: Arc<Settings>,
    pub fixtures: Fixtures,
    namespaces: crate::store::Map<String, Arc<Namespace>>,
    /// Bytes held by every namespace's journal (bounded by `journal::JOURNAL_BUDGET`).
    pub journal_bytes: Arc<JournalBytes>,
    /// Serialises creating namespaces, so that the cap holds under concurrent first use.
    creating: Mutex<()>,
    tick: AtomicU64,
    pub started: Instant,
}

impl Deref for AppState {
    type Target = Shared;
    fn deref(&self) -> &Shared {
        &self.0
    }
}

impl AppState {
    pub fn new(settings: Settings, fixtures: Fixtures) -> AppState {
        let settings = Arc::new(settings);
        let shared = Shared {
            namespaces: crate::store::Map::default(),
            journal_bytes: Arc::default(),
            creating: Mutex::new(()),
            tick: AtomicU64::new(1),
            started: Instant::now(),
            fixtures,
            settings,
        };
        let s = AppState(Arc::new(shared));
        s.namespace(DEFAULT_NAMESPACE);
        s
    }

    /// The named namespace, created from the fixtures on first use. Creating one past
    /// [`MAX_NAMESPACES`] drops the least recently used (never `default`).
    /// CORS allows any origin (`--cors-origins` empty or `*`).
    pub fn cors_any_origin(&self) -> bool {
        let o = self.settings.cors_origins.trim();
        o.is_empty() || o == "*"
    }

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
        Arc::new(Namespace::new(
            name,
            self.settings.clone(),
            &self.fixtures,
            self.journal_bytes.clone(),
        ))
    }

    /// Replaces a namespace by a fresh one built from the fixtures (requests in flight finish on the old).
    pub fn reset(&self, name: &str) {
        let fresh = self.fresh(name);
        let _creating = self.creating.lock().unwrap_or_else(|e| e.into_inner());
        if !self.namespaces.contains_key(name) {
            self.make_room();
        }
        // A namespace just reset counts as just used.
        let tick = self.tick.fetch_add(1, Ordering::Relaxed);
        fresh.last_used.store(tick, Ordering::Relaxed);
        self.namespaces.insert(name.to_string(), fresh);
    }

    /// Resets every namespace: only a fresh `default` remains.
    pub fn reset_all(&self) {
        self.namespaces.clear();
        self.reset(DEFAULT_NAMESPACE);
    }

    /// Every live namespace, for sweeping and the state dump.
    pub fn namespaces(&self) -> Vec<Arc<Namespace>> {
        self.namespaces.iter().map(|e| e.value().clone()).collect()
    }

    /// One namespace if it exists (does not create it).
    pub fn existing(&self, name: &str) -> Option<Arc<Namespace>> {
        self.namespaces.get(name).map(|e| e.clone())
    }

    /// Sweeps expired credentials in every namespace; returns how many went.
    pub fn sweep(&self) -> usize {
        self.namespaces()
            .iter()
            .map(|ns| ns.store.sweep(ns.now()))
            .sum()
    }
}
