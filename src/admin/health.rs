//! Liveness and readiness apart, for orchestrators (docs/operations.md): `live` answers while the
//! process serves; `ready` only while it can answer vendor requests — its fixtures loaded and its store
//! answering. Neither needs the admin token (a kubelet carries none); `/__admin/health` keeps its
//! meaning (up, and the store with it).

use crate::namespace::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Serialize;
use utoipa::ToSchema;

/// The liveness probe's path.
pub const LIVE: &str = "/__admin/health/live";
/// The readiness probe's path.
pub const READY: &str = "/__admin/health/ready";

/// `{"status":"live"}`.
#[derive(Serialize, ToSchema)]
#[schema(as = Liveness)]
struct Live {
    /// Always `live`.
    status: &'static str,
}

/// `{"status","fixtures","store"}`.
#[derive(Serialize, ToSchema)]
#[schema(as = Readiness)]
struct Ready {
    /// `ready`, or `unavailable` while a check fails.
    status: &'static str,
    /// `loaded` (the listener opens only once the fixtures are loaded and valid).
    fixtures: &'static str,
    /// `memory`, `redis` (the shared store answers a PING) or `down`.
    store: &'static str,
}

/// `GET /__admin/health/live` — 200 while the process serves, whatever its store does.
#[utoipa::path(
    get,
    path = "/__admin/health/live",
    operation_id = "admin_health_live",
    tag = "control plane",
    summary = "Liveness probe (never needs the admin token)",
    responses((status = 200, description = "The process serves: `{\"status\":\"live\"}`.", body = Live))
)]
pub async fn live() -> Response {
    Json(Live { status: "live" }).into_response()
}

/// `GET /__admin/health/ready` — 200 when the fixtures are loaded and the store answers, else 503.
#[utoipa::path(
    get,
    path = "/__admin/health/ready",
    operation_id = "admin_health_ready",
    tag = "control plane",
    summary = "Readiness probe (never needs the admin token)",
    responses(
        (status = 200, description = "Ready: `{\"status\":\"ready\",\"fixtures\":\"loaded\",\"store\":\"memory\"|\"redis\"}`.", body = Ready),
        (status = 503, description = "Not ready: the shared store cannot be reached (`\"store\":\"down\"`), with `Retry-After`.", body = Ready),
    )
)]
pub async fn ready(State(app): State<AppState>) -> Response {
    let store = store(&app).await;
    let up = store != "down";
    let body = Json(Ready {
        status: if up { "ready" } else { "unavailable" },
        fixtures: "loaded",
        store,
    });
    if up {
        return body.into_response();
    }
    crate::contract::respond::retry_later((StatusCode::SERVICE_UNAVAILABLE, body).into_response())
}

/// The store as the probes report it: `memory`, `redis` (it answers a PING) or `down`.
pub(super) async fn store(app: &AppState) -> &'static str {
    match &app.hub {
        None => "memory",
        Some(h) if h.remote.ping().await => "redis",
        Some(_) => "down",
    }
}

/// Whether `path` is a health route (never refused for want of the admin token, answered while the
/// store is down).
pub fn is_probe(path: &str) -> bool {
    matches!(path, super::HEALTH | LIVE | READY)
}
