//! `/__admin/faults`: faults queued for vendor routes.

use super::{parse, path_param, AdminError};
use crate::contract::envelope::ErrorBody;
use crate::contract::Family;
use crate::contract::{self, routes as vendor_routes};
use crate::namespace::faults::{Action, Fault, MAX_DELAY_MS};
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

/// Normalises `"post  /path"` to `"POST /path"` and checks it names a vendor route.
fn known_route(route: &str) -> Result<(String, Family), String> {
    let mut it = route.split_whitespace();
    let (Some(m), Some(p), None) = (it.next(), it.next(), it.next()) else {
        return Err(format!("route must be \"METHOD /path\", got {route:?}"));
    };
    let m = m.to_ascii_uppercase();
    match contract::route_family(&m, p) {
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
