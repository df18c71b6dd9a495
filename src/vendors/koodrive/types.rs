//! KooDrive request and response bodies, and the success envelopes that wrap them.

use crate::extract::lenient_string;
use crate::respond::Json;
use crate::store::Text;
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// `code` of a success envelope: always 0.
fn success_code_schema() -> utoipa::openapi::Object {
    crate::openapi::int_codes("0 on success.", [(0, "success".to_string())])
}

/// A KooDrive success: `{"code":0,"msg","data"}`.
#[derive(Serialize, ToSchema)]
#[schema(as = KooDriveEnvelope<T>)]
pub(super) struct Envelope<T: Serialize> {
    #[schema(schema_with = success_code_schema)]
    pub(super) code: i64,
    pub(super) msg: &'static str,
    pub(super) data: T,
}

pub(super) fn ok<T: Serialize>(msg: &'static str, data: T) -> Response {
    Json(Envelope { code: 0, msg, data }).into_response()
}

// ---------------------------------------------------------------------------------------------------
// Enterprise session APIs

/// Create-session request. Unknown fields are ignored; a string field may also be a JSON number.
#[derive(Deserialize, ToSchema)]
#[schema(as = KooDriveCreateSessionRequest)]
pub(super) struct CreateSessionReq {
    /// The authorization code (a fixture code, or one minted by `POST /__admin/koodrive/auth-codes`).
    #[serde(default, deserialize_with = "lenient_string")]
    #[schema(value_type = String, required = true)]
    pub(super) code: Option<String>,
    /// The enterprise console domain (accepted and ignored).
    #[serde(default, deserialize_with = "lenient_string")]
    #[schema(value_type = String)]
    #[allow(dead_code)]
    pub(super) domain: Option<String>,
}

/// The session's user and organization.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(as = KooDriveSessionUserInfo)]
pub(super) struct SessionUserInfo<'a> {
    pub(super) role: &'a str,
    pub(super) user_name: &'a str,
    pub(super) inner_user_id: &'a str,
    pub(super) user_id: &'a str,
    pub(super) tenant_id: &'a str,
    pub(super) org_id: &'a str,
    pub(super) org_name: &'a str,
    /// Only in the create-session answer.
    #[serde(rename = "xhwSchema", skip_serializing_if = "Option::is_none")]
    pub(super) xhw_schema: Option<&'a str>,
    pub(super) user_count: u64,
    pub(super) dept_id: &'a str,
}

/// A new session.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(as = KooDriveSessionData)]
pub(super) struct SessionData<'a> {
    /// `Bearer <48 hex>`: send it as `Authorization` on the session routes.
    pub(super) access_token: String,
    pub(super) session_id: &'a str,
    pub(super) user_id: &'a str,
    pub(super) user_info: SessionUserInfo<'a>,
}

/// A session's new token: `{"accessToken","code":0,"msg":"success"}`.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(as = KooDriveSessionRefresh)]
pub(super) struct RefreshBody {
    /// `Bearer <48 hex>`.
    pub(super) access_token: String,
    #[schema(schema_with = success_code_schema)]
    pub(super) code: i64,
    pub(super) msg: &'static str,
}

/// `{"code":0,"msg":"success"}`.
#[derive(Serialize, ToSchema)]
#[schema(as = KooDriveLogoff)]
pub(super) struct Plain {
    #[schema(schema_with = success_code_schema)]
    pub(super) code: i64,
    pub(super) msg: &'static str,
}

// ---------------------------------------------------------------------------------------------------
// Carrier login APIs

/// Login request. Unknown fields are ignored; a string field may also be a JSON number.
#[derive(Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(as = KooDriveLoginRequest)]
pub(super) struct LoginReq {
    /// Account name or phone number.
    #[serde(default, deserialize_with = "lenient_string")]
    #[schema(value_type = String, required = true)]
    pub(super) account: Option<String>,
    /// "1": password, "2": verification code.
    #[serde(default, deserialize_with = "lenient_string")]
    #[schema(value_type = String, required = true)]
    pub(super) auth_type: Option<String>,
    /// Required with authType "1".
    #[serde(default, deserialize_with = "lenient_string")]
    #[schema(value_type = String)]
    pub(super) password: Option<String>,
    /// The verification code; required with authType "2".
    #[serde(default, deserialize_with = "lenient_string")]
    #[schema(value_type = String)]
    pub(super) captcha_token: Option<String>,
}

/// A login access token and its refresh token.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(as = KooDriveSessionInfo)]
pub(super) struct SessionInfo {
    /// `AT <48 hex>`.
    pub(super) access_token: String,
    /// Seconds the access token lives (1800).
    pub(super) expires_in: i64,
    /// Issuance, epoch milliseconds as text.
    pub(super) issued_at: String,
    /// 48 hex.
    #[schema(value_type = String)]
    pub(super) refresh_token: Text,
}

/// The logged-in user.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(as = KooDriveLoginUserInfo)]
pub(super) struct LoginUserInfo<'a> {
    pub(super) user_id: &'a str,
    pub(super) firstname: &'a str,
    pub(super) surname: &'a str,
    pub(super) phone: &'a str,
    pub(super) email: &'a str,
}

/// What a login answers.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(as = KooDriveLoginData)]
pub(super) struct LoginData<'a> {
    pub(super) user_info: LoginUserInfo<'a>,
    pub(super) session_info: SessionInfo,
}

/// The login success envelope, `data` first: `{"data","code":0,"msg":"Success"}`.
#[derive(Serialize, ToSchema)]
#[schema(as = KooDriveLoginEnvelope<T>)]
pub(super) struct DataFirst<T: Serialize> {
    pub(super) data: T,
    #[schema(schema_with = success_code_schema)]
    pub(super) code: i64,
    pub(super) msg: &'static str,
}

/// The new token pair.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(as = KooDriveRefreshData)]
pub(super) struct RefreshData {
    pub(super) session_info: SessionInfo,
}

/// Refresh request. Unknown fields are ignored; a string field may also be a JSON number.
#[derive(Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(as = KooDriveRefreshTokenRequest)]
pub(super) struct RefreshTokenReq {
    /// The refresh token issued with the access token in `Authorization`.
    #[serde(default, deserialize_with = "lenient_string")]
    #[schema(value_type = String, required = true)]
    pub(super) refresh_token: Option<String>,
}
