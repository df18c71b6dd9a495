//! The control plane's routes, declared once: each row names the method, the path, whether the admin
//! token guards it, and the handler. From this one table come the router, [`ROUTES`] (the 404 body,
//! the 405 `Allow`) and the OpenAPI paths (each handler's `#[utoipa::path]`).

use super::guard;
use super::{
    clock, dashboard, faults, health, identities, journal, metrics, revoke, state_dump, verify,
    warnings,
};
use crate::namespace::AppState;
use axum::middleware;
use axum::Router;

macro_rules! method_name {
    (get) => {
        "GET"
    };
    (post) => {
        "POST"
    };
    (delete) => {
        "DELETE"
    };
}

macro_rules! admin_routes {
    ($( $method:ident $path:literal $access:ident => $($handler:ident)::+ ),* $(,)?) => {
        /// Every control-plane route as `(method, pattern)`.
        pub const ROUTES: &[(&str, &str)] = &[$((method_name!($method), $path)),*];

        /// The control plane's router: a guarded route runs behind the admin token guard.
        pub fn router(state: AppState) -> Router<AppState> {
            let (mut guarded, mut open) = (Router::new(), Router::new());
            $(admin_routes!(@add $access, guarded, open, $path, axum::routing::$method($($handler)::+));)*
            guarded
                .route_layer(middleware::from_fn_with_state(state, guard))
                .merge(open)
        }

        admin_routes!(@paths [] $($access $($handler)::+;)*);
    };
    // The OpenAPI paths: every row's handler but an alias's (documented as a copy of its original).
    (@paths [$($done:tt)*]) => {
        /// The control plane's OpenAPI paths.
        #[derive(utoipa::OpenApi)]
        #[openapi(paths($($done)*))]
        pub struct Paths;
    };
    (@paths [$($done:tt)*] alias $($h:ident)::+; $($rest:tt)*) => {
        admin_routes!(@paths [$($done)*] $($rest)*);
    };
    (@paths [$($done:tt)*] $access:ident $($h:ident)::+; $($rest:tt)*) => {
        admin_routes!(@paths [$($done)* $($h)::+,] $($rest)*);
    };
    (@add guarded, $g:ident, $o:ident, $path:literal, $m:expr) => {
        $g = $g.route($path, $m);
    };
    (@add open, $g:ident, $o:ident, $path:literal, $m:expr) => {
        $o = $o.route($path, $m);
    };
    (@add alias, $g:ident, $o:ident, $path:literal, $m:expr) => {
        $o = $o.route($path, $m);
    };
}

// `open`: no admin token needed — the page holds no data (it asks for the token itself) and a CA
// certificate is public (a device fetching it to install carries no token). `alias`: open, and
// documented as a copy of the route it repeats (openapi/mod.rs). Health is guarded but never refused
// (see `denied`).
admin_routes! {
    get "/__admin/health" guarded => super::health,
    get "/__admin/health/live" guarded => health::live,
    get "/__admin/health/ready" guarded => health::ready,
    get "/__admin/metrics" guarded => metrics::metrics,
    post "/__admin/reset" guarded => super::reset,
    get "/__admin/state" guarded => state_dump::state,
    post "/__admin/{family}/users" guarded => identities::add_user,
    delete "/__admin/{family}/users/{id}" guarded => identities::delete_user,
    post "/__admin/{family}/orgs" guarded => identities::add_org,
    post "/__admin/oneaccess/clients" guarded => identities::add_client,
    post "/__admin/koodrive/auth-codes" guarded => identities::mint_auth_code,
    post "/__admin/koodrive/verification-codes" guarded => identities::mint_verification_code,
    delete "/__admin/tokens/{token}" guarded => revoke::revoke_token,
    get "/__admin/requests" guarded => journal::list_requests,
    delete "/__admin/requests" guarded => journal::clear_requests,
    get "/__admin/warnings" guarded => warnings::warnings,
    post "/__admin/verify" guarded => verify::verify,
    get "/__admin/faults" guarded => faults::list_faults,
    post "/__admin/faults" guarded => faults::add_fault,
    delete "/__admin/faults" guarded => faults::clear_faults,
    delete "/__admin/faults/{id}" guarded => faults::delete_fault,
    get "/__admin/clock" guarded => clock::get_clock,
    post "/__admin/clock" guarded => clock::set_clock,
    delete "/__admin/clock" guarded => clock::reset_clock,
    get "/__admin/" open => dashboard::page,
    get "/__admin/ui" alias => dashboard::page,
    get "/__admin/meta" guarded => dashboard::meta,
    get "/__admin/openapi.json" guarded => super::openapi,
    get "/__admin/ca.pem" open => super::ca_pem,
}
