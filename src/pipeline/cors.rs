//! CORS, done once for every answer, around the pipeline ([`super::layers`]): browser apps call the
//! mock directly. The headers are written here rather than by tower-http's `CorsLayer`: wrapped around
//! the pipeline it cost more than the 5 % of a request's instructions its use was allowed (it builds a
//! header map and its `Vary` value per request; bench/RESULTS.md), and the mock needs only these few
//! headers.
//!
//! Behaviour (tower-http's, as configured before): any origin answers `*`, a list echoes a listed
//! `Origin`; every answer exposes all headers; a preflight (OPTIONS with
//! `Access-Control-Request-Method`) is answered 200 with the asked method and headers mirrored, for
//! 10 minutes; every answer varies by the three request headers.

use crate::namespace::Settings;
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use axum::response::{IntoResponse, Response};

/// The `Vary` of every answer: CORS answers differ by these request headers.
pub const VARY: HeaderValue = HeaderValue::from_static(
    "origin, access-control-request-method, access-control-request-headers",
);
const ANY: HeaderValue = HeaderValue::from_static("*");
const MAX_AGE: HeaderValue = HeaderValue::from_static("600");

/// Whether a request is a CORS preflight (a plain OPTIONS is routed like any other method).
pub fn is_preflight(method: &Method, headers: &HeaderMap) -> bool {
    method == Method::OPTIONS && headers.contains_key(header::ACCESS_CONTROL_REQUEST_METHOD)
}

/// The `Access-Control-Allow-Origin` a request earns, if any.
pub fn allow_origin(settings: &Settings, headers: &HeaderMap) -> Option<HeaderValue> {
    if settings.cors_any_origin() {
        return Some(ANY);
    }
    let origin = headers.get(header::ORIGIN)?;
    settings
        .cors_origins
        .split(',')
        .any(|o| o.trim().as_bytes() == origin.as_bytes())
        .then(|| origin.clone())
}

/// The answer to a preflight, for any path.
pub fn preflight(settings: &Settings, headers: &HeaderMap) -> Response {
    let mut r = StatusCode::OK.into_response();
    let h = r.headers_mut();
    if let Some(o) = allow_origin(settings, headers) {
        h.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, o);
    }
    for (asked, allowed) in [
        (
            header::ACCESS_CONTROL_REQUEST_METHOD,
            header::ACCESS_CONTROL_ALLOW_METHODS,
        ),
        (
            header::ACCESS_CONTROL_REQUEST_HEADERS,
            header::ACCESS_CONTROL_ALLOW_HEADERS,
        ),
    ] {
        if let Some(v) = headers.get(asked) {
            h.insert(allowed, v.clone());
        }
    }
    h.insert(header::ACCESS_CONTROL_MAX_AGE, MAX_AGE);
    h.insert(header::VARY, VARY);
    r
}

/// Adds the CORS headers of an ordinary answer.
pub fn finish<B>(origin: Option<HeaderValue>, resp: &mut axum::http::Response<B>) {
    let h = resp.headers_mut();
    if let Some(o) = origin {
        h.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, o);
    }
    h.insert(header::ACCESS_CONTROL_EXPOSE_HEADERS, ANY);
    h.insert(header::VARY, VARY);
}
