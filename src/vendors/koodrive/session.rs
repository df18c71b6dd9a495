//! KooDrive enterprise session APIs: create a session from an authorization code, read its user (which
//! slides its lifetime), refresh its token, log off.

use crate::contract::extract::{auth_token, header, names, present, Headers};
use crate::contract::json::Body;
use crate::contract::koodrive::error::{ErrorBody, KooError};
use crate::contract::koodrive::routes::SESSION_WINDOW_MS;
use crate::contract::koodrive::types::{
    ok, CreateSessionReq, Envelope, Plain, RefreshBody, SessionData, SessionUserInfo,
};
use crate::contract::respond::HandWrittenJson;
use crate::namespace::Ns;
use crate::store::{
    koodrive::KooUser, unowned, Bind, Inherit, Kind, Must, Redeem, Redeemed, Text, TokenRec, Verbs,
};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};

/// The session token from `Authorization` (`Bearer <t>`, `Bearer+<t>`, or bare as in the cookie).
fn session_token(headers: &HeaderMap) -> Option<&str> {
    auth_token(headers, &["Bearer"])
}

/// Builds `userInfo` for a user (with or without `xhwSchema`); `None` if the user's org is gone.
fn with_user_info<R>(
    ns: &Ns,
    user: &KooUser,
    schema: bool,
    f: impl FnOnce(SessionUserInfo<'_>) -> R,
) -> Option<R> {
    let org = ns.koo().org(&user.org_id)?;
    let count = ns.koo().user_count(&org);
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

/// `POST /koodrive/ose/v1/session/` — exchanges an authorization code for a session.
///
/// Vendor page: "Initializing and Creating a Session" (<https://support.huaweicloud.com/intl/en-us/api-koodrive/createSession.html>).
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
pub(super) async fn create_session(ns: Ns, body: &Body<'_>) -> Result<Response, KooError> {
    let req: CreateSessionReq = body.json()?;
    let code = present(&req.code).ok_or(KooError::Param)?;
    let now = ns.now();
    let token = ns.gen.hex_key(24);
    let session_id = ns.gen.hex48();
    let session = |owner: Text| {
        let mut rec = TokenRec::new(Kind::KooSession, owner, now, SESSION_WINDOW_MS);
        rec.bind().session = Some(session_id.as_str().into());
        rec
    };
    let store = ns.store();
    // A reusable fixture code names its user. A minted one is taken and the session stored for its
    // user and org (a minted code carries both) in one step: exactly one of concurrent redeemers
    // gets it.
    let (user, minted) = match ns.koo().code_owner(code) {
        Some(uid) => (ns.koo().user(&uid), None),
        None => {
            let step = Redeem {
                inherit: Inherit {
                    owner: true,
                    bind: Bind::Org,
                },
                ..Redeem::take(code, &[Kind::KooAuthCode], now)
            };
            let issue = [(token.clone(), session(unowned()))];
            let Redeemed::Done { taken: Some(taken) } = store.redeem(step, issue).await? else {
                return Err(KooError::AuthCode);
            };
            (ns.koo().user(&taken.owner), Some(taken))
        }
    };
    let resp = user.as_ref().and_then(|user| {
        let mut access_token = String::with_capacity(55);
        access_token.push_str("Bearer ");
        access_token.push_str(&token);
        with_user_info(&ns, user, true, |info| {
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
    });
    let (Some(user), Some(resp)) = (user, resp) else {
        if minted.is_some() {
            // Its user (or org) went since the code was minted: no session after all.
            store.retire(&token, &[Kind::KooSession]).await?;
        }
        return Err(KooError::AuthCode);
    };
    let stored = |mut rec: TokenRec| {
        rec.bind().org = Some(user.org_id.as_str().into());
        rec
    };
    match minted {
        None => {
            store
                .insert(token, stored(session(user.user_id.clone())))
                .await?
        }
        // A code minted before codes carried their user's org (a restored snapshot's).
        Some(code) if code.org().is_none() => {
            let rec = stored(session(user.user_id.clone()));
            store.replace(token, rec).await?
        }
        Some(_) => {}
    }
    Ok(resp)
}

/// `GET /koodrive/ose/v1/session/auth` — the session's user; slides the session's lifetime.
///
/// Vendor page: "Checking Whether a Session Is Invalid (authSession)" (<https://support.huaweicloud.com/intl/en-us/api-koodrive/authSession.html>).
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
pub(super) async fn session_auth(ns: Ns, Headers(headers): Headers) -> Result<Response, KooError> {
    let token = session_token(&headers).ok_or(KooError::Session)?;
    let rec = ns
        .store()
        .touch(token, Kind::KooSession, ns.now(), SESSION_WINDOW_MS)
        .await?
        .ok_or(KooError::Session)?;
    let user = ns.koo().user(&rec.owner).ok_or(KooError::Session)?;
    with_user_info(&ns, &user, false, |info| ok("success", info)).ok_or(KooError::Session)
}

/// `POST /koodrive/ose/v1/session/refresh` — a new token for the same session; the old one is retired.
///
/// Vendor page: "Refreshing a Session" (<https://support.huaweicloud.com/intl/en-us/api-koodrive/refreshSession.html>).
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
pub(super) async fn session_refresh(
    ns: Ns,
    Headers(headers): Headers,
) -> Result<Response, KooError> {
    let token = session_token(&headers).ok_or(KooError::Session)?;
    let now = ns.now();
    let Some(sid) = header(&headers, names::X_SESSION_ID) else {
        // 401 for a token that is no live session, 400 for one without its session id.
        let store = ns.store();
        store
            .live(token, &[Kind::KooSession], now)
            .await?
            .ok_or(KooError::Session)?;
        return Err(KooError::Param);
    };
    let fresh = ns.gen.hex_key(24);
    let access_token = format!("Bearer {fresh}");
    // Exactly one concurrent refresh wins the old session, and only its successor (same user,
    // same session id and organization, a new 20 minutes) is stored: one step, one round trip.
    let same = Must {
        session: Some(sid),
        ..Must::ANY
    };
    ns.store()
        .renew(token, Kind::KooSession, now, same, fresh, SESSION_WINDOW_MS)
        .await?
        .ok_or(KooError::Session)?;
    Ok(HandWrittenJson(RefreshBody {
        access_token,
        code: 0,
        msg: "success",
    })
    .into_response())
}

/// `GET /koodrive/ose/v1/session/logoff` — ends the session; answers success for any or no token.
///
/// Vendor page: "Logging Out" (<https://support.huaweicloud.com/intl/en-us/api-koodrive/logout.html>).
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
pub(super) async fn session_logoff(
    ns: Ns,
    Headers(headers): Headers,
) -> Result<Response, KooError> {
    if let Some(t) = session_token(&headers) {
        ns.store().retire(t, &[Kind::KooSession]).await?;
    }
    Ok(HandWrittenJson(Plain {
        code: 0,
        msg: "success",
    })
    .into_response())
}
