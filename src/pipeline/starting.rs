//! Serving before the server is ready: the port opens first, then the fixtures load and the store is
//! reached. Meanwhile `GET /__admin/health/live` answers 200, `GET /__admin/health/ready` 503 naming
//! what is pending, a vendor route its family's 503 and every other path the mock's own 503, all with
//! `Retry-After` and the CORS headers. Once [`Gate::open`] has the pipeline, every request runs it.

use super::Pipeline;
use crate::admin::health;
use crate::contract::{envelope, respond, Family};
use crate::namespace::Settings;
use axum::http::{Method, StatusCode};
use axum::response::Response;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, OnceLock};

/// What answers a server's requests: the start-up answers until the pipeline is in. Cloning is cheap.
#[derive(Clone)]
pub struct Gate(Arc<Inner>);

struct Inner {
    settings: Arc<Settings>,
    pipeline: OnceLock<Pipeline>,
    fixtures_loaded: AtomicBool,
    /// `None` in memory; else whether the shared store has been reached.
    store: Option<AtomicBool>,
}

impl Gate {
    /// A server still starting; `shared_store`: it waits for a Redis too.
    pub fn starting(settings: Settings, shared_store: bool) -> Gate {
        Gate(Arc::new(Inner {
            settings: Arc::new(settings),
            pipeline: OnceLock::new(),
            fixtures_loaded: AtomicBool::new(false),
            store: shared_store.then(|| AtomicBool::new(false)),
        }))
    }

    /// A server ready from the start.
    pub fn open_with(pipeline: Pipeline) -> Gate {
        let gate = Gate::starting((*pipeline.app.settings).clone(), false);
        gate.open(pipeline);
        gate
    }

    /// The fixtures are loaded (readiness says so while the store is still awaited).
    pub fn fixtures_loaded(&self) {
        self.0.fixtures_loaded.store(true, Ordering::Relaxed);
    }

    /// The shared store has been reached.
    pub fn store_reached(&self) {
        if let Some(s) = &self.0.store {
            s.store(true, Ordering::Relaxed);
        }
    }

    /// Every request from now on runs `pipeline`.
    pub fn open(&self, pipeline: Pipeline) {
        let _ = self.0.pipeline.set(pipeline);
    }

    /// The pipeline, once the server is ready.
    pub fn pipeline(&self) -> Option<&Pipeline> {
        self.0.pipeline.get()
    }

    /// The settings the server was started with (CORS is configured from them before it is ready).
    pub fn settings(&self) -> &Settings {
        &self.0.settings
    }

    /// The answer to a request that came before the server was ready.
    pub fn answer(&self, method: &Method, path: &str) -> Response {
        match (method, path) {
            (&Method::GET, health::LIVE) => health::live_now(),
            (&Method::GET, health::READY) => health::starting(
                self.0.fixtures_loaded.load(Ordering::Relaxed),
                self.0.store.as_ref().map(|s| s.load(Ordering::Relaxed)),
            ),
            _ => match Family::of(path) {
                Some(f) => f.starting(),
                None => respond::retry_later(envelope::error(
                    StatusCode::SERVICE_UNAVAILABLE,
                    "authmock is starting: GET /__admin/health/ready says what it waits for",
                )),
            },
        }
    }
}
