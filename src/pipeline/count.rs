//! Counting each answer for `GET /__admin/metrics`: the route's index and the vendor code's index in
//! the label tables ([`LABELS`]). Counting is a few relaxed atomic adds on the server's [`Metrics`]:
//! no lock, no allocation.

use super::route::Route;
use crate::admin;
use crate::admin::metrics::LABELS;
use crate::metrics::{Metrics, VendorCode};
use crate::namespace::AppState;
use axum::http::Method;
use axum::response::Response;

/// The index of a request's route.
pub fn route_index(route: &Route, method: &Method, path: &str) -> usize {
    let l = &*LABELS;
    let found = match route {
        Route::Vendor(_, pattern) => l
            .routes
            .iter()
            .position(|r| std::ptr::eq(r.pattern, *pattern) && r.method == method.as_str()),
        Route::Admin => l.routes.iter().position(|r| {
            r.family == "admin"
                && r.method == method.as_str()
                && admin::path_matches(r.pattern, path)
        }),
        Route::None => None,
    };
    found.unwrap_or(l.unknown())
}

/// Counts one answer.
pub fn answer(app: &AppState, route: usize, resp: &Response, us: u64) {
    let code = match resp.extensions().get::<VendorCode>() {
        None => 0,
        Some(c) => LABELS.codes.iter().position(|(_, k)| k == c).unwrap_or(0),
    };
    let status = resp.status();
    app.metrics.request(route, status.as_u16(), code as u16, us);
    if status == 503 && app.hub.is_some() && resp.headers().contains_key("retry-after") {
        app.metrics
            .store_down
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    }
}

/// Counts a fault's actions and strict mode's refusal on `route`.
pub fn fault(m: &Metrics, route: usize, a: &crate::namespace::faults::Action) {
    let kinds = [
        a.error.is_some(),
        a.status.is_some(),
        a.delay_ms.is_some(),
        a.drop,
        a.malformed,
    ];
    for (i, _) in kinds.iter().enumerate().filter(|(_, on)| **on) {
        m.fault(route, i);
    }
}

/// Counts a request's lint warnings by rule.
pub fn lint(m: &Metrics, route: usize, w: &crate::lint::warnings::Warnings) {
    for w in w.iter() {
        if let Some(i) = crate::lint::RULES.iter().position(|r| r.id == w.id) {
            m.lint(route, i);
        }
    }
}
