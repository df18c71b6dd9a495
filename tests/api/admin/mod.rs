//! The control plane under `/__admin`, one file per feature: health and reset, state, identities added
//! and removed at run time, minted codes and revocation, the request journal, faults (and the
//! `X-Mock-*` headers), the clock, namespaces, determinism under a seed, the admin token and the OpenAPI
//! document — all over HTTP. Here: the assertions and calls the feature files share.

mod clock;
mod codes;
mod faults;
mod identities;
mod journal;
mod lifecycle;
mod metrics;
mod namespaces;
mod newline;
mod openapi;
mod protection;
mod state;
mod trace;
mod verify;

// The sections share this module's helpers and imports through `use super::*`.
use crate::expect::{
    assert_status, enos_error, enos_ok, koo_bad_code, koo_error, koo_ok, koo_session_invalid,
    koo_wrong_password, oa_error,
};
use crate::fixtures::{enos, koo, oa, JAN_2026, JAN_2026_MS, SECRETS};
use crate::flows::system_ms;
use crate::helpers::{cat, keys, ns, Api, Resp};
use crate::pipeline::exchange;
use authmock::MockServer;
use futures::future::join_all;
use openapi::document;
use serde_json::{json, Value};
use std::time::{Duration, Instant};

// ---------------------------------------------------------------------------------------------
// plumbing

/// `YYYY-MM-DDTHH:MM:SS` of an instant in UTC (Howard Hinnant's civil-from-days).
fn utc_prefix(epoch_ms: i64) -> String {
    let secs = epoch_ms.div_euclid(1000);
    let (days, sod) = (secs.div_euclid(86_400), secs.rem_euclid(86_400));
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}",
        sod / 3600,
        (sod % 3600) / 60,
        sod % 60
    )
}

/// Asserts `v` is the RFC 3339 UTC text of the instant `epoch_ms` (to the second).
fn assert_instant(v: &Value, epoch_ms: i64) {
    let s = v
        .as_str()
        .unwrap_or_else(|| panic!("not an RFC 3339 string: {v}"));
    assert!(
        s.starts_with(&utc_prefix(epoch_ms)) && s.ends_with('Z'),
        "{s:?} is not {} UTC",
        utc_prefix(epoch_ms)
    );
}

/// Asserts `v` looks like an RFC 3339 UTC instant: `YYYY-MM-DDTHH:MM:SS[.fff]Z`.
fn assert_rfc3339(v: &Value) {
    let s = v.as_str().unwrap_or_else(|| panic!("not a string: {v}"));
    let b = s.as_bytes();
    let digits = |r: std::ops::Range<usize>| b[r].iter().all(u8::is_ascii_digit);
    assert!(
        b.len() >= 20
            && digits(0..4)
            && b[4] == b'-'
            && digits(5..7)
            && b[7] == b'-'
            && digits(8..10)
            && b[10] == b'T'
            && digits(11..13)
            && b[13] == b':'
            && digits(14..16)
            && b[16] == b':'
            && digits(17..19)
            && s.ends_with('Z'),
        "{s:?} is not RFC 3339 UTC"
    );
}

/// Asserts a control-plane error: the status and a JSON `{"error": "<message>"}`; returns the message.
fn admin_error(r: &Resp, status: u16) -> String {
    assert_eq!(r.status, status, "{}", r.text);
    r.body["error"]
        .as_str()
        .unwrap_or_else(|| panic!("no error message: {}", r.text))
        .to_owned()
}

/// Asserts a 400 whose message names every one of `words`.
fn assert_refused_naming(r: &Resp, words: &[&str]) {
    let msg = admin_error(r, 400);
    for w in words {
        assert!(msg.contains(w), "{msg:?} does not name {w:?}");
    }
}

/// Asserts `shown` is `raw` masked: its first 4 characters kept, the rest gone.
fn assert_masked(shown: &Value, raw: &str) {
    let s = shown
        .as_str()
        .unwrap_or_else(|| panic!("not a string: {shown}"));
    // Exactly the first 4 characters and the mask: nothing else of the secret survives. (A substring
    // check would misfire on short secrets whose tail repeats their head, e.g. a code "123412".)
    assert_eq!(
        s,
        format!("{}****", &raw[..4]),
        "{s:?} is not {raw:?} masked"
    );
}

// ---------------------------------------------------------------------------------------------
// control-plane calls

async fn admin(api: &Api, method: &str, path: &str, body: Value, h: &[(&str, &str)]) -> Resp {
    api.send(
        method,
        path,
        &cat(&[("content-type", "application/json")], h),
        Some(body.to_string().into_bytes()),
    )
    .await
}

async fn state(api: &Api, query: &str, h: &[(&str, &str)]) -> Resp {
    let r = api.get(&format!("/__admin/state{query}"), h).await;
    assert_status(&r, 200);
    r
}

async fn journal(api: &Api, query: &str, h: &[(&str, &str)]) -> Vec<Value> {
    let r = api.get(&format!("/__admin/requests{query}"), h).await;
    assert_status(&r, 200);
    r.body["requests"]
        .as_array()
        .unwrap_or_else(|| panic!("no requests array: {}", r.text))
        .clone()
}

async fn add(api: &Api, family: &str, what: &str, body: Value) -> Resp {
    admin(api, "POST", &format!("/__admin/{family}/{what}"), body, &[]).await
}

/// `POST /__admin/koodrive/auth-codes`, asserting 201; returns the response body.
async fn mint_auth_code(api: &Api, body: Value, h: &[(&str, &str)]) -> Value {
    let r = admin(api, "POST", "/__admin/koodrive/auth-codes", body, h).await;
    assert_status(&r, 201);
    r.body
}

async fn koo_captcha_login(api: &Api, captcha: &str) -> Resp {
    api.post(
        koo::LOGIN,
        &[koo::AGENT],
        json!({ "account": koo::ACCOUNT, "authType": "2", "captchaToken": captcha }),
    )
    .await
}

fn ids(list: &Value, field: &str) -> Vec<String> {
    let mut v: Vec<String> = list
        .as_array()
        .unwrap_or_else(|| panic!("not an array: {list}"))
        .iter()
        .map(|x| x[field].as_str().unwrap_or_default().to_owned())
        .collect();
    v.sort();
    v
}

/// A KooDrive user shaped as in `koodrive.json`.
fn koo_user(id: &str, account: &str, org: &str) -> Value {
    json!({
        "userId": id,
        "userName": account,
        "innerUserId": format!("{id}9"),
        "orgId": org,
        "deptId": "1574641574824974465",
        "role": "1",
        "account": account,
        "phone": "13800009999",
        "password": "N3w-Koo-Pass",
        "verificationCode": "777777",
        "firstname": "New",
        "surname": "Comer",
        "email": "new.comer@koodrive.example"
    })
}

/// A OneAccess user shaped as in `oneaccess.json`.
fn oa_user(id: &str, user_name: &str, tenant: &str) -> Value {
    json!({
        "id": id,
        "userName": user_name,
        "password": "Wangwu@12345",
        "name": user_name,
        "mobile": "+86-18300000099",
        "email": "wangwu@oneaccess.example",
        "tenantId": tenant
    })
}

/// An EnOS user shaped as in `enos.json`.
fn enos_user(id: &str, account: &str, orgs: &[&str]) -> Value {
    json!({
        "id": id,
        "account": account,
        "password": "NewUser1234",
        "name": account,
        "email": format!("{account}@example.com"),
        "adminLevel": 0,
        "orgs": orgs
    })
}

const LOGIN: &str = "/koodrive/ose/v1/auth/login";

fn login_body() -> serde_json::Value {
    json!({ "account": "0027188460911", "authType": "1", "password": "123qweASD143" })
}

const KOO_LOGIN: &str = "POST /koodrive/ose/v1/auth/login";

const CREATE_SESSION: &str = "/koodrive/ose/v1/session/";

const SEED_CODE: &str = "FrbMohdqi86v6sMZlFSSuG3E0_9RsDpL08BlYfNQPhvibLET266cQhDI_WczEXJOAoIoKGCdqN2shKX1yfqrVci8nSFdMlxljNFhoffVvH93uSzIoyFxK4P7yhY6fDXa";

const ADMIN_CODE: &str = "koo-admin-code";

const ADMIN_CODE_OWNER: &str = "1008600000701011200";

const KOO_ACCOUNT: &str = "0027188460911";

const KOO_USER_ID: &str = "1882575898755117312";

/// The code KooDrive answers for an unknown, used or expired authorization code.
const BAD_AUTH_CODE: i64 = 13000201;

/// The code KooDrive answers for a wrong password or verification code.
const BAD_CREDENTIALS: i64 = 13000203;

async fn create_session(api: &Api, code: &str, ns: &[(&str, &str)]) -> crate::helpers::Resp {
    api.post(CREATE_SESSION, ns, json!({ "code": code })).await
}
