//! `/__admin/requests`: the namespace's request journal.

use super::AdminError;
use crate::contract::envelope::ErrorBody;
use crate::contract::extract::query_param;
use crate::namespace::journal::Filter;
use crate::namespace::Ns;
use axum::extract::RawQuery;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::json;

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
        ("traceId" = Option<String>, Query, description = "Only requests of this W3C trace-id (from `traceparent`, any case) or KooDrive `X-Traceid` (exactly)."),
    ),
    responses(
        (status = 200, description = "`{\"requests\":[{\"id\",\"time\",\"epochMs\",\"method\",\"path\",\"uri\",\"route\",\"request\":{\"headers\",\"body\",\"bodyBytes\",\"bodyTruncated\"},\"status\",\"response\":{\"body\",\"bodyBytes\",\"bodyTruncated\"},\"durationMs\",\"fault\",\"warnings\":[{\"id\",\"message\"}],\"notes\":[{\"id\",\"message\"}],\"traceId\",\"traceparent\",\"xTraceid\"}],\"matched\",\"total\",\"capacity\"}`: `matched` counts the entries the filter matches (before `limit`), `total` every entry kept; each body cut at 4 KiB; status 0 for a request a `drop` fault ended.", body = Object),
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
        trace_id: query_param(q, "traceId"),
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
