//! The KooDrive error enum: each failure's code, message and HTTP status, and the `{"code","msg"}` body
//! it answers (also documented in the OpenAPI document).

use crate::contract::extract::JsonError;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Serialize;
use utoipa::ToSchema;

/// Every KooDrive failure; the doc comment names the code it answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum KooError {
    /// 13000102, HTTP 400.
    #[error("verify parameters failed")]
    Param,
    /// 13000102 with HTTP 413: body over the size limit.
    #[error("body too large")]
    TooLarge,
    /// 13000201, HTTP 400.
    #[error("authorization code invalid or expired")]
    AuthCode,
    /// 13000202, HTTP 401.
    #[error("session invalid or expired")]
    Session,
    /// 13000203, HTTP 401.
    #[error("incorrect account or password")]
    Credentials,
    /// 13000204, HTTP 401.
    #[error("account locked")]
    Locked,
    /// 13000205, HTTP 401.
    #[error("refresh token invalid or expired")]
    Refresh,
    /// 503 (not a vendor code): the shared store cannot be reached.
    #[error("store unavailable")]
    Unavailable,
}

impl KooError {
    pub const ALL: [KooError; 6] = [
        KooError::Param,
        KooError::AuthCode,
        KooError::Session,
        KooError::Credentials,
        KooError::Locked,
        KooError::Refresh,
    ];

    pub fn code(self) -> i64 {
        match self {
            KooError::Param | KooError::TooLarge => 13000102,
            KooError::AuthCode => 13000201,
            KooError::Session => 13000202,
            KooError::Credentials => 13000203,
            KooError::Locked => 13000204,
            KooError::Refresh => 13000205,
            KooError::Unavailable => 503,
        }
    }

    pub fn msg(self) -> &'static str {
        match self {
            KooError::Param | KooError::TooLarge => "Verify parameters failed.",
            KooError::AuthCode => "Authorization code is invalid or expired.",
            KooError::Session => "Session is invalid or expired.",
            KooError::Credentials => "Incorrect account or password.",
            KooError::Locked => "Account is locked. Try again later.",
            KooError::Refresh => "Refresh token is invalid or expired.",
            KooError::Unavailable => {
                "Service unavailable: the mock's store cannot be reached. Retry later."
            }
        }
    }

    pub fn status(self) -> StatusCode {
        match self {
            KooError::Param | KooError::AuthCode => StatusCode::BAD_REQUEST,
            KooError::TooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            KooError::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
            _ => StatusCode::UNAUTHORIZED,
        }
    }

    /// The error a fault names by its vendor code.
    pub fn from_code(code: &str) -> Option<KooError> {
        KooError::ALL
            .into_iter()
            .find(|e| e.code().to_string() == code)
    }
}

/// A KooDrive failure: HTTP 400, 401 or 413 with the vendor code and its message.
#[derive(Serialize, ToSchema)]
#[schema(as = KooDriveError)]
pub struct ErrorBody {
    #[schema(schema_with = error_code_schema)]
    code: i64,
    #[schema(schema_with = error_msg_schema)]
    msg: &'static str,
}

/// Every code [`KooError`] answers, each described, for the OpenAPI document.
fn error_code_schema() -> utoipa::openapi::Object {
    let codes = KooError::ALL.iter().map(|e| {
        let status = match e {
            KooError::Param => "HTTP 400 (413 for a body over 64 KiB)".to_string(),
            e => format!("HTTP {}", e.status().as_u16()),
        };
        (e.code(), format!("{}: {}", status, e.msg()))
    });
    crate::contract::schema::int_codes("The KooDrive error code.", codes)
}

fn error_msg_schema() -> utoipa::openapi::Object {
    crate::contract::schema::str_enum("The code's message.", KooError::ALL.iter().map(|e| e.msg()))
}

impl IntoResponse for KooError {
    fn into_response(self) -> Response {
        let body = ErrorBody {
            code: self.code(),
            msg: self.msg(),
        };
        let mut resp = (self.status(), Json(body)).into_response();
        resp.extensions_mut()
            .insert(crate::metrics::VendorCode::Num(self.code()));
        match self {
            KooError::Unavailable => crate::contract::respond::retry_later(resp),
            _ => resp,
        }
    }
}

impl From<JsonError> for KooError {
    fn from(_: JsonError) -> Self {
        KooError::Param
    }
}
