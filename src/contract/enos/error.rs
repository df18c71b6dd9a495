//! The EnOS error enum: each failure's code and message, and the `{"code","message","data":null}` body it
//! answers with HTTP 200 (also documented in the OpenAPI document).

use super::types::Answer;
use crate::contract::extract::JsonError;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Serialize;
use utoipa::ToSchema;

/// Every EnOS failure; the doc comment names the code and message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum EnosError {
    /// 31400 "orgId is required"
    #[error("orgId is required")]
    OrgRequired,
    /// 31400 "The user name or password is wrong."
    #[error("wrong user name or password")]
    BadLogin,
    /// 31400 "Refresh Token is required"
    #[error("refresh token required")]
    RefreshRequired,
    /// 31400 "Invalid request parameters" (mock-defined message)
    #[error("invalid request parameters")]
    Invalid,
    /// 31400 "Invalid request parameters" with HTTP 413.
    #[error("body too large")]
    TooLarge,
    /// 31401 "Please login first"
    #[error("please login first")]
    LoginFirst,
    /// 31401 "Access token is not valid" (logout)
    #[error("access token is not valid")]
    TokenNotValid,
    /// 31404 "Can not find this organization."
    #[error("organization not found")]
    NoOrg,
    /// 31429 "Attempt of accessing with incorrect password or IP reaches the limit. Please try again later."
    #[error("locked")]
    Locked,
    /// 31512 "Organization unselected"
    #[error("organization unselected")]
    OrgUnselected,
    /// 503 (not a vendor code): the shared store cannot be reached.
    #[error("store unavailable")]
    Unavailable,
}

impl EnosError {
    pub const CODES: [&'static str; 5] = ["31400", "31401", "31404", "31429", "31512"];

    /// Every failure but [`EnosError::TooLarge`] (which answers as [`EnosError::Invalid`] does).
    pub const ALL: [EnosError; 9] = [
        EnosError::OrgRequired,
        EnosError::BadLogin,
        EnosError::RefreshRequired,
        EnosError::Invalid,
        EnosError::LoginFirst,
        EnosError::TokenNotValid,
        EnosError::NoOrg,
        EnosError::Locked,
        EnosError::OrgUnselected,
    ];

    pub fn code(self) -> i64 {
        match self {
            EnosError::OrgRequired
            | EnosError::BadLogin
            | EnosError::RefreshRequired
            | EnosError::Invalid
            | EnosError::TooLarge => 31400,
            EnosError::LoginFirst | EnosError::TokenNotValid => 31401,
            EnosError::NoOrg => 31404,
            EnosError::Locked => 31429,
            EnosError::OrgUnselected => 31512,
            EnosError::Unavailable => 503,
        }
    }

    pub fn message(self) -> &'static str {
        match self {
            EnosError::OrgRequired => "orgId is required",
            EnosError::BadLogin => "The user name or password is wrong.",
            EnosError::RefreshRequired => "Refresh Token is required",
            EnosError::Invalid | EnosError::TooLarge => "Invalid request parameters",
            EnosError::LoginFirst => "Please login first",
            EnosError::TokenNotValid => "Access token is not valid",
            EnosError::NoOrg => "Can not find this organization.",
            EnosError::Locked => {
                "Attempt of accessing with incorrect password or IP reaches the limit. Please try again later."
            }
            EnosError::OrgUnselected => "Organization unselected",
            EnosError::Unavailable => "Service unavailable: the mock's store cannot be reached. Retry later.",
        }
    }

    /// The error a fault names by its vendor code, worded as `op` would word it.
    pub fn from_code(code: &str, op: super::Op) -> Option<EnosError> {
        use super::Op;
        Some(match (code, op) {
            ("31400", Op::Login) => EnosError::BadLogin,
            ("31400", Op::SessionSet) => EnosError::OrgRequired,
            ("31400", Op::TokenRefresh | Op::RevokeAll) => EnosError::RefreshRequired,
            ("31400", _) => EnosError::Invalid,
            ("31401", Op::Logout) => EnosError::TokenNotValid,
            ("31401", _) => EnosError::LoginFirst,
            ("31404", _) => EnosError::NoOrg,
            ("31429", _) => EnosError::Locked,
            ("31512", _) => EnosError::OrgUnselected,
            _ => return None,
        })
    }
}

/// An EnOS failure: `{"code","message","data":null}`, with HTTP 200 (413 for a body over 64 KiB).
#[derive(Serialize, ToSchema)]
#[schema(as = EnosError)]
pub struct ErrorBody {
    #[schema(schema_with = error_code_schema)]
    code: i64,
    #[schema(schema_with = error_message_schema)]
    message: &'static str,
    #[schema(schema_with = crate::contract::schema::null)]
    data: (),
}

/// Every code [`EnosError`] answers, with its messages, for the OpenAPI document.
fn error_code_schema() -> utoipa::openapi::Object {
    let codes = EnosError::ALL.iter().map(|e| {
        let messages: Vec<String> = EnosError::ALL
            .iter()
            .filter(|o| o.code() == e.code())
            .map(|o| format!("\"{}\"", o.message()))
            .collect();
        (e.code(), messages.join(" or "))
    });
    crate::contract::schema::int_codes(
        "The EnOS error code (HTTP 200; 31400 also with HTTP 413 for a body over 64 KiB).",
        codes,
    )
}

fn error_message_schema() -> utoipa::openapi::Object {
    crate::contract::schema::str_enum(
        "The code's message.",
        EnosError::ALL.iter().map(|e| e.message()),
    )
}

impl IntoResponse for EnosError {
    fn into_response(self) -> Response {
        let status = match self {
            EnosError::TooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            EnosError::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
            _ => StatusCode::OK,
        };
        let body: Answer<()> = Answer::Err(ErrorBody {
            code: self.code(),
            message: self.message(),
            data: (),
        });
        let mut resp = (status, Json(body)).into_response();
        resp.extensions_mut()
            .insert(crate::metrics::VendorCode::Num(self.code()));
        match self {
            EnosError::Unavailable => crate::contract::respond::retry_later(resp),
            _ => resp,
        }
    }
}

impl From<JsonError> for EnosError {
    fn from(_: JsonError) -> Self {
        EnosError::Invalid
    }
}
