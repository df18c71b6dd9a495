//! EnOS choose organization and token refresh: each exchanges the presented credential for an
//! org-bound access token and a refresh token signed for its user, in one store step
//! ([`crate::store::Verbs::redeem`]).

use super::handlers::new_access_token;
use crate::contract::enos::error::{EnosError, ErrorBody};
use crate::contract::enos::routes::{ACCESS_TTL_MS, REFRESH_TTL_MS};
use crate::contract::enos::types::{ok, Answer, RefreshClaims, SessionData, SessionSetReq};
use crate::contract::extract::{present, query_param, scheme_token, Headers};
use crate::contract::json::Body;
use crate::ids::{sign_hs256, verify_hs256};
use crate::namespace::Ns;
use crate::store::enos::{EnosOrg, EnosUser};
use crate::store::{Kind, Must, Redeem, Redeemed, Text, TokenRec, Verbs};
use axum::extract::RawQuery;
use axum::response::Response;
use std::sync::Arc;

/// The credential of `user` a new session is exchanged for: its text, the kinds it may be, and the
/// kinds of the credential it links to that are retired with it (a refresh token's access token).
struct Spent<'a> {
    token: &'a str,
    kinds: &'a [Kind],
    retire_link: &'a [Kind],
}

/// Exchanges `spent` for an org-bound access token and its refresh token (linked), in one step, and
/// answers the session data; 31401 if it is not `user`'s live credential (a concurrent request
/// spent it first, say). A refresh token's access token is retired with it, in the same step.
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
    let step = Redeem {
        must: Must {
            owner: Some(&user.id),
            ..Must::ANY
        },
        retire_link: spent.retire_link,
        ..Redeem::take(spent.token, spent.kinds, now)
    };
    match ns.store().redeem(step, issue).await? {
        Redeemed::Done { .. } => {}
        _ => return Err(EnosError::LoginFirst),
    }
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
    let token = scheme_token(&headers, "Bearer").ok_or(EnosError::LoginFirst)?;
    let req: Result<SessionSetReq, EnosError> = body.json().map_err(Into::into);
    let org_id = req
        .as_ref()
        .map_err(|e| *e)
        .and_then(|r| present(&r.org_id).ok_or(EnosError::OrgRequired));
    let (store, now) = (ns.store(), ns.now());
    // The refresh token this signs names the token's user: known here from this replica's memory
    // of the tokens it issued (then the one step below checks it), else read first.
    if let Some(owner) = store.owner_hint(token, LOGGED_IN, now) {
        if let Ok((user, org)) = choose_org(&ns, &owner, org_id) {
            match open_session(&ns, spent(token), &user, &org.id, &org.name).await {
                Err(EnosError::LoginFirst) => {} // read below: gone, or another user's
                answer => return answer,
            }
        }
    }
    let rec = store
        .live(token, LOGGED_IN, now)
        .await?
        .ok_or(EnosError::LoginFirst)?;
    let (user, org) = choose_org(&ns, &rec.owner, org_id)?;
    open_session(&ns, spent(token), &user, &org.id, &org.name).await
}

/// The tokens of a logged-in user: login-only, or org-bound.
pub(super) const LOGGED_IN: &[Kind] = &[Kind::EnosLogin, Kind::EnosAccess];

/// A logged-in token, spent for a session.
fn spent(token: &str) -> Spent<'_> {
    Spent {
        token,
        kinds: LOGGED_IN,
        retire_link: &[],
    }
}

/// The checks of session/set once its token is known to be `owner`'s, in their order: the body's
/// `orgId`, the user, the user's membership.
fn choose_org(
    ns: &Ns,
    owner: &str,
    org_id: Result<&str, EnosError>,
) -> Result<(Arc<EnosUser>, Arc<EnosOrg>), EnosError> {
    let org_id = org_id?;
    let user = ns.enos().user(owner).ok_or(EnosError::LoginFirst)?;
    if !user.orgs.iter().any(|o| o == org_id) {
        return Err(EnosError::NoOrg);
    }
    let org = ns.enos().org(org_id).ok_or(EnosError::NoOrg)?;
    Ok((user, org))
}

/// The claims of a refresh token that verifies (signature, expiry on the mock's clock).
pub(super) fn verified_claims(ns: &Ns, refresh: &str) -> Option<serde_json::Value> {
    let claims = verify_hs256(refresh, ns.settings.jwt_secret.as_bytes())?;
    let exp = claims.get("exp")?.as_i64()?;
    (ns.now() < exp.saturating_mul(1000)).then_some(claims)
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
    // The user and org it was issued for are its claims (signed by this mock), so the new pair is
    // signed before the one step that takes the old refresh token if it is still live and that
    // user's (exactly one concurrent refresh wins it), and retires its access token.
    let claims = verified_claims(&ns, &refresh).ok_or(EnosError::LoginFirst)?;
    let claim = |k: &str| claims.get(k).and_then(|v| v.as_str()).map(str::to_string);
    let (sub, org_id) = (claim("sub"), claim("workingOrganizationId"));
    let user = sub
        .and_then(|u| ns.enos().user(&u))
        .ok_or(EnosError::LoginFirst)?;
    let org = org_id
        .and_then(|o| ns.enos().org(&o))
        .ok_or(EnosError::LoginFirst)?;
    let spent = Spent {
        token: &refresh,
        kinds: &[Kind::EnosRefresh],
        retire_link: &[Kind::EnosAccess],
    };
    open_session(&ns, spent, &user, &org.id, &org.name).await
}
