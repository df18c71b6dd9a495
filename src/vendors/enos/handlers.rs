//! EnOS handlers: login, choose organization, token refresh, logout, session and user info, revoking
//! refresh tokens, with the token checks they share and the session they open.

use super::TOKEN_PREFIX;
use crate::contract::enos::error::{EnosError, ErrorBody};
use crate::contract::enos::routes::{ACCESS_TTL_MS, LOCK_AFTER, LOCK_MS, REFRESH_TTL_MS};
use crate::contract::enos::types::{
    ok, Answer, LoginData, LoginReq, LoginUser, OrgRef, RefreshClaims, SessionData, SessionInfo,
    SessionSetReq, UserInfo,
};
use crate::contract::extract::{present, query_param, scheme_token, Headers};
use crate::contract::json::Body;
use crate::contract::Family;
use crate::ids::{secret_eq, sign_hs256, verify_hs256};
use crate::namespace::Ns;
use crate::store::enos::EnosUser;
use crate::store::{Kind, LoginAttempt, Must, Settled, Text, TokenRec, Verbs};
use axum::extract::RawQuery;
use axum::http::HeaderMap;
use axum::response::Response;

/// The lockout family (the admin state lists lockouts as `enos:<userId>`).
const FAMILY: Family = Family::Enos;

/// The live token of one of `kinds` behind `Authorization: Bearer …`, with its text.
async fn bearer<'h>(
    ns: &Ns,
    headers: &'h HeaderMap,
    kinds: &[Kind],
) -> Result<Option<(&'h str, TokenRec)>, EnosError> {
    let Some(t) = scheme_token(headers, "Bearer") else {
        return Ok(None);
    };
    let rec = ns.store().live(t, kinds, ns.now()).await?;
    Ok(rec.map(|r| (t, r)))
}

fn new_access_token(ns: &Ns) -> String {
    let mut t = String::with_capacity(TOKEN_PREFIX.len() + 32);
    t.push_str(TOKEN_PREFIX);
    ns.gen.push_base62_key(&mut t, 32);
    t
}

/// `POST /app-portal-service/v2.2/login` — a login token, good only for session/set and logout.
///
/// Vendor page: "Log In" (<https://support.enos-iot.com/app-portal-api/en/3.0.0/authentication/login>).
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
pub(super) async fn login(ns: Ns, body: &Body<'_>) -> Result<Response, EnosError> {
    let req: LoginReq = body.json()?;
    let account = present(&req.account).ok_or(EnosError::BadLogin)?;
    let password = req
        .password
        .as_deref()
        .filter(|p| !p.is_empty())
        .ok_or(EnosError::BadLogin)?;
    let now = ns.now();
    let user = ns
        .enos()
        .user_by_account(account)
        .ok_or(EnosError::BadLogin)?;
    let attempt = LoginAttempt {
        family: FAMILY,
        user: &user.id,
        now,
        ok: secret_eq(password, &user.password),
        max: LOCK_AFTER,
        window_ms: LOCK_MS,
        code: None,
    };
    let token = new_access_token(&ns);
    let rec = TokenRec::new(Kind::EnosLogin, user.id.clone(), now, ACCESS_TTL_MS);
    let issue = [(Text::from(token.as_str()), rec)];
    match ns.settle(attempt, issue).await? {
        Settled::Locked => return Err(EnosError::Locked),
        Settled::Failed(_) => return Err(EnosError::BadLogin),
        Settled::Passed => {}
    }
    let orgs: Vec<_> = user
        .orgs
        .iter()
        .filter_map(|id| ns.enos().org(id))
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

/// The credential a new session is exchanged for: its text, the kinds it may be, and the access
/// token retired with it (a refresh token's).
struct Spent<'a> {
    token: &'a str,
    kinds: &'a [Kind],
    retire: Option<&'a str>,
}

/// Exchanges `spent` for an org-bound access token and its refresh token (linked), in one step, and
/// answers the session data; 31401 if a concurrent request spent it first. A refresh token's
/// access token is retired with it, in the same step.
async fn open_session(
    ns: &Ns,
    spent: Spent<'_>,
    user: &EnosUser,
    org_id: &str,
    org_name: &str,
) -> Result<Response, EnosError> {
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
    let owner = user.id.clone();
    let org = Text::from(org_id);
    let mut a = TokenRec::new(Kind::EnosAccess, owner.clone(), now, ACCESS_TTL_MS);
    a.bind().org = Some(org.clone());
    a.link = Some(refresh.clone());
    let mut r = TokenRec::new(Kind::EnosRefresh, owner, now, exp * 1000 - now);
    r.bind().org = Some(org);
    r.link = Some(access.clone());
    let issue = [(access.clone(), a), (refresh.clone(), r)];
    let same_user = Must {
        owner: Some(&user.id),
        ..Must::ANY
    };
    let retire = spent.retire.map(|a| (a, &[Kind::EnosAccess][..]));
    ns.store()
        .exchange(spent.token, spent.kinds, now, same_user, issue, retire)
        .await?
        .ok_or(EnosError::LoginFirst)?;
    Ok(ok(SessionData {
        user_id: &user.id,
        user_name: &user.name,
        current_org_id: org_id,
        current_org_name: org_name,
        access_token: &access,
        refresh_token: &refresh,
        refresh_token_expire: exp * 1000,
    }))
}

/// `POST /app-portal-service/v2.2/session/set` (alias v2.1) — chooses the organization: a new org-bound
/// access token replaces the presented one.
///
/// Vendor page: "Choose Organization" (<https://support.enos-iot.com/app-portal-api/en/3.0.0/user_and_ou/choose_organization>).
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
pub(super) async fn session_set(
    ns: Ns,
    Headers(headers): Headers,
    body: &Body<'_>,
) -> Result<Response, EnosError> {
    let (token, rec) = bearer(&ns, &headers, &[Kind::EnosLogin, Kind::EnosAccess])
        .await?
        .ok_or(EnosError::LoginFirst)?;
    let req: SessionSetReq = body.json()?;
    let org_id = present(&req.org_id).ok_or(EnosError::OrgRequired)?;
    let user = ns.enos().user(&rec.owner).ok_or(EnosError::LoginFirst)?;
    if !user.orgs.iter().any(|o| o == org_id) {
        return Err(EnosError::NoOrg);
    }
    let org = ns.enos().org(org_id).ok_or(EnosError::NoOrg)?;
    let spent = Spent {
        token,
        kinds: &[Kind::EnosLogin, Kind::EnosAccess],
        retire: None,
    };
    open_session(&ns, spent, &user, &org.id, &org.name).await
}

/// A refresh token that verifies (signature, expiry on the mock's clock) and is still live in the store.
async fn live_refresh(ns: &Ns, refresh: &str) -> Result<Option<TokenRec>, EnosError> {
    let claims = verify_hs256(refresh, ns.settings.jwt_secret.as_bytes());
    let Some(exp) = claims.and_then(|c| c.get("exp")?.as_i64()) else {
        return Ok(None);
    };
    let now = ns.now();
    if now >= exp.saturating_mul(1000) {
        return Ok(None);
    }
    Ok(ns.store().live(refresh, &[Kind::EnosRefresh], now).await?)
}

/// `GET /app-portal-service/v2.2/token/refresh?refreshToken=` — rotates the session's tokens.
///
/// Vendor page: "Refresh Access Token" (<https://support.enos-iot.com/app-portal-api/en/3.0.0/authentication/refresh_access_token.html>).
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
pub(super) async fn token_refresh(ns: Ns, RawQuery(q): RawQuery) -> Result<Response, EnosError> {
    let refresh = query_param(q.as_deref(), "refreshToken").ok_or(EnosError::RefreshRequired)?;
    let old = live_refresh(&ns, &refresh)
        .await?
        .ok_or(EnosError::LoginFirst)?;
    let user = ns.enos().user(&old.owner).ok_or(EnosError::LoginFirst)?;
    let org = ns
        .enos()
        .org(old.org().unwrap_or_default())
        .ok_or(EnosError::LoginFirst)?;
    // Exactly one concurrent refresh wins the old refresh token.
    let spent = Spent {
        token: &refresh,
        kinds: &[Kind::EnosRefresh],
        retire: old.link.as_deref(),
    };
    open_session(&ns, spent, &user, &org.id, &org.name).await
}

/// `GET /app-portal-service/v2.2/logout` — revokes the token and its refresh token.
///
/// Vendor page: "Log Out" (<https://support.enos-iot.com/app-portal-api/zh_CN/3.0.0/authentication/logout>).
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
pub(super) async fn logout(ns: Ns, Headers(headers): Headers) -> Result<Response, EnosError> {
    let (token, rec) = bearer(&ns, &headers, &[Kind::EnosLogin, Kind::EnosAccess])
        .await?
        .ok_or(EnosError::TokenNotValid)?;
    // The token and its refresh token retired in one step (a fixture's static token stays): an
    // exchange for nothing. Lost to a concurrent logout, it is gone all the same.
    let kinds = [Kind::EnosLogin, Kind::EnosAccess];
    let retire = rec.link.as_deref().map(|r| (r, &[Kind::EnosRefresh][..]));
    ns.store()
        .exchange(token, &kinds, ns.now(), Must::ANY, [], retire)
        .await?;
    Ok(ok(true))
}

/// The org-bound session behind the Bearer token: login-only tokens get 31512.
async fn org_session(
    ns: &Ns,
    headers: &HeaderMap,
) -> Result<(TokenRec, std::sync::Arc<EnosUser>), EnosError> {
    let (_, rec) = bearer(ns, headers, &[Kind::EnosLogin, Kind::EnosAccess])
        .await?
        .ok_or(EnosError::LoginFirst)?;
    if rec.kind == Kind::EnosLogin {
        return Err(EnosError::OrgUnselected);
    }
    let user = ns.enos().user(&rec.owner).ok_or(EnosError::LoginFirst)?;
    Ok((rec, user))
}

/// `GET /app-portal-service/v2.2/session/info` — the token's user and current organization.
///
/// Vendor page: "Get Token Information" (<https://support.enos-iot.com/app-portal-api/zh_CN/3.0.0/authentication/get_token_information>).
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
pub(super) async fn session_info(ns: Ns, Headers(headers): Headers) -> Result<Response, EnosError> {
    let (rec, user) = org_session(&ns, &headers).await?;
    let org_id = rec.org().unwrap_or_default();
    let org_name = ns
        .enos()
        .org(org_id)
        .map(|o| o.name.clone())
        .unwrap_or_default();
    Ok(ok(SessionInfo {
        user_id: &user.id,
        user_name: &user.name,
        current_org_id: org_id,
        current_org_name: &org_name,
    }))
}

/// `GET /app-portal-service/v2.2/user/info` — the current user's profile.
///
/// Vendor page: "Get User Information" (<https://support.enos-iot.com/app-portal-api/zh_CN/3.0.0/user_and_ou/get_user_information>).
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
pub(super) async fn user_info(ns: Ns, Headers(headers): Headers) -> Result<Response, EnosError> {
    let (_, u) = org_session(&ns, &headers).await?;
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
pub(super) async fn revoke_all(
    ns: Ns,
    Headers(headers): Headers,
    RawQuery(q): RawQuery,
) -> Result<Response, EnosError> {
    let (_, rec) = bearer(&ns, &headers, &[Kind::EnosLogin, Kind::EnosAccess])
        .await?
        .ok_or(EnosError::LoginFirst)?;
    let refresh = query_param(q.as_deref(), "refreshToken").ok_or(EnosError::RefreshRequired)?;
    let r = live_refresh(&ns, &refresh)
        .await?
        .ok_or(EnosError::LoginFirst)?;
    if r.owner != rec.owner {
        return Err(EnosError::LoginFirst);
    }
    let owner = rec.owner;
    ns.store()
        .remove_where(|t| t.kind == Kind::EnosRefresh && t.owner == owner)
        .await?;
    Ok(ok(true))
}
