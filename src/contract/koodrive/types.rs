//! KooDrive request and response bodies, and the success envelopes that wrap them.

use crate::contract::json::lenient_string;
use crate::contract::respond::{HandWrittenJson, JsonOut, WriteJson};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use std::borrow::Cow;
use std::sync::Arc;
use utoipa::ToSchema;

/// `code` of a success envelope: always 0.
fn success_code_schema() -> utoipa::openapi::Object {
    crate::contract::schema::int_codes("0 on success.", [(0, "success".to_string())])
}

/// A KooDrive success: `{"code":0,"msg","data"}`.
#[derive(Serialize, ToSchema)]
#[schema(as = KooDriveEnvelope<T>)]
pub struct Envelope<T: Serialize> {
    #[schema(schema_with = success_code_schema)]
    pub code: i64,
    pub msg: &'static str,
    pub data: T,
}

pub fn ok<T: Serialize + WriteJson>(msg: &'static str, data: T) -> Response {
    HandWrittenJson(Envelope { code: 0, msg, data }).into_response()
}

// ---------------------------------------------------------------------------------------------------
// Enterprise session APIs

/// Create-session request. Unknown fields are ignored; a string field may also be a JSON number.
#[derive(Deserialize, ToSchema)]
#[schema(as = KooDriveCreateSessionRequest)]
pub struct CreateSessionReq<'a> {
    /// The authorization code (a fixture code, or one minted by `POST /__admin/koodrive/auth-codes`).
    #[serde(borrow, default, deserialize_with = "lenient_string")]
    #[schema(value_type = String, required = true)]
    pub code: Option<Cow<'a, str>>,
    /// The enterprise console domain (accepted and ignored).
    #[serde(borrow, default, deserialize_with = "lenient_string")]
    #[schema(value_type = String)]
    #[allow(dead_code)]
    pub domain: Option<Cow<'a, str>>,
}

/// The session's user and organization.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(as = KooDriveSessionUserInfo)]
pub struct SessionUserInfo<'a> {
    pub role: &'a str,
    pub user_name: &'a str,
    pub inner_user_id: &'a str,
    pub user_id: &'a str,
    pub tenant_id: &'a str,
    pub org_id: &'a str,
    pub org_name: &'a str,
    /// Only in the create-session answer.
    #[serde(rename = "xhwSchema", skip_serializing_if = "Option::is_none")]
    pub xhw_schema: Option<&'a str>,
    pub user_count: u64,
    pub dept_id: &'a str,
}

/// A new session.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(as = KooDriveSessionData)]
pub struct SessionData<'a> {
    /// `Bearer <48 hex>`: send it as `Authorization` on the session routes.
    pub access_token: String,
    pub session_id: &'a str,
    pub user_id: &'a str,
    pub user_info: SessionUserInfo<'a>,
}

/// A session's new token: `{"accessToken","code":0,"msg":"success"}`.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(as = KooDriveSessionRefresh)]
pub struct RefreshBody {
    /// `Bearer <48 hex>`.
    pub access_token: String,
    #[schema(schema_with = success_code_schema)]
    pub code: i64,
    pub msg: &'static str,
}

/// `{"code":0,"msg":"success"}`.
#[derive(Serialize, ToSchema)]
#[schema(as = KooDriveLogoff)]
pub struct Plain {
    #[schema(schema_with = success_code_schema)]
    pub code: i64,
    pub msg: &'static str,
}

/// getAuthCodeURL's answer: `uri` to send the browser to, and the OrgID host it is on.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(as = KooDriveAuthCodeUrl)]
pub struct AuthCodeUrl {
    /// `<orgIdHost>/oauth2/authorize?response_type=code&client_id=…&scope=phone+profile+email&redirect_uri=https://<domain>/cloudfile/index.html`,
    /// plus `&mock_namespace=<name>` outside the default namespace.
    #[schema(
        example = "http://127.0.0.1:8080/oauth2/authorize?response_type=code&client_id=be93d606a69a214642bf324e147af3366aef98f2cb1eb0b51bf8a27647d135b0&scope=phone+profile+email&redirect_uri=https://kdconsole.example.cn:8080/cloudfile/index.html"
    )]
    pub uri: String,
    /// The mock's public base URL (`--public-url`, else the request's scheme and host).
    #[schema(example = "http://127.0.0.1:8080")]
    pub org_id_host: String,
    /// 0.
    pub code: i64,
    /// "success".
    pub msg: &'static str,
}

// ---------------------------------------------------------------------------------------------------
// Carrier login APIs

/// Login request. Unknown fields are ignored; a string field may also be a JSON number.
#[derive(Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(as = KooDriveLoginRequest)]
pub struct LoginReq<'a> {
    /// Account name or phone number.
    #[serde(borrow, default, deserialize_with = "lenient_string")]
    #[schema(value_type = String, required = true)]
    pub account: Option<Cow<'a, str>>,
    /// "1": password, "2": verification code.
    #[serde(borrow, default, deserialize_with = "lenient_string")]
    #[schema(value_type = String, required = true)]
    pub auth_type: Option<Cow<'a, str>>,
    /// Required with authType "1".
    #[serde(borrow, default, deserialize_with = "lenient_string")]
    #[schema(value_type = String)]
    pub password: Option<Cow<'a, str>>,
    /// The verification code; required with authType "2".
    #[serde(borrow, default, deserialize_with = "lenient_string")]
    #[schema(value_type = String)]
    pub captcha_token: Option<Cow<'a, str>>,
}

/// A login access token and its refresh token.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(as = KooDriveSessionInfo)]
pub struct SessionInfo {
    /// `AT <48 hex>`.
    pub access_token: String,
    /// Seconds the access token lives (1800).
    pub expires_in: i64,
    /// Issuance, epoch milliseconds as text.
    #[serde(serialize_with = "as_text")]
    #[schema(value_type = String)]
    pub issued_at: i64,
    /// 48 hex.
    #[schema(value_type = String)]
    pub refresh_token: Arc<str>,
}

/// An integer as a JSON string (`"1772006999088"`).
fn as_text<S: serde::Serializer>(n: &i64, s: S) -> Result<S::Ok, S::Error> {
    s.collect_str(n)
}

/// The logged-in user.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(as = KooDriveLoginUserInfo)]
pub struct LoginUserInfo<'a> {
    pub user_id: &'a str,
    pub firstname: &'a str,
    pub surname: &'a str,
    pub phone: &'a str,
    pub email: &'a str,
}

/// What a login answers.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(as = KooDriveLoginData)]
pub struct LoginData<'a> {
    pub user_info: LoginUserInfo<'a>,
    pub session_info: SessionInfo,
}

/// The login success envelope, `data` first: `{"data","code":0,"msg":"Success"}`.
#[derive(Serialize, ToSchema)]
#[schema(as = KooDriveLoginEnvelope<T>)]
pub struct DataFirst<T: Serialize> {
    pub data: T,
    #[schema(schema_with = success_code_schema)]
    pub code: i64,
    pub msg: &'static str,
}

/// The new token pair.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(as = KooDriveRefreshData)]
pub struct RefreshData {
    pub session_info: SessionInfo,
}

/// Refresh request. Unknown fields are ignored; a string field may also be a JSON number.
#[derive(Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(as = KooDriveRefreshTokenRequest)]
pub struct RefreshTokenReq<'a> {
    /// The refresh token issued with the access token in `Authorization`.
    #[serde(borrow, default, deserialize_with = "lenient_string")]
    #[schema(value_type = String, required = true)]
    pub refresh_token: Option<Cow<'a, str>>,
}

// ---------------------------------------------------------------------------------------------------
// The success answers written by hand (see `crate::contract::respond`); each matches its `Serialize` (tested).

impl<T: Serialize + WriteJson> WriteJson for Envelope<T> {
    fn write_json(&self, o: &mut JsonOut) {
        o.raw("{\"code\":").int(self.code);
        o.raw(",\"msg\":").str(self.msg);
        o.raw(",\"data\":").value(&self.data).raw("}");
    }
}

impl<T: Serialize + WriteJson> WriteJson for DataFirst<T> {
    fn write_json(&self, o: &mut JsonOut) {
        o.raw("{\"data\":").value(&self.data);
        o.raw(",\"code\":").int(self.code);
        o.raw(",\"msg\":").str(self.msg).raw("}");
    }
}

impl WriteJson for SessionUserInfo<'_> {
    fn write_json(&self, o: &mut JsonOut) {
        o.raw("{\"role\":").str(self.role);
        o.raw(",\"userName\":").str(self.user_name);
        o.raw(",\"innerUserId\":").str(self.inner_user_id);
        o.raw(",\"userId\":").str(self.user_id);
        o.raw(",\"tenantId\":").str(self.tenant_id);
        o.raw(",\"orgId\":").str(self.org_id);
        o.raw(",\"orgName\":").str(self.org_name);
        if let Some(x) = self.xhw_schema {
            o.raw(",\"xhwSchema\":").str(x);
        }
        o.raw(",\"userCount\":").int(self.user_count);
        o.raw(",\"deptId\":").str(self.dept_id).raw("}");
    }
}

impl WriteJson for SessionData<'_> {
    fn write_json(&self, o: &mut JsonOut) {
        o.raw("{\"accessToken\":").str(&self.access_token);
        o.raw(",\"sessionId\":").str(self.session_id);
        o.raw(",\"userId\":").str(self.user_id);
        o.raw(",\"userInfo\":").value(&self.user_info).raw("}");
    }
}

impl WriteJson for RefreshBody {
    fn write_json(&self, o: &mut JsonOut) {
        o.raw("{\"accessToken\":").str(&self.access_token);
        o.raw(",\"code\":").int(self.code);
        o.raw(",\"msg\":").str(self.msg).raw("}");
    }
}

impl WriteJson for Plain {
    fn write_json(&self, o: &mut JsonOut) {
        o.raw("{\"code\":").int(self.code);
        o.raw(",\"msg\":").str(self.msg).raw("}");
    }
}

impl WriteJson for SessionInfo {
    fn write_json(&self, o: &mut JsonOut) {
        o.raw("{\"accessToken\":").str(&self.access_token);
        o.raw(",\"expiresIn\":").int(self.expires_in);
        o.raw(",\"issuedAt\":\"").int(self.issued_at).raw("\"");
        o.raw(",\"refreshToken\":")
            .str(&self.refresh_token)
            .raw("}");
    }
}

impl WriteJson for LoginUserInfo<'_> {
    fn write_json(&self, o: &mut JsonOut) {
        o.raw("{\"userId\":").str(self.user_id);
        o.raw(",\"firstname\":").str(self.firstname);
        o.raw(",\"surname\":").str(self.surname);
        o.raw(",\"phone\":").str(self.phone);
        o.raw(",\"email\":").str(self.email).raw("}");
    }
}

impl WriteJson for LoginData<'_> {
    fn write_json(&self, o: &mut JsonOut) {
        o.raw("{\"userInfo\":").value(&self.user_info);
        o.raw(",\"sessionInfo\":")
            .value(&self.session_info)
            .raw("}");
    }
}

impl WriteJson for RefreshData {
    fn write_json(&self, o: &mut JsonOut) {
        o.raw("{\"sessionInfo\":")
            .value(&self.session_info)
            .raw("}");
    }
}

#[cfg(test)]
mod unit {
    use super::*;
    use crate::contract::respond::assert_same_json;

    /// Values with every kind of character a fixture may hold.
    const ODD: [&str; 3] = [
        "",
        "quote \" back \\ nl \n tab \t \u{1}",
        "ünï 中文 😀 \u{2028}",
    ];

    fn user_info<'a>(s: &'a str, schema: Option<&'a str>) -> SessionUserInfo<'a> {
        SessionUserInfo {
            role: "2",
            user_name: s,
            inner_user_id: s,
            user_id: "1008600000701011122",
            tenant_id: s,
            org_id: s,
            org_name: s,
            xhw_schema: schema,
            user_count: 40,
            dept_id: s,
        }
    }

    fn session_info(s: &str) -> SessionInfo {
        SessionInfo {
            access_token: format!("AT {s}"),
            expires_in: 1800,
            issued_at: 1_772_006_999_088,
            refresh_token: s.into(),
        }
    }

    #[test]
    fn hand_written_answers_are_serde_json_s() {
        for s in ODD {
            for schema in [None, Some("tenants1_liantiao"), Some("\"x\"")] {
                assert_same_json(&Envelope {
                    code: 0,
                    msg: "success",
                    data: user_info(s, schema),
                });
                assert_same_json(&Envelope {
                    code: 0,
                    msg: "Successful",
                    data: SessionData {
                        access_token: format!("Bearer {s}"),
                        session_id: s,
                        user_id: s,
                        user_info: user_info(s, schema),
                    },
                });
            }
            assert_same_json(&DataFirst {
                data: LoginData {
                    user_info: LoginUserInfo {
                        user_id: s,
                        firstname: s,
                        surname: s,
                        phone: s,
                        email: s,
                    },
                    session_info: session_info(s),
                },
                code: 0,
                msg: "Success",
            });
            assert_same_json(&Envelope {
                code: 0,
                msg: "Success",
                data: RefreshData {
                    session_info: session_info(s),
                },
            });
            assert_same_json(&RefreshBody {
                access_token: format!("Bearer {s}"),
                code: 0,
                msg: "success",
            });
        }
        assert_same_json(&Plain {
            code: 0,
            msg: "success",
        });
    }
}
