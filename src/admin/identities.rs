//! Identities added or removed at run time, and minted one-time codes.

use super::{error, parse};
use crate::clock::rfc3339;
use crate::extract::lenient_string;
use crate::state::Ns;
use crate::store::{enos, koodrive, oneaccess, Kind, Problem, TokenRec};
use crate::vendors::koodrive::CODE_TTL_MS;
use axum::body::Bytes;
use axum::extract::Path;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Deserialize;
use serde_json::json;
use std::sync::Arc;

fn invalid(problems: Vec<Problem>) -> Response {
    let summary = problems
        .iter()
        .map(|p| format!("{}: {}", p.path, p.message))
        .collect::<Vec<_>>()
        .join("; ");
    (
        StatusCode::BAD_REQUEST,
        Json(json!({ "error": summary, "problems": problems })),
    )
        .into_response()
}

fn unknown_family(family: &str) -> Response {
    error(
        StatusCode::NOT_FOUND,
        &format!("unknown family {family:?}: expected koodrive, oneaccess or enos"),
    )
}

fn created(v: impl serde::Serialize) -> Response {
    (StatusCode::CREATED, Json(v)).into_response()
}

/// `POST /__admin/{family}/users` — one user, shaped and validated as in the family's fixture file.
pub async fn add_user(ns: Ns, Path(family): Path<String>, body: Bytes) -> Response {
    let s = &ns.store;
    let mut p = Vec::new();
    match family.as_str() {
        "koodrive" => {
            let u: koodrive::KooUser = match parse(&body) {
                Ok(u) => u,
                Err(e) => return e,
            };
            koodrive::validate_user(&u, "$", &|o| s.koo.orgs.contains_key(o), &mut p);
            if s.koo.users.contains_key(&u.user_id) {
                p.push(Problem::new(
                    "$.userId",
                    format!("duplicate user id {:?}", u.user_id),
                ));
            }
            for (f, v) in [("account", &u.account), ("phone", &u.phone)] {
                if !v.is_empty() && s.koo.accounts.contains_key(v.as_str()) {
                    p.push(Problem::new(
                        format!("$.{f}"),
                        format!("account or phone {v:?} is used by another user"),
                    ));
                }
            }
            if !p.is_empty() {
                return invalid(p);
            }
            s.koo.add_user(u.clone());
            created(u)
        }
        "oneaccess" => {
            let u: oneaccess::OaUser = match parse(&body) {
                Ok(u) => u,
                Err(e) => return e,
            };
            oneaccess::validate_user(&u, "$", &|t| s.oa.tenants.contains_key(t), &mut p);
            if s.oa.users.contains_key(&u.id) {
                p.push(Problem::new(
                    "$.id",
                    format!("duplicate user id {:?}", u.id),
                ));
            }
            if s.oa.user_by_name(&u.tenant_id, &u.user_name).is_some() {
                p.push(Problem::new(
                    "$.userName",
                    format!("duplicate user name {:?} in tenant", u.user_name),
                ));
            }
            if !p.is_empty() {
                return invalid(p);
            }
            s.oa.add_user(u.clone());
            created(u)
        }
        "enos" => {
            let u: enos::EnosUser = match parse(&body) {
                Ok(u) => u,
                Err(e) => return e,
            };
            enos::validate_user(&u, "$", &|o| s.enos.orgs.contains_key(o), &mut p);
            if s.enos.users.contains_key(&u.id) {
                p.push(Problem::new(
                    "$.id",
                    format!("duplicate user id {:?}", u.id),
                ));
            }
            if s.enos.accounts.contains_key(&u.account) {
                p.push(Problem::new(
                    "$.account",
                    format!("duplicate account {:?}", u.account),
                ));
            }
            if !p.is_empty() {
                return invalid(p);
            }
            s.enos.add_user(u.clone());
            created(u)
        }
        other => unknown_family(other),
    }
}

/// `DELETE /__admin/{family}/users/{id}` — removes the user and every credential it owns there.
pub async fn delete_user(ns: Ns, Path((family, id)): Path<(String, String)>) -> Response {
    let s = &ns.store;
    let gone = match family.as_str() {
        "koodrive" => s.koo.remove_user(&id),
        "oneaccess" => s.oa.remove_user(&id),
        "enos" => s.enos.remove_user(&id),
        other => return unknown_family(other),
    };
    if !gone {
        return error(StatusCode::NOT_FOUND, &format!("no {family} user {id:?}"));
    }
    let revoked = s
        .tokens
        .remove_where(|t| t.kind.family() == family && t.owner == id);
    Json(json!({ "deleted": id, "family": family, "tokensRevoked": revoked })).into_response()
}

/// `POST /__admin/{family}/orgs` — a KooDrive org, a OneAccess tenant, or an EnOS organization.
pub async fn add_org(ns: Ns, Path(family): Path<String>, body: Bytes) -> Response {
    let s = &ns.store;
    let mut p = Vec::new();
    match family.as_str() {
        "koodrive" => {
            let o: koodrive::KooOrg = match parse(&body) {
                Ok(o) => o,
                Err(e) => return e,
            };
            koodrive::validate_org(&o, "$", &mut p);
            if s.koo.orgs.contains_key(&o.org_id) {
                p.push(Problem::new(
                    "$.orgId",
                    format!("duplicate org id {:?}", o.org_id),
                ));
            }
            if !p.is_empty() {
                return invalid(p);
            }
            s.koo.orgs.insert(o.org_id.clone(), Arc::new(o.clone()));
            created(o)
        }
        "oneaccess" => {
            let t: oneaccess::OaTenant = match parse(&body) {
                Ok(t) => t,
                Err(e) => return e,
            };
            if t.id.trim().is_empty() {
                p.push(Problem::new("$.id", "must not be empty"));
            }
            if s.oa.tenants.contains_key(&t.id) {
                p.push(Problem::new(
                    "$.id",
                    format!("duplicate tenant id {:?}", t.id),
                ));
            }
            if !p.is_empty() {
                return invalid(p);
            }
            s.oa.tenants.insert(t.id.clone(), Arc::new(t.clone()));
            created(t)
        }
        "enos" => {
            let o: enos::EnosOrg = match parse(&body) {
                Ok(o) => o,
                Err(e) => return e,
            };
            if o.id.trim().is_empty() {
                p.push(Problem::new("$.id", "must not be empty"));
            }
            if s.enos.orgs.contains_key(&o.id) {
                p.push(Problem::new("$.id", format!("duplicate org id {:?}", o.id)));
            }
            if !p.is_empty() {
                return invalid(p);
            }
            s.enos.orgs.insert(o.id.clone(), Arc::new(o.clone()));
            created(o)
        }
        other => unknown_family(other),
    }
}

/// `POST /__admin/oneaccess/clients` — registers an app (client_id, clientSecret, tenantId).
pub async fn add_client(ns: Ns, body: Bytes) -> Response {
    let c: oneaccess::OaClient = match parse(&body) {
        Ok(c) => c,
        Err(e) => return e,
    };
    let s = &ns.store.oa;
    let mut p = Vec::new();
    if c.client_id.trim().is_empty() {
        p.push(Problem::new("$.clientId", "must not be empty"));
    }
    if c.client_secret.is_empty() {
        p.push(Problem::new("$.clientSecret", "must not be empty"));
    }
    if !s.tenants.contains_key(&c.tenant_id) {
        p.push(Problem::new(
            "$.tenantId",
            format!("unknown tenant {:?}", c.tenant_id),
        ));
    }
    if s.clients.contains_key(&c.client_id) {
        p.push(Problem::new(
            "$.clientId",
            format!("duplicate client id {:?}", c.client_id),
        ));
    }
    if !p.is_empty() {
        return invalid(p);
    }
    s.clients.insert(c.client_id.clone(), Arc::new(c.clone()));
    created(c)
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct AuthCodeReq {
    #[serde(default, deserialize_with = "lenient_string")]
    user_id: Option<String>,
    #[serde(default)]
    ttl_seconds: Option<u64>,
}

/// `POST /__admin/koodrive/auth-codes {"userId","ttlSeconds"?}` — a one-time authorization code.
pub async fn mint_auth_code(ns: Ns, body: Bytes) -> Response {
    let req: AuthCodeReq = match parse(&body) {
        Ok(r) => r,
        Err(e) => return e,
    };
    let Some(uid) = req.user_id.filter(|u| !u.is_empty()) else {
        return error(StatusCode::BAD_REQUEST, "\"userId\" is required");
    };
    if ns.store.koo.user(&uid).is_none() {
        return error(StatusCode::NOT_FOUND, &format!("no koodrive user {uid:?}"));
    }
    let ttl_ms = match req.ttl_seconds {
        Some(0) => return error(StatusCode::BAD_REQUEST, "\"ttlSeconds\" must be at least 1"),
        Some(s) => (s.min(365 * 86_400) * 1000) as i64,
        None => CODE_TTL_MS,
    };
    let now = ns.now();
    let code = ns.gen.base62(64);
    let rec = TokenRec::new(Kind::KooAuthCode, uid, now, ttl_ms);
    let expires = rec.expires_ms;
    ns.store.tokens.insert(code.clone(), rec);
    created(json!({ "code": code, "expiresAt": rfc3339(expires), "expiresAtMs": expires }))
}

#[derive(Deserialize)]
struct CaptchaReq {
    #[serde(default, deserialize_with = "lenient_string")]
    account: Option<String>,
}

/// `POST /__admin/koodrive/verification-codes {"account"}` — a one-time verification code (authType "2").
pub async fn mint_verification_code(ns: Ns, body: Bytes) -> Response {
    let req: CaptchaReq = match parse(&body) {
        Ok(r) => r,
        Err(e) => return e,
    };
    let Some(account) = req.account.filter(|a| !a.is_empty()) else {
        return error(StatusCode::BAD_REQUEST, "\"account\" is required");
    };
    let Some(user) = ns.store.koo.user_by_account(&account) else {
        return error(
            StatusCode::NOT_FOUND,
            &format!("no koodrive account {account:?}"),
        );
    };
    let mut digits = [0u8; 6];
    ns.gen.fill(&mut digits);
    let code: String = digits.iter().map(|b| char::from(b'0' + b % 10)).collect();
    let expires = ns.now() + CODE_TTL_MS;
    ns.store
        .koo
        .captchas
        .insert(user.user_id.clone(), (code.clone(), expires));
    created(
        json!({ "captchaToken": code, "userId": user.user_id, "expiresAt": rfc3339(expires), "expiresAtMs": expires }),
    )
}
