//! `GET /__admin/state`: the namespace's state dump.

use super::{clock_view, flag, AdminError};
use crate::clock::rfc3339;
use crate::contract::extract::query_param;
use crate::namespace::{AppState, Ns};
use crate::store::{TokenRec, Verbs, NEVER};
use axum::extract::{RawQuery, State};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::{json, Value};

/// Tokens listed by default in the state dump (the count is always exact).
const DEFAULT_TOKEN_LIMIT: usize = 1000;

fn instant(ms: i64) -> Value {
    if ms == NEVER {
        Value::Null
    } else {
        Value::String(rfc3339(ms))
    }
}

fn token_view(token: &str, r: &TokenRec, now: i64) -> Value {
    let mut v = json!({
        "token": token,
        "kind": r.kind,
        "family": r.kind.family().name(),
        "owner": r.owner,
        "issuedAt": if r.fixed { Value::Null } else { Value::String(rfc3339(r.issued_ms)) },
        "issuedAtMs": r.issued_ms,
        "expiresAt": instant(r.expires_ms),
        "expiresAtMs": if r.expires_ms == NEVER { Value::Null } else { json!(r.expires_ms) },
        "expiresInSeconds": if r.expires_ms == NEVER { Value::Null } else { json!((r.expires_ms - now).div_euclid(1000)) },
        "live": r.live_at(now),
        "fixture": r.fixed,
    });
    let bound = json!({
        "org": r.org(),
        "session": r.session(),
        "fingerprint": r.fingerprint(),
        "client": r.client(),
        "tenant": r.tenant(),
        "linked": r.link,
    });
    if let (Some(m), Value::Object(b)) = (v.as_object_mut(), bound) {
        let b: serde_json::Map<String, Value> =
            b.into_iter().filter(|(_, x)| !x.is_null()).collect();
        m.insert("boundTo".into(), Value::Object(b));
    }
    v
}

fn sorted<T: Clone>(items: impl Iterator<Item = T>, key: impl Fn(&T) -> String) -> Vec<T> {
    let mut v: Vec<T> = items.collect();
    v.sort_by_key(|x| key(x));
    v
}

/// The namespace's state: identities, live credentials, codes, lockouts, clock. No password or secret.
pub async fn namespace_state(ns: &Ns, token_limit: usize) -> Result<Value, AdminError> {
    let now = ns.now();
    let s = ns.store();
    // Counted in place: a dump of a store holding a million tokens copies only the ones it lists.
    let (total, kinds, tokens) = s.newest(token_limit).await?;
    let mut by_kind = serde_json::Map::new();
    for (kind, n) in kinds {
        let k = serde_json::to_value(kind).unwrap_or_default();
        by_kind.insert(k.as_str().unwrap_or("").to_string(), json!(n));
    }
    let listed: Vec<Value> = tokens.iter().map(|(t, r)| token_view(t, r, now)).collect();
    let koo = ns.koo();
    let koo_users = sorted(koo.users().into_iter(), |u| u.user_id.to_string());
    let koo_orgs = sorted(koo.orgs().into_iter(), |o| o.org_id.clone());
    let koo_codes = sorted(
        koo.auth_codes()
            .into_iter()
            .map(|(code, user)| json!({"code": code, "userId": user, "reusable": true})),
        |v| v["code"].as_str().unwrap_or("").to_string(),
    );
    let captchas = sorted(
        ns.verification_codes().await?.into_iter().map(|(user, code, exp)| json!({"userId": user, "captchaToken": code, "expiresAt": rfc3339(exp)})),
        |v| v["userId"].as_str().unwrap_or("").to_string(),
    );
    let oa_tenants = sorted(ns.oa().tenants().into_iter(), |t| t.id.clone());
    let oa_clients = sorted(ns.oa().clients().into_iter(), |c| c.client_id.clone());
    let oa_users = sorted(ns.oa().users().into_iter(), |u| u.id.clone());
    let enos_orgs = sorted(ns.enos().orgs().into_iter(), |o| o.id.clone());
    let enos_users = sorted(ns.enos().users().into_iter(), |u| u.id.to_string());
    let locks = sorted(
        s.lockouts().await?.into_iter().map(|(family, user, st)| {
            json!({
                "family": family,
                "userId": user,
                "failures": st.failures,
                "lockedUntil": if st.locked_until_ms == 0 { Value::Null } else { Value::String(rfc3339(st.locked_until_ms)) },
            })
        }),
        |v| v.to_string(),
    );
    let faults = ns.faults(|f| f.list().len()).await?;
    Ok(json!({
        "namespace": ns.name,
        "clock": clock_view(ns),
        "counts": {
            "tokens": total,
            "tokensByKind": by_kind,
            "tokenLimit": s.limit(),
            "tokensEvicted": s.evicted(),
            "journal": ns.journal.len(),
            "faults": faults,
        },
        "koodrive": {
            "orgs": koo_orgs,
            "users": koo_users,
            "authCodes": koo_codes,
            "verificationCodes": captchas,
            "orgIdClients": koo.clients(),
        },
        "oneaccess": { "tenants": oa_tenants, "clients": oa_clients, "users": oa_users },
        "enos": { "orgs": enos_orgs, "users": enos_users },
        "tokens": listed,
        "tokensListed": listed.len(),
        "lockouts": locks,
    }))
}

/// `GET /__admin/state[?all=true][&tokens=N]`.
#[utoipa::path(
    get,
    path = "/__admin/state",
    operation_id = "admin_state",
    tag = "control plane",
    summary = "The namespace's state (no password or secret)",
    security((), ("adminToken" = [])),
    params(
        ("all" = Option<String>, Query, description = "`true`, `1` or `yes`: add the names of every namespace."),
        ("tokens" = Option<String>, Query, description = "List at most this many tokens (default 1000; not a number: the default). `counts.tokens` is always exact."),
    ),
    responses((status = 200, description = "`{\"namespace\",\"clock\",\"counts\" (tokens, tokensByKind, tokenLimit, tokensEvicted, journal, faults),\"koodrive\",\"oneaccess\",\"enos\",\"tokens\",\"tokensListed\",\"lockouts\"}` (and `namespaces` with `all`).", body = Object))
)]
pub async fn state(
    State(app): State<AppState>,
    ns: Ns,
    RawQuery(q): RawQuery,
) -> Result<Response, AdminError> {
    let limit = query_param(q.as_deref(), "tokens")
        .and_then(|v| v.parse().ok())
        .unwrap_or(DEFAULT_TOKEN_LIMIT);
    let mut v = namespace_state(&ns, limit).await?;
    if flag(q.as_deref(), "all") {
        let names = app.namespace_names().await?;
        if let Some(m) = v.as_object_mut() {
            m.insert(
                "namespaces".into(),
                json!({ "count": names.len(), "names": names }),
            );
        }
    }
    Ok(Json(v).into_response())
}
