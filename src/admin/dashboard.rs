//! The dashboard: one self-contained HTML page (`GET /__admin/` and `GET /__admin/ui`) that drives the
//! control plane from a browser, and `GET /__admin/meta`, the vendor routes with their family's codes
//! that its fault form offers.
//!
//! The page is embedded in the binary and needs nothing from the network: it polls the JSON routes of
//! `/__admin` itself, so it shows exactly what a test harness would see. It is served without the admin
//! token (it holds no data) so that a user can type the token into it; every call it makes is guarded.

use crate::contract::{self, routes as vendor_routes};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::{json, Value};

/// The page, with its CSS and JavaScript inline.
const PAGE: &str = include_str!("dashboard.html");

/// `GET /__admin/` and `GET /__admin/ui`.
#[utoipa::path(
    get,
    path = "/__admin/",
    operation_id = "admin_dashboard",
    tag = "control plane",
    summary = "The dashboard page (never needs the admin token)",
    responses((status = 200, description = "The page: HTML with its CSS and JavaScript inline.", body = String, content_type = "text/html"))
)]
pub async fn page() -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/html; charset=utf-8"),
            (header::CACHE_CONTROL, "no-cache"),
        ],
        PAGE,
    )
        .into_response()
}

/// `GET /__admin/meta` → `{"version","routes":[{"route","method","path","family","codes":[…]}]}`.
#[utoipa::path(
    get,
    path = "/__admin/meta",
    operation_id = "admin_meta",
    tag = "control plane",
    summary = "The vendor routes and their families' codes (for the dashboard's fault form)",
    security((), ("adminToken" = [])),
    responses((status = 200, description = "`{\"version\",\"routes\":[{\"route\",\"method\",\"path\",\"family\",\"codes\":[…]}]}`.", body = Object))
)]
pub async fn meta() -> Response {
    let routes: Vec<Value> = vendor_routes()
        .filter_map(|(m, p)| {
            let family = contract::route_family(m, p)?;
            Some(json!({
                "route": format!("{m} {p}"),
                "method": m,
                "path": p,
                "family": family.name(),
                "codes": family.codes(),
            }))
        })
        .collect();
    Json(json!({ "version": env!("CARGO_PKG_VERSION"), "routes": routes })).into_response()
}
