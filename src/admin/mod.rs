//! The control plane under `/__admin`: health, reset, state, identities, codes, token revocation,
//! the request journal, faults, the clock and the dashboard page. Every answer but the page is JSON;
//! every route honours `X-Mock-Namespace`; with `--admin-token` all but health and the page require
//! `Authorization: Bearer <token>`.

pub mod control;
pub mod dashboard;
pub mod faults;
pub mod identities;
pub mod journal;
pub mod view;

use crate::clock::{parse_duration_ms, parse_rfc3339, rfc3339};
use crate::extract::{auth_token, query_param};
use crate::state::{AppState, Ns, DEFAULT_NAMESPACE};
use crate::tokens::secret_eq;
use axum::body::Bytes;
use axum::extract::{RawQuery, Request, State};
use axum::http::StatusCode;
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get, post};
use axum::{Json, Router};
use serde::de::DeserializeOwned;
use serde::Deserialize;
use serde_json::{json, Value};

/// Every control-plane route as `(method, pattern)`.
pub const ROUTES: &[(&str, &str)] = &[
    ("GET", "/__admin/health"),
    ("POST", "/__admin/reset"),
    ("GET", "/__admin/state"),
    ("POST", "/__admin/{family}/users"),
    ("DELETE", "/__admin/{family}/users/{id}"),
    ("POST", "/__admin/{family}/orgs"),
    ("POST", "/__admin/oneaccess/clients"),
    ("POST", "/__admin/koodrive/auth-codes"),
    ("POST", "/__admin/koodrive/verification-codes"),
    ("DELETE", "/__admin/tokens/{token}"),
    ("GET", "/__admin/requests"),
    ("DELETE", "/__admin/requests"),
    ("GET", "/__admin/faults"),
    ("POST", "/__admin/faults"),
    ("DELETE", "/__admin/faults"),
    ("DELETE", "/__admin/faults/{id}"),
    ("GET", "/__admin/clock"),
    ("POST", "/__admin/clock"),
    ("DELETE", "/__admin/clock"),
    ("GET", "/__admin/"),
    ("GET", "/__admin/ui"),
    ("GET", "/__admin/meta"),
];

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

/// A control-plane error: `{"error": message}`.
pub fn error(status: StatusCode, msg: &str) -> Response {
    (status, Json(json!({ "error": msg }))).into_response()
}

/// Parses a JSON body for an admin route (an empty body counts as `{}`).
// The error is the finished response, as every handler here returns one by value.
#[allow(clippy::result_large_err)]
pub fn parse<T: DeserializeOwned>(body: &Bytes) -> Result<T, Response> {
    let b: &[u8] = if body.iter().all(u8::is_ascii_whitespace) {
        b"{}"
    } else {
        body
    };
    serde_json::from_slice(b)
        .map_err(|e| error(StatusCode::BAD_REQUEST, &format!("invalid JSON body: {e}")))
}

pub fn router(state: AppState) -> Router<AppState> {
    Router::new()
        .route("/__admin/health", get(health))
        .route("/__admin/reset", post(reset))
        .route("/__admin/state", get(view::state))
        .route("/__admin/{family}/users", post(identities::add_user))
        .route(
            "/__admin/{family}/users/{id}",
            delete(identities::delete_user),
        )
        .route("/__admin/{family}/orgs", post(identities::add_org))
        .route("/__admin/oneaccess/clients", post(identities::add_client))
        .route(
            "/__admin/koodrive/auth-codes",
            post(identities::mint_auth_code),
        )
        .route(
            "/__admin/koodrive/verification-codes",
            post(identities::mint_verification_code),
        )
        .route("/__admin/tokens/{token}", delete(view::revoke_token))
        .route(
            "/__admin/requests",
            get(control::list_requests).delete(control::clear_requests),
        )
        .route(
            "/__admin/faults",
            get(control::list_faults)
                .post(control::add_fault)
                .delete(control::clear_faults),
        )
        .route("/__admin/faults/{id}", delete(control::delete_fault))
        .route(
            "/__admin/clock",
            get(get_clock).post(set_clock).delete(reset_clock),
        )
        .route("/__admin/meta", get(dashboard::meta))
        .route_layer(middleware::from_fn_with_state(state, guard))
        // The page holds no data (it asks for the admin token itself): served outside the guard.
        .route("/__admin/", get(dashboard::page))
        .route("/__admin/ui", get(dashboard::page))
}

/// With `--admin-token`, every route but health needs `Authorization: Bearer <token>`.
async fn guard(State(app): State<AppState>, req: Request, next: Next) -> Response {
    if let Some(expected) = &app.settings.admin_token {
        if req.uri().path() != "/__admin/health" {
            let given = auth_token(req.headers(), &["Bearer"]).unwrap_or("");
            if !secret_eq(given, expected) {
                return error(
                    StatusCode::UNAUTHORIZED,
                    "admin token required: Authorization: Bearer <token>",
                );
            }
        }
    }
    next.run(req).await
}

async fn health(State(app): State<AppState>) -> Response {
    Json(json!({
        "status": "ok",
        "version": env!("CARGO_PKG_VERSION"),
        "uptimeSeconds": app.started.elapsed().as_secs(),
    }))
    .into_response()
}

/// Whether a query flag such as `?all=true` is set.
pub(crate) fn flag(q: Option<&str>, name: &str) -> bool {
    matches!(query_param(q, name).as_deref(), Some("true" | "1" | "yes"))
}

async fn reset(State(app): State<AppState>, ns: Ns, RawQuery(q): RawQuery) -> Response {
    if flag(q.as_deref(), "all") {
        app.reset_all();
        return Json(json!({ "reset": "all", "namespaces": [DEFAULT_NAMESPACE] })).into_response();
    }
    app.reset(&ns.name);
    Json(json!({ "reset": ns.name })).into_response()
}

pub(crate) fn clock_view(ns: &Ns) -> Value {
    let now = ns.now();
    json!({ "now": rfc3339(now), "epochMs": now, "mode": ns.clock.mode().as_str() })
}

async fn get_clock(ns: Ns) -> Response {
    Json(clock_view(&ns)).into_response()
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ClockReq {
    #[serde(default)]
    freeze: Option<bool>,
    #[serde(default)]
    set: Option<Value>,
    #[serde(default)]
    advance: Option<Value>,
}

/// `POST /__admin/clock`: `{"freeze":true|false}`, `{"set":"<RFC 3339>"|epochMs}`, `{"advance":"31m"|seconds}`;
/// several at once apply in the order freeze, set, advance (so `{"freeze":true,"set":…}` stops the clock
/// exactly at the instant set, not a millisecond after it).
async fn set_clock(ns: Ns, body: Bytes) -> Response {
    let req: ClockReq = match parse(&body) {
        Ok(r) => r,
        Err(e) => return e,
    };
    if req.freeze.is_none() && req.set.is_none() && req.advance.is_none() {
        return error(
            StatusCode::BAD_REQUEST,
            "expected one of \"freeze\", \"set\", \"advance\"",
        );
    }
    let set = match &req.set {
        None => None,
        Some(Value::String(s)) => match parse_rfc3339(s) {
            Some(ms) => Some(ms),
            None => return error(StatusCode::BAD_REQUEST, "\"set\" must be an RFC 3339 instant such as 2026-01-01T00:00:00Z, or epoch milliseconds"),
        },
        Some(Value::Number(n)) if n.as_i64().is_some() => n.as_i64(),
        Some(_) => return error(StatusCode::BAD_REQUEST, "\"set\" must be an RFC 3339 instant or epoch milliseconds"),
    };
    let advance = match &req.advance {
        None => None,
        Some(Value::String(s)) => match parse_duration_ms(s) {
            Some(ms) => Some(ms),
            None => return error(StatusCode::BAD_REQUEST, "\"advance\" must be a duration such as \"31m\", \"90s\", \"1h30m\", \"2d\", or seconds as a number"),
        },
        Some(Value::Number(n)) => match n.as_f64().map(|s| s * 1000.0).filter(|ms| ms.is_finite() && ms.abs() < 1e15) {
            Some(ms) => Some(ms.round() as i64),
            None => return error(StatusCode::BAD_REQUEST, "\"advance\" is out of range"),
        },
        Some(_) => return error(StatusCode::BAD_REQUEST, "\"advance\" must be a duration string or seconds as a number"),
    };
    match req.freeze {
        Some(true) => ns.clock.freeze(),
        Some(false) => ns.clock.unfreeze(),
        None => {}
    }
    if let Some(ms) = set {
        ns.clock.set(ms);
    }
    if let Some(ms) = advance {
        ns.clock.advance(ms);
    }
    Json(clock_view(&ns)).into_response()
}

async fn reset_clock(ns: Ns) -> Response {
    ns.clock.reset();
    Json(clock_view(&ns)).into_response()
}
