//! EnOS request and response bodies, the success envelope and the answer that is either it or an error,
//! and the claims of the refresh token.

use super::error::ErrorBody;
use crate::contract::json::lenient_string;
use crate::contract::respond::{HandWrittenJson, JsonOut, WriteJson};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use std::borrow::Cow;
use utoipa::ToSchema;

/// An EnOS success: `{"code":0,"message":"OK","data"}`.
#[derive(Serialize, ToSchema)]
#[schema(as = EnosEnvelope<T>)]
pub struct Envelope<T: Serialize> {
    #[schema(schema_with = success_code_schema)]
    pub code: i64,
    pub message: &'static str,
    pub data: T,
}

/// What an EnOS route answers with HTTP 200: its success envelope (code 0) or an error envelope.
// Only the OpenAPI document uses it: `ok` writes the envelope, `EnosError` the error.
#[allow(dead_code)]
#[derive(Serialize, ToSchema)]
#[serde(untagged)]
#[schema(as = EnosAnswer<T>)]
pub enum Answer<T: Serialize> {
    Ok(Envelope<T>),
    Err(ErrorBody),
}

fn success_code_schema() -> utoipa::openapi::Object {
    crate::contract::schema::int_codes("0 on success.", [(0, "OK".to_string())])
}

pub fn ok<T: Serialize + WriteJson>(data: T) -> Response {
    HandWrittenJson(Envelope {
        code: 0,
        message: "OK",
        data,
    })
    .into_response()
}

/// Login request. Unknown fields are ignored; a string field may also be a JSON number.
#[derive(Deserialize, ToSchema)]
#[schema(as = EnosLoginRequest)]
pub struct LoginReq<'a> {
    #[serde(borrow, default, deserialize_with = "lenient_string")]
    #[schema(value_type = String, required = true)]
    pub account: Option<Cow<'a, str>>,
    #[serde(borrow, default, deserialize_with = "lenient_string")]
    #[schema(value_type = String, required = true)]
    pub password: Option<Cow<'a, str>>,
}

/// An organization of the user.
#[derive(Serialize, ToSchema)]
#[schema(as = EnosOrgRef)]
pub struct OrgRef<'a> {
    pub id: &'a str,
    pub name: &'a str,
}

#[derive(Serialize, ToSchema)]
#[schema(as = EnosLoginUser)]
pub struct LoginUser<'a> {
    pub id: &'a str,
    pub name: &'a str,
    pub email: &'a str,
}

/// A login: a login-only token (good for session/set and logout), the user's organizations.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(as = EnosLoginData)]
pub struct LoginData<'a> {
    pub access_token: String,
    pub mfa_type: &'static str,
    pub organizations: Vec<OrgRef<'a>>,
    pub user: LoginUser<'a>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RefreshClaims<'a> {
    pub sub: &'a str,
    pub admin_level: i64,
    pub iss: &'static str,
    pub working_organization_id: &'a str,
    pub user_name: &'a str,
    pub working_organization_name: &'a str,
    pub exp: i64,
    pub user_id: &'a str,
    pub iat: i64,
    pub jti: &'a str,
}

/// An org-bound session.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(as = EnosSessionData)]
pub struct SessionData<'a> {
    pub user_id: &'a str,
    pub user_name: &'a str,
    pub current_org_id: &'a str,
    pub current_org_name: &'a str,
    /// `APP_PORTAL_S_…`, bound to the organization (2 hours).
    pub access_token: &'a str,
    /// An HS256 JWT (30 days).
    pub refresh_token: &'a str,
    /// The refresh token's `exp`, epoch milliseconds.
    pub refresh_token_expire: i64,
}

/// Choose-organization request. Unknown fields are ignored; a string field may also be a JSON number.
#[derive(Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(as = EnosSessionSetRequest)]
pub struct SessionSetReq<'a> {
    /// An organization of the token's user (missing: 31400, not a member: 31404).
    #[serde(borrow, default, deserialize_with = "lenient_string")]
    #[schema(value_type = String, required = true)]
    pub org_id: Option<Cow<'a, str>>,
}

/// The token's user and current organization.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(as = EnosSessionInfo)]
pub struct SessionInfo<'a> {
    pub user_id: &'a str,
    pub user_name: &'a str,
    pub current_org_id: &'a str,
    pub current_org_name: &'a str,
}

/// The user's profile.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(as = EnosUserInfo)]
pub struct UserInfo<'a> {
    pub id: &'a str,
    pub name: &'a str,
    pub domain: &'a str,
    pub description: &'a str,
    pub nick_name: &'a str,
    pub phone_area: &'a str,
    pub phone: &'a str,
    pub email: &'a str,
    pub created_time: &'a str,
    /// 0 or 1.
    #[serde(rename = "type")]
    pub user_type: i64,
    pub company: &'a str,
    pub department: &'a str,
    pub position: &'a str,
}

// ---------------------------------------------------------------------------------------------------
// The success answers written by hand (see `crate::contract::respond`); each matches its `Serialize` (tested).

impl<T: Serialize + WriteJson> WriteJson for Envelope<T> {
    fn write_json(&self, o: &mut JsonOut) {
        o.raw("{\"code\":").int(self.code);
        o.raw(",\"message\":").str(self.message);
        o.raw(",\"data\":").value(&self.data).raw("}");
    }
}

impl WriteJson for LoginData<'_> {
    fn write_json(&self, o: &mut JsonOut) {
        o.raw("{\"accessToken\":").str(&self.access_token);
        o.raw(",\"mfaType\":").str(self.mfa_type);
        o.raw(",\"organizations\":[");
        for (i, org) in self.organizations.iter().enumerate() {
            if i > 0 {
                o.raw(",");
            }
            o.raw("{\"id\":").str(org.id);
            o.raw(",\"name\":").str(org.name).raw("}");
        }
        o.raw("],\"user\":{\"id\":").str(self.user.id);
        o.raw(",\"name\":").str(self.user.name);
        o.raw(",\"email\":").str(self.user.email).raw("}}");
    }
}

/// The user and organization fields both session answers open with, up to `currentOrgName` (the
/// object left open).
fn open_session_fields(
    o: &mut JsonOut,
    user_id: &str,
    user_name: &str,
    org_id: &str,
    org_name: &str,
) {
    o.raw("{\"userId\":").str(user_id);
    o.raw(",\"userName\":").str(user_name);
    o.raw(",\"currentOrgId\":").str(org_id);
    o.raw(",\"currentOrgName\":").str(org_name);
}

impl WriteJson for SessionData<'_> {
    fn write_json(&self, o: &mut JsonOut) {
        open_session_fields(
            o,
            self.user_id,
            self.user_name,
            self.current_org_id,
            self.current_org_name,
        );
        o.raw(",\"accessToken\":").str(self.access_token);
        o.raw(",\"refreshToken\":").str(self.refresh_token);
        o.raw(",\"refreshTokenExpire\":")
            .int(self.refresh_token_expire)
            .raw("}");
    }
}

impl WriteJson for SessionInfo<'_> {
    fn write_json(&self, o: &mut JsonOut) {
        open_session_fields(
            o,
            self.user_id,
            self.user_name,
            self.current_org_id,
            self.current_org_name,
        );
        o.raw("}");
    }
}

impl WriteJson for UserInfo<'_> {
    fn write_json(&self, o: &mut JsonOut) {
        o.raw("{\"id\":").str(self.id);
        o.raw(",\"name\":").str(self.name);
        o.raw(",\"domain\":").str(self.domain);
        o.raw(",\"description\":").str(self.description);
        o.raw(",\"nickName\":").str(self.nick_name);
        o.raw(",\"phoneArea\":").str(self.phone_area);
        o.raw(",\"phone\":").str(self.phone);
        o.raw(",\"email\":").str(self.email);
        o.raw(",\"createdTime\":").str(self.created_time);
        o.raw(",\"type\":").int(self.user_type);
        o.raw(",\"company\":").str(self.company);
        o.raw(",\"department\":").str(self.department);
        o.raw(",\"position\":").str(self.position).raw("}");
    }
}

#[cfg(test)]
mod unit {
    use super::*;
    use crate::contract::respond::assert_same_json;

    fn env<T: Serialize>(data: T) -> Envelope<T> {
        Envelope {
            code: 0,
            message: "OK",
            data,
        }
    }

    #[test]
    fn hand_written_answers_are_serde_json_s() {
        for s in ["", "quote \" back \\ nl \n \u{1f}", "ünï 中文 😀"] {
            for n in 0..3 {
                let orgs: Vec<_> = (0..n).map(|_| OrgRef { id: s, name: s }).collect();
                assert_same_json(&env(LoginData {
                    access_token: format!("APP_PORTAL_S_{s}"),
                    mfa_type: "NONE",
                    organizations: orgs,
                    user: LoginUser {
                        id: s,
                        name: s,
                        email: s,
                    },
                }));
            }
            assert_same_json(&env(SessionData {
                user_id: s,
                user_name: s,
                current_org_id: s,
                current_org_name: s,
                access_token: s,
                refresh_token: s,
                refresh_token_expire: 1_772_006_999_088,
            }));
            assert_same_json(&env(SessionInfo {
                user_id: s,
                user_name: s,
                current_org_id: s,
                current_org_name: s,
            }));
            assert_same_json(&env(UserInfo {
                id: s,
                name: s,
                domain: s,
                description: s,
                nick_name: s,
                phone_area: s,
                phone: s,
                email: s,
                created_time: s,
                user_type: 1,
                company: s,
                department: s,
                position: s,
            }));
        }
        assert_same_json(&env(true));
        // The envelope is what the untagged `Answer::Ok` serialises to.
        assert_eq!(
            serde_json::to_string(&Answer::Ok(env(true))).unwrap(),
            serde_json::to_string(&env(true)).unwrap()
        );
    }
}
