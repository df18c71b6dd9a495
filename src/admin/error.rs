//! What a control-plane route refuses with: [`AdminError`], written as `{"error": message}` (and the
//! `problems` of a refused identity) with its HTTP status.

use crate::contract::envelope::error;
use crate::store::Problem;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Serialize;
use utoipa::ToSchema;

/// A refused identity: `error` sums up every problem, `problems` lists them (JSON path and message).
/// A body that is not JSON of the right shape answers `{"error"}` alone.
#[derive(Serialize, ToSchema)]
#[schema(as = MockInvalid)]
pub(crate) struct Invalid {
    error: String,
    #[schema(value_type = Vec<Object>, required = false)]
    problems: Vec<Problem>,
}

/// Why a control-plane request was refused.
#[derive(Debug, thiserror::Error)]
pub enum AdminError {
    /// 400: a body, parameter or value the route does not take.
    #[error("{0}")]
    BadRequest(String),
    /// 404: no such family, user, fault or credential.
    #[error("{0}")]
    NotFound(String),
    /// 400 with `problems`: an identity the store refused.
    #[error("{}", summary(.0))]
    Invalid(Vec<Problem>),
    /// 503 with `Retry-After`: the shared store cannot be reached.
    #[error("the shared store cannot be reached; retry later")]
    Unavailable,
}

impl From<crate::store::Down> for AdminError {
    fn from(_: crate::store::Down) -> Self {
        AdminError::Unavailable
    }
}

impl AdminError {
    pub fn bad_request(msg: impl Into<String>) -> AdminError {
        AdminError::BadRequest(msg.into())
    }

    pub fn not_found(msg: impl Into<String>) -> AdminError {
        AdminError::NotFound(msg.into())
    }
}

fn summary(problems: &[Problem]) -> String {
    let all: Vec<String> = problems
        .iter()
        .map(|p| format!("{}: {}", p.path, p.message))
        .collect();
    all.join("; ")
}

impl IntoResponse for AdminError {
    fn into_response(self) -> Response {
        match self {
            AdminError::BadRequest(m) => error(StatusCode::BAD_REQUEST, &m),
            AdminError::NotFound(m) => error(StatusCode::NOT_FOUND, &m),
            AdminError::Unavailable => crate::contract::respond::retry_later(error(
                StatusCode::SERVICE_UNAVAILABLE,
                &AdminError::Unavailable.to_string(),
            )),
            AdminError::Invalid(problems) => {
                let body = Invalid {
                    error: summary(&problems),
                    problems,
                };
                (StatusCode::BAD_REQUEST, Json(body)).into_response()
            }
        }
    }
}
