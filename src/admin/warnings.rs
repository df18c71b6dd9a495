//! `GET /__admin/warnings`: the contract lint's summary of the namespace.

use crate::clock::rfc3339;
use crate::lint::RULES;
use crate::namespace::Ns;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::json;

/// `GET /__admin/warnings` — the namespace's contract-lint warnings by rule and route.
#[utoipa::path(
    get,
    path = "/__admin/warnings",
    operation_id = "admin_warnings",
    tag = "control plane",
    summary = "Where this namespace's requests deviated from the vendor pages, by rule and route",
    security((), ("adminToken" = [])),
    responses(
        (status = 200, description = "`{\"warnings\":[{\"id\",\"note\",\"route\",\"count\",\"firstSeen\",\"lastSeen\",\"lastMessage\"}],\"rules\":[{\"id\",\"what\",\"source\"}]}`: most frequent first; `note` true for conditional advice (never in `X-Mock-Warnings` or strict mode); times on the namespace's clock; `POST /__admin/reset` clears it.", body = Object),
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
                "note": s.note,
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
        .map(|r| json!({ "id": r.id, "what": r.what, "source": r.source() }))
        .collect();
    Json(json!({ "warnings": seen, "rules": rules })).into_response()
}
