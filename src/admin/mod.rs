//! The control plane under `/__admin`: health, reset, state, snapshots, identities, codes, token revocation,
//! the request journal, faults, the clock and the dashboard page. Every answer but the page is JSON;
//! every route honours `X-Mock-Namespace`; with `--admin-token` all but health and the page require
//! `Authorization: Bearer <token>` (the OpenAPI document at `/__admin/openapi.json` too).

pub mod clock;
pub mod dashboard;
mod error;
pub mod faults;
pub mod health;
pub mod identities;
pub mod journal;
pub mod metrics;
pub mod openapi;
pub mod revoke;
mod routes;
pub mod snapshot;
pub mod state_dump;
pub mod verify;
pub mod warnings;

use crate::contract::envelope::{error, ErrorBody};
use crate::contract::extract::{auth_token, query_param};
use crate::ids::secret_eq;
use crate::namespace::{AppState, Ns, DEFAULT_NAMESPACE};
use axum::body::Bytes;
use axum::extract::rejection::PathRejection;
use axum::extract::{Path, RawQuery, Request, State};
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::Json;
pub(crate) use clock::clock_view;
pub use clock::{CLOCK_MAX_MS, CLOCK_MIN_MS};
pub use error::AdminError;
pub use routes::{router, Paths, ROUTES};
use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::json;
use utoipa::ToSchema;

/// Whether a concrete path matches a route pattern (`{x}` matches one segment).
pub fn path_matches(pattern: &str, path: &str) -> bool {
    let mut p = pattern.split('/');
    let mut s = path.split('/');
    loop {
        match (p.next(), s.next()) {
            (None, None) => return true,
            (Some(a), Some(b)) if a.starts_with('{') && !b.is_empty() => {}
            (Some(a), Some(b)) if a == b => {}
            _ => return false,
        }
    }
}

/// A path parameter; one that cannot be decoded (e.g. percent-encoded bytes that are not UTF-8) answers
/// 400 `{"error"}` rather than axum's plain-text rejection.
pub(crate) fn path_param<T>(p: Result<Path<T>, PathRejection>) -> Result<T, AdminError> {
    p.map(|Path(v)| v)
        .map_err(|e| AdminError::bad_request(format!("invalid path: {}", e.body_text())))
}

/// Parses a JSON body for an admin route (an empty body counts as `{}`).
pub fn parse<T: DeserializeOwned>(body: &Bytes) -> Result<T, AdminError> {
    let b: &[u8] = if body.iter().all(u8::is_ascii_whitespace) {
        b"{}"
    } else {
        body
    };
    serde_json::from_slice(b)
        .map_err(|e| AdminError::bad_request(format!("invalid JSON body: {e}")))
}

/// The health route: never needs the admin token, answers while the shared store is down.
pub const HEALTH: &str = "/__admin/health";
/// The reset route: also answers when the namespace's header holds what authmock cannot use.
pub const RESET: &str = "/__admin/reset";
/// The snapshot route (its restore takes a larger body).
pub const SNAPSHOT: &str = "/__admin/snapshot";

/// The pipeline's verdict on a control-plane request's admin token (checked once, in the pipeline).
#[derive(Debug, Clone, Copy)]
pub struct Access {
    pub denied: bool,
}

/// With `--admin-token`, every route but health needs `Authorization: Bearer <token>`.
async fn guard(State(app): State<AppState>, req: Request, next: Next) -> Response {
    let refused = match req.extensions().get::<Access>() {
        Some(a) => a.denied,
        // A router used without the pipeline checks for itself.
        None => denied(&app, req.headers(), req.uri().path()),
    };
    if refused {
        return error(
            StatusCode::UNAUTHORIZED,
            "admin token required: Authorization: Bearer <token>",
        );
    }
    next.run(req).await
}

/// Whether `--admin-token` refuses this control-plane request (anything but health without the token).
/// The request layer asks too, so that a refused request does not create the namespace it names.
pub fn denied(app: &AppState, headers: &axum::http::HeaderMap, path: &str) -> bool {
    let Some(expected) = &app.settings.admin_token else {
        return false;
    };
    !health::is_probe(path) && !secret_eq(auth_token(headers, &["Bearer"]).unwrap_or(""), expected)
}

/// `{"status","store","uptimeSeconds","version"}`.
// Fields in alphabetical order, as in the `json!` map this replaced.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(as = Health)]
struct Health {
    /// `ok`; `unavailable` while the shared store cannot be reached; `broken` when it answers but
    /// the namespace's header (`X-Mock-Namespace`, else `default`) holds what authmock cannot use.
    status: &'static str,
    /// `memory`, `redis` (the shared store answers) or `down`.
    store: &'static str,
    uptime_seconds: u64,
    /// The server's version.
    version: &'static str,
    /// With `status` `broken`: what in the shared store the namespace's header cannot be read from.
    #[serde(skip_serializing_if = "Option::is_none")]
    error: Option<String>,
}

/// `GET /__admin/health` — liveness; never needs the admin token.
#[utoipa::path(
    get,
    path = "/__admin/health",
    operation_id = "admin_health",
    tag = "control plane",
    summary = "Liveness (never needs the admin token)",
    responses(
        (status = 200, description = "The server is up (and so is its store).", body = Health),
        (status = 500, description = "The shared store answers, but the namespace's header holds what authmock cannot use (a key of another type): `\"status\":\"broken\"` and `error` naming the key; `POST /__admin/reset` clears it.", body = Health),
        (status = 503, description = "The shared store (`--store redis://…`) cannot be reached: `\"store\":\"down\"`.", body = Health),
    )
)]
async fn health(State(app): State<AppState>, ns: Ns) -> Response {
    let broken = ns.broken();
    let (code, status, store) = match health::store(&app).await {
        // Redis answers, but the namespace asked about cannot be served until it is reset.
        "redis" if broken.is_some() => (StatusCode::INTERNAL_SERVER_ERROR, "broken", "redis"),
        "down" => (StatusCode::SERVICE_UNAVAILABLE, "unavailable", "down"),
        store => (StatusCode::OK, "ok", store),
    };
    let body = Json(Health {
        status,
        store,
        uptime_seconds: app.started.elapsed().as_secs(),
        version: env!("CARGO_PKG_VERSION"),
        error: broken.map(|b| b.to_string()),
    });
    let resp = (code, body).into_response();
    if code != StatusCode::SERVICE_UNAVAILABLE {
        return resp;
    }
    crate::contract::respond::retry_later(resp)
}

/// A probe's answer (`GET` of health, live or ready), without the control plane's router: that router
/// is built at the first other control-plane request, so a server that only serves vendor routes and
/// answers its orchestrator's probes never builds it. `None` for any other path.
pub async fn probe(app: &AppState, ns: &Ns, path: &str) -> Option<Response> {
    Some(match path {
        HEALTH => health(State(app.clone()), ns.clone()).await,
        health::LIVE => health::live_now(),
        health::READY => health::ready(State(app.clone())).await,
        _ => return None,
    })
}

/// `GET /__admin/openapi.json` — the OpenAPI 3.1 document of every route (built once).
#[utoipa::path(
    get,
    path = "/__admin/openapi.json",
    operation_id = "admin_openapi",
    tag = "control plane",
    summary = "This OpenAPI 3.1 document",
    security((), ("adminToken" = [])),
    responses((status = 200, description = "The document.", body = Object))
)]
async fn openapi() -> Response {
    static DOC: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    let doc = DOC.get_or_init(openapi::json);
    (
        [(axum::http::header::CONTENT_TYPE, "application/json")],
        doc.as_str(),
    )
        .into_response()
}

/// `GET /__admin/ca.pem` — the CA certificate of the https listener, to trust; never needs the admin token.
#[utoipa::path(
    get,
    path = "/__admin/ca.pem",
    operation_id = "admin_ca_pem",
    tag = "control plane",
    summary = "The CA certificate of the https listener (never needs the admin token)",
    responses(
        (status = 200, description = "The CA certificate, PEM.", body = String, content_type = "application/x-pem-file"),
        (status = 404, description = "No https listener (`--tls-port` not given).", body = ErrorBody),
    )
)]
pub(crate) async fn ca_pem(State(app): State<AppState>) -> Response {
    match &app.settings.tls_ca_pem {
        Some(pem) => (
            [(axum::http::header::CONTENT_TYPE, "application/x-pem-file")],
            pem.clone(),
        )
            .into_response(),
        None => error(
            StatusCode::NOT_FOUND,
            "no https listener: start with --tls-port to serve its CA",
        ),
    }
}

/// Whether a query flag such as `?all=true` is set.
pub(crate) fn flag(q: Option<&str>, name: &str) -> bool {
    matches!(query_param(q, name).as_deref(), Some("true" | "1" | "yes"))
}

/// `POST /__admin/reset[?all=true]`.
#[utoipa::path(
    post,
    path = "/__admin/reset",
    operation_id = "admin_reset",
    tag = "control plane",
    summary = "Back to the fixtures (this namespace, or all)",
    security((), ("adminToken" = [])),
    params(("all" = Option<String>, Query, description = "`true`, `1` or `yes`: reset every namespace (the others are dropped).")),
    responses((status = 200, description = "`{\"reset\":<namespace>}` or `{\"reset\":\"all\",\"namespaces\":[\"default\"]}`.", body = Object))
)]
async fn reset(
    State(app): State<AppState>,
    ns: Ns,
    RawQuery(q): RawQuery,
) -> Result<Response, AdminError> {
    if flag(q.as_deref(), "all") {
        app.reset_all().await?;
        let body = json!({ "reset": "all", "namespaces": [DEFAULT_NAMESPACE] });
        return Ok(Json(body).into_response());
    }
    app.reset(&ns.name).await?;
    Ok(Json(json!({ "reset": ns.name })).into_response())
}
