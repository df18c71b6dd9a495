//! The contract lint over HTTP: each rule warned in lenient mode (`X-Mock-Warnings`), refused in strict
//! mode with the family's parameter error, silent when the page is followed ([`rules`]); the seed
//! examples and the README's curl examples ([`examples`]); the journal filter and the warnings summary
//! ([`journal`]). This module holds what they share.

mod body;
mod examples;
mod journal;
mod rules;
mod switch;

use crate::fixtures::{enos, koo, oa};
use crate::helpers::{Api, Resp};

const KD_LOGIN_BODY: &str =
    r#"{"account": "0027188460911", "authType": "1", "password": "123qweASD143"}"#;
const OA_CT: &str = "application/json;charset=utf8";
const JSON: &str = "application/json";
const STRICT: (&str, &str) = ("X-Mock-Strict", "true");

/// The "Choose Organization" page's example's `Authorization`: portal_demo's static token.
fn en_static() -> String {
    format!("Bearer {}", enos::STATIC_TOKEN)
}

/// The ids in `X-Mock-Warnings`, in order.
fn ids(r: &Resp) -> Vec<String> {
    entries(r).into_iter().map(|(id, _)| id).collect()
}

/// `X-Mock-Warnings` split into (id, message).
fn entries(r: &Resp) -> Vec<(String, String)> {
    let h = r.header("x-mock-warnings");
    if h.is_empty() {
        return Vec::new();
    }
    h.split(" | ")
        .map(|e| {
            let (id, msg) = e.split_once(": ").expect("id: message");
            (id.to_string(), msg.to_string())
        })
        .collect()
}

async fn kd_login(api: &Api, path: &str, headers: &[(&str, &str)], body: &str) -> Resp {
    api.post_raw(path, headers, body.as_bytes()).await
}

/// The "Login" page's login (without its trailing comma) with a repeated slash in its path.
async fn slash_login(api: &Api, headers: &[(&str, &str)]) -> Resp {
    kd_login(api, "//koodrive/ose/v1/auth/login", headers, KD_LOGIN_BODY).await
}

/// A OneAccess app token and a session_token of zhangsan, fingerprint `156aysdna213sac`.
async fn oa_credentials(api: &Api) -> (String, String) {
    (api.oa_app_token(&[]).await, api.oa_session_token(&[]).await)
}

/// The "Obtaining sso_ticket Using session_token" page's example body with a real `session_token` and the given `device_ip`.
fn ticket_body(session: &str, device_ip: &str) -> String {
    let (fingerprint, client) = (oa::FINGERPRINT, oa::CLIENT_ID);
    format!(
        r#"{{ "session_token": "{session}", "operating_sys_version": "Android 10", "device_ip": "{device_ip}", "device_fingerprint": "{fingerprint}", "agent": "Mozilla/5.0 (Linux; Android 10; Redmi K30 Build/QKQ1.190825.002; wv) AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 Chrome/80.0.3987.99 Mobile Safari/537.36", "client_id": "{client}" }}"#
    )
}

/// sso-ticket with the README's headers, minus `without`, plus `extra`.
async fn ticket(
    api: &Api,
    app: &str,
    body: &str,
    without: &[&str],
    extra: &[(&str, &str)],
) -> Resp {
    let bearer = format!("Bearer {app}");
    let mut h: Vec<(&str, &str)> = vec![
        ("Content-Type", OA_CT),
        ("Authorization", &bearer),
        ("X-tenant-id", oa::TENANT),
    ];
    h.retain(|(k, _)| !without.contains(k));
    h.extend_from_slice(extra);
    api.post_raw(oa::TICKET, &h, body.as_bytes()).await
}

/// createSession with the seed code and `headers`.
async fn create(api: &Api, headers: &[(&str, &str)]) -> Resp {
    let body = format!(r#"{{"code":"{}"}}"#, koo::SEED_CODE);
    api.post_raw(koo::SESSION, headers, body.as_bytes()).await
}
