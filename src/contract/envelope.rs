//! The mock's own `{"error": message}` envelope, for what no vendor page covers: the control plane's
//! refusals and the pipeline's own (an invalid `X-Mock-Namespace`, a body no family claims, a bad
//! `X-Mock-Delay`). It sits in the contract, below both, so that the pipeline and the control plane
//! write the same one.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Serialize;
use utoipa::ToSchema;

/// A control-plane error (also the request layer's own refusals, on any route).
#[derive(Serialize, ToSchema)]
#[schema(as = MockError)]
pub struct ErrorBody<'a> {
    /// What went wrong.
    pub error: &'a str,
}

/// `{"error": message}` with `status`.
pub fn error(status: StatusCode, msg: &str) -> Response {
    (status, Json(ErrorBody { error: msg })).into_response()
}
