//! Identities added or removed at run time, and minted one-time codes.

use super::error::Invalid;
use super::{parse, path_param, AdminError};
use crate::clock::rfc3339;
use crate::contract::envelope::ErrorBody;
use crate::contract::extract::serde_json_lenient_string;
use crate::contract::koodrive::routes::CODE_TTL_MS;
use crate::contract::Family;
use crate::namespace::Ns;
use crate::store::enos::{EnosOrg, EnosUser};
use crate::store::koodrive::{KooOrg, KooUser};
use crate::store::oneaccess::{OaClient, OaTenant, OaUser};
use crate::store::{Applied, Change, Kind, TokenRec, Verbs};
use axum::body::Bytes;
use axum::extract::rejection::PathRejection;
use axum::extract::Path;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use utoipa::ToSchema;

fn unknown_family(family: &str) -> AdminError {
    AdminError::not_found(format!(
        "unknown family {family:?}: expected koodrive, oneaccess or enos"
    ))
}

/// 201 with the identity as stored, or 400 naming every problem.
/// The body as JSON, once it parsed as a `T` (so that a bad one gets that type's message).
fn checked<T: DeserializeOwned>(body: &Bytes) -> Result<Value, AdminError> {
    parse::<T>(body)?;
    parse(body)
}

/// Stores an identity (for every replica, with the shared store): 201 with it, or its problems.
async fn store(ns: &Ns, c: Change) -> Result<Response, AdminError> {
    match ns.store().change(&c).await? {
        Applied::Stored(v) => Ok(created(v)),
        Applied::Refused(p) => Err(AdminError::Invalid(p)),
        other => Err(AdminError::bad_request(format!("not stored: {other:?}"))),
    }
}

fn created(v: impl Serialize) -> Response {
    (StatusCode::CREATED, Json(v)).into_response()
}

/// `POST /__admin/{family}/users` — one user, shaped and validated as in the family's fixture file.
#[utoipa::path(
    post,
    path = "/__admin/{family}/users",
    operation_id = "admin_add_user",
    tag = "control plane",
    summary = "Add a user",
    security((), ("adminToken" = [])),
    params(
        ("family" = String, Path, description = "`koodrive`, `oneaccess` or `enos` (otherwise 404).", example = "enos"),
    ),
    request_body(content = Object, content_type = "application/json", description = "A user shaped as in the family's fixture file (unknown fields refused). KooDrive `{userId,userName,innerUserId,orgId,deptId,role,account,phone?,password,verificationCode?,firstname?,surname?,email?}`; OneAccess `{id,userName,password,name?,mobile?,email?,tenantId}`; EnOS `{id,account,password,name,email?,adminLevel?,orgs?,domain?,description?,nickName?,phoneArea?,phone?,createdTime?,type?,company?,department?,position?}`.", example = json!({ "id": "uExample0001", "account": "example_user", "password": "Example1234", "name": "Example User", "orgs": ["yourOrgId"] })),
    responses(
        (status = 201, description = "The user as stored (without its password).", body = Object),
        (status = 400, description = "Not JSON of the shape, or refused (unknown org or tenant, duplicate id or account, bad value).", body = Invalid),
        (status = 404, description = "Unknown family.", body = ErrorBody),
    )
)]
pub async fn add_user(
    ns: Ns,
    family: Result<Path<String>, PathRejection>,
    body: Bytes,
) -> Result<Response, AdminError> {
    let family = path_param(family)?;
    let body = match Family::named(&family) {
        Some(Family::KooDrive) => checked::<KooUser>(&body)?,
        Some(Family::OneAccess) => checked::<OaUser>(&body)?,
        Some(Family::Enos) => checked::<EnosUser>(&body)?,
        None => return Err(unknown_family(&family)),
    };
    store(&ns, Change::AddUser { family, body }).await
}

/// `DELETE /__admin/{family}/users/{id}` — removes the user and every credential it owns there.
#[utoipa::path(
    delete,
    path = "/__admin/{family}/users/{id}",
    operation_id = "admin_delete_user",
    tag = "control plane",
    summary = "Remove a user and revoke its tokens",
    security((), ("adminToken" = [])),
    params(
        ("family" = String, Path, description = "`koodrive`, `oneaccess` or `enos` (otherwise 404).", example = "enos"),
        ("id" = String, Path, description = "The user's id."),
    ),
    responses(
        (status = 200, description = "`{\"deleted\",\"family\",\"tokensRevoked\"}`.", body = Object),
        (status = 400, description = "A path that cannot be decoded.", body = ErrorBody),
        (status = 404, description = "Unknown family or user.", body = ErrorBody),
    )
)]
pub async fn delete_user(
    ns: Ns,
    path: Result<Path<(String, String)>, PathRejection>,
) -> Result<Response, AdminError> {
    let (family, id) = path_param(path)?;
    let Some(f) = Family::named(&family) else {
        return Err(unknown_family(&family));
    };
    let Some(revoked) = ns.remove_user(f, &id).await? else {
        return Err(AdminError::not_found(format!("no {family} user {id:?}")));
    };
    Ok(Json(json!({ "deleted": id, "family": family, "tokensRevoked": revoked })).into_response())
}

/// `POST /__admin/{family}/orgs` — a KooDrive org, a OneAccess tenant, or an EnOS organization.
#[utoipa::path(
    post,
    path = "/__admin/{family}/orgs",
    operation_id = "admin_add_org",
    tag = "control plane",
    summary = "Add an organization (OneAccess: a tenant)",
    security((), ("adminToken" = [])),
    params(
        ("family" = String, Path, description = "`koodrive`, `oneaccess` or `enos` (otherwise 404).", example = "enos"),
    ),
    request_body(content = Object, content_type = "application/json", description = "Shaped as in the family's fixture file (unknown fields refused). KooDrive `{orgId,orgName,tenantId,xhwSchema,userCount?}`; OneAccess tenant `{id,name?}`; EnOS `{id,name}`.", example = json!({ "id": "oExample0001", "name": "Example Org" })),
    responses(
        (status = 201, description = "The organization as stored.", body = Object),
        (status = 400, description = "Not JSON of the shape, or refused (duplicate id, empty id).", body = Invalid),
        (status = 404, description = "Unknown family.", body = ErrorBody),
    )
)]
pub async fn add_org(
    ns: Ns,
    family: Result<Path<String>, PathRejection>,
    body: Bytes,
) -> Result<Response, AdminError> {
    let family = path_param(family)?;
    let body = match Family::named(&family) {
        Some(Family::KooDrive) => checked::<KooOrg>(&body)?,
        Some(Family::OneAccess) => checked::<OaTenant>(&body)?,
        Some(Family::Enos) => checked::<EnosOrg>(&body)?,
        None => return Err(unknown_family(&family)),
    };
    store(&ns, Change::AddOrg { family, body }).await
}

/// `POST /__admin/oneaccess/clients` — registers an app (client_id, clientSecret, tenantId).
#[utoipa::path(
    post,
    path = "/__admin/oneaccess/clients",
    operation_id = "admin_add_client",
    tag = "control plane",
    summary = "Register a OneAccess app",
    security((), ("adminToken" = [])),
    request_body(content = Object, content_type = "application/json", description = "`{\"clientId\",\"clientSecret\",\"tenantId\",\"name\"?}` (unknown fields refused).", example = json!({ "clientId": "ExampleApp0001", "clientSecret": "example-secret", "tenantId": "08f770f51f80d2f40f38c00cb199fd21", "name": "Example App" })),
    responses(
        (status = 201, description = "The app as stored.", body = Object),
        (status = 400, description = "Not JSON of the shape, or refused (empty id or secret, unknown tenant, duplicate id).", body = Invalid),
    )
)]
pub async fn add_client(ns: Ns, body: Bytes) -> Result<Response, AdminError> {
    let body = checked::<OaClient>(&body)?;
    store(&ns, Change::AddClient { body }).await
}

/// A one-time KooDrive authorization code for a user.
#[derive(Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(as = AuthCodeRequest)]
struct AuthCodeReq {
    /// A KooDrive user id (also as a JSON number).
    #[serde(default, deserialize_with = "serde_json_lenient_string")]
    #[schema(value_type = String, required = true)]
    user_id: Option<String>,
    /// Lifetime in seconds (default 300, at most a year).
    #[serde(default)]
    #[schema(minimum = 1)]
    ttl_seconds: Option<u64>,
}

/// A minted authorization code.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(as = AuthCode)]
struct AuthCode {
    /// 64 base62 characters; works once.
    code: String,
    /// RFC 3339.
    expires_at: String,
    expires_at_ms: i64,
}

/// `POST /__admin/koodrive/auth-codes {"userId","ttlSeconds"?}` — a one-time authorization code.
#[utoipa::path(
    post,
    path = "/__admin/koodrive/auth-codes",
    operation_id = "admin_mint_auth_code",
    tag = "control plane",
    summary = "Mint a one-time KooDrive authorization code",
    security((), ("adminToken" = [])),
    request_body(
        content = AuthCodeReq,
        content_type = "application/json",
        example = json!({ "userId": "1008600000701011201", "ttlSeconds": 300 })
    ),
    responses(
        (
            status = 201,
            description = "The code.",
            body = AuthCode,
            links(
                ("create_session" = (
                    operation_id = "koodrive_create_session",
                    request_body = json!({ "code": "$response.body#/code" })
                )),
            )
        ),
        (status = 400, description = "Not JSON of the shape, no `userId`, `ttlSeconds` 0.", body = ErrorBody),
        (status = 404, description = "No such KooDrive user.", body = ErrorBody),
    )
)]
pub async fn mint_auth_code(ns: Ns, body: Bytes) -> Result<Response, AdminError> {
    let req: AuthCodeReq = parse(&body)?;
    let Some(uid) = req.user_id.filter(|u| !u.is_empty()) else {
        return Err(AdminError::bad_request("\"userId\" is required"));
    };
    let Some(user) = ns.koo().user(&uid) else {
        return Err(AdminError::not_found(format!("no koodrive user {uid:?}")));
    };
    let ttl_ms = match req.ttl_seconds {
        Some(0) => return Err(AdminError::bad_request("\"ttlSeconds\" must be at least 1")),
        Some(s) => (s.min(365 * 86_400) * 1000) as i64,
        None => CODE_TTL_MS,
    };
    let now = ns.now();
    let code = ns.gen.base62_key(64);
    let mut rec = TokenRec::new(Kind::KooAuthCode, uid, now, ttl_ms);
    // The org of the session it opens (create-session stores it in the step that takes the code).
    rec.bind().org = Some(user.org_id.as_str().into());
    let expires = rec.expires_ms;
    ns.store().insert(code.clone(), rec).await?;
    Ok(created(AuthCode {
        code,
        expires_at: rfc3339(expires),
        expires_at_ms: expires,
    }))
}

/// A one-time KooDrive verification code for an account.
#[derive(Deserialize, ToSchema)]
#[schema(as = VerificationCodeRequest)]
struct CaptchaReq {
    /// A KooDrive account or phone (also as a JSON number).
    #[serde(default, deserialize_with = "serde_json_lenient_string")]
    #[schema(value_type = String, required = true)]
    account: Option<String>,
}

/// A minted verification code.
// Fields in alphabetical order, as in the `json!` map this replaced: the bytes on the wire stay the same.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(as = VerificationCode)]
struct VerificationCode {
    /// Six digits, for login with authType "2"; works once, for 5 minutes.
    captcha_token: String,
    /// RFC 3339.
    expires_at: String,
    expires_at_ms: i64,
    user_id: String,
}

/// `POST /__admin/koodrive/verification-codes {"account"}` — a one-time verification code (authType "2").
#[utoipa::path(
    post,
    path = "/__admin/koodrive/verification-codes",
    operation_id = "admin_mint_verification_code",
    tag = "control plane",
    summary = "Mint a one-time KooDrive verification code",
    security((), ("adminToken" = [])),
    request_body(
        content = CaptchaReq,
        content_type = "application/json",
        example = json!({ "account": "0027188460911" })
    ),
    responses(
        (
            status = 201,
            description = "The code (it replaces an earlier minted one of the account).",
            body = VerificationCode,
            links(
                ("login" = (
                    operation_id = "koodrive_login",
                    parameters(("header.x-hw-agentName" = "authmock-docs")),
                    request_body = json!({ "account": "$request.body#/account", "authType": "2", "captchaToken": "$response.body#/captchaToken" })
                )),
            )
        ),
        (status = 400, description = "Not JSON of the shape, no `account`.", body = ErrorBody),
        (status = 404, description = "No such KooDrive account.", body = ErrorBody),
    )
)]
pub async fn mint_verification_code(ns: Ns, body: Bytes) -> Result<Response, AdminError> {
    let req: CaptchaReq = parse(&body)?;
    let Some(account) = req.account.filter(|a| !a.is_empty()) else {
        return Err(AdminError::bad_request("\"account\" is required"));
    };
    let Some(user) = ns.koo().user_by_account(&account) else {
        return Err(AdminError::not_found(format!(
            "no koodrive account {account:?}"
        )));
    };
    let mut digits = [0u8; 6];
    ns.gen.fill(&mut digits);
    let code: String = digits.iter().map(|b| char::from(b'0' + b % 10)).collect();
    let now = ns.now();
    let expires = now + CODE_TTL_MS;
    ns.mint_verification_code(&user.user_id, &code, now, expires)
        .await?;
    Ok(created(VerificationCode {
        captcha_token: code,
        expires_at: rfc3339(expires),
        expires_at_ms: expires,
        user_id: user.user_id.to_string(),
    }))
}
