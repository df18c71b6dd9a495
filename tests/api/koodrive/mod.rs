//! KooDrive (Huawei), one file per route: createSession and its neighbours (session/auth,
//! session/refresh, session/logoff), auth/login and auth/refreshToken, over HTTP. Here: the expected
//! bodies, assertions and requests the route files share.

mod create_session;
mod login;
mod refresh_token;
mod routes;
mod session_auth;
mod session_logoff;
mod session_refresh;
mod tokens;

use crate::fixtures::koo::{
    self, ACCOUNT, AGENT, LOGIN, PASSWORD, REFRESH_TOKEN, SEED_001_REQUEST, SEED_CODE, SESSION,
    SESSION_AUTH, SESSION_LOGOFF, SESSION_REFRESH, USER_ID,
};
use crate::helpers::{Api, Resp};
use futures::future::join_all;
use serde_json::{json, Value};

const SESSION_NO_SLASH: &str = "/koodrive/ose/v1/session";

/// The "Login" page's example request with the trailing comma removed.
const SEED_001_REQUEST_FIXED: &str =
    "{\n\"account\": \"0027188460911\",\n\"authType\": \"1\",\n\"password\": \"123qweASD143\"\n}";

const LOGIN_CODE: &str = "123456";

const JSON_CT: (&str, &str) = ("content-type", "application/json");

// ---------------------------------------------------------------- expected values (fixtures)

/// The "Initializing and Creating a Session" page's example request, byte for byte.
fn seed_000_request() -> String {
    format!(r#"{{ "code" : "{SEED_CODE}", "domain" : "kdconsole-***-***.************.cn:8080" }}"#)
}

fn seed_user_info() -> Value {
    json!({
        "role": "2",
        "userName": "199******04",
        "innerUserId": "1574641576007768198",
        "userId": koo::SEED_USER_ID,
        "tenantId": koo::TENANT,
        "orgId": koo::ORG,
        "orgName": "lym09",
        "xhwSchema": "tenants1_liantiao",
        "userCount": 40,
        "deptId": "1574641574824974465"
    })
}

fn koo_user_info() -> Value {
    json!({
        "role": "1",
        "userName": "koo_user",
        "innerUserId": "1574641576007768201",
        "userId": USER_ID,
        "tenantId": koo::TENANT,
        "orgId": "9190086000001721761",
        "orgName": "lym10",
        "xhwSchema": "tenants1_liantiao",
        "userCount": 2,
        "deptId": "1574641574824974500"
    })
}

/// session/auth data: the createSession userInfo without `xhwSchema`.
fn auth_data(user_info: Value) -> Value {
    let mut data = user_info;
    data.as_object_mut()
        .expect("object")
        .remove("xhwSchema")
        .expect("xhwSchema");
    data
}

fn login_user_info() -> Value {
    json!({
        "userId": koo::LOGIN_USER_ID,
        "firstname": "firstname",
        "surname": "surname",
        "phone": "0027188460911",
        "email": ""
    })
}

fn koo_admin_login_info() -> Value {
    json!({
        "userId": "1008600000701011200",
        "firstname": "Kai",
        "surname": "Admin",
        "phone": "13800000001",
        "email": "koo.admin@koodrive.example"
    })
}

fn koo_user_login_info() -> Value {
    json!({
        "userId": USER_ID,
        "firstname": "Una",
        "surname": "User",
        "phone": "13800000002",
        "email": "koo.user@koodrive.example"
    })
}

// ---------------------------------------------------------------- assertions

fn is_lower_hex48(s: &str) -> bool {
    s.len() == 48
        && s.bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

fn is_hex48(s: &str) -> bool {
    s.len() == 48 && s.bytes().all(|b| b.is_ascii_hexdigit())
}

#[track_caller]
fn assert_json_content_type(r: &Resp) {
    let ct = r.header("content-type").to_ascii_lowercase();
    assert!(
        ct.starts_with("application/json"),
        "content-type {ct:?} in {r:?}"
    );
}

#[track_caller]
fn assert_error(r: &Resp, status: u16, code: u64, msg: &str) {
    assert_eq!(r.status, status, "{r:?}");
    assert_json_content_type(r);
    assert_eq!(r.body, json!({"code": code, "msg": msg}), "{}", r.text);
}

#[track_caller]
fn assert_param_error(r: &Resp) {
    assert_error(r, 400, 13000102, "Verify parameters failed.");
}

#[track_caller]
fn assert_bad_auth_code(r: &Resp) {
    assert_error(
        r,
        400,
        13000201,
        "Authorization code is invalid or expired.",
    );
}

#[track_caller]
fn assert_bad_session(r: &Resp) {
    assert_error(r, 401, 13000202, "Session is invalid or expired.");
}

#[track_caller]
fn assert_bad_credentials(r: &Resp) {
    assert_error(r, 401, 13000203, "Incorrect account or password.");
}

#[track_caller]
fn assert_locked(r: &Resp) {
    assert_error(r, 401, 13000204, "Account is locked. Try again later.");
}

#[track_caller]
fn assert_bad_refresh_token(r: &Resp) {
    assert_error(r, 401, 13000205, "Refresh token is invalid or expired.");
}

#[track_caller]
fn assert_success_only(r: &Resp) {
    assert_eq!(r.status, 200, "{r:?}");
    assert_json_content_type(r);
    assert_eq!(r.body, json!({"code": 0, "msg": "success"}), "{}", r.text);
}

/// A session as createSession returned it.
struct Session {
    /// "Bearer <hex>", as returned.
    bearer: String,
    /// The bare token.
    token: String,
    session_id: String,
}

/// Asserts the exact createSession success body for a user and returns the session.
#[track_caller]
fn assert_session_created(r: &Resp, user_info: Value) -> Session {
    assert_eq!(r.status, 200, "{r:?}");
    assert_json_content_type(r);
    let bearer = r.body["data"]["accessToken"]
        .as_str()
        .unwrap_or_else(|| panic!("accessToken string in {}", r.text))
        .to_string();
    let token = bearer
        .strip_prefix("Bearer ")
        .unwrap_or_else(|| panic!("accessToken {bearer:?} lacks \"Bearer \""))
        .to_string();
    assert!(is_lower_hex48(&token), "accessToken {bearer:?}");
    let session_id = r.body["data"]["sessionId"]
        .as_str()
        .unwrap_or_else(|| panic!("sessionId string in {}", r.text))
        .to_string();
    assert!(is_hex48(&session_id), "sessionId {session_id:?}");
    let user_id = user_info["userId"].clone();
    assert_eq!(
        r.body,
        json!({
            "code": 0,
            "msg": "Successful",
            "data": {
                "accessToken": bearer,
                "sessionId": session_id,
                "userId": user_id,
                "userInfo": user_info
            }
        }),
        "{}",
        r.text
    );
    Session {
        bearer,
        token,
        session_id,
    }
}

#[track_caller]
fn assert_session_auth_ok(r: &Resp, user_info: Value) {
    assert_eq!(r.status, 200, "{r:?}");
    assert_json_content_type(r);
    assert_eq!(
        r.body,
        json!({"code": 0, "msg": "success", "data": auth_data(user_info)}),
        "{}",
        r.text
    );
}

/// Asserts the exact session/refresh body and returns the new bare token.
#[track_caller]
fn assert_session_refreshed(r: &Resp) -> String {
    assert_eq!(r.status, 200, "{r:?}");
    assert_json_content_type(r);
    let bearer = r.body["accessToken"]
        .as_str()
        .unwrap_or_else(|| panic!("accessToken string in {}", r.text))
        .to_string();
    let token = bearer
        .strip_prefix("Bearer ")
        .unwrap_or_else(|| panic!("accessToken {bearer:?} lacks \"Bearer \""))
        .to_string();
    assert!(is_lower_hex48(&token), "accessToken {bearer:?}");
    assert_eq!(
        r.body,
        json!({"accessToken": bearer, "code": 0, "msg": "success"}),
        "{}",
        r.text
    );
    token
}

/// Tokens from a login or a refresh.
struct Pair {
    /// The bare access token (without "AT ").
    access: String,
    refresh: String,
    issued_at: String,
}

/// Checks a `sessionInfo` object and returns its tokens.
#[track_caller]
fn check_session_info(info: &Value, text: &str) -> Pair {
    let at = info["accessToken"]
        .as_str()
        .unwrap_or_else(|| panic!("accessToken string in {text}"));
    let access = at
        .strip_prefix("AT ")
        .unwrap_or_else(|| panic!("accessToken {at:?} lacks \"AT \""))
        .to_string();
    assert!(is_hex48(&access), "accessToken {at:?}");
    let refresh = info["refreshToken"]
        .as_str()
        .unwrap_or_else(|| panic!("refreshToken string in {text}"))
        .to_string();
    assert!(is_hex48(&refresh), "refreshToken {refresh:?}");
    let issued_at = info["issuedAt"]
        .as_str()
        .unwrap_or_else(|| panic!("issuedAt string in {text}"))
        .to_string();
    assert!(
        !issued_at.is_empty() && issued_at.bytes().all(|b| b.is_ascii_digit()),
        "issuedAt {issued_at:?}"
    );
    assert_eq!(
        *info,
        json!({
            "accessToken": at,
            "expiresIn": 1800,
            "issuedAt": issued_at,
            "refreshToken": refresh
        }),
        "{text}"
    );
    Pair {
        access,
        refresh,
        issued_at,
    }
}

/// Asserts the exact login success body for a user and returns the tokens.
#[track_caller]
fn assert_logged_in(r: &Resp, user_info: Value) -> Pair {
    assert_eq!(r.status, 200, "{r:?}");
    assert_json_content_type(r);
    let pair = check_session_info(&r.body["data"]["sessionInfo"], &r.text);
    let session_info = r.body["data"]["sessionInfo"].clone();
    assert_eq!(
        r.body,
        json!({
            "data": {"userInfo": user_info, "sessionInfo": session_info},
            "code": 0,
            "msg": "Success"
        }),
        "{}",
        r.text
    );
    pair
}

/// Asserts the exact auth/refreshToken success body and returns the new tokens.
#[track_caller]
fn assert_tokens_refreshed(r: &Resp) -> Pair {
    assert_eq!(r.status, 200, "{r:?}");
    assert_json_content_type(r);
    let pair = check_session_info(&r.body["data"]["sessionInfo"], &r.text);
    let session_info = r.body["data"]["sessionInfo"].clone();
    assert_eq!(
        r.body,
        json!({"code": 0, "msg": "Success", "data": {"sessionInfo": session_info}}),
        "{}",
        r.text
    );
    pair
}

// ---------------------------------------------------------------- requests

async fn create_seed_session(api: &Api) -> Session {
    assert_session_created(
        &api.koo_create_session(SEED_CODE, &[]).await,
        seed_user_info(),
    )
}

async fn session_refresh(api: &Api, authorization: &str, session_id: &str) -> Resp {
    api.send(
        "POST",
        SESSION_REFRESH,
        &[
            ("authorization", authorization),
            ("x-session-id", session_id),
        ],
        None,
    )
    .await
}

async fn login_code(api: &Api, account: &str, code: &str) -> Resp {
    api.post(
        LOGIN,
        &[AGENT],
        json!({"account": account, "authType": "2", "captchaToken": code}),
    )
    .await
}

async fn login_ok(api: &Api) -> Pair {
    assert_logged_in(
        &api.koo_login_as(ACCOUNT, PASSWORD, &[]).await,
        login_user_info(),
    )
}

async fn refresh_tokens(api: &Api, access: &str, refresh: &str) -> Resp {
    let authorization = format!("AT+{access}");
    api.post(
        REFRESH_TOKEN,
        &[("authorization", authorization.as_str())],
        json!({"refreshToken": refresh}),
    )
    .await
}

async fn server_epoch_ms(api: &Api) -> u64 {
    let r = api.get("/__admin/clock", &[]).await;
    assert_eq!(r.status, 200, "{r:?}");
    r.body["epochMs"]
        .as_u64()
        .unwrap_or_else(|| panic!("epochMs integer in {}", r.text))
}
