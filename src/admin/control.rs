//! `/__admin/requests` (the journal) and `/__admin/faults`.

use super::faults::{Action, Fault, MAX_DELAY_MS};
use super::journal::Filter;
use super::{error, parse};
use crate::app::{vendor_routes, Family};
use crate::extract::query_param;
use crate::state::Ns;
use axum::body::Bytes;
use axum::extract::{Path, RawQuery};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Deserialize;
use serde_json::json;

/// `GET /__admin/requests?limit=&method=&path=&status=` — newest first, secrets masked.
pub async fn list_requests(ns: Ns, RawQuery(q): RawQuery) -> Response {
    let q = q.as_deref();
    let num =
        |name: &str| query_param(q, name).map(|v| v.parse::<u64>().map_err(|_| name.to_string()));
    let limit = match num("limit").transpose() {
        Ok(v) => v.map(|n| n as usize),
        Err(n) => return error(StatusCode::BAD_REQUEST, &format!("{n} must be a number")),
    };
    let status = match num("status").transpose() {
        Ok(v) => v.map(|n| n.min(999) as u16),
        Err(n) => return error(StatusCode::BAD_REQUEST, &format!("{n} must be a number")),
    };
    let f = Filter {
        limit,
        method: query_param(q, "method"),
        path: query_param(q, "path"),
        status,
    };
    let entries: Vec<_> = ns.journal.list(&f).iter().map(|e| e.view()).collect();
    Json(json!({
        "requests": entries,
        "total": ns.journal.len(),
        "capacity": ns.journal.capacity(),
    }))
    .into_response()
}

/// `DELETE /__admin/requests`.
pub async fn clear_requests(ns: Ns) -> Response {
    let n = ns.journal.len();
    ns.journal.clear();
    Json(json!({ "cleared": n })).into_response()
}

#[derive(Deserialize)]
struct FaultReq {
    route: String,
    #[serde(default = "one")]
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
    match vendor_routes().find(|(rm, rp)| *rm == m && *rp == p) {
        Some(_) => Ok((format!("{m} {p}"), Family::of(p))),
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
pub async fn add_fault(ns: Ns, body: Bytes) -> Response {
    let req: FaultReq = match parse(&body) {
        Ok(r) => r,
        Err(e) => return e,
    };
    let (route, family) = match known_route(&req.route) {
        Ok(r) => r,
        Err(e) => return error(StatusCode::BAD_REQUEST, &e),
    };
    let a = &req.action;
    if a.is_empty() {
        return error(
            StatusCode::BAD_REQUEST,
            "a fault needs at least one of \"error\", \"status\", \"delayMs\", \"drop\", \"malformed\"",
        );
    }
    if let Some(code) = &a.error {
        if !family.codes().contains(code) {
            return error(
                StatusCode::BAD_REQUEST,
                &format!(
                    "{code:?} is not a vendor code of this route; codes: {}",
                    family.codes().join(", ")
                ),
            );
        }
        if a.status.is_some() || a.body.is_some() {
            return error(
                StatusCode::BAD_REQUEST,
                "\"error\" cannot be combined with \"status\"/\"body\"",
            );
        }
    }
    if a.body.is_some() && a.status.is_none() {
        return error(StatusCode::BAD_REQUEST, "\"body\" needs a \"status\"");
    }
    if let Some(s) = a.status {
        if !(100..=599).contains(&s) {
            return error(
                StatusCode::BAD_REQUEST,
                "\"status\" must be an HTTP status 100-599",
            );
        }
    }
    if a.delay_ms.is_some_and(|d| d > MAX_DELAY_MS) {
        return error(StatusCode::BAD_REQUEST, "\"delayMs\" must be at most 60000");
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
    ns.faults.add(fault.clone());
    (StatusCode::CREATED, Json(fault)).into_response()
}

/// `GET /__admin/faults`.
pub async fn list_faults(ns: Ns) -> Response {
    Json(json!({ "faults": ns.faults.list() })).into_response()
}

/// `DELETE /__admin/faults/{id}`.
pub async fn delete_fault(ns: Ns, Path(id): Path<String>) -> Response {
    if ns.faults.remove(&id) {
        Json(json!({ "deleted": id })).into_response()
    } else {
        error(StatusCode::NOT_FOUND, "no such fault")
    }
}

/// `DELETE /__admin/faults`.
pub async fn clear_faults(ns: Ns) -> Response {
    let n = ns.faults.list().len();
    ns.faults.clear();
    Json(json!({ "cleared": n })).into_response()
}
