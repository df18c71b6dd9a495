//! Huawei KooDrive: enterprise session APIs (create session, auth, refresh, logoff) and the carrier
//! login APIs (login, refreshToken). Envelope `{"code":0,"msg":…,"data":…}`; errors `{"code":<int>,"msg"}`.
//!
//! Vendor pages: KooDrive API reference — "Initializing and Creating a Session" (`api-koodrive`) and
//! "Login" (`api-koodrive-carrier`); see `shared/seeds/000_*` and `001_*`.

use crate::extract::{auth_token, header, json_object, lenient_string, present, BodyError};
use crate::state::{AppState, Ns};
use crate::store::{koodrive::KooUser, Kind, Lookup, TokenRec};
use crate::tokens::secret_eq;
use axum::body::Bytes;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::{Deserialize, Serialize};

/// Routes of this family, for the router and the 404 listing.
pub const ROUTES: &[(&str, &str)] = &[
    ("POST", "/koodrive/ose/v1/session/"),
    ("POST", "/koodrive/ose/v1/session"),
    ("GET", "/koodrive/ose/v1/session/auth"),
    ("POST", "/koodrive/ose/v1/session/refresh"),
    ("GET", "/koodrive/ose/v1/session/logoff"),
    ("POST", "/koodrive/ose/v1/auth/login"),
    ("POST", "/koodrive/ose/v1/auth/refreshToken"),
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
    Router::new()
        .route("/koodrive/ose/v1/session/", post(create_session))
        .route("/koodrive/ose/v1/session", post(create_session))
        .route("/koodrive/ose/v1/session/auth", get(session_auth))
        .route("/koodrive/ose/v1/session/refresh", post(session_refresh))
        .route("/koodrive/ose/v1/session/logoff", get(session_logoff))
        .route("/koodrive/ose/v1/auth/login", post(login))
        .route("/koodrive/ose/v1/auth/refreshToken", post(refresh_token))
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

#[derive(Serialize)]
struct ErrorBody {
    code: i64,
    msg: &'static str,
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

#[derive(Serialize)]
struct Envelope<T: Serialize> {
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

#[derive(Deserialize)]
struct CreateSessionReq {
    #[serde(default, deserialize_with = "lenient_string")]
    code: Option<String>,
    #[serde(default, deserialize_with = "lenient_string")]
    #[allow(dead_code)]
    domain: Option<String>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SessionUserInfo<'a> {
    role: &'a str,
    user_name: &'a str,
    inner_user_id: &'a str,
    user_id: &'a str,
    tenant_id: &'a str,
    org_id: &'a str,
    org_name: &'a str,
    #[serde(rename = "xhwSchema", skip_serializing_if = "Option::is_none")]
    xhw_schema: Option<&'a str>,
    user_count: u64,
    dept_id: &'a str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SessionData<'a> {
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
async fn create_session(ns: Ns, body: Bytes) -> Result<Response, KooError> {
    let req: CreateSessionReq = json_object(&body)?;
    let code = present(&req.code).ok_or(KooError::Param)?;
    let now = ns.now();
    let user_id = match ns.store.koo.codes.get(code) {
        Some(uid) => uid.clone(),
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
    let mut rec = TokenRec::new(Kind::KooSession, user_id.as_str(), now, SESSION_WINDOW_MS);
    rec.session = Some(session_id.clone());
    rec.org = Some(user.org_id.clone());
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
async fn session_auth(ns: Ns, headers: HeaderMap) -> Result<Response, KooError> {
    let token = session_token(&headers).ok_or(KooError::Session)?;
    let rec = ns
        .store
        .tokens
        .touch(token, Kind::KooSession, ns.now(), SESSION_WINDOW_MS)
        .ok_or(KooError::Session)?;
    let user = ns.store.koo.user(&rec.owner).ok_or(KooError::Session)?;
    with_user_info(&ns, &user, false, |info| ok("success", info)).ok_or(KooError::Session)
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct RefreshBody {
    access_token: String,
    code: i64,
    msg: &'static str,
}

/// `POST /koodrive/ose/v1/session/refresh` — a new token for the same session; the old one is retired.
async fn session_refresh(ns: Ns, headers: HeaderMap) -> Result<Response, KooError> {
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

#[derive(Serialize)]
struct Plain {
    code: i64,
    msg: &'static str,
}

/// `GET /koodrive/ose/v1/session/logoff` — ends the session; answers success for any or no token.
async fn session_logoff(ns: Ns, headers: HeaderMap) -> Response {
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

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct LoginReq {
    #[serde(default, deserialize_with = "lenient_string")]
    account: Option<String>,
    #[serde(default, deserialize_with = "lenient_string")]
    auth_type: Option<String>,
    #[serde(default, deserialize_with = "lenient_string")]
    password: Option<String>,
    #[serde(default, deserialize_with = "lenient_string")]
    captcha_token: Option<String>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SessionInfo {
    access_token: String,
    expires_in: i64,
    issued_at: String,
    refresh_token: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct LoginUserInfo<'a> {
    user_id: &'a str,
    firstname: &'a str,
    surname: &'a str,
    phone: &'a str,
    email: &'a str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct LoginData<'a> {
    user_info: LoginUserInfo<'a>,
    session_info: SessionInfo,
}

#[derive(Serialize)]
struct DataFirst<T: Serialize> {
    data: T,
    code: i64,
    msg: &'static str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct RefreshData {
    session_info: SessionInfo,
}

fn lock_key(user_id: &str) -> String {
    format!("koodrive:{user_id}")
}

/// Issues a login access token and its refresh token, linked to each other.
fn issue_pair(ns: &Ns, user_id: &str) -> SessionInfo {
    let now = ns.now();
    let access = ns.gen.hex48();
    let refresh = ns.gen.hex48();
    let mut a = TokenRec::new(Kind::KooAccess, user_id, now, ACCESS_TTL_S * 1000);
    // Refreshing needs the (possibly expired) access token, so it is kept as long as its refresh token.
    a.retain_ms = now.saturating_add(REFRESH_TTL_MS);
    a.link = Some(refresh.clone());
    let mut r = TokenRec::new(Kind::KooRefresh, user_id, now, REFRESH_TTL_MS);
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
async fn login(ns: Ns, headers: HeaderMap, body: Bytes) -> Result<Response, KooError> {
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

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RefreshTokenReq {
    #[serde(default, deserialize_with = "lenient_string")]
    refresh_token: Option<String>,
}

/// `POST /koodrive/ose/v1/auth/refreshToken` — rotates the access/refresh pair issued by login.
async fn refresh_token(ns: Ns, headers: HeaderMap, body: Bytes) -> Result<Response, KooError> {
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
