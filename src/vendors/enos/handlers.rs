//! EnOS handlers: login, logout, session and user info, revoking refresh tokens, with the token checks
//! they share. Choosing the organization and the token refresh, which open a session, are in
//! [`super::sessions`].

use super::sessions::{verified_claims, LOGGED_IN};
use super::TOKEN_PREFIX;
use crate::contract::enos::error::{EnosError, ErrorBody};
use crate::contract::enos::routes::{ACCESS_TTL_MS, LOCK_AFTER, LOCK_MS};
use crate::contract::enos::types::{
    ok, Answer, LoginData, LoginReq, LoginUser, OrgRef, SessionInfo, UserInfo,
};
use crate::contract::extract::{present, query_param, scheme_token, Headers};
use crate::contract::json::Body;
use crate::contract::Family;
use crate::ids::secret_eq;
use crate::namespace::Ns;
use crate::store::enos::EnosUser;
use crate::store::{Kind, LoginAttempt, Redeem, Redeemed, Settled, Text, TokenRec, Verbs};
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

/// A new access token's text (login-only or org-bound: one shape).
pub(super) fn new_access_token(ns: &Ns) -> String {
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

/// A refresh token that verifies and is still live in the store.
async fn live_refresh(ns: &Ns, refresh: &str) -> Result<Option<TokenRec>, EnosError> {
    if verified_claims(ns, refresh).is_none() {
        return Ok(None);
    }
    Ok(ns
        .store()
        .live(refresh, &[Kind::EnosRefresh], ns.now())
        .await?)
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
    let token = scheme_token(&headers, "Bearer").ok_or(EnosError::TokenNotValid)?;
    // The token and its refresh token retired in one step (a fixture's static token stays).
    let step = Redeem {
        retire_link: &[Kind::EnosRefresh],
        ..Redeem::take(token, LOGGED_IN, ns.now())
    };
    match ns.store().redeem(step, []).await? {
        Redeemed::Done { .. } => Ok(ok(true)),
        _ => Err(EnosError::TokenNotValid),
    }
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
