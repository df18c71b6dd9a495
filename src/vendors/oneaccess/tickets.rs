//! OneAccess sso_ticket and its verification, with the app-token checks they share: each is one store
//! step ([`crate::store::Verbs::redeem`]) guarded by the app token, whose refusal tells the errors
//! apart in the order the routes check them.

use super::handlers::required;
use crate::contract::extract::{after_scheme, header, names, present, Headers};
use crate::contract::json::Body;
use crate::contract::oneaccess::error::{ErrorBody, OaError};
use crate::contract::oneaccess::routes::TICKET_TTL_S;
use crate::contract::oneaccess::types::{
    TicketReq, TicketResp, VerifiedUser, VerifyData, VerifyReq, VerifyResp,
};
use crate::contract::respond::HandWrittenJson;
use crate::namespace::Ns;
use crate::store::{
    unowned, Bind, Guard, Inherit, Kind, Lookup, Must, Redeem, Redeemed, Text, TokenRec, Verbs,
};
use axum::http::header::AUTHORIZATION;
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use axum::Json;

/// The app token in `Authorization: Bearer <access_token>`, or what its header lacks.
fn app_bearer(headers: &HeaderMap) -> Result<&str, OaError> {
    let Some(raw) = header(headers, AUTHORIZATION) else {
        // Present but not UTF-8 is a token nobody issued, not a missing header.
        return Err(match headers.get(AUTHORIZATION) {
            Some(v) if !v.as_bytes().trim_ascii().is_empty() => {
                let text = String::from_utf8_lossy(v.as_bytes());
                // Quoted like a readable one: the token after the scheme.
                let token = after_scheme(&text, "Bearer").unwrap_or(text.trim());
                OaError::InvalidToken(token.to_string())
            }
            _ => OaError::Required("Authorization"),
        });
    };
    // Only `Bearer <token>` (or `Bearer+<token>`) names an app token; anything else is invalid as a whole.
    after_scheme(raw, "Bearer").ok_or_else(|| OaError::InvalidToken(raw.to_string()))
}

/// What an app token that is not live answers.
fn app_refused(t: &str, l: Lookup) -> OaError {
    match l {
        Lookup::Expired => OaError::ExpiredToken(t.to_string()),
        _ => OaError::InvalidToken(t.to_string()),
    }
}

/// The live app token `t`'s record (read on its own: on a path that answers an error).
async fn app_record(ns: &Ns, t: &str) -> Result<TokenRec, OaError> {
    match ns.store().lookup(t, &[Kind::OaAppToken], ns.now()).await? {
        Lookup::Live(r) => Ok(r),
        l => Err(app_refused(t, l)),
    }
}

/// The app token `t` as the guard of a ticket step: live, and of `tenant` when the request names one.
fn app_guard<'a>(t: &'a str, tenant: Option<&'a str>) -> Guard<'a> {
    Guard {
        token: t,
        kinds: &[Kind::OaAppToken],
        live: true,
        must: Must {
            tenant,
            ..Must::ANY
        },
    }
}

/// `X-tenant-id`, when present, must be the app's tenant.
fn check_tenant(headers: &HeaderMap, app: &TokenRec) -> Result<(), OaError> {
    match header(headers, names::X_TENANT_ID) {
        Some(t) if Some(t) != app.tenant() => Err(OaError::Tenant),
        _ => Ok(()),
    }
}

/// The app checks of an sso-ticket request, in its order: the tenant header, then the client asked
/// for (one of the app's tenant).
fn check_app(
    ns: &Ns,
    headers: &HeaderMap,
    app: &TokenRec,
    client_id: Option<&str>,
) -> Result<(), OaError> {
    check_tenant(headers, app)?;
    match client_id.map(|id| ns.oa().client(id)) {
        Some(Some(c)) if Some(c.tenant_id.as_str()) != app.tenant() => Err(OaError::App),
        Some(None) => Err(OaError::App),
        _ => Ok(()),
    }
}

/// `POST /api/v2/tenant/sso/session-token/sso-ticket` — a one-time sso_ticket for a logged-in user.
///
/// Vendor page: "Obtaining sso_ticket Using session_token" (<https://support.huaweicloud.com/intl/en-us/api-oneaccess/ShowSSOTicketBySessionToken.html>).
#[utoipa::path(
    post,
    path = "/api/v2/tenant/sso/session-token/sso-ticket",
    operation_id = "oneaccess_sso_ticket",
    tag = "OneAccess",
    summary = "A one-time sso_ticket from a session_token",
    security((), ("oneaccessApp" = [])),
    params(
        ("X-tenant-id" = Option<String>, Header, description = "When present, must be the app's tenant (TENANT.0001).", example = "08f770f51f80d2f40f38c00cb199fd21"),
    ),
    request_body(
        content = TicketReq,
        content_type = "application/json",
        example = json!({ "session_token": "btsSxNw4yJ2Ffu6cgrYxj3TEMyaXD0dkLgcS0nmFSN", "operating_sys_version": "Android 10", "device_ip": "10.10.10.1", "device_fingerprint": "156aysdna213sac", "agent": "Mozilla/5.0", "client_id": "9fIHl3Dc9ivToWLVtblrF6Sjv9Fx47JJ" })
    ),
    responses(
        (status = 200, description = "A one-time ticket (9600 s).", body = TicketResp),
        (status = 400, description = "PARAM.0001 (no `Authorization`, missing field, unparsable body), invalid_token, PARAM.0005 (no session_token), TENANT.0001, APP.0001, SESSION.0001, SESSION.0002.", body = ErrorBody),
        (status = 413, description = "Body over 64 KiB: PARAM.0001 \"Invalid request body.\"", body = ErrorBody),
    )
)]
pub(super) async fn sso_ticket(
    ns: Ns,
    Headers(headers): Headers,
    body: &Body<'_>,
) -> Result<Response, OaError> {
    let app_token = app_bearer(&headers)?;
    let req: Result<TicketReq, OaError> = body.json().map_err(Into::into);
    let asked = req.as_ref().map_err(Clone::clone).and_then(|r| {
        let session = present(&r.session_token).ok_or(OaError::TokenRequired)?;
        required(&r.operating_sys_version, "operating_sys_version")?;
        required(&r.device_ip, "device_ip")?;
        let fingerprint = required(&r.device_fingerprint, "device_fingerprint")?;
        Ok((session, fingerprint, present(&r.client_id)))
    });
    let header_tenant = header(&headers, names::X_TENANT_ID);
    // The client asked for, when it is known; `None` when the request is refused whatever the app
    // token is (a bad body, an unknown client, a tenant header that is not the client's).
    let known = asked.as_ref().ok().and_then(|&(_, _, id)| match id {
        None => Some(None),
        Some(id) => ns
            .oa()
            .client(id)
            .filter(|c| header_tenant.is_none_or(|t| t == c.tenant_id))
            .map(Some),
    });
    let Some(client) = known else {
        // An error for sure: the app token's is answered before the body's.
        let app = app_record(&ns, app_token).await?;
        let (_, _, client_id) = asked?;
        check_app(&ns, &headers, &app, client_id)?;
        return Err(OaError::App);
    };
    let Ok((session, fingerprint, client_id)) = asked else {
        return Err(OaError::BadBody);
    };
    let now = ns.now();
    // One step: the app token checked, the session read if it is live, of the app's tenant and
    // this device, and the ticket stored for its user with its bindings.
    let tenant = header_tenant.or(client.as_ref().map(|c| c.tenant_id.as_str()));
    let mut ticket = TokenRec::new(Kind::OaTicket, unowned(), now, TICKET_TTL_S * 1000);
    if let Some(c) = &client {
        ticket.bind().client = Some(Text::from(c.client_id.as_str()));
    }
    let text = ns.gen.base62_key(32);
    let step = Redeem {
        guard: Some(app_guard(app_token, tenant)),
        must: Must {
            fingerprint: Some(fingerprint),
            ..Must::ANY
        },
        guard_tenant: true,
        keep: true,
        inherit: Inherit {
            owner: true,
            bind: Bind::AllClientOfGuard,
        },
        ..Redeem::take(session, &[Kind::OaSession], now)
    };
    match ns
        .store()
        .redeem(step, [(Text::from(text.as_str()), ticket)])
        .await?
    {
        Redeemed::Done { .. } => {}
        Redeemed::Guard(l) => return Err(app_refused(app_token, l)),
        Redeemed::Refused { guard, seen } => {
            let app = guard.ok_or(OaError::Session)?;
            check_app(&ns, &headers, &app, client_id)?;
            let s = seen.filter(|s| s.tenant() == app.tenant());
            return Err(match s {
                Some(s) if s.fingerprint() != Some(fingerprint) => OaError::Fingerprint,
                _ => OaError::Session,
            });
        }
    }
    Ok(HandWrittenJson(TicketResp {
        expire: TICKET_TTL_S,
        sso_ticket: text,
    })
    .into_response())
}

/// `POST /api/v2/tenant/sso/sso-ticket/verify` — redeems a ticket (exactly once) for the user's profile.
#[utoipa::path(
    post,
    path = "/api/v2/tenant/sso/sso-ticket/verify",
    operation_id = "oneaccess_verify_ticket",
    tag = "OneAccess",
    summary = "Redeem an sso_ticket (once) for the user's profile",
    security((), ("oneaccessApp" = [])),
    params(
        ("X-tenant-id" = Option<String>, Header, description = "When present, must be the app's tenant (TENANT.0001).", example = "08f770f51f80d2f40f38c00cb199fd21"),
    ),
    request_body(
        content = VerifyReq,
        content_type = "application/json",
        example = json!({ "sso_ticket": "cd7b1e2f4a6c8e0a2c4e6a8c0e2a4c6e", "operating_sys_version": "Android 10", "device_ip": "10.10.10.1", "device_fingerprint": "156aysdna213sac", "agent": "Mozilla/5.0" })
    ),
    responses(
        (status = 200, description = "The ticket's user; the ticket is used up.", body = VerifyResp),
        (status = 400, description = "PARAM.0001 (no `Authorization`, missing field, unparsable body), invalid_token, TENANT.0001, TICKET.0001, SESSION.0002.", body = ErrorBody),
        (status = 413, description = "Body over 64 KiB: PARAM.0001 \"Invalid request body.\"", body = ErrorBody),
    )
)]
pub(super) async fn verify_ticket(
    ns: Ns,
    Headers(headers): Headers,
    body: &Body<'_>,
) -> Result<Response, OaError> {
    let app_token = app_bearer(&headers)?;
    let req: Result<VerifyReq, OaError> = body.json().map_err(Into::into);
    let asked = req.as_ref().map_err(Clone::clone).and_then(|r| {
        let ticket = required(&r.sso_ticket, "sso_ticket")?;
        required(&r.operating_sys_version, "operating_sys_version")?;
        required(&r.device_ip, "device_ip")?;
        Ok((
            ticket,
            required(&r.device_fingerprint, "device_fingerprint")?,
        ))
    });
    let (ticket, fingerprint) = match asked {
        Ok(a) => a,
        Err(e) => {
            // The app token's error is answered before the body's.
            app_record(&ns, app_token).await?;
            return Err(e);
        }
    };
    let now = ns.now();
    // One step: the app token checked, the ticket taken only if it is the app's tenant's and this
    // device's. Refused, what the step saw tells a ticket of another device (SESSION.0002) from
    // a bad one.
    let step = Redeem {
        guard: Some(app_guard(app_token, header(&headers, names::X_TENANT_ID))),
        must: Must {
            fingerprint: Some(fingerprint),
            ..Must::ANY
        },
        guard_tenant: true,
        ..Redeem::take(ticket, &[Kind::OaTicket], now)
    };
    let rec = match ns.store().redeem(step, []).await? {
        Redeemed::Done { taken: Some(rec) } => rec,
        Redeemed::Done { taken: None } => return Err(OaError::Ticket),
        Redeemed::Guard(l) => return Err(app_refused(app_token, l)),
        Redeemed::Refused { guard, seen } => {
            let app = guard.ok_or(OaError::Ticket)?;
            check_tenant(&headers, &app)?;
            return Err(match seen {
                Some(t)
                    if app.tenant().is_some()
                        && t.tenant() == app.tenant()
                        && t.fingerprint() != Some(fingerprint) =>
                {
                    OaError::Fingerprint
                }
                _ => OaError::Ticket,
            });
        }
    };
    let user = ns.oa().user(&rec.owner).ok_or(OaError::Ticket)?;
    Ok(Json(VerifyResp {
        code: "200",
        message: "success",
        data: VerifyData {
            user: VerifiedUser {
                user_name: &user.user_name,
                id: &user.id,
                name: &user.name,
                mobile: &user.mobile,
                email: &user.email,
            },
        },
    })
    .into_response())
}
