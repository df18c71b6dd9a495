//! Huawei KooDrive: enterprise session APIs (create session, auth, refresh, logoff) and the carrier
//! login APIs (login, refreshToken). Envelope `{"code":0,"msg":…,"data":…}`; errors `{"code":<int>,"msg"}`.
//!
//! Vendor pages: KooDrive API reference — "Initializing and Creating a Session" (`api-koodrive`) and
//! "Login" (`api-koodrive-carrier`); see `shared/seeds/000_*` and `001_*`.

use crate::extract::{
    auth_token, header, json_object, lenient_string, present, BodyError, Headers,
};
use crate::respond::Json;
use crate::state::{AppState, Ns};
use crate::store::{koodrive::KooUser, Kind, Lookup, Text, TokenRec};
use crate::tokens::secret_eq;
use axum::body::Bytes;
use axum::http::request::Parts;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Router;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// Routes of this family, for the router and the 404 listing.
/// The KooDrive operations.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    CreateSession,
    SessionAuth,
    SessionRefresh,
    SessionLogoff,
    Login,
    RefreshToken,
}

/// Every KooDrive route: the router and the server's direct dispatch are both built from it.
pub const ROUTES: &[(&str, &str, Op)] = &[
    ("POST", "/koodrive/ose/v1/session/", Op::CreateSession),
    ("POST", "/koodrive/ose/v1/session", Op::CreateSession),
    ("GET", "/koodrive/ose/v1/session/auth", Op::SessionAuth),
    (
        "POST",
        "/koodrive/ose/v1/session/refresh",
        Op::SessionRefresh,
    ),
    ("GET", "/koodrive/ose/v1/session/logoff", Op::SessionLogoff),
    ("POST", "/koodrive/ose/v1/auth/login", Op::Login),
    (
        "POST",
        "/koodrive/ose/v1/auth/refreshToken",
        Op::RefreshToken,
    ),
];

/// Sliding lifetime of a session token.
pub const SESSION_WINDOW_MS: i64 = 20 * 60 * 1000;
/// `expiresIn` of a login access token, in seconds.
pub const ACCESS_TTL_S: i64 = 1800;
/// Lifetime of a login refresh token.
pub const REFRESH_TTL_MS: i64 = 30 * 24 * 3600 * 1000;
/// Lifetime of minted one-time authorization and verification codes.
pub const CODE_TTL_MS: i64 = 5 * 60 * 1000;
/// Consecutive wrong passwords or codes that lock an account.
pub const LOCK_AFTER: u32 = 5;
/// How long a locked account stays locked.
pub const LOCK_MS: i64 = 15 * 60 * 1000;

pub fn router() -> Router<AppState> {
    super::router(ROUTES, handle)
}

/// Runs one operation on a request whose body has been read.
pub async fn handle(op: Op, ns: Ns, parts: Parts, body: Bytes) -> Response {
    let headers = Headers(parts.headers);
    match op {
        Op::CreateSession => create_session(ns, body).await.into_response(),
        Op::SessionAuth => session_auth(ns, headers).await.into_response(),
        Op::SessionRefresh => session_refresh(ns, headers).await.into_response(),
        Op::SessionLogoff => session_logoff(ns, headers).await,
        Op::Login => login(ns, headers, body).await.into_response(),
        Op::RefreshToken => refresh_token(ns, headers, body).await.into_response(),
    }
}

/// Every KooDrive failure; the doc comment names the code it answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum KooError {
    /// 13000102, HTTP 400.
    #[error("verify parameters failed")]
    Param,
    /// 13000102 with HTTP 413: body over the size limit.
    #[error("body too large")]
    TooLarge,
    /// 13000201, HTTP 400.
    #[error("authorization code invalid or expired")]
    AuthCode,
    /// 13000202, HTTP 401.
    #[error("session invalid or expired")]
    Session,
    /// 13000203, HTTP 401.
    #[error("incorrect account or password")]
    Credentials,
    /// 13000204, HTTP 401.
    #[error("account locked")]
    Locked,
    /// 13000205, HTTP 401.
    #[error("refresh token invalid or expired")]
    Refresh,
}

impl KooError {
    pub const ALL: [KooError; 6] = [
        KooError::Param,
        KooError::AuthCode,
        KooError::Session,
        KooError::Credentials,
        KooError::Locked,
        KooError::Refresh,
    ];

    pub fn code(self) -> i64 {
        match self {
            KooError::Param | KooError::TooLarge => 13000102,
            KooError::AuthCode => 13000201,
            KooError::Session => 13000202,
            KooError::Credentials => 13000203,
            KooError::Locked => 13000204,
            KooError::Refresh => 13000205,
        }
    }

    pub fn msg(self) -> &'static str {
        match self {
            KooError::Param | KooError::TooLarge => "Verify parameters failed.",
            KooError::AuthCode => "Authorization code is invalid or expired.",
            KooError::Session => "Session is invalid or expired.",
            KooError::Credentials => "Incorrect account or password.",
            KooError::Locked => "Account is locked. Try again later.",
            KooError::Refresh => "Refresh token is invalid or expired.",
        }
    }

    pub fn status(self) -> StatusCode {
        match self {
            KooError::Param | KooError::AuthCode => StatusCode::BAD_REQUEST,
            KooError::TooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            _ => StatusCode::UNAUTHORIZED,
        }
    }

    /// The error a fault names by its vendor code.
    pub fn from_code(code: &str) -> Option<KooError> {
        KooError::ALL
            .into_iter()
            .find(|e| e.code().to_string() == code)
    }
}

/// A KooDrive failure: HTTP 400, 401 or 413 with the vendor code and its message.
#[derive(Serialize, ToSchema)]
#[schema(as = KooDriveError)]
struct ErrorBody {
    #[schema(schema_with = error_code_schema)]
    code: i64,
    #[schema(schema_with = error_msg_schema)]
    msg: &'static str,
}

/// Every code [`KooError`] answers, each described, for the OpenAPI document.
fn error_code_schema() -> utoipa::openapi::Object {
    let codes = KooError::ALL.iter().map(|e| {
        let status = match e {
            KooError::Param => "HTTP 400 (413 for a body over 64 KiB)".to_string(),
            e => format!("HTTP {}", e.status().as_u16()),
        };
        (e.code(), format!("{}: {}", status, e.msg()))
    });
    crate::openapi::int_codes("The KooDrive error code.", codes)
}

fn error_msg_schema() -> utoipa::openapi::Object {
    crate::openapi::str_enum("The code's message.", KooError::ALL.iter().map(|e| e.msg()))
}

/// `code` of a success envelope: always 0.
fn success_code_schema() -> utoipa::openapi::Object {
    crate::openapi::int_codes("0 on success.", [(0, "success".to_string())])
}

impl IntoResponse for KooError {
    fn into_response(self) -> Response {
        let body = ErrorBody {
            code: self.code(),
            msg: self.msg(),
        };
        (self.status(), Json(body)).into_response()
    }
}

impl From<BodyError> for KooError {
    fn from(_: BodyError) -> Self {
        KooError::Param
    }
}

/// A KooDrive success: `{"code":0,"msg","data"}`.
#[derive(Serialize, ToSchema)]
#[schema(as = KooDriveEnvelope<T>)]
struct Envelope<T: Serialize> {
    #[schema(schema_with = success_code_schema)]
    code: i64,
    msg: &'static str,
    data: T,
}

fn ok<T: Serialize>(msg: &'static str, data: T) -> Response {
    Json(Envelope { code: 0, msg, data }).into_response()
}

/// The session token from `Authorization` (`Bearer <t>`, `Bearer+<t>`, or bare as in the cookie).
fn session_token(headers: &HeaderMap) -> Option<&str> {
    auth_token(headers, &["Bearer"])
}

// ---------------------------------------------------------------------------------------------------
// Enterprise session APIs

/// Create-session request. Unknown fields are ignored; a string field may also be a JSON number.
#[derive(Deserialize, ToSchema)]
#[schema(as = KooDriveCreateSessionRequest)]
struct CreateSessionReq {
    /// The authorization code (a fixture code, or one minted by `POST /__admin/koodrive/auth-codes`).
    #[serde(default, deserialize_with = "lenient_string")]
    #[schema(value_type = String, required = true)]
    code: Option<String>,
    /// The enterprise console domain (accepted and ignored).
    #[serde(default, deserialize_with = "lenient_string")]
    #[schema(value_type = String)]
    #[allow(dead_code)]
    domain: Option<String>,
}

/// The session's user and organization.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(as = KooDriveSessionUserInfo)]
struct SessionUserInfo<'a> {
    role: &'a str,
    user_name: &'a str,
    inner_user_id: &'a str,
    user_id: &'a str,
    tenant_id: &'a str,
    org_id: &'a str,
    org_name: &'a str,
    /// Only in the create-session answer.
    #[serde(rename = "xhwSchema", skip_serializing_if = "Option::is_none")]
    xhw_schema: Option<&'a str>,
    user_count: u64,
    dept_id: &'a str,
}

/// A new session.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(as = KooDriveSessionData)]
struct SessionData<'a> {
    /// `Bearer <48 hex>`: send it as `Authorization` on the session routes.
    access_token: String,
    session_id: &'a str,
    user_id: &'a str,
    user_info: SessionUserInfo<'a>,
}

/// Builds `userInfo` for a user (with or without `xhwSchema`); `None` if the user's org is gone.
fn with_user_info<R>(
    ns: &Ns,
    user: &KooUser,
    schema: bool,
    f: impl FnOnce(SessionUserInfo<'_>) -> R,
) -> Option<R> {
    let org = ns.store.koo.org(&user.org_id)?;
    let count = ns.store.koo.user_count(&org);
    Some(f(SessionUserInfo {
        role: &user.role,
        user_name: &user.user_name,
        inner_user_id: &user.inner_user_id,
        user_id: &user.user_id,
        tenant_id: &org.tenant_id,
        org_id: &org.org_id,
        org_name: &org.org_name,
        xhw_schema: schema.then_some(org.xhw_schema.as_str()),
        user_count: count,
        dept_id: &user.dept_id,
    }))
}

/// `POST /koodrive/ose/v1/session/` — exchanges an authorization code for a session
/// (KooDrive "Initializing and Creating a Session", seed 000).
#[utoipa::path(
    post,
    path = "/koodrive/ose/v1/session/",
    operation_id = "koodrive_create_session",
    tag = "KooDrive",
    summary = "Create a session from an authorization code",
    request_body(
        content = CreateSessionReq,
        content_type = "application/json",
        example = json!({ "code": "koo-admin-code", "domain": "kdconsole.example.cn:8080" })
    ),
    responses(
        (
            status = 200,
            description = "The session: a sliding 20-minute `Bearer` token.",
            body = Envelope<SessionData>,
            links(
                ("auth" = (operation_id = "koodrive_session_auth", parameters(("header.Authorization" = "$response.body#/data/accessToken")))),
                ("refresh" = (operation_id = "koodrive_session_refresh", parameters(("header.Authorization" = "$response.body#/data/accessToken"), ("header.x-session-id" = "$response.body#/data/sessionId")))),
                ("logoff" = (operation_id = "koodrive_session_logoff", parameters(("header.Authorization" = "$response.body#/data/accessToken")))),
            )
        ),
        (status = 400, description = "13000102 (no or unparsable `code`), 13000201 (unknown, used or expired code).", body = ErrorBody),
        (status = 413, description = "Body over 64 KiB: 13000102.", body = ErrorBody),
    )
)]
async fn create_session(ns: Ns, body: Bytes) -> Result<Response, KooError> {
    let req: CreateSessionReq = json_object(&body)?;
    let code = present(&req.code).ok_or(KooError::Param)?;
    let now = ns.now();
    let user_id = match ns.store.koo.codes.get(code) {
        Some(uid) => Text::from(uid.as_str()),
        None => {
            ns.store
                .tokens
                .take_if(code, Kind::KooAuthCode, now, |_| true)
                .ok_or(KooError::AuthCode)?
                .owner
        }
    };
    let user = ns.store.koo.user(&user_id).ok_or(KooError::AuthCode)?;
    let token = ns.gen.hex48();
    let session_id = ns.gen.hex48();
    let mut rec = TokenRec::new(Kind::KooSession, user_id, now, SESSION_WINDOW_MS);
    rec.session = Some(session_id.as_str().into());
    rec.org = Some(user.org_id.as_str().into());
    let mut access_token = String::with_capacity(55);
    access_token.push_str("Bearer ");
    access_token.push_str(&token);
    let resp = with_user_info(&ns, &user, true, |info| {
        ok(
            "Successful",
            SessionData {
                access_token,
                session_id: &session_id,
                user_id: &user.user_id,
                user_info: info,
            },
        )
    })
    .ok_or(KooError::AuthCode)?;
    ns.store.tokens.insert(token, rec);
    Ok(resp)
}

/// `GET /koodrive/ose/v1/session/auth` — the session's user; slides the session's lifetime.
#[utoipa::path(
    get,
    path = "/koodrive/ose/v1/session/auth",
    operation_id = "koodrive_session_auth",
    tag = "KooDrive",
    summary = "The session's user (slides the session)",
    security((), ("koodriveSession" = [])),
    responses(
        (status = 200, description = "The session's user and organization.", body = Envelope<SessionUserInfo>),
        (status = 401, description = "13000202: missing, unknown, expired or logged-off session token.", body = ErrorBody),
        (status = 413, description = "Body over 64 KiB: 13000102.", body = ErrorBody),
    )
)]
async fn session_auth(ns: Ns, Headers(headers): Headers) -> Result<Response, KooError> {
    let token = session_token(&headers).ok_or(KooError::Session)?;
    let rec = ns
        .store
        .tokens
        .touch(token, Kind::KooSession, ns.now(), SESSION_WINDOW_MS)
        .ok_or(KooError::Session)?;
    let user = ns.store.koo.user(&rec.owner).ok_or(KooError::Session)?;
    with_user_info(&ns, &user, false, |info| ok("success", info)).ok_or(KooError::Session)
}

/// A session's new token: `{"accessToken","code":0,"msg":"success"}`.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(as = KooDriveSessionRefresh)]
struct RefreshBody {
    /// `Bearer <48 hex>`.
    access_token: String,
    #[schema(schema_with = success_code_schema)]
    code: i64,
    msg: &'static str,
}

/// `POST /koodrive/ose/v1/session/refresh` — a new token for the same session; the old one is retired.
#[utoipa::path(
    post,
    path = "/koodrive/ose/v1/session/refresh",
    operation_id = "koodrive_session_refresh",
    tag = "KooDrive",
    summary = "A new token for the session",
    security((), ("koodriveSession" = [])),
    params(
        ("x-session-id" = Option<String>, Header, description = "The session's `sessionId`; required (missing: 13000102).", example = "c17c0bbbd6a8b1b1e4a5c1d7a0c4b9e3f2d1c0b9a8e7f6d5"),
    ),
    responses(
        (
            status = 200,
            description = "The new token; the old one is retired.",
            body = RefreshBody,
            links(
                ("auth" = (operation_id = "koodrive_session_auth", parameters(("header.Authorization" = "$response.body#/accessToken")))),
                ("logoff" = (operation_id = "koodrive_session_logoff", parameters(("header.Authorization" = "$response.body#/accessToken")))),
            )
        ),
        (status = 400, description = "13000102: no `x-session-id`.", body = ErrorBody),
        (status = 401, description = "13000202: bad session token, or `x-session-id` not its session.", body = ErrorBody),
        (status = 413, description = "Body over 64 KiB: 13000102.", body = ErrorBody),
    )
)]
async fn session_refresh(ns: Ns, Headers(headers): Headers) -> Result<Response, KooError> {
    let token = session_token(&headers).ok_or(KooError::Session)?;
    let now = ns.now();
    let rec = ns
        .store
        .tokens
        .live(token, &[Kind::KooSession], now)
        .ok_or(KooError::Session)?;
    let sid = header(&headers, "x-session-id").ok_or(KooError::Param)?;
    if rec.session.as_deref() != Some(sid) {
        return Err(KooError::Session);
    }
    let old = ns
        .store
        .tokens
        .take_if(token, Kind::KooSession, now, |r| {
            r.session.as_deref() == Some(sid)
        })
        .ok_or(KooError::Session)?;
    let fresh = ns.gen.hex48();
    let mut rec = TokenRec::new(Kind::KooSession, old.owner, now, SESSION_WINDOW_MS);
    rec.session = old.session;
    rec.org = old.org;
    let access_token = format!("Bearer {fresh}");
    ns.store.tokens.insert(fresh, rec);
    Ok(Json(RefreshBody {
        access_token,
        code: 0,
        msg: "success",
    })
    .into_response())
}

/// `{"code":0,"msg":"success"}`.
#[derive(Serialize, ToSchema)]
#[schema(as = KooDriveLogoff)]
struct Plain {
    #[schema(schema_with = success_code_schema)]
    code: i64,
    msg: &'static str,
}

/// `GET /koodrive/ose/v1/session/logoff` — ends the session; answers success for any or no token.
#[utoipa::path(
    get,
    path = "/koodrive/ose/v1/session/logoff",
    operation_id = "koodrive_session_logoff",
    tag = "KooDrive",
    summary = "End the session (success for any or no token)",
    security((), ("koodriveSession" = [])),
    responses(
        (status = 200, description = "Always success.", body = Plain),
        (status = 413, description = "Body over 64 KiB: 13000102.", body = ErrorBody),
    )
)]
async fn session_logoff(ns: Ns, Headers(headers): Headers) -> Response {
    if let Some(t) = session_token(&headers) {
        ns.store.tokens.retire(t, &[Kind::KooSession]);
    }
    Json(Plain {
        code: 0,
        msg: "success",
    })
    .into_response()
}

// ---------------------------------------------------------------------------------------------------
// Carrier login APIs

/// Login request. Unknown fields are ignored; a string field may also be a JSON number.
#[derive(Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(as = KooDriveLoginRequest)]
struct LoginReq {
    /// Account name or phone number.
    #[serde(default, deserialize_with = "lenient_string")]
    #[schema(value_type = String, required = true)]
    account: Option<String>,
    /// "1": password, "2": verification code.
    #[serde(default, deserialize_with = "lenient_string")]
    #[schema(value_type = String, required = true)]
    auth_type: Option<String>,
    /// Required with authType "1".
    #[serde(default, deserialize_with = "lenient_string")]
    #[schema(value_type = String)]
    password: Option<String>,
    /// The verification code; required with authType "2".
    #[serde(default, deserialize_with = "lenient_string")]
    #[schema(value_type = String)]
    captcha_token: Option<String>,
}

/// A login access token and its refresh token.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(as = KooDriveSessionInfo)]
struct SessionInfo {
    /// `AT <48 hex>`.
    access_token: String,
    /// Seconds the access token lives (1800).
    expires_in: i64,
    /// Issuance, epoch milliseconds as text.
    issued_at: String,
    /// 48 hex.
    #[schema(value_type = String)]
    refresh_token: Text,
}

/// The logged-in user.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(as = KooDriveLoginUserInfo)]
struct LoginUserInfo<'a> {
    user_id: &'a str,
    firstname: &'a str,
    surname: &'a str,
    phone: &'a str,
    email: &'a str,
}

/// What a login answers.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(as = KooDriveLoginData)]
struct LoginData<'a> {
    user_info: LoginUserInfo<'a>,
    session_info: SessionInfo,
}

/// The login success envelope, `data` first: `{"data","code":0,"msg":"Success"}`.
#[derive(Serialize, ToSchema)]
#[schema(as = KooDriveLoginEnvelope<T>)]
struct DataFirst<T: Serialize> {
    data: T,
    #[schema(schema_with = success_code_schema)]
    code: i64,
    msg: &'static str,
}

/// The new token pair.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(as = KooDriveRefreshData)]
struct RefreshData {
    session_info: SessionInfo,
}

fn lock_key(user_id: &str) -> String {
    format!("koodrive:{user_id}")
}

/// Issues a login access token and its refresh token, linked to each other.
fn issue_pair(ns: &Ns, user_id: &str) -> SessionInfo {
    let now = ns.now();
    let access = ns.gen.hex_text(24);
    let refresh = ns.gen.hex_text(24);
    // One owner string shared by both records; each record links to the other's key.
    let owner = Text::from(user_id);
    let mut a = TokenRec::new(Kind::KooAccess, owner.clone(), now, ACCESS_TTL_S * 1000);
    // Refreshing needs the (possibly expired) access token, so it is kept as long as its refresh token.
    a.retain_ms = now.saturating_add(REFRESH_TTL_MS);
    a.link = Some(refresh.clone());
    let mut r = TokenRec::new(Kind::KooRefresh, owner, now, REFRESH_TTL_MS);
    r.link = Some(access.clone());
    let mut access_token = String::with_capacity(51);
    access_token.push_str("AT ");
    access_token.push_str(&access);
    ns.store.tokens.insert(access, a);
    ns.store.tokens.insert(refresh.clone(), r);
    SessionInfo {
        access_token,
        expires_in: ACCESS_TTL_S,
        issued_at: now.to_string(),
        refresh_token: refresh,
    }
}

/// Checks the credential of `authType` "1" (password) or "2" (verification code).
fn credential_ok(ns: &Ns, user: &KooUser, auth_type: &str, secret: &str, now: i64) -> bool {
    if auth_type == "1" {
        return secret_eq(secret, &user.password);
    }
    if !user.verification_code.is_empty() && secret_eq(secret, &user.verification_code) {
        return true;
    }
    // A minted code works once.
    ns.store
        .koo
        .captchas
        .remove_if(&user.user_id, |_, (code, exp)| {
            now < *exp && secret_eq(secret, code)
        })
        .is_some()
}

/// `POST /koodrive/ose/v1/auth/login` — account login by password or verification code
/// (KooDrive carrier "Login", seed 001).
#[utoipa::path(
    post,
    path = "/koodrive/ose/v1/auth/login",
    operation_id = "koodrive_login",
    tag = "KooDrive",
    summary = "Account login by password or verification code",
    params(
        ("x-hw-agentName" = Option<String>, Header, description = "The client's agent name; required (missing: 13000102).", example = "authmock-docs"),
    ),
    request_body(
        content = LoginReq,
        content_type = "application/json",
        example = json!({ "account": "0027188460911", "authType": "1", "password": "123qweASD143" })
    ),
    responses(
        (
            status = 200,
            description = "An `AT` access token (1800 s) and its refresh token (30 days).",
            body = DataFirst<LoginData>,
            links(
                ("refresh" = (
                    operation_id = "koodrive_refresh_token",
                    parameters(("header.Authorization" = "$response.body#/data/sessionInfo/accessToken")),
                    request_body = json!({ "refreshToken": "$response.body#/data/sessionInfo/refreshToken" })
                )),
            )
        ),
        (status = 400, description = "13000102: missing header or field, bad `authType`, unparsable body.", body = ErrorBody),
        (status = 401, description = "13000203 (wrong password or code, unknown account), 13000204 (locked after 5 failures, for 15 minutes).", body = ErrorBody),
        (status = 413, description = "Body over 64 KiB: 13000102.", body = ErrorBody),
    )
)]
async fn login(ns: Ns, Headers(headers): Headers, body: Bytes) -> Result<Response, KooError> {
    header(&headers, "x-hw-agentname").ok_or(KooError::Param)?;
    let req: LoginReq = json_object(&body)?;
    let account = present(&req.account).ok_or(KooError::Param)?;
    let auth_type = present(&req.auth_type).ok_or(KooError::Param)?;
    let secret = match auth_type {
        "1" => present(&req.password),
        "2" => present(&req.captcha_token),
        _ => None,
    }
    .ok_or(KooError::Param)?;
    let now = ns.now();
    let user = ns
        .store
        .koo
        .user_by_account(account)
        .ok_or(KooError::Credentials)?;
    let key = lock_key(&user.user_id);
    if ns.store.is_locked(&key, now) {
        return Err(KooError::Locked);
    }
    if !credential_ok(&ns, &user, auth_type, secret, now) {
        ns.store.record_failure(&key, now, LOCK_AFTER, LOCK_MS);
        return Err(KooError::Credentials);
    }
    ns.store.record_success(&key);
    let session_info = issue_pair(&ns, &user.user_id);
    Ok(Json(DataFirst {
        data: LoginData {
            user_info: LoginUserInfo {
                user_id: &user.user_id,
                firstname: &user.firstname,
                surname: &user.surname,
                phone: &user.phone,
                email: &user.email,
            },
            session_info,
        },
        code: 0,
        msg: "Success",
    })
    .into_response())
}

/// Refresh request. Unknown fields are ignored; a string field may also be a JSON number.
#[derive(Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(as = KooDriveRefreshTokenRequest)]
struct RefreshTokenReq {
    /// The refresh token issued with the access token in `Authorization`.
    #[serde(default, deserialize_with = "lenient_string")]
    #[schema(value_type = String, required = true)]
    refresh_token: Option<String>,
}

/// `POST /koodrive/ose/v1/auth/refreshToken` — rotates the access/refresh pair issued by login.
#[utoipa::path(
    post,
    path = "/koodrive/ose/v1/auth/refreshToken",
    operation_id = "koodrive_refresh_token",
    tag = "KooDrive",
    summary = "Rotate the login access and refresh tokens",
    security((), ("koodriveAccess" = [])),
    request_body(
        content = RefreshTokenReq,
        content_type = "application/json",
        example = json!({ "refreshToken": "0e0e5b8f3a3c4d2e9f1a7b6c5d4e3f2a1b0c9d8e7f6a5b4c" })
    ),
    responses(
        (
            status = 200,
            description = "The new pair; the old one is retired.",
            body = Envelope<RefreshData>,
            links(
                ("refresh" = (
                    operation_id = "koodrive_refresh_token",
                    parameters(("header.Authorization" = "$response.body#/data/sessionInfo/accessToken")),
                    request_body = json!({ "refreshToken": "$response.body#/data/sessionInfo/refreshToken" })
                )),
            )
        ),
        (status = 400, description = "13000102: no `refreshToken`, unparsable body.", body = ErrorBody),
        (status = 401, description = "13000202 (missing or unknown access token, or not the refresh token's), 13000205 (bad refresh token).", body = ErrorBody),
        (status = 413, description = "Body over 64 KiB: 13000102.", body = ErrorBody),
    )
)]
async fn refresh_token(
    ns: Ns,
    Headers(headers): Headers,
    body: Bytes,
) -> Result<Response, KooError> {
    let access = auth_token(&headers, &["AT", "Bearer"]).ok_or(KooError::Session)?;
    // The access token may have expired (that is why one refreshes), but it must be one login issued.
    // `lookup` also reports one the sweeper already dropped as expired, so a refresh token past its
    // 30 days still answers 13000205 after the sweep rather than 13000202.
    let now = ns.now();
    if let Lookup::Missing = ns.store.tokens.lookup(access, &[Kind::KooAccess], now) {
        return Err(KooError::Session);
    }
    let req: RefreshTokenReq = json_object(&body)?;
    let refresh = present(&req.refresh_token).ok_or(KooError::Param)?;
    let rec = match ns.store.tokens.lookup(refresh, &[Kind::KooRefresh], now) {
        Lookup::Live(r) => r,
        _ => return Err(KooError::Refresh),
    };
    if rec.link.as_deref() != Some(access) {
        return Err(KooError::Session);
    }
    // Exactly one concurrent refresh wins the old refresh token.
    let old = ns
        .store
        .tokens
        .take_if(refresh, Kind::KooRefresh, now, |r| {
            r.link.as_deref() == Some(access)
        })
        .ok_or(KooError::Refresh)?;
    ns.store.tokens.retire(access, &[Kind::KooAccess]);
    let session_info = issue_pair(&ns, &old.owner);
    Ok(ok("Success", RefreshData { session_info }))
}
