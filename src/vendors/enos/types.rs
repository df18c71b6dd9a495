//! EnOS request and response bodies, the success envelope and the answer that is either it or an error,
//! and the claims of the refresh token.

use super::error::ErrorBody;
use crate::extract::lenient_string;
use crate::respond::Json;
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// An EnOS success: `{"code":0,"message":"OK","data"}`.
#[derive(Serialize, ToSchema)]
#[schema(as = EnosEnvelope<T>)]
pub(super) struct Envelope<T: Serialize> {
    #[schema(schema_with = success_code_schema)]
    pub(super) code: i64,
    pub(super) message: &'static str,
    pub(super) data: T,
}

/// What an EnOS route answers with HTTP 200: its success envelope (code 0) or an error envelope.
#[derive(Serialize, ToSchema)]
#[serde(untagged)]
#[schema(as = EnosAnswer<T>)]
pub(super) enum Answer<T: Serialize> {
    Ok(Envelope<T>),
    Err(ErrorBody),
}

fn success_code_schema() -> utoipa::openapi::Object {
    crate::openapi::int_codes("0 on success.", [(0, "OK".to_string())])
}

pub(super) fn ok<T: Serialize>(data: T) -> Response {
    Json(Answer::Ok(Envelope {
        code: 0,
        message: "OK",
        data,
    }))
    .into_response()
}

/// Login request. Unknown fields are ignored; a string field may also be a JSON number.
#[derive(Deserialize, ToSchema)]
#[schema(as = EnosLoginRequest)]
pub(super) struct LoginReq {
    #[serde(default, deserialize_with = "lenient_string")]
    #[schema(value_type = String, required = true)]
    pub(super) account: Option<String>,
    #[serde(default, deserialize_with = "lenient_string")]
    #[schema(value_type = String, required = true)]
    pub(super) password: Option<String>,
}

/// An organization of the user.
#[derive(Serialize, ToSchema)]
#[schema(as = EnosOrgRef)]
pub(super) struct OrgRef<'a> {
    pub(super) id: &'a str,
    pub(super) name: &'a str,
}

#[derive(Serialize, ToSchema)]
#[schema(as = EnosLoginUser)]
pub(super) struct LoginUser<'a> {
    pub(super) id: &'a str,
    pub(super) name: &'a str,
    pub(super) email: &'a str,
}

/// A login: a login-only token (good for session/set and logout), the user's organizations.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(as = EnosLoginData)]
pub(super) struct LoginData<'a> {
    pub(super) access_token: String,
    pub(super) mfa_type: &'static str,
    pub(super) organizations: Vec<OrgRef<'a>>,
    pub(super) user: LoginUser<'a>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct RefreshClaims<'a> {
    pub(super) sub: &'a str,
    pub(super) admin_level: i64,
    pub(super) iss: &'static str,
    pub(super) working_organization_id: &'a str,
    pub(super) user_name: &'a str,
    pub(super) working_organization_name: &'a str,
    pub(super) exp: i64,
    pub(super) user_id: &'a str,
    pub(super) iat: i64,
    pub(super) jti: &'a str,
}

/// An org-bound session.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(as = EnosSessionData)]
pub(super) struct SessionData<'a> {
    pub(super) user_id: &'a str,
    pub(super) user_name: &'a str,
    pub(super) current_org_id: &'a str,
    pub(super) current_org_name: &'a str,
    /// `APP_PORTAL_S_…`, bound to the organization (2 hours).
    pub(super) access_token: &'a str,
    /// An HS256 JWT (30 days).
    pub(super) refresh_token: &'a str,
    /// The refresh token's `exp`, epoch milliseconds.
    pub(super) refresh_token_expire: i64,
}

/// Choose-organization request. Unknown fields are ignored; a string field may also be a JSON number.
#[derive(Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(as = EnosSessionSetRequest)]
pub(super) struct SessionSetReq {
    /// An organization of the token's user (missing: 31400, not a member: 31404).
    #[serde(default, deserialize_with = "lenient_string")]
    #[schema(value_type = String, required = true)]
    pub(super) org_id: Option<String>,
}

/// The token's user and current organization.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(as = EnosSessionInfo)]
pub(super) struct SessionInfo<'a> {
    pub(super) user_id: &'a str,
    pub(super) user_name: &'a str,
    pub(super) current_org_id: &'a str,
    pub(super) current_org_name: &'a str,
}

/// The user's profile.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(as = EnosUserInfo)]
pub(super) struct UserInfo<'a> {
    pub(super) id: &'a str,
    pub(super) name: &'a str,
    pub(super) domain: &'a str,
    pub(super) description: &'a str,
    pub(super) nick_name: &'a str,
    pub(super) phone_area: &'a str,
    pub(super) phone: &'a str,
    pub(super) email: &'a str,
    pub(super) created_time: &'a str,
    /// 0 or 1.
    #[serde(rename = "type")]
    pub(super) user_type: i64,
    pub(super) company: &'a str,
    pub(super) department: &'a str,
    pub(super) position: &'a str,
}
