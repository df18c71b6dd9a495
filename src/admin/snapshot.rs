//! `/__admin/snapshot`: a namespace's state as one versioned JSON document, and restoring one
//! (docs/snapshots.md describes the format).

use super::error::Invalid;
use super::AdminError;
use crate::contract::envelope::ErrorBody;
use crate::namespace::snapshot::{check, take};
use crate::namespace::{AppState, Ns};
use axum::body::Bytes;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Serialize;
use utoipa::ToSchema;

/// `GET /__admin/snapshot` — the namespace's state as one document.
#[utoipa::path(
    get,
    path = "/__admin/snapshot",
    operation_id = "admin_get_snapshot",
    tag = "control plane",
    summary = "The namespace's state as one document",
    description = "`{\"format\":\"authmock-snapshot\",\"version\":1,\"clock\",\"identities\",\"credentials\",\"lockouts\",\"faults\"}` (docs/snapshots.md): the clock, the identity changes made at run time (added users with their passwords), every stored credential with its bindings and its expiry on the mock clock, lockouts and queued faults. As sensitive as the fixtures.",
    security((), ("adminToken" = [])),
    responses(
        (status = 200, description = "The snapshot.", body = Object),
        (status = 503, description = "The shared store cannot be reached.", body = ErrorBody),
    )
)]
pub async fn get_snapshot(ns: Ns) -> Result<Response, AdminError> {
    Ok(Json(take(&ns).await?).into_response())
}

/// What a restore put in place.
#[derive(Serialize, ToSchema)]
#[schema(as = SnapshotRestored)]
struct Restored {
    /// The namespace restored into.
    restored: String,
    identities: usize,
    credentials: usize,
    lockouts: usize,
    faults: usize,
}

/// `PUT /__admin/snapshot` — replaces the namespace's state by a snapshot's.
#[utoipa::path(
    put,
    path = "/__admin/snapshot",
    operation_id = "admin_put_snapshot",
    tag = "control plane",
    summary = "Restore a snapshot into the namespace",
    description = "Replaces the namespace's state (`X-Mock-Namespace`, any namespace: a snapshot does not pin its own) by the document's, whole: the document is checked first and nothing changes unless all of it passes. The journal starts empty, as after a reset.",
    security((), ("adminToken" = [])),
    request_body(content = Object, content_type = "application/json", description = "A snapshot as `GET /__admin/snapshot` answers it (format `authmock-snapshot`, version 1)."),
    responses(
        (status = 200, description = "`{\"restored\":<namespace>,\"identities\",\"credentials\",\"lockouts\",\"faults\"}`: what is in place.", body = Restored),
        (status = 400, description = "Not JSON, not a snapshot, another version (`$.version`), a value or shape the format does not take, or a dangling reference (a credential's owner, org, client or tenant that neither the fixtures nor the snapshot's identities define): `error` and `problems` name each JSON path. Nothing changed.", body = Invalid),
        (status = 413, description = "Body over 16 MiB (the limit of this route; the others take 64 KiB).", body = ErrorBody),
        (status = 503, description = "The shared store cannot be reached: nothing changed.", body = ErrorBody),
    )
)]
pub async fn put_snapshot(
    State(app): State<AppState>,
    ns: Ns,
    body: Bytes,
) -> Result<Response, AdminError> {
    let c = check(&body, &app.fixtures, app.settings.max_tokens).map_err(AdminError::Invalid)?;
    let counts = Restored {
        restored: ns.name.clone(),
        identities: c.state.changes.len(),
        credentials: c.state.credentials.len(),
        lockouts: c.state.lockouts.len(),
        faults: c.faults.len(),
    };
    app.restore(&ns.name, c).await?;
    Ok(Json(counts).into_response())
}
