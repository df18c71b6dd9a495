//! The label tables of the metrics: every route (from the vendor route tables and the control plane's,
//! then one label for every unknown path) and every vendor code (from the families' error enums), each
//! counted by its index.

use crate::admin;
use crate::contract::family::Internal;
use crate::contract::Family;
use crate::metrics::{VendorCode, MAX_ROUTES};
use std::sync::LazyLock;

/// One route's labels: family (`admin` for the control plane, `none` for an unknown path), method
/// and pattern.
#[derive(Debug, Clone, Copy)]
pub struct RouteLabel {
    pub family: &'static str,
    pub method: &'static str,
    pub pattern: &'static str,
}

/// Every label a counter can carry.
pub struct Labels {
    pub routes: Vec<RouteLabel>,
    /// Vendor codes; index 0 is `none` (an answer without one).
    pub codes: Vec<(&'static str, VendorCode)>,
}

impl Labels {
    /// The index of every unknown path's route.
    pub fn unknown(&self) -> usize {
        self.routes.len() - 1
    }
}

pub static LABELS: LazyLock<Labels> = LazyLock::new(|| {
    let mut routes: Vec<RouteLabel> = crate::contract::routes()
        .map(|(method, pattern)| RouteLabel {
            family: Family::of(pattern).map_or("none", Family::name),
            method,
            pattern,
        })
        .collect();
    routes.extend(admin::ROUTES.iter().map(|&(method, pattern)| RouteLabel {
        family: "admin",
        method,
        pattern,
    }));
    routes.push(RouteLabel {
        family: "none",
        method: "",
        pattern: "unknown",
    });
    assert!(routes.len() <= MAX_ROUTES, "raise metrics::MAX_ROUTES");
    let mut codes = vec![("none", VendorCode::Num(0))];
    for f in Family::ALL {
        // The family's codes and the mock's own 5xx (store down or broken, starting, a panic), each
        // named once.
        let own = [
            f.unavailable(),
            f.internal(Internal::Store, ""),
            f.internal(Internal::Bug, ""),
            f.starting(),
        ];
        let own = own
            .iter()
            .filter_map(|r| r.extensions().get::<VendorCode>().copied());
        for c in f.codes().into_iter().map(|c| code_of(f, c)).chain(own) {
            if !codes.iter().any(|(_, k)| *k == c) {
                let label = match c {
                    VendorCode::Num(n) => &*Box::leak(n.to_string().into_boxed_str()),
                    VendorCode::Text(t) => t,
                };
                codes.push((label, c));
            }
        }
    }
    Labels { routes, codes }
});

/// A family's code as its error enum attaches it (numbers for KooDrive and EnOS).
fn code_of(f: Family, c: String) -> VendorCode {
    match (f, c.parse::<i64>()) {
        (Family::OneAccess, _) | (_, Err(_)) => VendorCode::Text(Box::leak(c.into_boxed_str())),
        (_, Ok(n)) => VendorCode::Num(n),
    }
}
