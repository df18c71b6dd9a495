//! KooDrive carrier login APIs: account login by password or verification code, and the rotation of the
//! access and refresh tokens it issues.

use crate::contract::extract::{auth_token, header, names, present, Headers};
use crate::contract::json::Body;
use crate::contract::koodrive::error::{ErrorBody, KooError};
use crate::contract::koodrive::routes::{ACCESS_TTL_S, LOCK_AFTER, LOCK_MS, REFRESH_TTL_MS};
use crate::contract::koodrive::types::{
    ok, DataFirst, Envelope, LoginData, LoginReq, LoginUserInfo, RefreshData, RefreshTokenReq,
    SessionInfo,
};
use crate::contract::respond::HandWrittenJson;
use crate::contract::Family;
use crate::ids::secret_eq;
use crate::namespace::Ns;
use crate::store::{
    koodrive::KooUser, unowned, Guard, Inherit, Kind, LoginAttempt, Lookup, Must, Redeem, Redeemed,
    Settled, Text, TokenRec, Verbs,
};
use axum::response::{IntoResponse, Response};

/// The lockout family (the admin state lists lockouts as `koodrive:<userId>`).
const FAMILY: Family = Family::KooDrive;

/// A login access token and its refresh token, linked to each other: the answer's `sessionInfo`
/// and the two records to store.
fn new_pair(ns: &Ns, user_id: &Text, now: i64) -> (SessionInfo, [(Text, TokenRec); 2]) {
    let access = ns.gen.hex_key(24);
    let refresh = ns.gen.hex_key(24);
    // The user's id string is shared by both records; each record links to the other's key.
    let owner = user_id.clone();
    let mut a = TokenRec::new(Kind::KooAccess, owner.clone(), now, ACCESS_TTL_S * 1000);
    // Refreshing needs the (possibly expired) access token, so it is kept as long as its refresh token.
    a.retain_ms = now.saturating_add(REFRESH_TTL_MS);
    a.link = Some(refresh.clone());
    let mut r = TokenRec::new(Kind::KooRefresh, owner, now, REFRESH_TTL_MS);
    r.link = Some(access.clone());
    let mut access_token = String::with_capacity(51);
    access_token.push_str("AT ");
    access_token.push_str(&access);
    let info = SessionInfo {
        access_token,
        expires_in: ACCESS_TTL_S,
        issued_at: now,
        refresh_token: refresh.clone(),
    };
    (info, [(access, a), (refresh, r)])
}

/// Checks the credential of `authType` "1" (password) or "2" (verification code): right, or a
/// minted verification code for the store to redeem as it settles the attempt (it works once, and
/// is not used up while the account is locked).
fn credential<'s>(user: &KooUser, auth_type: &str, secret: &'s str) -> (bool, Option<&'s str>) {
    if auth_type == "1" {
        return (secret_eq(secret, &user.password), None);
    }
    if !user.verification_code.is_empty() && secret_eq(secret, &user.verification_code) {
        return (true, None);
    }
    (false, Some(secret))
}

/// `POST /koodrive/ose/v1/auth/login` — account login by password or verification code.
///
/// Vendor page: "Login" (<https://support.huaweicloud.com/intl/en-us/api-koodrive-carrier/Login.html>).
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
pub(super) async fn login(
    ns: Ns,
    Headers(headers): Headers,
    body: &Body<'_>,
) -> Result<Response, KooError> {
    header(&headers, names::X_HW_AGENT_NAME).ok_or(KooError::Param)?;
    let req: LoginReq = body.json()?;
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
        .koo()
        .user_by_account(account)
        .ok_or(KooError::Credentials)?;
    let (ok, code) = credential(&user, auth_type, secret);
    let (session_info, pair) = new_pair(&ns, &user.user_id, now);
    let attempt = LoginAttempt {
        family: FAMILY,
        user: &user.user_id,
        now,
        ok,
        max: LOCK_AFTER,
        window_ms: LOCK_MS,
        code,
    };
    match ns.settle(attempt, pair).await? {
        Settled::Locked => return Err(KooError::Locked),
        Settled::Failed(_) => return Err(KooError::Credentials),
        Settled::Passed => {}
    }
    Ok(HandWrittenJson(DataFirst {
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

/// `POST /koodrive/ose/v1/auth/refreshToken` — rotates the access/refresh pair issued by login.
///
/// Vendor page: "Refreshing a Token" (<https://support.huaweicloud.com/intl/id-id/api-koodrive-carrier/RefreshToken.html>).
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
pub(super) async fn refresh_token(
    ns: Ns,
    Headers(headers): Headers,
    body: &Body<'_>,
) -> Result<Response, KooError> {
    let access = auth_token(&headers, &["AT", "Bearer"]).ok_or(KooError::Session)?;
    // The access token may have expired (that is why one refreshes), but it must be one login issued
    // (one the sweeper already dropped counts as expired, so a refresh token past its 30 days still
    // answers 13000205 after the sweep rather than 13000202); a bad body is told only after it.
    let now = ns.now();
    let store = ns.store();
    let req: Result<RefreshTokenReq, KooError> = body.json().map_err(Into::into);
    let refresh = req.as_ref().ok().and_then(|r| present(&r.refresh_token));
    let Some(refresh) = refresh else {
        if let Lookup::Missing = store.lookup(access, &[Kind::KooAccess], now).await? {
            return Err(KooError::Session);
        }
        return Err(req.err().unwrap_or(KooError::Param));
    };
    // One step: the access token checked, the refresh token taken if it is live and names it
    // (exactly one concurrent refresh wins it), the new pair stored for its owner, and the old
    // access token retired.
    let (session_info, pair) = new_pair(&ns, &unowned(), now);
    let step = Redeem {
        guard: Some(Guard {
            token: access,
            kinds: &[Kind::KooAccess],
            live: false,
            must: Must::ANY,
        }),
        must: Must {
            link: Some(access),
            ..Must::ANY
        },
        inherit: Inherit::OWNER,
        retire_guard: true,
        ..Redeem::take(refresh, &[Kind::KooRefresh], now)
    };
    match store.redeem(step, pair).await? {
        Redeemed::Done { .. } => {}
        Redeemed::Guard(_) => return Err(KooError::Session),
        // A live refresh token of another access token.
        Redeemed::Refused { seen: Some(_), .. } => return Err(KooError::Session),
        Redeemed::Refused { seen: None, .. } => return Err(KooError::Refresh),
    }
    Ok(ok("Success", RefreshData { session_info }))
}
