//! OneAccess (Huawei Cloud IDaaS), one file per route: tenant/token, sdk/login, session-token/sso-ticket
//! and sso-ticket/verify. Here: the assertions, requests and bodies the route files share.

mod routes;
mod sdk_login;
mod sso_ticket;
mod tenant_token;
mod tokens;
mod verify;

use crate::fixtures::oa::{
    CLIENT_ID, CLIENT_SECRET, FINGERPRINT, LOGIN, OTHER_CLIENT_ID, OTHER_CLIENT_SECRET,
    OTHER_TENANT, PASSWORD, TENANT, TICKET, TOKEN, USER, USER_ID, VERIFY,
};
use crate::fixtures::{enos, koo};
use crate::helpers::{keys, Api, Resp};
use base64::Engine;
use futures::future::join_all;
use serde_json::{json, Value};

/// The fingerprint in the sso_ticket page's example.
const AGENT: &str = "Mozilla/5.0 (Linux; Android 10; Redmi K30 Build/QKQ1.190825.002; wv) AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 Chrome/80.0.3987.99 Mobile Safari/537.36";

const SEED_CONTENT_TYPE: &str = "application/json;charset=utf8";

const FORM: &str = "application/x-www-form-urlencoded";

// ---------------------------------------------------------------- helpers

fn assert_json_content_type(r: &Resp) {
    assert!(
        r.header("content-type").starts_with("application/json"),
        "content-type {:?} is not application/json; body {}",
        r.header("content-type"),
        r.text
    );
}

/// The exact OneAccess failure envelope.
fn assert_error(r: &Resp, status: u16, code: &str, msg: &str) {
    assert_eq!(r.status, status, "status; body {}", r.text);
    assert_json_content_type(r);
    assert_eq!(
        r.body,
        json!({"error_code": code, "error_msg": msg}),
        "body {}",
        r.text
    );
}

fn assert_ok(r: &Resp) {
    assert_eq!(r.status, 200, "status; body {}", r.text);
    assert_json_content_type(r);
}

/// Asserts a whole sso-ticket answer: `{"expire":9600,"sso_ticket":"<t>"}`; returns the ticket.
#[track_caller]
fn assert_ticket_issued(r: &Resp) -> String {
    assert_ok(r);
    let t = r.body["sso_ticket"]
        .as_str()
        .unwrap_or_else(|| panic!("no sso_ticket: {}", r.text))
        .to_owned();
    assert_eq!(
        r.body,
        json!({"expire": 9600, "sso_ticket": t}),
        "{}",
        r.text
    );
    t
}

fn is_base62(s: &str) -> bool {
    s.chars().all(|c| c.is_ascii_alphanumeric())
}

fn assert_uuid_v4(s: &str) {
    let parts: Vec<&str> = s.split('-').collect();
    let lens: Vec<usize> = parts.iter().map(|p| p.len()).collect();
    assert_eq!(lens, vec![8, 4, 4, 4, 12], "uuid shape: {s}");
    assert!(
        s.chars()
            .all(|c| c == '-' || c.is_ascii_digit() || ('a'..='f').contains(&c)),
        "uuid must be lowercase hex: {s}"
    );
    assert!(parts[2].starts_with('4'), "uuid version must be 4: {s}");
    assert!(
        parts[3].starts_with(['8', '9', 'a', 'b']),
        "uuid variant must be RFC 4122: {s}"
    );
}

fn assert_jwt(s: &str) {
    let parts: Vec<&str> = s.split('.').collect();
    assert_eq!(parts.len(), 3, "a JWT has three dot-separated parts: {s}");
    for p in &parts {
        assert!(
            !p.is_empty()
                && p.chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_'),
            "JWT part is not unpadded base64url: {p:?}"
        );
    }
    for p in &parts[..2] {
        let raw = base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(p)
            .unwrap_or_else(|e| panic!("JWT part {p:?} does not decode: {e}"));
        let v: Value = serde_json::from_slice(&raw).expect("JWT header/payload is JSON");
        assert!(v.is_object(), "JWT header/payload is a JSON object: {v}");
    }
    let header: Value = serde_json::from_slice(
        &base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(parts[0])
            .expect("header"),
    )
    .expect("header json");
    assert!(
        header["alg"].is_string(),
        "JWT header names its alg: {header}"
    );
}

async fn request_token(api: &Api, form: &str) -> Resp {
    api.post_raw(TOKEN, &[("content-type", FORM)], form.as_bytes())
        .await
}

async fn app_token_of(api: &Api, client_id: &str, secret: &str) -> String {
    let r = request_token(
        api,
        &format!("grant_type=client_credentials&client_id={client_id}&client_secret={secret}"),
    )
    .await;
    assert_ok(&r);
    r.body["access_token"]
        .as_str()
        .expect("access_token")
        .to_owned()
}

async fn app_token(api: &Api) -> String {
    app_token_of(api, CLIENT_ID, CLIENT_SECRET).await
}

/// sdk/login with every required header, minus the ones named in `without`, plus `extra`.
async fn login_with(
    api: &Api,
    client_id: &str,
    fingerprint: &str,
    without: &[&str],
    extra: &[(&str, &str)],
    body: Value,
) -> Resp {
    let mut h: Vec<(&str, &str)> = vec![
        ("X-client-id", client_id),
        ("X-device-fingerprint", fingerprint),
        ("X-operating-sys-version", "Android 10"),
        ("X-agent", AGENT),
        ("X-device-ip", "10.10.10.1"),
    ];
    h.retain(|(k, _)| !without.contains(k));
    h.extend_from_slice(extra);
    api.post(LOGIN, &h, body).await
}

async fn login(api: &Api, user: &str, password: &str) -> Resp {
    login_with(
        api,
        CLIENT_ID,
        FINGERPRINT,
        &[],
        &[],
        json!({"user_name": user, "password": password}),
    )
    .await
}

async fn session_token_of(api: &Api, client_id: &str, user: &str, password: &str) -> String {
    let r = login_with(
        api,
        client_id,
        FINGERPRINT,
        &[],
        &[],
        json!({"user_name": user, "password": password}),
    )
    .await;
    assert_ok(&r);
    r.body["session_token"]
        .as_str()
        .expect("session_token")
        .to_owned()
}

async fn session_token(api: &Api) -> String {
    session_token_of(api, CLIENT_ID, USER, PASSWORD).await
}

/// The "Obtaining sso_ticket Using session_token" page's example body, verbatim, with a real session token.
fn seed_body(session_token: &str) -> Value {
    json!({
        "session_token": session_token,
        "operating_sys_version": "Android 10",
        "device_ip": "10.10.10.1",
        "device_fingerprint": FINGERPRINT,
        "agent": AGENT,
        "client_id": CLIENT_ID
    })
}

fn verify_body(ticket: &str) -> Value {
    json!({
        "sso_ticket": ticket,
        "operating_sys_version": "Android 10",
        "device_ip": "10.10.10.1",
        "device_fingerprint": FINGERPRINT,
        "agent": AGENT
    })
}

/// POST with the seed's headers (Content-Type `application/json;charset=utf8`, `X-tenant-id`) and a bearer.
async fn post_seed_style(api: &Api, path: &str, bearer: &str, body: &[u8]) -> Resp {
    let auth = format!("Bearer {bearer}");
    api.post_raw(
        path,
        &[
            ("Content-Type", SEED_CONTENT_TYPE),
            ("Authorization", auth.as_str()),
            ("X-tenant-id", TENANT),
        ],
        body,
    )
    .await
}

async fn ask_ticket(api: &Api, bearer: &str, body: Value) -> Resp {
    post_seed_style(api, TICKET, bearer, body.to_string().as_bytes()).await
}

async fn verify(api: &Api, bearer: &str, body: Value) -> Resp {
    post_seed_style(api, VERIFY, bearer, body.to_string().as_bytes()).await
}

async fn ticket(api: &Api, bearer: &str, session: &str) -> String {
    assert_ticket_issued(&ask_ticket(api, bearer, seed_body(session)).await)
}

fn zhangsan() -> Value {
    json!({"code": "200", "message": "success", "data": {"user": {
        "userName": "zhangsan",
        "id": USER_ID,
        "name": "zhangsan",
        "mobile": "+86-18310136755",
        "email": "18310136755@163.com"
    }}})
}
