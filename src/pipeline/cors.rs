//! CORS, for every answer: browser apps call the mock directly. tower-http's `CorsLayer` wraps the
//! pipeline ([`super::layers`]), configured here: any origin answers `*`, a `--cors-origins` list echoes
//! a listed `Origin`; every answer exposes all headers; a preflight (OPTIONS with
//! `Access-Control-Request-Method`) is answered 200 with the asked method and headers mirrored, for
//! 10 minutes, for any path; every answer varies by the three request headers.

use crate::namespace::Settings;
use axum::http::{header, HeaderValue, Method, Request};
use std::time::Duration;
use tower_http::cors::{AllowHeaders, AllowMethods, AllowOrigin, CorsLayer, ExposeHeaders};

/// The layer, configured from `--cors-origins`.
pub fn layer(settings: &Settings) -> CorsLayer {
    let origins = if settings.cors_any_origin() {
        AllowOrigin::any()
    } else {
        // A `*` inside a list matches no `Origin` (and tower-http refuses it in a list); neither does a
        // value that cannot be a header.
        AllowOrigin::list(
            settings
                .cors_origins
                .split(',')
                .map(str::trim)
                .filter(|o| !o.is_empty() && *o != "*")
                .filter_map(|o| HeaderValue::from_str(o).ok()),
        )
    };
    CorsLayer::new()
        .allow_origin(origins)
        .allow_methods(AllowMethods::mirror_request())
        .allow_headers(AllowHeaders::mirror_request())
        .expose_headers(ExposeHeaders::any())
        .max_age(Duration::from_secs(600))
}

/// Marks a plain OPTIONS (no `Access-Control-Request-Method`: not a preflight) that passes the layer.
///
/// The one thing tower-http cannot be told: it answers every OPTIONS as a preflight, while a plain one
/// must reach its route (405 with `Allow`, or 404) and still get an ordinary answer's CORS headers. So
/// it passes the layer as a GET, marked, and the pipeline's first step puts the method back.
#[derive(Clone, Copy)]
struct PlainOptions;

/// Before the layer: hides a plain OPTIONS from it.
pub fn hide_plain_options<B>(req: &mut Request<B>) {
    if req.method() == Method::OPTIONS
        && !req
            .headers()
            .contains_key(header::ACCESS_CONTROL_REQUEST_METHOD)
    {
        *req.method_mut() = Method::GET;
        req.extensions_mut().insert(PlainOptions);
    }
}

/// After the layer: a plain OPTIONS is an OPTIONS again.
pub fn restore_plain_options<B>(req: &mut Request<B>) {
    if req.extensions_mut().remove::<PlainOptions>().is_some() {
        *req.method_mut() = Method::OPTIONS;
    }
}
