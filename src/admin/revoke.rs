//! `DELETE /__admin/tokens/{token}`: revoke any credential or code.

use super::{path_param, AdminError};
use crate::contract::envelope::ErrorBody;
use crate::namespace::Ns;
use axum::extract::rejection::PathRejection;
use axum::extract::Path;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::json;

/// `DELETE /__admin/tokens/{token}` — revokes any credential of any family in this namespace.
#[utoipa::path(
    delete,
    path = "/__admin/tokens/{token}",
    operation_id = "admin_revoke_token",
    tag = "control plane",
    summary = "Revoke any credential of any family",
    security((), ("adminToken" = [])),
    params(("token" = String, Path, description = "The token (a `Bearer `/`AT ` prefix is ignored).")),
    responses(
        (status = 200, description = "`{\"revoked\",\"kind\",\"family\",\"owner\"}`.", body = Object),
        (status = 400, description = "A path that cannot be decoded.", body = ErrorBody),
        (status = 404, description = "No such token in this namespace.", body = ErrorBody),
    )
)]
pub async fn revoke_token(
    ns: Ns,
    token: Result<Path<String>, PathRejection>,
) -> Result<Response, AdminError> {
    let token = path_param(token)?;
    let t = token.trim();
    let t = ["Bearer ", "Bearer+", "AT ", "AT+"]
        .iter()
        .find_map(|p| t.strip_prefix(p))
        .unwrap_or(t);
    let r = ns
        .revoke(t)
        .await?
        .ok_or_else(|| AdminError::not_found("no such token in this namespace"))?;
    let body = json!({ "revoked": t, "kind": r.kind, "family": r.family.name(), "owner": r.owner });
    Ok(Json(body).into_response())
}
