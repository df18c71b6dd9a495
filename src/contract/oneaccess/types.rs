//! OneAccess request and response bodies (success bodies have no envelope).

use crate::contract::json::lenient_string;
use crate::contract::respond::{JsonOut, WriteJson};
use serde::{Deserialize, Serialize};
use std::borrow::Cow;
use utoipa::ToSchema;

/// An app access credential.
#[derive(Serialize, ToSchema)]
#[schema(as = OneAccessTokenResponse)]
pub struct TokenResp {
    /// A UUID; send it as `Authorization: Bearer <access_token>`. Lives 1800 s.
    pub access_token: String,
    /// `Bearer`.
    pub token_type: &'static str,
    /// Seconds (1800).
    pub expires_in: i64,
    pub scope: &'static str,
    /// An HS256 JWT signed with the client secret.
    pub id_token: String,
}

/// The client_credentials grant (form-encoded). Without `client_id` in the form, HTTP Basic credentials
/// are used.
#[derive(Default, ToSchema)]
#[schema(as = OneAccessTokenForm)]
pub struct TokenForm {
    /// Must be `client_credentials` (otherwise unsupported_grant_type).
    #[schema(value_type = String, required = true)]
    pub grant_type: Option<String>,
    #[schema(value_type = String, required = false)]
    pub client_id: Option<String>,
    #[schema(value_type = String, required = false)]
    pub client_secret: Option<String>,
}

/// SDK login request. Unknown fields are ignored; a string field may also be a JSON number.
#[derive(Deserialize, ToSchema)]
#[schema(as = OneAccessLoginRequest)]
pub struct LoginReq<'a> {
    #[serde(borrow, default, deserialize_with = "lenient_string")]
    #[schema(value_type = String, required = true)]
    pub user_name: Option<Cow<'a, str>>,
    #[serde(borrow, default, deserialize_with = "lenient_string")]
    #[schema(value_type = String, required = true)]
    pub password: Option<Cow<'a, str>>,
}

/// A user session.
#[derive(Serialize, ToSchema)]
#[schema(as = OneAccessLoginResponse)]
pub struct LoginResp {
    /// `SUCCESS`.
    pub status: &'static str,
    /// `bts…`, bound to the device fingerprint; lives 604800 s.
    pub session_token: String,
    /// An HS256 JWT signed with the client secret.
    pub id_token: String,
    /// Seconds the session_token lives.
    pub expire: i64,
}

/// sso_ticket request. Unknown fields are ignored; a string field may also be a JSON number.
#[derive(Deserialize, ToSchema)]
#[schema(as = OneAccessTicketRequest)]
pub struct TicketReq<'a> {
    /// From `POST /api/v2/sdk/login` (missing: PARAM.0005).
    #[serde(borrow, default, deserialize_with = "lenient_string")]
    #[schema(value_type = String, required = true)]
    pub session_token: Option<Cow<'a, str>>,
    #[serde(borrow, default, deserialize_with = "lenient_string")]
    #[schema(value_type = String, required = true)]
    pub operating_sys_version: Option<Cow<'a, str>>,
    #[serde(borrow, default, deserialize_with = "lenient_string")]
    #[schema(value_type = String, required = true)]
    pub device_ip: Option<Cow<'a, str>>,
    /// Must be the login's `X-device-fingerprint`.
    #[serde(borrow, default, deserialize_with = "lenient_string")]
    #[schema(value_type = String, required = true)]
    pub device_fingerprint: Option<Cow<'a, str>>,
    /// The user agent (accepted and ignored).
    #[serde(borrow, default, deserialize_with = "lenient_string")]
    #[schema(value_type = String)]
    #[allow(dead_code)]
    pub agent: Option<Cow<'a, str>>,
    /// The app the ticket is for (of the token's tenant); the token's own app without it.
    #[serde(borrow, default, deserialize_with = "lenient_string")]
    #[schema(value_type = String)]
    pub client_id: Option<Cow<'a, str>>,
}

/// A one-time sso_ticket.
#[derive(Serialize, ToSchema)]
#[schema(as = OneAccessTicketResponse)]
pub struct TicketResp {
    /// Seconds the ticket lives (9600).
    pub expire: i64,
    pub sso_ticket: String,
}

/// Ticket verification request. Unknown fields are ignored; a string field may also be a JSON number.
#[derive(Deserialize, ToSchema)]
#[schema(as = OneAccessVerifyRequest)]
pub struct VerifyReq<'a> {
    #[serde(borrow, default, deserialize_with = "lenient_string")]
    #[schema(value_type = String, required = true)]
    pub sso_ticket: Option<Cow<'a, str>>,
    #[serde(borrow, default, deserialize_with = "lenient_string")]
    #[schema(value_type = String, required = true)]
    pub operating_sys_version: Option<Cow<'a, str>>,
    #[serde(borrow, default, deserialize_with = "lenient_string")]
    #[schema(value_type = String, required = true)]
    pub device_ip: Option<Cow<'a, str>>,
    /// Must be the fingerprint the ticket was issued for.
    #[serde(borrow, default, deserialize_with = "lenient_string")]
    #[schema(value_type = String, required = true)]
    pub device_fingerprint: Option<Cow<'a, str>>,
    /// The user agent (accepted and ignored).
    #[serde(borrow, default, deserialize_with = "lenient_string")]
    #[schema(value_type = String)]
    #[allow(dead_code)]
    pub agent: Option<Cow<'a, str>>,
}

/// The ticket's user.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(as = OneAccessVerifiedUser)]
pub struct VerifiedUser<'a> {
    pub user_name: &'a str,
    pub id: &'a str,
    pub name: &'a str,
    pub mobile: &'a str,
    pub email: &'a str,
}

#[derive(Serialize, ToSchema)]
#[schema(as = OneAccessVerifyData)]
pub struct VerifyData<'a> {
    pub user: VerifiedUser<'a>,
}

/// A redeemed ticket: `{"code":"200","message":"success","data":{"user"}}`.
#[derive(Serialize, ToSchema)]
#[schema(as = OneAccessVerifyResponse)]
pub struct VerifyResp<'a> {
    /// `"200"`.
    pub code: &'static str,
    pub message: &'static str,
    pub data: VerifyData<'a>,
}

/// Written by hand (see `crate::contract::respond`); the same bytes as its `Serialize` (tested).
impl WriteJson for TicketResp {
    fn write_json(&self, o: &mut JsonOut) {
        o.raw("{\"expire\":").int(self.expire);
        o.raw(",\"sso_ticket\":").str(&self.sso_ticket).raw("}");
    }
}

#[cfg(test)]
mod unit {
    use super::*;

    #[test]
    fn ticket_answer_is_serde_json_s() {
        for t in ["", "aB3dE5gH7jK9mN1pQ2sT4vW6yZ8aB3dE", "\"\\\n"] {
            crate::contract::respond::assert_same_json(&TicketResp {
                expire: 9600,
                sso_ticket: t.to_string(),
            });
        }
    }
}
