//! `/__admin/requests` (the journal), `/__admin/warnings` (the contract lint's summary) and
//! `/__admin/faults`.

use super::{parse, path_param, AdminError, ErrorBody};
use crate::clock::rfc3339;
use crate::extract::query_param;
use crate::family::Family;
use crate::state::faults::{Action, Fault, MAX_DELAY_MS};
use crate::state::journal::Filter;
use crate::state::Ns;
use crate::vendors::routes as vendor_routes;
use crate::warnings::RULES;
use axum::body::Bytes;
use axum::extract::rejection::PathRejection;
use axum::extract::{Path, RawQuery};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Deserialize;
use serde_json::json;
use utoipa::ToSchema;

/// Highest status the journal filter takes: every status a request can end with.
const MAX_STATUS: u64 = 599;

/// `GET /__admin/requests?limit=&method=&path=&status=` — newest first, secrets masked.
#[utoipa::path(
    get,
    path = "/__admin/requests",
    operation_id = "admin_list_requests",
    tag = "control plane",
    summary = "The request journal, newest first, secrets masked",
    security((), ("adminToken" = [])),
    params(
        ("limit" = Option<u64>, Query, description = "At most this many entries (not a number: 400)."),
        ("method" = Option<String>, Query, description = "Only this method (any case)."),
        ("path" = Option<String>, Query, description = "Only paths containing this, or exactly this route pattern."),
        ("status" = Option<u16>, Query, minimum = 0, maximum = 599, description = "Only this HTTP status, 0 (a dropped request) to 599 (otherwise 400)."),
        ("warnings" = Option<bool>, Query, description = "`true`: only requests that deviate from their vendor page (see `X-Mock-Warnings`)."),
    ),
    responses(
        (status = 200, description = "`{\"requests\":[{\"id\",\"time\",\"epochMs\",\"method\",\"path\",\"uri\",\"route\",\"request\":{\"headers\",\"body\",\"bodyBytes\",\"bodyTruncated\"},\"status\",\"response\":{\"body\",\"bodyBytes\",\"bodyTruncated\"},\"durationMs\",\"fault\",\"warnings\":[{\"id\",\"message\"}]}],\"matched\",\"total\",\"capacity\"}`: `matched` counts the entries the filter matches (before `limit`), `total` every entry kept; each body cut at 4 KiB; status 0 for a request a `drop` fault ended.", body = Object),
        (status = 400, description = "`limit` or `status` is not a number, or `status` is over 599.", body = ErrorBody),
    )
)]
pub async fn list_requests(ns: Ns, RawQuery(q): RawQuery) -> Result<Response, AdminError> {
    let q = q.as_deref();
    let num =
        |name: &str| query_param(q, name).map(|v| v.parse::<u64>().map_err(|_| name.to_string()));
    let limit = match num("limit").transpose() {
        Ok(v) => v.map(|n| n as usize),
        Err(n) => return Err(AdminError::bad_request(format!("{n} must be a number"))),
    };
    let status = match num("status").transpose() {
        Ok(Some(n)) if n > MAX_STATUS => {
            return Err(AdminError::bad_request(format!(
                "status must be at most {MAX_STATUS}"
            )))
        }
        Ok(v) => v.map(|n| n as u16),
        Err(n) => return Err(AdminError::bad_request(format!("{n} must be a number"))),
    };
    let f = Filter {
        limit,
        method: query_param(q, "method"),
        path: query_param(q, "path"),
        status,
        warnings: query_param(q, "warnings").is_some_and(|v| v.eq_ignore_ascii_case("true")),
    };
    let matching = ns.journal.matching(&f);
    let entries: Vec<_> = matching
        .iter()
        .take(f.limit.unwrap_or(usize::MAX))
        .map(|e| e.view())
        .collect();
    Ok(Json(json!({
        "requests": entries,
        "matched": matching.len(),
        "total": ns.journal.len(),
        "capacity": ns.journal.capacity(),
    }))
    .into_response())
}

/// `GET /__admin/warnings` — the namespace's contract-lint warnings by rule and route.
#[utoipa::path(
    get,
    path = "/__admin/warnings",
    operation_id = "admin_warnings",
    tag = "control plane",
    summary = "Where this namespace's requests deviated from the vendor pages, by rule and route",
    security((), ("adminToken" = [])),
    responses(
        (status = 200, description = "`{\"warnings\":[{\"id\",\"route\",\"count\",\"firstSeen\",\"lastSeen\",\"lastMessage\"}],\"rules\":[{\"id\",\"what\",\"source\"}]}`: most frequent first; times on the namespace's clock; `POST /__admin/reset` clears it.", body = Object),
    )
)]
pub async fn warnings(ns: Ns) -> Response {
    let seen: Vec<_> = ns
        .warnings
        .list()
        .into_iter()
        .map(|s| {
            json!({
                "id": s.id,
                "route": s.route,
                "count": s.count,
                "firstSeen": rfc3339(s.first_ms),
                "lastSeen": rfc3339(s.last_ms),
                "lastMessage": s.last_message,
            })
        })
        .collect();
    let rules: Vec<_> = RULES
        .iter()
        .map(|r| json!({ "id": r.id, "what": r.what, "source": r.source }))
        .collect();
    Json(json!({ "warnings": seen, "rules": rules })).into_response()
}

/// `DELETE /__admin/requests`.
#[utoipa::path(
    delete,
    path = "/__admin/requests",
    operation_id = "admin_clear_requests",
    tag = "control plane",
    summary = "Clear the journal",
    security((), ("adminToken" = [])),
    responses((status = 200, description = "`{\"cleared\":<count>}`.", body = Object))
)]
pub async fn clear_requests(ns: Ns) -> Response {
    let n = ns.journal.len();
    ns.journal.clear();
    Json(json!({ "cleared": n })).into_response()
}

/// A fault to queue: the route, how many times, and at least one action.
#[derive(Deserialize, ToSchema)]
#[schema(as = FaultRequest)]
struct FaultReq {
    /// `"METHOD /path"` of a vendor route, as in the route table.
    #[schema(example = "POST /koodrive/ose/v1/auth/login")]
    route: String,
    /// How many requests it shapes in all (default 1; 0: until removed).
    #[serde(default = "one")]
    #[schema(required = false)]
    times: u32,
    #[serde(flatten)]
    action: Action,
}

fn one() -> u32 {
    1
}

/// Normalises `"post  /path"` to `"POST /path"` and checks it names a vendor route.
fn known_route(route: &str) -> Result<(String, Family), String> {
    let mut it = route.split_whitespace();
    let (Some(m), Some(p), None) = (it.next(), it.next(), it.next()) else {
        return Err(format!("route must be \"METHOD /path\", got {route:?}"));
    };
    let m = m.to_ascii_uppercase();
    match vendor_routes()
        .find(|(rm, rp)| *rm == m && *rp == p)
        .and_then(|(_, p)| Family::of(p))
    {
        Some(family) => Ok((format!("{m} {p}"), family)),
        None => Err(format!(
            "unknown route {route:?}; known: {}",
            vendor_routes()
                .map(|(m, p)| format!("{m} {p}"))
                .collect::<Vec<_>>()
                .join(", ")
        )),
    }
}

/// `POST /__admin/faults` — queue a fault for a vendor route.
#[utoipa::path(
    post,
    path = "/__admin/faults",
    operation_id = "admin_add_fault",
    tag = "control plane",
    summary = "Queue a fault for a vendor route",
    security((), ("adminToken" = [])),
    request_body(content = FaultReq, content_type = "application/json"),
    responses(
        (status = 201, description = "The queued fault.", body = Fault),
        (status = 400, description = "Not JSON of the shape, an unknown route, no action, a code not of the route's family, `error` with `status`/`body`, `body` without `status`, a status outside 200-599, `delayMs` over 60000.", body = ErrorBody),
    )
)]
pub async fn add_fault(ns: Ns, body: Bytes) -> Result<Response, AdminError> {
    let req: FaultReq = parse(&body)?;
    let (route, family) = known_route(&req.route).map_err(AdminError::BadRequest)?;
    let a = &req.action;
    if a.is_empty() {
        return Err(AdminError::bad_request("a fault needs at least one of \"error\", \"status\", \"delayMs\", \"drop\", \"malformed\""));
    }
    if let Some(code) = &a.error {
        if !family.codes().contains(code) {
            return Err(AdminError::bad_request(format!(
                "{code:?} is not a vendor code of this route; codes: {}",
                family.codes().join(", ")
            )));
        }
        if a.status.is_some() || a.body.is_some() {
            return Err(AdminError::bad_request(
                "\"error\" cannot be combined with \"status\"/\"body\"",
            ));
        }
    }
    if a.body.is_some() && a.status.is_none() {
        return Err(AdminError::bad_request("\"body\" needs a \"status\""));
    }
    if let Some(s) = a.status {
        if !(200..=599).contains(&s) {
            return Err(AdminError::bad_request(
                "\"status\" must be an HTTP status 200-599",
            ));
        }
    }
    if a.delay_ms.is_some_and(|d| d > MAX_DELAY_MS) {
        return Err(AdminError::bad_request("\"delayMs\" must be at most 60000"));
    }
    let mut id = String::from("f_");
    ns.gen.push_base62(&mut id, 12);
    let fault = Fault {
        id,
        route,
        times: req.times,
        hits: 0,
        action: req.action,
    };
    ns.faults(|f| f.add(fault.clone())).await?;
    Ok((StatusCode::CREATED, Json(fault)).into_response())
}

/// `GET /__admin/faults`.
#[utoipa::path(
    get,
    path = "/__admin/faults",
    operation_id = "admin_list_faults",
    tag = "control plane",
    summary = "The queued faults",
    security((), ("adminToken" = [])),
    responses((status = 200, description = "`{\"faults\":[Fault]}`.", body = Object))
)]
pub async fn list_faults(ns: Ns) -> Result<Response, AdminError> {
    let list = ns.faults(|f| f.list()).await?;
    Ok(Json(json!({ "faults": list })).into_response())
}

/// `DELETE /__admin/faults/{id}`.
#[utoipa::path(
    delete,
    path = "/__admin/faults/{id}",
    operation_id = "admin_delete_fault",
    tag = "control plane",
    summary = "Remove one fault",
    security((), ("adminToken" = [])),
    params(("id" = String, Path, description = "The fault's id (`f_…`).")),
    responses(
        (status = 200, description = "`{\"deleted\":<id>}`.", body = Object),
        (status = 400, description = "A path that cannot be decoded.", body = ErrorBody),
        (status = 404, description = "No such fault.", body = ErrorBody),
    )
)]
pub async fn delete_fault(
    ns: Ns,
    id: Result<Path<String>, PathRejection>,
) -> Result<Response, AdminError> {
    let id = path_param(id)?;
    if !ns.faults(|f| f.remove(&id)).await? {
        return Err(AdminError::not_found("no such fault"));
    }
    Ok(Json(json!({ "deleted": id })).into_response())
}

/// `DELETE /__admin/faults`.
#[utoipa::path(
    delete,
    path = "/__admin/faults",
    operation_id = "admin_clear_faults",
    tag = "control plane",
    summary = "Remove every fault",
    security((), ("adminToken" = [])),
    responses((status = 200, description = "`{\"cleared\":<count>}`.", body = Object))
)]
pub async fn clear_faults(ns: Ns) -> Result<Response, AdminError> {
    let n = ns
        .faults(|f| {
            let n = f.list().len();
            f.clear();
            n
        })
        .await?;
    Ok(Json(json!({ "cleared": n })).into_response())
}
