//! The control plane under `/__admin`: health, reset, state, identities, codes, token revocation,
//! the request journal, faults, the clock and the dashboard page. Every answer but the page is JSON;
//! every route honours `X-Mock-Namespace`; with `--admin-token` all but health and the page require
//! `Authorization: Bearer <token>` (the OpenAPI document at `/__admin/openapi.json` too).

pub mod control;
pub mod dashboard;
pub mod identities;
pub mod view;

use crate::clock::{parse_duration_ms, parse_rfc3339, rfc3339};
use crate::extract::{auth_token, query_param};
use crate::state::{AppState, Ns, DEFAULT_NAMESPACE};
use crate::tokens::secret_eq;
use axum::body::Bytes;
use axum::extract::rejection::PathRejection;
use axum::extract::{Path, RawQuery, Request, State};
use axum::http::StatusCode;
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get, post};
use axum::{Json, Router};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use utoipa::ToSchema;

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
    ("GET", "/__admin/warnings"),
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
    ("GET", "/__admin/openapi.json"),
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

/// A control-plane error (also the request layer's own refusals, on any route).
#[derive(Serialize, ToSchema)]
#[schema(as = MockError)]
pub struct ErrorBody<'a> {
    /// What went wrong.
    pub error: &'a str,
}

/// A control-plane error: `{"error": message}`.
pub fn error(status: StatusCode, msg: &str) -> Response {
    (status, Json(ErrorBody { error: msg })).into_response()
}

/// A path parameter; one that cannot be decoded (e.g. percent-encoded bytes that are not UTF-8) answers
/// 400 `{"error"}` rather than axum's plain-text rejection.
#[allow(clippy::result_large_err)]
pub(crate) fn path_param<T>(p: Result<Path<T>, PathRejection>) -> Result<T, Response> {
    p.map(|Path(v)| v).map_err(|e| {
        error(
            StatusCode::BAD_REQUEST,
            &format!("invalid path: {}", e.body_text()),
        )
    })
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
        .route("/__admin/warnings", get(control::warnings))
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
        .route("/__admin/openapi.json", get(openapi))
        .route_layer(middleware::from_fn_with_state(state, guard))
        // The page holds no data (it asks for the admin token itself): served outside the guard.
        .route("/__admin/", get(dashboard::page))
        .route("/__admin/ui", get(dashboard::page))
}

/// With `--admin-token`, every route but health needs `Authorization: Bearer <token>`.
async fn guard(State(app): State<AppState>, req: Request, next: Next) -> Response {
    if denied(&app, req.headers(), req.uri().path()) {
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
    path != "/__admin/health"
        && !secret_eq(auth_token(headers, &["Bearer"]).unwrap_or(""), expected)
}

/// `{"status":"ok","version","uptimeSeconds"}`.
// Fields in alphabetical order, as in the `json!` map this replaced: the bytes on the wire stay the same.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(as = Health)]
struct Health {
    /// `ok`.
    status: &'static str,
    uptime_seconds: u64,
    /// The server's version.
    version: &'static str,
}

/// `GET /__admin/health` — liveness; never needs the admin token.
#[utoipa::path(
    get,
    path = "/__admin/health",
    operation_id = "admin_health",
    tag = "control plane",
    summary = "Liveness (never needs the admin token)",
    responses((status = 200, description = "The server is up.", body = Health))
)]
async fn health(State(app): State<AppState>) -> Response {
    Json(Health {
        status: "ok",
        uptime_seconds: app.started.elapsed().as_secs(),
        version: env!("CARGO_PKG_VERSION"),
    })
    .into_response()
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
    let doc = DOC.get_or_init(crate::openapi::json);
    (
        [(axum::http::header::CONTENT_TYPE, "application/json")],
        doc.as_str(),
    )
        .into_response()
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
async fn reset(State(app): State<AppState>, ns: Ns, RawQuery(q): RawQuery) -> Response {
    if flag(q.as_deref(), "all") {
        app.reset_all();
        return Json(json!({ "reset": "all", "namespaces": [DEFAULT_NAMESPACE] })).into_response();
    }
    app.reset(&ns.name);
    Json(json!({ "reset": ns.name })).into_response()
}

/// The namespace's clock.
// Fields in alphabetical order, as in the `json!` map this replaced: the bytes on the wire stay the same.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(as = Clock)]
pub(crate) struct ClockView {
    epoch_ms: i64,
    #[schema(schema_with = clock_mode_schema)]
    mode: &'static str,
    /// RFC 3339 UTC with milliseconds.
    now: String,
}

fn clock_mode_schema() -> utoipa::openapi::Object {
    crate::openapi::str_enum(
        "`real`, `frozen`, or `offset` (running, shifted).",
        ["real", "frozen", "offset"],
    )
}

pub(crate) fn clock_view(ns: &Ns) -> ClockView {
    let now = ns.now();
    ClockView {
        epoch_ms: now,
        mode: ns.clock.mode().as_str(),
        now: rfc3339(now),
    }
}

/// `GET /__admin/clock`.
#[utoipa::path(
    get,
    path = "/__admin/clock",
    operation_id = "admin_get_clock",
    tag = "control plane",
    summary = "Read the clock",
    security((), ("adminToken" = [])),
    responses((status = 200, description = "The namespace's clock.", body = ClockView))
)]
async fn get_clock(ns: Ns) -> Response {
    Json(clock_view(&ns)).into_response()
}

/// Moves the clock: freeze, set and advance apply in that order; at least one is required.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = ClockRequest)]
struct ClockReq {
    /// `true` stops time at the current instant; `false` lets a frozen clock run on from where it stands.
    #[serde(default)]
    freeze: Option<bool>,
    #[serde(default)]
    #[schema(schema_with = clock_set_schema)]
    set: Option<Value>,
    #[serde(default)]
    #[schema(schema_with = clock_advance_schema)]
    advance: Option<Value>,
}

/// Earliest instant the clock may show: 0000-01-01T00:00:00Z.
pub const CLOCK_MIN_MS: i64 = -62_167_219_200_000;
/// Latest instant the clock may show: 9999-12-31T23:59:59.999Z.
pub const CLOCK_MAX_MS: i64 = 253_402_300_799_999;

fn clock_set_schema() -> utoipa::openapi::Schema {
    use utoipa::openapi::schema::{ObjectBuilder, OneOfBuilder, Type};
    OneOfBuilder::new()
        .description(Some("Jump to this instant (0000-01-01 to 9999-12-31): an RFC 3339 instant such as `2026-01-01T00:00:00Z`, or epoch milliseconds."))
        .item(ObjectBuilder::new().schema_type(Type::String))
        .item(
            ObjectBuilder::new()
                .schema_type(Type::Integer)
                .minimum(Some(CLOCK_MIN_MS as f64))
                .maximum(Some(CLOCK_MAX_MS as f64)),
        )
        .build()
        .into()
}

fn clock_advance_schema() -> utoipa::openapi::Schema {
    use utoipa::openapi::schema::{ObjectBuilder, OneOfBuilder, Type};
    OneOfBuilder::new()
        .description(Some("Move time by this much (negative: back): a duration such as `31m`, `90s`, `1h30m`, `2d`, or seconds as a number."))
        .item(ObjectBuilder::new().schema_type(Type::String))
        .item(ObjectBuilder::new().schema_type(Type::Number))
        .build()
        .into()
}

/// `POST /__admin/clock`: `{"freeze":true|false}`, `{"set":"<RFC 3339>"|epochMs}`, `{"advance":"31m"|seconds}`;
/// several at once apply in the order freeze, set, advance (so `{"freeze":true,"set":…}` stops the clock
/// exactly at the instant set, not a millisecond after it).
#[utoipa::path(
    post,
    path = "/__admin/clock",
    operation_id = "admin_set_clock",
    tag = "control plane",
    summary = "Freeze, set or advance the clock",
    security((), ("adminToken" = [])),
    request_body(
        content = ClockReq,
        content_type = "application/json",
        example = json!({ "freeze": true, "set": "2026-01-01T00:00:00Z", "advance": "31m" })
    ),
    responses(
        (status = 200, description = "The clock after the change.", body = ClockView),
        (status = 400, description = "Not JSON, an unknown field, none of the three, a bad value, or an instant out of range.", body = ErrorBody),
    )
)]
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
    // The clock stays within what RFC 3339 can write (years 0000-9999), so that no issuance or expiry
    // computed from it can overflow.
    let target = set
        .unwrap_or_else(|| ns.now())
        .checked_add(advance.unwrap_or(0));
    if !target.is_some_and(|t| (CLOCK_MIN_MS..=CLOCK_MAX_MS).contains(&t)) {
        return error(
            StatusCode::BAD_REQUEST,
            "the clock must stay between 0000-01-01T00:00:00Z and 9999-12-31T23:59:59.999Z",
        );
    }
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

/// `DELETE /__admin/clock`.
#[utoipa::path(
    delete,
    path = "/__admin/clock",
    operation_id = "admin_reset_clock",
    tag = "control plane",
    summary = "Back to real time",
    security((), ("adminToken" = [])),
    responses((status = 200, description = "The clock, now real time.", body = ClockView))
)]
async fn reset_clock(ns: Ns) -> Response {
    ns.clock.reset();
    Json(clock_view(&ns)).into_response()
}
