//! EnOS Application Portal, one file per route: login, session/set, session/info and user/info,
//! token/refresh, logout, refreshToken/revokeAll, and the manners of the vendor's Python client. Here:
//! the assertions and requests the route files share.

mod info;
mod login;
mod logout;
mod python_client;
mod revoke_all;
mod session_set;
mod token_refresh;

use crate::fixtures::enos::{
    ACCOUNT, INFO, LOGIN, LOGOUT, ORG, PASSWORD, REFRESH, REVOKE_ALL, SET, STATIC_TOKEN, USER_ID,
    USER_INFO,
};
use crate::helpers::{Api, Resp};
use crate::pipeline::raw;
use authmock::MockServer;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use serde_json::{json, Value};

const THIRTY_DAYS: i64 = 30 * 24 * 3600;

const LOCKED: &str =
    "Attempt of accessing with incorrect password or IP reaches the limit. Please try again later.";

// ---------------------------------------------------------------------------------------------
// plumbing

fn bearer(token: &str) -> String {
    format!("Bearer {token}")
}

/// Asserts the EnOS success envelope (HTTP 200, JSON, exactly code/message/data) and returns `data`.
fn ok(r: &Resp) -> &Value {
    assert_eq!(r.status, 200, "{}", r.text);
    assert!(
        r.header("content-type").starts_with("application/json"),
        "content-type {:?}",
        r.header("content-type")
    );
    let obj = r
        .body
        .as_object()
        .unwrap_or_else(|| panic!("not a JSON object: {}", r.text));
    let mut keys: Vec<&str> = obj.keys().map(String::as_str).collect();
    keys.sort_unstable();
    assert_eq!(keys, ["code", "data", "message"], "{}", r.text);
    assert_eq!(r.body["code"], json!(0), "{}", r.text);
    assert_eq!(r.body["message"], json!("OK"), "{}", r.text);
    &r.body["data"]
}

/// Asserts the exact EnOS failure envelope: HTTP 200 `{"code":…,"message":…,"data":null}`.
fn err(r: &Resp, code: i64, message: &str) {
    assert_eq!(r.status, 200, "{}", r.text);
    assert!(
        r.header("content-type").starts_with("application/json"),
        "content-type {:?}",
        r.header("content-type")
    );
    assert_eq!(
        r.body,
        json!({"code": code, "message": message, "data": null}),
        "{}",
        r.text
    );
}

/// Asserts `APP_PORTAL_S_` followed by 32 base62 characters.
fn assert_portal_token(t: &Value) -> String {
    let t = t
        .as_str()
        .unwrap_or_else(|| panic!("token not a string: {t}"));
    let rest = t
        .strip_prefix("APP_PORTAL_S_")
        .unwrap_or_else(|| panic!("no APP_PORTAL_S_ prefix: {t}"));
    assert_eq!(rest.len(), 32, "{t}");
    assert!(rest.chars().all(|c| c.is_ascii_alphanumeric()), "{t}");
    t.to_string()
}

/// Splits a JWT into (decoded header text, decoded claims); checks base64url without padding.
fn decode_jwt(t: &str) -> (String, Value) {
    assert!(!t.contains('='), "padding in {t}");
    let parts: Vec<&str> = t.split('.').collect();
    assert_eq!(parts.len(), 3, "{t}");
    let header = URL_SAFE_NO_PAD
        .decode(parts[0])
        .expect("header is base64url");
    let claims = URL_SAFE_NO_PAD
        .decode(parts[1])
        .expect("claims are base64url");
    URL_SAFE_NO_PAD
        .decode(parts[2])
        .expect("signature is base64url");
    (
        String::from_utf8(header).expect("utf-8 header"),
        serde_json::from_slice(&claims).expect("JSON claims"),
    )
}

/// Logs portal_demo in and returns the login-only access token.
async fn login(api: &Api) -> String {
    let r = api.enos_login(ACCOUNT, PASSWORD, &[]).await;
    assert_portal_token(&ok(&r)["accessToken"])
}

/// Logs in as `account` and selects `org`; returns session/set's `data`.
async fn session_of(api: &Api, account: &str, password: &str, org: &str) -> Value {
    let r = api.enos_login(account, password, &[]).await;
    let token = assert_portal_token(&ok(&r)["accessToken"]);
    let r = api.enos_set(&token, org, &[]).await;
    ok(&r).clone()
}

/// portal_demo logged in with org `yourOrgId`: session/set's `data`.
async fn session(api: &Api) -> Value {
    session_of(api, ACCOUNT, PASSWORD, ORG).await
}

fn s(v: &Value) -> &str {
    v.as_str().unwrap_or_else(|| panic!("not a string: {v}"))
}

async fn get_with(api: &Api, path: &str, token: &str) -> Resp {
    let auth = bearer(token);
    api.get(path, &[("authorization", auth.as_str())]).await
}

async fn refresh(api: &Api, refresh_token: &str) -> Resp {
    api.get(&format!("{REFRESH}?refreshToken={refresh_token}"), &[])
        .await
}

async fn revoke_all(api: &Api, token: &str, refresh_token: Option<&str>) -> Resp {
    let path = match refresh_token {
        Some(rt) => format!("{REVOKE_ALL}?refreshToken={rt}"),
        None => REVOKE_ALL.to_string(),
    };
    let auth = bearer(token);
    api.post_raw(
        &path,
        &[
            ("authorization", auth.as_str()),
            ("content-type", "application/x-www-form-urlencoded"),
        ],
        b"{}",
    )
    .await
}

/// Asserts the data of session/set and token/refresh; returns (accessToken, refreshToken).
fn assert_session_data(data: &Value, org_id: &str, org_name: &str) -> (String, String) {
    let obj = data.as_object().expect("data is an object");
    let mut keys: Vec<&str> = obj.keys().map(String::as_str).collect();
    keys.sort_unstable();
    assert_eq!(
        keys,
        [
            "accessToken",
            "currentOrgId",
            "currentOrgName",
            "refreshToken",
            "refreshTokenExpire",
            "userId",
            "userName"
        ]
    );
    assert_eq!(data["userId"], json!(USER_ID));
    assert_eq!(data["userName"], json!(ACCOUNT));
    assert_eq!(data["currentOrgId"], json!(org_id));
    assert_eq!(data["currentOrgName"], json!(org_name));
    let access = assert_portal_token(&data["accessToken"]);
    assert!(data["refreshTokenExpire"].is_i64(), "{data}");
    let rt = s(&data["refreshToken"]).to_string();
    let (_, claims) = decode_jwt(&rt);
    assert_eq!(
        data["refreshTokenExpire"].as_i64(),
        claims["exp"].as_i64().map(|e| e * 1000)
    );
    assert_eq!(claims["workingOrganizationId"], json!(org_id));
    (access, rt)
}
