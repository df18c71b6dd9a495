//! OneAccess handlers: app access credential and SDK login, with the checks they share (required
//! fields) and the ID token they sign. The ticket routes are in [`super::tickets`].

use super::ISSUER;
use crate::contract::extract::{auth_token, header, names, present, Headers};
use crate::contract::json::Body;
use crate::contract::oneaccess::error::{ErrorBody, OaError};
use crate::contract::oneaccess::routes::{APP_TOKEN_TTL_S, LOCK_AFTER, LOCK_MS, SESSION_TTL_S};
use crate::contract::oneaccess::types::{LoginReq, LoginResp, TokenForm, TokenResp};
use crate::contract::Family;
use crate::ids::{secret_eq, sign_hs256};
use crate::namespace::Ns;
use crate::store::oneaccess::OaClient;
use crate::store::{Kind, LoginAttempt, Settled, Text, TokenRec, Verbs};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use axum::Json;
use base64::Engine;

/// The lockout family (the admin state lists lockouts as `oneaccess:<userId>`).
const FAMILY: Family = Family::OneAccess;

pub(super) fn required<'a, T: AsRef<str>>(
    v: &'a Option<T>,
    name: &'static str,
) -> Result<&'a str, OaError> {
    present(v).ok_or(OaError::Required(name))
}

fn required_header<'a>(h: &'a HeaderMap, name: &'static str) -> Result<&'a str, OaError> {
    header(h, name).ok_or(OaError::Required(name))
}

fn id_token(ns: &Ns, client: &OaClient, sub: &str, extra: serde_json::Value, ttl_s: i64) -> String {
    let now_s = ns.now() / 1000;
    let mut claims = serde_json::json!({
        "iss": ISSUER,
        "sub": sub,
        "aud": client.client_id,
        "tenant": client.tenant_id,
        "iat": now_s,
        "exp": now_s + ttl_s,
    });
    if let (Some(c), serde_json::Value::Object(e)) = (claims.as_object_mut(), extra) {
        c.extend(e);
    }
    sign_hs256(
        r#"{"alg":"HS256","typ":"JWT"}"#,
        &claims,
        client.client_secret.as_bytes(),
    )
}

/// Client credentials from the form, or from HTTP Basic authentication as OAuth 2.0 allows.
fn basic_credentials(headers: &HeaderMap) -> Option<(String, String)> {
    let t = auth_token(headers, &["Basic"])?;
    let raw = base64::engine::general_purpose::STANDARD.decode(t).ok()?;
    let text = String::from_utf8(raw).ok()?;
    let (id, secret) = text.split_once(':')?;
    Some((id.to_string(), secret.to_string()))
}

/// `POST /api/v2/tenant/token` — an app access credential (form-encoded client_credentials grant).
///
/// Vendor page: "Obtaining an Access Credential" (<https://support.huaweicloud.com/intl/en-us/api-oneaccess/ShowAuthToken.html>).
#[utoipa::path(
    post,
    path = "/api/v2/tenant/token",
    operation_id = "oneaccess_tenant_token",
    tag = "OneAccess",
    summary = "App access credential (client_credentials)",
    security((), ("oneaccessClient" = [])),
    request_body(
        content = TokenForm,
        content_type = "application/x-www-form-urlencoded",
        example = json!({ "grant_type": "client_credentials", "client_id": "9fIHl3Dc9ivToWLVtblrF6Sjv9Fx47JJ", "client_secret": "demo-client-secret" })
    ),
    responses(
        (
            status = 200,
            description = "An app access token (UUID, 1800 s).",
            body = TokenResp,
            links(
                ("sso_ticket" = (operation_id = "oneaccess_sso_ticket", parameters(("header.Authorization" = "Bearer {$response.body#/access_token}")))),
                ("verify" = (operation_id = "oneaccess_verify_ticket", parameters(("header.Authorization" = "Bearer {$response.body#/access_token}")))),
            )
        ),
        (status = 400, description = "PARAM.0001 (`grant_type`, `client_id` or `client_secret` missing), unsupported_grant_type.", body = ErrorBody),
        (status = 401, description = "invalid_client: unknown client or wrong secret.", body = ErrorBody),
        (status = 413, description = "Body over 64 KiB: PARAM.0001 \"Invalid request body.\"", body = ErrorBody),
    )
)]
pub(super) async fn tenant_token(
    ns: Ns,
    Headers(headers): Headers,
    body: &Body<'_>,
) -> Result<Response, OaError> {
    // A form is text: raw bytes or percent-escapes that are not UTF-8 make it unparsable (the form
    // decoder would turn them into U+FFFD and compare that against the client's credentials).
    if std::str::from_utf8(body.bytes()).is_err() {
        return Err(OaError::BadBody);
    }
    let mut form = TokenForm::default();
    for (k, v) in form_urlencoded::parse(body.bytes()) {
        if k.contains(char::REPLACEMENT_CHARACTER) || v.contains(char::REPLACEMENT_CHARACTER) {
            return Err(OaError::BadBody);
        }
        let v = v.into_owned();
        match &*k {
            "grant_type" => form.grant_type = Some(v),
            "client_id" => form.client_id = Some(v),
            "client_secret" => form.client_secret = Some(v),
            _ => {}
        }
    }
    let TokenForm {
        grant_type: grant,
        client_id: mut id,
        client_secret: mut secret,
    } = form;
    let grant = required(&grant, "grant_type")?;
    if grant != "client_credentials" {
        return Err(OaError::UnsupportedGrant);
    }
    if present(&id).is_none() {
        if let Some((bi, bs)) = basic_credentials(&headers) {
            id = Some(bi);
            secret = Some(bs);
        }
    }
    let id = required(&id, "client_id")?;
    let secret = required(&secret, "client_secret")?;
    let client = ns.oa().client(id).ok_or(OaError::InvalidClient)?;
    if !secret_eq(secret, &client.client_secret) {
        return Err(OaError::InvalidClient);
    }
    let now = ns.now();
    let token = ns.gen.uuid_key();
    let mut rec = TokenRec::new(
        Kind::OaAppToken,
        client.client_id.as_str(),
        now,
        APP_TOKEN_TTL_S * 1000,
    );
    let b = rec.bind();
    b.client = Some(client.client_id.as_str().into());
    b.tenant = Some(client.tenant_id.as_str().into());
    let id_token = id_token(
        &ns,
        &client,
        &client.client_id,
        serde_json::json!({}),
        APP_TOKEN_TTL_S,
    );
    ns.store().insert(token.clone(), rec).await?;
    Ok(Json(TokenResp {
        access_token: token,
        token_type: "Bearer",
        expires_in: APP_TOKEN_TTL_S,
        scope: "all",
        id_token,
    })
    .into_response())
}

/// `POST /api/v2/sdk/login` — user login from an app; issues a session_token bound to the device.
///
/// Vendor page: "Logging In with a Username and Password" (<https://support.huaweicloud.com/intl/en-us/api-oneaccess/LoginByUserNamePwd.html>).
#[utoipa::path(
    post,
    path = "/api/v2/sdk/login",
    operation_id = "oneaccess_sdk_login",
    tag = "OneAccess",
    summary = "User login from an app",
    params(
        ("X-client-id" = Option<String>, Header, description = "The app's client_id; required (missing: PARAM.0001, unknown: APP.0001).", example = "9fIHl3Dc9ivToWLVtblrF6Sjv9Fx47JJ"),
        ("X-device-fingerprint" = Option<String>, Header, description = "Binds the session_token to the device; required (missing: PARAM.0001).", example = "156aysdna213sac"),
        ("X-operating-sys-version" = Option<String>, Header, description = "Required (missing: PARAM.0001).", example = "Android 10"),
        ("X-agent" = Option<String>, Header, description = "Required (missing: PARAM.0001).", example = "authmock-docs"),
        ("X-tenant-id" = Option<String>, Header, description = "When present, must be the app's tenant (TENANT.0001).", example = "08f770f51f80d2f40f38c00cb199fd21"),
    ),
    request_body(
        content = LoginReq,
        content_type = "application/json",
        example = json!({ "user_name": "zhangsan", "password": "Zhangsan@123" })
    ),
    responses(
        (status = 200, description = "A session_token bound to the device fingerprint.", body = LoginResp),
        (status = 400, description = "PARAM.0001 (missing header or field, unparsable body), APP.0001, TENANT.0001, LOGIN.0002 (wrong password, unknown user), LOGIN.0003 (locked after 10 failures).", body = ErrorBody),
        (status = 413, description = "Body over 64 KiB: PARAM.0001 \"Invalid request body.\"", body = ErrorBody),
    )
)]
pub(super) async fn sdk_login(
    ns: Ns,
    Headers(headers): Headers,
    body: &Body<'_>,
) -> Result<Response, OaError> {
    let client_id = required_header(&headers, "X-client-id")?;
    let fingerprint = required_header(&headers, "X-device-fingerprint")?;
    required_header(&headers, "X-operating-sys-version")?;
    required_header(&headers, "X-agent")?;
    let req: LoginReq = body.json()?;
    let user_name = required(&req.user_name, "user_name")?;
    let password = required(&req.password, "password")?;
    let client = ns.oa().client(client_id).ok_or(OaError::App)?;
    if let Some(t) = header(&headers, names::X_TENANT_ID) {
        if t != client.tenant_id {
            return Err(OaError::Tenant);
        }
    }
    let now = ns.now();
    let user = ns
        .oa()
        .user_by_name(&client.tenant_id, user_name)
        .ok_or(OaError::WrongPassword(LOCK_AFTER - 1))?;
    let attempt = LoginAttempt {
        family: FAMILY,
        user: &user.id,
        now,
        ok: secret_eq(password, &user.password),
        max: LOCK_AFTER,
        window_ms: LOCK_MS,
        code: None,
    };
    let mut token = String::with_capacity(43);
    token.push_str("bts");
    ns.gen.push_base62_key(&mut token, 40);
    let mut rec = TokenRec::new(Kind::OaSession, user.id.as_str(), now, SESSION_TTL_S * 1000);
    let b = rec.bind();
    b.fingerprint = Some(fingerprint.into());
    b.client = Some(client.client_id.as_str().into());
    b.tenant = Some(client.tenant_id.as_str().into());
    let issue = [(Text::from(token.as_str()), rec)];
    match ns.settle(attempt, issue).await? {
        Settled::Locked => return Err(OaError::Locked),
        Settled::Failed(left) => return Err(OaError::WrongPassword(left)),
        Settled::Passed => {}
    }
    let extra = serde_json::json!({
        "name": user.name,
        "preferred_username": user.user_name,
        "email": user.email,
    });
    let id_token = id_token(&ns, &client, &user.id, extra, SESSION_TTL_S);
    Ok(Json(LoginResp {
        status: "SUCCESS",
        session_token: token,
        id_token,
        expire: SESSION_TTL_S,
    })
    .into_response())
}
