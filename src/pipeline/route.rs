//! Which code answers a request: a vendor operation from the route table, the control plane, or
//! nobody (404, or 405 with `Allow` on a known path).

use crate::admin;
use crate::contract::Family;
use crate::contract::{self, Op};
use axum::http::{header, HeaderValue, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::json;

/// Where a request goes.
pub enum Route {
    /// A vendor operation, with its route pattern (fault keys and the journal name it).
    Vendor(Op, &'static str),
    /// The control plane's router, which answers its own 404s and 405s under `/__admin`.
    Admin,
    /// No route: 404, or 405 on a known path.
    None,
}

/// A control-plane path: `/__admin` and below.
pub fn is_admin(path: &str) -> bool {
    path == "/__admin" || path.starts_with("/__admin/")
}

impl Route {
    /// Where a request goes, and the vendor family whose prefix its path has (resolved once here):
    /// `/__admin` first, then only that family's route table (outside every prefix: OrgID's sign-in
    /// page, whose family stays `None` so that the pipeline's refusals there are the mock's own).
    pub fn of(method: &Method, path: &str) -> (Route, Option<Family>) {
        if is_admin(path) {
            return (Route::Admin, None);
        }
        let family = Family::of(path);
        let route = match contract::find(family, method, path) {
            Some((op, pattern)) => Route::Vendor(op, pattern),
            None => Route::None,
        };
        (route, family)
    }
}

/// Every route, vendor and admin, as `"METHOD /path"` (the 404 body lists them).
pub fn all_routes() -> Vec<String> {
    contract::routes()
        .chain(admin::ROUTES.iter().copied())
        .map(|(m, p)| format!("{m} {p}"))
        .collect()
}

/// The methods a known path accepts.
fn allowed(path: &str) -> Vec<&'static str> {
    let mut v: Vec<&'static str> = contract::routes()
        .chain(admin::ROUTES.iter().copied())
        .filter(|(_, p)| admin::path_matches(p, path))
        .map(|(m, _)| m)
        .collect();
    v.dedup();
    v
}

/// The answer to a request no route takes: 405 with `Allow` on a known path, else 404.
pub fn not_served(method: &Method, uri: &Uri) -> Response {
    let allow = allowed(uri.path());
    if allow.is_empty() {
        let body = json!({
            "error": "no route",
            "method": method.as_str(),
            "path": uri.path(),
            "routes": all_routes(),
        });
        return (StatusCode::NOT_FOUND, Json(body)).into_response();
    }
    let body = json!({
        "error": "method not allowed",
        "method": method.as_str(),
        "path": uri.path(),
        "allow": allow,
    });
    let mut r = (StatusCode::METHOD_NOT_ALLOWED, Json(body)).into_response();
    if let Ok(v) = HeaderValue::from_str(&allow.join(", ")) {
        r.headers_mut().insert(header::ALLOW, v);
    }
    r
}
