//! EnOS Application Portal: login, choose organization (session/set), token refresh, logout, session and
//! user info, revoking refresh tokens. Envelope `{"code":0,"message":"OK","data":…}`; errors are HTTP 200
//! with the code in the body (the vendor's own client drops non-2xx answers), except 413.
//!
//! Vendor page: EnOS Application Portal API reference v2.2 — "Choose Organization" (seed 003) and the
//! neighbouring "Log In", "Refresh Access Token", "Log Out", "Get Token Information", "Get User
//! Information", "Revoke Refresh Token" pages.

use crate::extract::{
    json_object, lenient_string, present, query_param, scheme_token, BodyError, Headers,
};
use crate::respond::Json;
use crate::state::{AppState, Ns};
use crate::store::enos::EnosUser;
use crate::store::{Kind, Text, TokenRec};
use crate::tokens::{secret_eq, sign_hs256, verify_hs256};
use axum::body::Bytes;
use axum::extract::RawQuery;
use axum::http::request::Parts;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Router;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// The EnOS operations.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    Login,
    SessionSet,
    TokenRefresh,
    Logout,
    SessionInfo,
    UserInfo,
    RevokeAll,
}

/// Every EnOS route: the router and the server's direct dispatch are both built from it.
pub const ROUTES: &[(&str, &str, Op)] = &[
    ("POST", "/app-portal-service/v2.2/login", Op::Login),
    (
        "POST",
        "/app-portal-service/v2.2/session/set",
        Op::SessionSet,
    ),
    (
        "POST",
        "/app-portal-service/v2.1/session/set",
        Op::SessionSet,
    ),
    (
        "GET",
        "/app-portal-service/v2.2/token/refresh",
        Op::TokenRefresh,
    ),
    ("GET", "/app-portal-service/v2.2/logout", Op::Logout),
    (
        "GET",
        "/app-portal-service/v2.2/session/info",
        Op::SessionInfo,
    ),
    ("GET", "/app-portal-service/v2.2/user/info", Op::UserInfo),
    (
        "POST",
        "/app-portal-service/v2.2/refreshToken/revokeAll",
        Op::RevokeAll,
    ),
];

/// Lifetime of access tokens (login and org-bound) — the vendor documents none; mock-defined 2 hours.
pub const ACCESS_TTL_MS: i64 = 2 * 3600 * 1000;
/// Lifetime of a refresh token: 30 days.
pub const REFRESH_TTL_MS: i64 = 30 * 24 * 3600 * 1000;
pub const LOCK_AFTER: u32 = 5;
pub const LOCK_MS: i64 = 15 * 60 * 1000;
const TOKEN_PREFIX: &str = "APP_PORTAL_S_";

pub fn router() -> Router<AppState> {
    super::router(ROUTES, handle)
}

/// Runs one operation on a request whose body has been read.
pub async fn handle(op: Op, ns: Ns, parts: Parts, body: Bytes) -> Response {
    let query = || RawQuery(parts.uri.query().map(str::to_owned));
    match op {
        Op::Login => login(ns, body).await.into_response(),
        Op::SessionSet => session_set(ns, Headers(parts.headers), body)
            .await
            .into_response(),
        Op::TokenRefresh => token_refresh(ns, query()).await.into_response(),
        Op::Logout => logout(ns, Headers(parts.headers)).await.into_response(),
        Op::SessionInfo => session_info(ns, Headers(parts.headers))
            .await
            .into_response(),
        Op::UserInfo => user_info(ns, Headers(parts.headers)).await.into_response(),
        Op::RevokeAll => {
            let q = query();
            revoke_all(ns, Headers(parts.headers), q)
                .await
                .into_response()
        }
    }
}

/// Every EnOS failure; the doc comment names the code and message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum EnosError {
    /// 31400 "orgId is required"
    #[error("orgId is required")]
    OrgRequired,
    /// 31400 "The user name or password is wrong."
    #[error("wrong user name or password")]
    BadLogin,
    /// 31400 "Refresh Token is required"
    #[error("refresh token required")]
    RefreshRequired,
    /// 31400 "Invalid request parameters" (mock-defined message)
    #[error("invalid request parameters")]
    Invalid,
    /// 31400 "Invalid request parameters" with HTTP 413.
    #[error("body too large")]
    TooLarge,
    /// 31401 "Please login first"
    #[error("please login first")]
    LoginFirst,
    /// 31401 "Access token is not valid" (logout)
    #[error("access token is not valid")]
    TokenNotValid,
    /// 31404 "Can not find this organization."
    #[error("organization not found")]
    NoOrg,
    /// 31429 "Attempt of accessing with incorrect password or IP reaches the limit. Please try again later."
    #[error("locked")]
    Locked,
    /// 31512 "Organization unselected"
    #[error("organization unselected")]
    OrgUnselected,
}

impl EnosError {
    pub const CODES: [&'static str; 5] = ["31400", "31401", "31404", "31429", "31512"];

    /// Every failure but [`EnosError::TooLarge`] (which answers as [`EnosError::Invalid`] does).
    pub const ALL: [EnosError; 9] = [
        EnosError::OrgRequired,
        EnosError::BadLogin,
        EnosError::RefreshRequired,
        EnosError::Invalid,
        EnosError::LoginFirst,
        EnosError::TokenNotValid,
        EnosError::NoOrg,
        EnosError::Locked,
        EnosError::OrgUnselected,
    ];

    pub fn code(self) -> i64 {
        match self {
            EnosError::OrgRequired
            | EnosError::BadLogin
            | EnosError::RefreshRequired
            | EnosError::Invalid
            | EnosError::TooLarge => 31400,
            EnosError::LoginFirst | EnosError::TokenNotValid => 31401,
            EnosError::NoOrg => 31404,
            EnosError::Locked => 31429,
            EnosError::OrgUnselected => 31512,
        }
    }

    pub fn message(self) -> &'static str {
        match self {
            EnosError::OrgRequired => "orgId is required",
            EnosError::BadLogin => "The user name or password is wrong.",
            EnosError::RefreshRequired => "Refresh Token is required",
            EnosError::Invalid | EnosError::TooLarge => "Invalid request parameters",
            EnosError::LoginFirst => "Please login first",
            EnosError::TokenNotValid => "Access token is not valid",
            EnosError::NoOrg => "Can not find this organization.",
            EnosError::Locked => {
                "Attempt of accessing with incorrect password or IP reaches the limit. Please try again later."
            }
            EnosError::OrgUnselected => "Organization unselected",
        }
    }

    /// The error a fault names by its vendor code, worded as `route` would word it.
    pub fn from_code(code: &str, route: &str) -> Option<EnosError> {
        Some(match code {
            "31400" if route.ends_with("/login") => EnosError::BadLogin,
            "31400" if route.ends_with("/session/set") => EnosError::OrgRequired,
            "31400" if route.contains("refresh") || route.contains("revokeAll") => {
                EnosError::RefreshRequired
            }
            "31400" => EnosError::Invalid,
            "31401" if route.ends_with("/logout") => EnosError::TokenNotValid,
            "31401" => EnosError::LoginFirst,
            "31404" => EnosError::NoOrg,
            "31429" => EnosError::Locked,
            "31512" => EnosError::OrgUnselected,
            _ => return None,
        })
    }
}

/// An EnOS success: `{"code":0,"message":"OK","data"}`.
#[derive(Serialize, ToSchema)]
#[schema(as = EnosEnvelope<T>)]
struct Envelope<T: Serialize> {
    #[schema(schema_with = success_code_schema)]
    code: i64,
    message: &'static str,
    data: T,
}

/// An EnOS failure: `{"code","message","data":null}`, with HTTP 200 (413 for a body over 64 KiB).
#[derive(Serialize, ToSchema)]
#[schema(as = EnosError)]
struct ErrorBody {
    #[schema(schema_with = error_code_schema)]
    code: i64,
    #[schema(schema_with = error_message_schema)]
    message: &'static str,
    #[schema(schema_with = crate::openapi::null)]
    data: (),
}

/// What an EnOS route answers with HTTP 200: its success envelope (code 0) or an error envelope.
#[derive(Serialize, ToSchema)]
#[serde(untagged)]
#[schema(as = EnosAnswer<T>)]
enum Answer<T: Serialize> {
    Ok(Envelope<T>),
    Err(ErrorBody),
}

fn success_code_schema() -> utoipa::openapi::Object {
    crate::openapi::int_codes("0 on success.", [(0, "OK".to_string())])
}

/// Every code [`EnosError`] answers, with its messages, for the OpenAPI document.
fn error_code_schema() -> utoipa::openapi::Object {
    let codes = EnosError::ALL.iter().map(|e| {
        let messages: Vec<String> = EnosError::ALL
            .iter()
            .filter(|o| o.code() == e.code())
            .map(|o| format!("\"{}\"", o.message()))
            .collect();
        (e.code(), messages.join(" or "))
    });
    crate::openapi::int_codes(
        "The EnOS error code (HTTP 200; 31400 also with HTTP 413 for a body over 64 KiB).",
        codes,
    )
}

fn error_message_schema() -> utoipa::openapi::Object {
    crate::openapi::str_enum(
        "The code's message.",
        EnosError::ALL.iter().map(|e| e.message()),
    )
}

impl IntoResponse for EnosError {
    fn into_response(self) -> Response {
        let status = if self == EnosError::TooLarge {
            StatusCode::PAYLOAD_TOO_LARGE
        } else {
            StatusCode::OK
        };
        let body: Answer<()> = Answer::Err(ErrorBody {
            code: self.code(),
            message: self.message(),
            data: (),
        });
        (status, Json(body)).into_response()
    }
}

impl From<BodyError> for EnosError {
    fn from(_: BodyError) -> Self {
        EnosError::Invalid
    }
}

fn ok<T: Serialize>(data: T) -> Response {
    Json(Answer::Ok(Envelope {
        code: 0,
        message: "OK",
        data,
    }))
    .into_response()
}

/// The live token of one of `kinds` behind `Authorization: Bearer …`, with its text.
fn bearer<'h>(ns: &Ns, headers: &'h HeaderMap, kinds: &[Kind]) -> Option<(&'h str, TokenRec)> {
    let t = scheme_token(headers, "Bearer")?;
    let rec = ns.store.tokens.live(t, kinds, ns.now())?;
    Some((t, rec))
}

fn new_access_token(ns: &Ns) -> String {
    let mut t = String::with_capacity(TOKEN_PREFIX.len() + 32);
    t.push_str(TOKEN_PREFIX);
    ns.gen.push_base62(&mut t, 32);
    t
}

// ---------------------------------------------------------------------------------------------------

/// Login request. Unknown fields are ignored; a string field may also be a JSON number.
#[derive(Deserialize, ToSchema)]
#[schema(as = EnosLoginRequest)]
struct LoginReq {
    #[serde(default, deserialize_with = "lenient_string")]
    #[schema(value_type = String, required = true)]
    account: Option<String>,
    #[serde(default, deserialize_with = "lenient_string")]
    #[schema(value_type = String, required = true)]
    password: Option<String>,
}

/// An organization of the user.
#[derive(Serialize, ToSchema)]
#[schema(as = EnosOrgRef)]
struct OrgRef<'a> {
    id: &'a str,
    name: &'a str,
}

#[derive(Serialize, ToSchema)]
#[schema(as = EnosLoginUser)]
struct LoginUser<'a> {
    id: &'a str,
    name: &'a str,
    email: &'a str,
}

/// A login: a login-only token (good for session/set and logout), the user's organizations.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(as = EnosLoginData)]
struct LoginData<'a> {
    access_token: String,
    mfa_type: &'static str,
    organizations: Vec<OrgRef<'a>>,
    user: LoginUser<'a>,
}

/// `POST /app-portal-service/v2.2/login` — a login token, good only for session/set and logout.
#[utoipa::path(
    post,
    path = "/app-portal-service/v2.2/login",
    operation_id = "enos_login",
    tag = "EnOS",
    summary = "Log in (a login-only token)",
    request_body(
        content = LoginReq,
        content_type = "application/json",
        example = json!({ "account": "portal_demo", "password": "Test1234" })
    ),
    responses(
        (status = 200, description = "Success, or an error envelope: 31400 (wrong user name or password, unparsable body), 31429 (locked after 5 failures).", body = Answer<LoginData>),
        (status = 413, description = "Body over 64 KiB: 31400 \"Invalid request parameters\".", body = ErrorBody),
    )
)]
async fn login(ns: Ns, body: Bytes) -> Result<Response, EnosError> {
    let req: LoginReq = json_object(&body)?;
    let account = present(&req.account).ok_or(EnosError::BadLogin)?;
    let password = req
        .password
        .as_deref()
        .filter(|p| !p.is_empty())
        .ok_or(EnosError::BadLogin)?;
    let now = ns.now();
    let user = ns
        .store
        .enos
        .user_by_account(account)
        .ok_or(EnosError::BadLogin)?;
    let key = format!("enos:{}", user.id);
    if ns.store.is_locked(&key, now) {
        return Err(EnosError::Locked);
    }
    if !secret_eq(password, &user.password) {
        ns.store.record_failure(&key, now, LOCK_AFTER, LOCK_MS);
        return Err(EnosError::BadLogin);
    }
    ns.store.record_success(&key);
    let token = new_access_token(&ns);
    ns.store.tokens.insert(
        token.clone(),
        TokenRec::new(Kind::EnosLogin, user.id.as_str(), now, ACCESS_TTL_MS),
    );
    let orgs: Vec<_> = user
        .orgs
        .iter()
        .filter_map(|id| ns.store.enos.org(id))
        .collect();
    Ok(ok(LoginData {
        access_token: token,
        mfa_type: "NONE",
        organizations: orgs
            .iter()
            .map(|o| OrgRef {
                id: &o.id,
                name: &o.name,
            })
            .collect(),
        user: LoginUser {
            id: &user.id,
            name: &user.name,
            email: &user.email,
        },
    }))
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct RefreshClaims<'a> {
    sub: &'a str,
    admin_level: i64,
    iss: &'static str,
    working_organization_id: &'a str,
    user_name: &'a str,
    working_organization_name: &'a str,
    exp: i64,
    user_id: &'a str,
    iat: i64,
    jti: &'a str,
}

/// An org-bound session.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(as = EnosSessionData)]
struct SessionData<'a> {
    user_id: &'a str,
    user_name: &'a str,
    current_org_id: &'a str,
    current_org_name: &'a str,
    /// `APP_PORTAL_S_…`, bound to the organization (2 hours).
    access_token: &'a str,
    /// An HS256 JWT (30 days).
    refresh_token: &'a str,
    /// The refresh token's `exp`, epoch milliseconds.
    refresh_token_expire: i64,
}

/// Issues an org-bound access token and its refresh token (linked) and answers the session data.
fn open_session(ns: &Ns, user: &EnosUser, org_id: &str, org_name: &str) -> Response {
    let now = ns.now();
    let access = Text::from(new_access_token(ns));
    let jti = ns.gen.uuid_v4();
    let iat = now.div_euclid(1000);
    let exp = (now + REFRESH_TTL_MS).div_euclid(1000);
    let claims = RefreshClaims {
        sub: &user.id,
        admin_level: user.admin_level,
        iss: "APP-PORTAL",
        working_organization_id: org_id,
        user_name: &user.name,
        working_organization_name: org_name,
        exp,
        user_id: &user.id,
        iat,
        jti: &jti,
    };
    let refresh = Text::from(sign_hs256(
        r#"{"alg":"HS256"}"#,
        &claims,
        ns.settings.jwt_secret.as_bytes(),
    ));
    let owner = Text::from(user.id.as_str());
    let mut a = TokenRec::new(Kind::EnosAccess, owner.clone(), now, ACCESS_TTL_MS);
    a.org = Some(org_id.into());
    a.link = Some(refresh.clone());
    let mut r = TokenRec::new(Kind::EnosRefresh, owner, now, exp * 1000 - now);
    r.org = Some(org_id.into());
    r.link = Some(access.clone());
    ns.store.tokens.insert(access.clone(), a);
    ns.store.tokens.insert(refresh.clone(), r);
    ok(SessionData {
        user_id: &user.id,
        user_name: &user.name,
        current_org_id: org_id,
        current_org_name: org_name,
        access_token: &access,
        refresh_token: &refresh,
        refresh_token_expire: exp * 1000,
    })
}

/// Choose-organization request. Unknown fields are ignored; a string field may also be a JSON number.
#[derive(Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(as = EnosSessionSetRequest)]
struct SessionSetReq {
    /// An organization of the token's user (missing: 31400, not a member: 31404).
    #[serde(default, deserialize_with = "lenient_string")]
    #[schema(value_type = String, required = true)]
    org_id: Option<String>,
}

/// `POST /app-portal-service/v2.2/session/set` (alias v2.1) — chooses the organization: a new org-bound
/// access token replaces the presented one (EnOS "Choose Organization", seed 003).
#[utoipa::path(
    post,
    path = "/app-portal-service/v2.2/session/set",
    operation_id = "enos_session_set",
    tag = "EnOS",
    summary = "Choose the organization",
    security((), ("enosBearer" = [])),
    request_body(
        content = SessionSetReq,
        content_type = "application/json",
        example = json!({ "orgId": "yourOrgId" })
    ),
    responses(
        (status = 200, description = "An org-bound token replacing the presented one, or an error envelope: 31401 (bad token), 31400 (no `orgId`, unparsable body), 31404 (not an organization of the user).", body = Answer<SessionData>),
        (status = 413, description = "Body over 64 KiB: 31400 \"Invalid request parameters\".", body = ErrorBody),
    )
)]
async fn session_set(
    ns: Ns,
    Headers(headers): Headers,
    body: Bytes,
) -> Result<Response, EnosError> {
    let (token, rec) =
        bearer(&ns, &headers, &[Kind::EnosLogin, Kind::EnosAccess]).ok_or(EnosError::LoginFirst)?;
    let req: SessionSetReq = json_object(&body)?;
    let org_id = present(&req.org_id).ok_or(EnosError::OrgRequired)?;
    let user = ns
        .store
        .enos
        .user(&rec.owner)
        .ok_or(EnosError::LoginFirst)?;
    if !user.orgs.iter().any(|o| o == org_id) {
        return Err(EnosError::NoOrg);
    }
    let org = ns.store.enos.org(org_id).ok_or(EnosError::NoOrg)?;
    ns.store
        .tokens
        .retire(token, &[Kind::EnosLogin, Kind::EnosAccess]);
    Ok(open_session(&ns, &user, &org.id, &org.name))
}

/// A refresh token that verifies (signature, expiry on the mock's clock) and is still live in the store.
fn live_refresh(ns: &Ns, refresh: &str) -> Option<TokenRec> {
    let claims = verify_hs256(refresh, ns.settings.jwt_secret.as_bytes())?;
    let exp = claims.get("exp")?.as_i64()?;
    let now = ns.now();
    if now >= exp.saturating_mul(1000) {
        return None;
    }
    ns.store.tokens.live(refresh, &[Kind::EnosRefresh], now)
}

/// `GET /app-portal-service/v2.2/token/refresh?refreshToken=` — rotates the session's tokens.
#[utoipa::path(
    get,
    path = "/app-portal-service/v2.2/token/refresh",
    operation_id = "enos_token_refresh",
    tag = "EnOS",
    summary = "Rotate the access and refresh tokens",
    params(
        ("refreshToken" = Option<String>, Query, description = "The session's refresh token (missing: 31400 \"Refresh Token is required\").", example = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ1MTU1ODkzMTYxMDkwOTEifQ.c2lnbmF0dXJl")
    ),
    responses(
        (status = 200, description = "New tokens (the old pair is retired), or an error envelope: 31400 (no `refreshToken`), 31401 (bad, expired or used refresh token).", body = Answer<SessionData>),
        (status = 413, description = "Body over 64 KiB: 31400 \"Invalid request parameters\".", body = ErrorBody),
    )
)]
async fn token_refresh(ns: Ns, RawQuery(q): RawQuery) -> Result<Response, EnosError> {
    let refresh = query_param(q.as_deref(), "refreshToken").ok_or(EnosError::RefreshRequired)?;
    live_refresh(&ns, &refresh).ok_or(EnosError::LoginFirst)?;
    // Exactly one concurrent refresh wins the old refresh token.
    let old = ns
        .store
        .tokens
        .take_if(&refresh, Kind::EnosRefresh, ns.now(), |_| true)
        .ok_or(EnosError::LoginFirst)?;
    if let Some(a) = &old.link {
        ns.store.tokens.retire(a, &[Kind::EnosAccess]);
    }
    let user = ns
        .store
        .enos
        .user(&old.owner)
        .ok_or(EnosError::LoginFirst)?;
    let org_id = old.org.unwrap_or_default();
    let org = ns.store.enos.org(&org_id).ok_or(EnosError::LoginFirst)?;
    Ok(open_session(&ns, &user, &org.id, &org.name))
}

/// `GET /app-portal-service/v2.2/logout` — revokes the token and its refresh token.
#[utoipa::path(
    get,
    path = "/app-portal-service/v2.2/logout",
    operation_id = "enos_logout",
    tag = "EnOS",
    summary = "Revoke the token and its refresh token",
    security((), ("enosBearer" = [])),
    responses(
        (status = 200, description = "`data: true`, or an error envelope: 31401 \"Access token is not valid\".", body = Answer<bool>),
        (status = 413, description = "Body over 64 KiB: 31400 \"Invalid request parameters\".", body = ErrorBody),
    )
)]
async fn logout(ns: Ns, Headers(headers): Headers) -> Result<Response, EnosError> {
    let (token, rec) = bearer(&ns, &headers, &[Kind::EnosLogin, Kind::EnosAccess])
        .ok_or(EnosError::TokenNotValid)?;
    ns.store
        .tokens
        .retire(token, &[Kind::EnosLogin, Kind::EnosAccess]);
    if let Some(r) = &rec.link {
        ns.store.tokens.retire(r, &[Kind::EnosRefresh]);
    }
    Ok(ok(true))
}

/// The org-bound session behind the Bearer token: login-only tokens get 31512.
fn org_session(
    ns: &Ns,
    headers: &HeaderMap,
) -> Result<(TokenRec, std::sync::Arc<EnosUser>), EnosError> {
    let (_, rec) =
        bearer(ns, headers, &[Kind::EnosLogin, Kind::EnosAccess]).ok_or(EnosError::LoginFirst)?;
    if rec.kind == Kind::EnosLogin {
        return Err(EnosError::OrgUnselected);
    }
    let user = ns
        .store
        .enos
        .user(&rec.owner)
        .ok_or(EnosError::LoginFirst)?;
    Ok((rec, user))
}

/// The token's user and current organization.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(as = EnosSessionInfo)]
struct SessionInfo<'a> {
    user_id: &'a str,
    user_name: &'a str,
    current_org_id: &'a str,
    current_org_name: &'a str,
}

/// `GET /app-portal-service/v2.2/session/info` — the token's user and current organization.
#[utoipa::path(
    get,
    path = "/app-portal-service/v2.2/session/info",
    operation_id = "enos_session_info",
    tag = "EnOS",
    summary = "The token's user and current organization",
    security((), ("enosBearer" = [])),
    responses(
        (status = 200, description = "Success, or an error envelope: 31401 (bad token), 31512 (a login-only token).", body = Answer<SessionInfo>),
        (status = 413, description = "Body over 64 KiB: 31400 \"Invalid request parameters\".", body = ErrorBody),
    )
)]
async fn session_info(ns: Ns, Headers(headers): Headers) -> Result<Response, EnosError> {
    let (rec, user) = org_session(&ns, &headers)?;
    let org_id = rec.org.unwrap_or_default();
    let org_name = ns
        .store
        .enos
        .org(&org_id)
        .map(|o| o.name.clone())
        .unwrap_or_default();
    Ok(ok(SessionInfo {
        user_id: &user.id,
        user_name: &user.name,
        current_org_id: &org_id,
        current_org_name: &org_name,
    }))
}

/// The user's profile.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(as = EnosUserInfo)]
struct UserInfo<'a> {
    id: &'a str,
    name: &'a str,
    domain: &'a str,
    description: &'a str,
    nick_name: &'a str,
    phone_area: &'a str,
    phone: &'a str,
    email: &'a str,
    created_time: &'a str,
    /// 0 or 1.
    #[serde(rename = "type")]
    user_type: i64,
    company: &'a str,
    department: &'a str,
    position: &'a str,
}

/// `GET /app-portal-service/v2.2/user/info` — the current user's profile.
#[utoipa::path(
    get,
    path = "/app-portal-service/v2.2/user/info",
    operation_id = "enos_user_info",
    tag = "EnOS",
    summary = "The user's profile",
    security((), ("enosBearer" = [])),
    responses(
        (status = 200, description = "Success, or an error envelope: 31401 (bad token), 31512 (a login-only token).", body = Answer<UserInfo>),
        (status = 413, description = "Body over 64 KiB: 31400 \"Invalid request parameters\".", body = ErrorBody),
    )
)]
async fn user_info(ns: Ns, Headers(headers): Headers) -> Result<Response, EnosError> {
    let (_, u) = org_session(&ns, &headers)?;
    Ok(ok(UserInfo {
        id: &u.id,
        name: &u.name,
        domain: &u.domain,
        description: &u.description,
        nick_name: &u.nick_name,
        phone_area: &u.phone_area,
        phone: &u.phone,
        email: &u.email,
        created_time: &u.created_time,
        user_type: u.user_type,
        company: &u.company,
        department: &u.department,
        position: &u.position,
    }))
}

/// `POST /app-portal-service/v2.2/refreshToken/revokeAll?refreshToken=` — revokes every refresh token
/// of the user; access tokens live on. The body (the vendor client sends `{}` as a form) is ignored.
#[utoipa::path(
    post,
    path = "/app-portal-service/v2.2/refreshToken/revokeAll",
    operation_id = "enos_revoke_all",
    tag = "EnOS",
    summary = "Revoke every refresh token of the user",
    security((), ("enosBearer" = [])),
    params(
        ("refreshToken" = Option<String>, Query, description = "The session's refresh token (missing: 31400 \"Refresh Token is required\").", example = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ1MTU1ODkzMTYxMDkwOTEifQ.c2lnbmF0dXJl")
    ),
    responses(
        (status = 200, description = "`data: true`, or an error envelope: 31401 (bad token, bad refresh token or another user's), 31400 (no `refreshToken`).", body = Answer<bool>),
        (status = 413, description = "Body over 64 KiB: 31400 \"Invalid request parameters\".", body = ErrorBody),
    )
)]
async fn revoke_all(
    ns: Ns,
    Headers(headers): Headers,
    RawQuery(q): RawQuery,
) -> Result<Response, EnosError> {
    let (_, rec) =
        bearer(&ns, &headers, &[Kind::EnosLogin, Kind::EnosAccess]).ok_or(EnosError::LoginFirst)?;
    let refresh = query_param(q.as_deref(), "refreshToken").ok_or(EnosError::RefreshRequired)?;
    let r = live_refresh(&ns, &refresh).ok_or(EnosError::LoginFirst)?;
    if r.owner != rec.owner {
        return Err(EnosError::LoginFirst);
    }
    let owner = rec.owner;
    ns.store
        .tokens
        .remove_where(|t| t.kind == Kind::EnosRefresh && t.owner == owner);
    Ok(ok(true))
}
