//! The OneAccess error enum: each failure's code, message and HTTP status, and the
//! `{"error_code","error_msg"}` body it answers (also documented in the OpenAPI document).

use super::routes::LOCK_AFTER;
use crate::contract::extract::JsonError;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Serialize;
use utoipa::ToSchema;

/// Every OneAccess failure; the doc comment names the code it answers.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum OaError {
    /// PARAM.0001 "`<field>` is required."
    #[error("{0} is required")]
    Required(&'static str),
    /// PARAM.0001 "Invalid request body."
    #[error("invalid request body")]
    BadBody,
    /// PARAM.0001 "Invalid request body." with HTTP 413.
    #[error("body too large")]
    TooLarge,
    /// PARAM.0001 naming a deviation from the vendor page (strict mode, the contract lint).
    #[error("request deviates from the vendor page")]
    Deviation(String),
    /// PARAM.0005 "Token required."
    #[error("token required")]
    TokenRequired,
    /// invalid_token "Invalid access token: `<t>`"
    #[error("invalid access token")]
    InvalidToken(String),
    /// invalid_token "Access token expired:`<t>`"
    #[error("access token expired")]
    ExpiredToken(String),
    /// invalid_client (HTTP 401) "Bad client credentials"
    #[error("bad client credentials")]
    InvalidClient,
    /// unsupported_grant_type
    #[error("unsupported grant type")]
    UnsupportedGrant,
    /// LOGIN.0002 "Invalid account name or password. Remaining attempts: `<n>`."
    #[error("invalid account name or password")]
    WrongPassword(u32),
    /// LOGIN.0003 "Account is locked."
    #[error("account locked")]
    Locked,
    /// SESSION.0001
    #[error("session token invalid or expired")]
    Session,
    /// SESSION.0002
    #[error("device fingerprint mismatch")]
    Fingerprint,
    /// TICKET.0001
    #[error("sso ticket invalid, used or expired")]
    Ticket,
    /// TENANT.0001
    #[error("tenant mismatch")]
    Tenant,
    /// APP.0001
    #[error("application does not exist")]
    App,
    /// 503 (not a vendor code): the shared store cannot be reached.
    #[error("store unavailable")]
    Unavailable,
}

impl OaError {
    pub const CODES: [&'static str; 12] = [
        "PARAM.0001",
        "PARAM.0005",
        "invalid_token",
        "invalid_client",
        "unsupported_grant_type",
        "LOGIN.0002",
        "LOGIN.0003",
        "SESSION.0001",
        "SESSION.0002",
        "TICKET.0001",
        "TENANT.0001",
        "APP.0001",
    ];

    pub fn code(&self) -> &'static str {
        match self {
            OaError::Required(_) | OaError::BadBody | OaError::TooLarge | OaError::Deviation(_) => {
                "PARAM.0001"
            }
            OaError::TokenRequired => "PARAM.0005",
            OaError::InvalidToken(_) | OaError::ExpiredToken(_) => "invalid_token",
            OaError::InvalidClient => "invalid_client",
            OaError::UnsupportedGrant => "unsupported_grant_type",
            OaError::WrongPassword(_) => "LOGIN.0002",
            OaError::Locked => "LOGIN.0003",
            OaError::Session => "SESSION.0001",
            OaError::Fingerprint => "SESSION.0002",
            OaError::Ticket => "TICKET.0001",
            OaError::Tenant => "TENANT.0001",
            OaError::App => "APP.0001",
            OaError::Unavailable => "STORE.0503",
        }
    }

    pub fn msg(&self) -> String {
        match self {
            OaError::Required(f) => format!("{f} is required."),
            OaError::BadBody | OaError::TooLarge => "Invalid request body.".into(),
            OaError::Deviation(m) => m.clone(),
            OaError::TokenRequired => "Token required.".into(),
            OaError::InvalidToken(t) => format!("Invalid access token: {t}"),
            OaError::ExpiredToken(t) => format!("Access token expired:{t}"),
            OaError::InvalidClient => "Bad client credentials".into(),
            OaError::UnsupportedGrant => "Unsupported grant type".into(),
            OaError::WrongPassword(n) => {
                format!("Invalid account name or password. Remaining attempts: {n}.")
            }
            OaError::Locked => "Account is locked.".into(),
            OaError::Session => "Session token is invalid or expired.".into(),
            OaError::Fingerprint => "Device fingerprint does not match.".into(),
            OaError::Ticket => "SSO ticket is invalid, used or expired.".into(),
            OaError::Tenant => "Tenant does not match.".into(),
            OaError::App => "Application does not exist.".into(),
            OaError::Unavailable => {
                "Service unavailable: the mock's store cannot be reached. Retry later.".into()
            }
        }
    }

    pub fn status(&self) -> StatusCode {
        match self {
            OaError::InvalidClient => StatusCode::UNAUTHORIZED,
            OaError::TooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            OaError::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
            _ => StatusCode::BAD_REQUEST,
        }
    }

    /// The error a fault names by its vendor code; `token` fills the invalid_token message.
    pub fn from_code(code: &str, token: &str) -> Option<OaError> {
        Some(match code {
            "PARAM.0001" => OaError::BadBody,
            "PARAM.0005" => OaError::TokenRequired,
            "invalid_token" => OaError::InvalidToken(token.to_string()),
            "invalid_client" => OaError::InvalidClient,
            "unsupported_grant_type" => OaError::UnsupportedGrant,
            "LOGIN.0002" => OaError::WrongPassword(LOCK_AFTER - 1),
            "LOGIN.0003" => OaError::Locked,
            "SESSION.0001" => OaError::Session,
            "SESSION.0002" => OaError::Fingerprint,
            "TICKET.0001" => OaError::Ticket,
            "TENANT.0001" => OaError::Tenant,
            "APP.0001" => OaError::App,
            _ => return None,
        })
    }
}

/// A OneAccess failure: HTTP 400 (401 for invalid_client, 413 for a body over 64 KiB).
#[derive(Serialize, ToSchema)]
#[schema(as = OneAccessError)]
pub struct ErrorBody {
    #[schema(schema_with = error_code_schema)]
    error_code: &'static str,
    /// The code's message (some name a field, a count or the token).
    error_msg: String,
}

/// Every code [`OaError`] answers, each described, for the OpenAPI document.
fn error_code_schema() -> utoipa::openapi::Object {
    let codes = OaError::CODES.iter().filter_map(|c| {
        let e = OaError::from_code(c, "<t>")?;
        let msg = match &e {
            OaError::BadBody => "`<field> is required.` or `Invalid request body.`".to_string(),
            OaError::InvalidToken(_) => {
                "`Invalid access token: <t>` or `Access token expired:<t>`".to_string()
            }
            OaError::WrongPassword(_) => {
                "`Invalid account name or password. Remaining attempts: <n>.`".to_string()
            }
            e => e.msg(),
        };
        let status = match &e {
            OaError::BadBody => "HTTP 400 (413 for a body over 64 KiB)".to_string(),
            e => format!("HTTP {}", e.status().as_u16()),
        };
        Some((*c, format!("{status}: {msg}")))
    });
    crate::contract::schema::str_codes("The OneAccess error code.", codes)
}

impl IntoResponse for OaError {
    fn into_response(self) -> Response {
        let body = ErrorBody {
            error_code: self.code(),
            error_msg: self.msg(),
        };
        let mut resp = (self.status(), Json(body)).into_response();
        resp.extensions_mut()
            .insert(crate::metrics::VendorCode::Text(self.code()));
        match self {
            OaError::Unavailable => crate::contract::respond::retry_later(resp),
            _ => resp,
        }
    }
}

impl From<JsonError> for OaError {
    fn from(_: JsonError) -> Self {
        OaError::BadBody
    }
}
