//! OneAccess request and response bodies (success bodies have no envelope).

use crate::extract::lenient_string;
use crate::respond::{JsonOut, WriteJson};
use serde::{Deserialize, Serialize};
use std::borrow::Cow;
use utoipa::ToSchema;

/// An app access credential.
#[derive(Serialize, ToSchema)]
#[schema(as = OneAccessTokenResponse)]
pub(super) struct TokenResp {
    /// A UUID; send it as `Authorization: Bearer <access_token>`. Lives 1800 s.
    pub(super) access_token: String,
    /// `Bearer`.
    pub(super) token_type: &'static str,
    /// Seconds (1800).
    pub(super) expires_in: i64,
    pub(super) scope: &'static str,
    /// An HS256 JWT signed with the client secret.
    pub(super) id_token: String,
}

/// The client_credentials grant (form-encoded). Without `client_id` in the form, HTTP Basic credentials
/// are used.
#[derive(Default, ToSchema)]
#[schema(as = OneAccessTokenForm)]
pub(super) struct TokenForm {
    /// Must be `client_credentials` (otherwise unsupported_grant_type).
    #[schema(value_type = String, required = true)]
    pub(super) grant_type: Option<String>,
    #[schema(value_type = String, required = false)]
    pub(super) client_id: Option<String>,
    #[schema(value_type = String, required = false)]
    pub(super) client_secret: Option<String>,
}

/// SDK login request. Unknown fields are ignored; a string field may also be a JSON number.
#[derive(Deserialize, ToSchema)]
#[schema(as = OneAccessLoginRequest)]
pub(super) struct LoginReq<'a> {
    #[serde(borrow, default, deserialize_with = "lenient_string")]
    #[schema(value_type = String, required = true)]
    pub(super) user_name: Option<Cow<'a, str>>,
    #[serde(borrow, default, deserialize_with = "lenient_string")]
    #[schema(value_type = String, required = true)]
    pub(super) password: Option<Cow<'a, str>>,
}

/// A user session.
#[derive(Serialize, ToSchema)]
#[schema(as = OneAccessLoginResponse)]
pub(super) struct LoginResp {
    /// `SUCCESS`.
    pub(super) status: &'static str,
    /// `bts…`, bound to the device fingerprint; lives 604800 s.
    pub(super) session_token: String,
    /// An HS256 JWT signed with the client secret.
    pub(super) id_token: String,
    /// Seconds the session_token lives.
    pub(super) expire: i64,
}

/// sso_ticket request. Unknown fields are ignored; a string field may also be a JSON number.
#[derive(Deserialize, ToSchema)]
#[schema(as = OneAccessTicketRequest)]
pub(super) struct TicketReq<'a> {
    /// From `POST /api/v2/sdk/login` (missing: PARAM.0005).
    #[serde(borrow, default, deserialize_with = "lenient_string")]
    #[schema(value_type = String, required = true)]
    pub(super) session_token: Option<Cow<'a, str>>,
    #[serde(borrow, default, deserialize_with = "lenient_string")]
    #[schema(value_type = String, required = true)]
    pub(super) operating_sys_version: Option<Cow<'a, str>>,
    #[serde(borrow, default, deserialize_with = "lenient_string")]
    #[schema(value_type = String, required = true)]
    pub(super) device_ip: Option<Cow<'a, str>>,
    /// Must be the login's `X-device-fingerprint`.
    #[serde(borrow, default, deserialize_with = "lenient_string")]
    #[schema(value_type = String, required = true)]
    pub(super) device_fingerprint: Option<Cow<'a, str>>,
    /// The user agent (accepted and ignored).
    #[serde(borrow, default, deserialize_with = "lenient_string")]
    #[schema(value_type = String)]
    #[allow(dead_code)]
    pub(super) agent: Option<Cow<'a, str>>,
    /// The app the ticket is for (of the token's tenant); the token's own app without it.
    #[serde(borrow, default, deserialize_with = "lenient_string")]
    #[schema(value_type = String)]
    pub(super) client_id: Option<Cow<'a, str>>,
}

/// A one-time sso_ticket.
#[derive(Serialize, ToSchema)]
#[schema(as = OneAccessTicketResponse)]
pub(super) struct TicketResp {
    /// Seconds the ticket lives (9600).
    pub(super) expire: i64,
    pub(super) sso_ticket: String,
}

/// Ticket verification request. Unknown fields are ignored; a string field may also be a JSON number.
#[derive(Deserialize, ToSchema)]
#[schema(as = OneAccessVerifyRequest)]
pub(super) struct VerifyReq<'a> {
    #[serde(borrow, default, deserialize_with = "lenient_string")]
    #[schema(value_type = String, required = true)]
    pub(super) sso_ticket: Option<Cow<'a, str>>,
    #[serde(borrow, default, deserialize_with = "lenient_string")]
    #[schema(value_type = String, required = true)]
    pub(super) operating_sys_version: Option<Cow<'a, str>>,
    #[serde(borrow, default, deserialize_with = "lenient_string")]
    #[schema(value_type = String, required = true)]
    pub(super) device_ip: Option<Cow<'a, str>>,
    /// Must be the fingerprint the ticket was issued for.
    #[serde(borrow, default, deserialize_with = "lenient_string")]
    #[schema(value_type = String, required = true)]
    pub(super) device_fingerprint: Option<Cow<'a, str>>,
    /// The user agent (accepted and ignored).
    #[serde(borrow, default, deserialize_with = "lenient_string")]
    #[schema(value_type = String)]
    #[allow(dead_code)]
    pub(super) agent: Option<Cow<'a, str>>,
}

/// The ticket's user.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(as = OneAccessVerifiedUser)]
pub(super) struct VerifiedUser<'a> {
    pub(super) user_name: &'a str,
    pub(super) id: &'a str,
    pub(super) name: &'a str,
    pub(super) mobile: &'a str,
    pub(super) email: &'a str,
}

#[derive(Serialize, ToSchema)]
#[schema(as = OneAccessVerifyData)]
pub(super) struct VerifyData<'a> {
    pub(super) user: VerifiedUser<'a>,
}

/// A redeemed ticket: `{"code":"200","message":"success","data":{"user"}}`.
#[derive(Serialize, ToSchema)]
#[schema(as = OneAccessVerifyResponse)]
pub(super) struct VerifyResp<'a> {
    /// `"200"`.
    pub(super) code: &'static str,
    pub(super) message: &'static str,
    pub(super) data: VerifyData<'a>,
}

/// Written by hand (see `crate::respond`); the same bytes as its `Serialize` (tested).
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
            crate::respond::assert_same_json(&TicketResp {
                expire: 9600,
                sso_ticket: t.to_string(),
            });
        }
    }
}
