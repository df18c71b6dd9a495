//! `/__admin/faults`: faults queued for vendor routes.

use super::{parse, path_param, AdminError};
use crate::contract::envelope::ErrorBody;
use crate::namespace::faults::{known_route, Action, Fault};
use crate::namespace::Ns;
use axum::body::Bytes;
use axum::extract::rejection::PathRejection;
use axum::extract::Path;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Deserialize;
use serde_json::json;
use utoipa::ToSchema;

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
    req.action.check(family).map_err(AdminError::bad_request)?;
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
