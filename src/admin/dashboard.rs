//! The dashboard: one self-contained HTML page (`GET /__admin/` and `GET /__admin/ui`) that drives the
//! control plane from a browser, and `GET /__admin/meta`, the vendor routes with their family's codes
//! that its fault form offers.
//!
//! The page is embedded in the binary and needs nothing from the network: it polls the JSON routes of
//! `/__admin` itself, so it shows exactly what a test harness would see. It is served without the admin
//! token (it holds no data) so that a user can type the token into it; every call it makes is guarded.

use crate::app::{vendor_routes, Family};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::{json, Value};

/// The page, with its CSS and JavaScript inline.
const PAGE: &str = include_str!("dashboard.html");

/// `GET /__admin/` and `GET /__admin/ui`.
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

fn family_name(f: Family) -> &'static str {
    match f {
        Family::KooDrive => "koodrive",
        Family::OneAccess => "oneaccess",
        Family::Enos => "enos",
        Family::Admin => "admin",
        Family::Other => "other",
    }
}

/// `GET /__admin/meta` → `{"version","routes":[{"route","method","path","family","codes":[…]}]}`.
pub async fn meta() -> Response {
    let routes: Vec<Value> = vendor_routes()
        .map(|(m, p)| {
            let family = Family::of(p);
            json!({
                "route": format!("{m} {p}"),
                "method": m,
                "path": p,
                "family": family_name(family),
                "codes": family.codes(),
            })
        })
        .collect();
    Json(json!({ "version": env!("CARGO_PKG_VERSION"), "routes": routes })).into_response()
}
