//! KooDrive (Huawei) — contract §0 and §1: createSession and its neighbours (session/auth,
//! session/refresh, session/logoff), auth/login and auth/refreshToken, over HTTP.

use crate::fixtures::koo::{
    self, ACCOUNT, AGENT, LOGIN, PASSWORD, REFRESH_TOKEN, SEED_001_REQUEST, SEED_CODE, SESSION,
    SESSION_AUTH, SESSION_LOGOFF, SESSION_REFRESH, USER_ID,
};
use crate::helpers::{Api, Resp};
use futures::future::join_all;
use serde_json::{json, Value};

const SESSION_NO_SLASH: &str = "/koodrive/ose/v1/session";
/// The seed 001 example request with the trailing comma removed.
const SEED_001_REQUEST_FIXED: &str =
    "{\n\"account\": \"0027188460911\",\n\"authType\": \"1\",\n\"password\": \"123qweASD143\"\n}";
const LOGIN_CODE: &str = "123456";
const JSON_CT: (&str, &str) = ("content-type", "application/json");

// ---------------------------------------------------------------- expected values (fixtures)

/// The seed 000 example request, byte for byte.
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

/// Asserts a 405 with its `Allow` header and JSON body; returns the allowed methods.
#[track_caller]
fn assert_method_not_allowed(r: &Resp, method: &str, path: &str) -> Vec<String> {
    assert_eq!(r.status, 405, "{r:?}");
    assert_json_content_type(r);
    let allow: Vec<String> = r.body["allow"]
        .as_array()
        .unwrap_or_else(|| panic!("allow array in {}", r.text))
        .iter()
        .map(|v| v.as_str().expect("allow entries are strings").to_string())
        .collect();
    assert_eq!(
        r.body,
        json!({"error": "method not allowed", "method": method, "path": path, "allow": allow}),
        "{}",
        r.text
    );
    let mut from_header: Vec<String> = r
        .header("allow")
        .split(',')
        .map(|m| m.trim().to_string())
        .filter(|m| !m.is_empty())
        .collect();
    let mut from_body = allow.clone();
    from_header.sort();
    from_body.sort();
    assert_eq!(from_header, from_body, "Allow header vs body in {r:?}");
    allow
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

async fn mint_auth_code(api: &Api, user_id: &str) -> String {
    let r = api
        .post(
            "/__admin/koodrive/auth-codes",
            &[],
            json!({"userId": user_id}),
        )
        .await;
    assert_eq!(r.status, 201, "minting an auth code: {r:?}");
    r.body["code"].as_str().expect("minted code").to_string()
}

async fn mint_verification_code(api: &Api, account: &str) -> String {
    let r = api
        .post(
            "/__admin/koodrive/verification-codes",
            &[],
            json!({"account": account}),
        )
        .await;
    assert_eq!(r.status, 201, "minting a verification code: {r:?}");
    r.body["captchaToken"]
        .as_str()
        .expect("minted captchaToken")
        .to_string()
}

/// `{"code":"<seed code>","pad":"xxx…"}` of exactly `len` bytes.
fn padded_create_body(len: usize) -> Vec<u8> {
    let head = format!("{{\"code\":\"{SEED_CODE}\",\"pad\":\"");
    let tail = "\"}";
    let pad = len - head.len() - tail.len();
    let body = format!("{head}{}{tail}", "x".repeat(pad));
    assert_eq!(body.len(), len);
    body.into_bytes()
}

// ================================================================ 1.1 createSession

#[tokio::test]
async fn create_session_with_the_seed_000_example_request_answers_the_seed_shape() {
    let api = Api::new().await;

    let r = api
        .post_raw(SESSION, &[JSON_CT], seed_000_request().as_bytes())
        .await;

    assert_session_created(&r, seed_user_info());
}

#[tokio::test]
async fn create_session_without_the_trailing_slash_answers_the_same_shape() {
    let api = Api::new().await;

    let r = api
        .post_raw(SESSION_NO_SLASH, &[JSON_CT], seed_000_request().as_bytes())
        .await;

    assert_session_created(&r, seed_user_info());
}

#[tokio::test]
async fn create_session_role_is_a_string_and_user_count_an_integer() {
    let api = Api::new().await;

    let r = api.koo_create_session(SEED_CODE, &[]).await;

    assert_eq!(r.status, 200, "{r:?}");
    let info = &r.body["data"]["userInfo"];
    assert!(info["role"].is_string(), "{}", r.text);
    assert!(info["userCount"].is_u64(), "{}", r.text);
    assert!(info.get("xhwSchema").is_some(), "{}", r.text);
    assert!(info.get("xHwSchema").is_none(), "{}", r.text);
}

#[tokio::test]
async fn the_reusable_fixture_code_creates_two_distinct_sessions() {
    let api = Api::new().await;

    let first = create_seed_session(&api).await;
    let second = create_seed_session(&api).await;

    assert_ne!(first.token, second.token);
    assert_ne!(first.session_id, second.session_id);
    assert_session_auth_ok(&api.koo_auth(&first.bearer, &[]).await, seed_user_info());
    assert_session_auth_ok(&api.koo_auth(&second.bearer, &[]).await, seed_user_info());
}

#[tokio::test]
async fn create_session_with_gateway_headers_and_unknown_fields_succeeds() {
    let api = Api::new().await;

    let r = api
        .post(
            SESSION,
            &[
                (
                    "X-Traceid",
                    "0123456789012345678901234567890123456789012345678901234567",
                ),
                ("language", "en-US"),
                ("User-Agent", "poseidon"),
            ],
            json!({"code": SEED_CODE, "domain": "x", "unexpected": {"nested": [1, 2]}}),
        )
        .await;

    assert_session_created(&r, seed_user_info());
}

#[tokio::test]
async fn create_session_with_an_unknown_code_answers_13000201() {
    let api = Api::new().await;

    let r = api.koo_create_session("no-such-code", &[]).await;

    assert_bad_auth_code(&r);
}

#[tokio::test]
async fn create_session_with_a_numeric_unknown_code_is_coerced_and_answers_13000201() {
    let api = Api::new().await;

    let integer = api.post(SESSION, &[], json!({"code": 12345})).await;
    let float = api.post(SESSION, &[], json!({"code": 1.5})).await;

    assert_bad_auth_code(&integer);
    assert_bad_auth_code(&float);
}

#[tokio::test]
async fn create_session_without_a_code_answers_13000102() {
    let api = Api::new().await;

    let r = api.post(SESSION, &[], json!({"domain": "x"})).await;

    assert_param_error(&r);
}

#[tokio::test]
async fn create_session_with_an_empty_code_answers_13000102() {
    let api = Api::new().await;

    let r = api.koo_create_session("", &[]).await;

    assert_param_error(&r);
}

#[tokio::test]
async fn create_session_with_a_null_code_answers_13000102() {
    let api = Api::new().await;

    let r = api.post(SESSION, &[], json!({"code": null})).await;

    assert_param_error(&r);
}

#[tokio::test]
async fn create_session_with_a_code_of_the_wrong_type_answers_13000102() {
    let api = Api::new().await;

    for code in [json!(true), json!({}), json!(["x"])] {
        let r = api.post(SESSION, &[], json!({"code": code})).await;

        assert_param_error(&r);
    }
}

#[tokio::test]
async fn create_session_with_malformed_json_answers_13000102() {
    let api = Api::new().await;

    let r = api
        .post_raw(
            SESSION,
            &[JSON_CT],
            format!("{{\"code\":\"{SEED_CODE}\"").as_bytes(),
        )
        .await;

    assert_param_error(&r);
}

#[tokio::test]
async fn create_session_with_a_body_of_the_wrong_json_kind_answers_13000102() {
    let api = Api::new().await;

    for body in ["[]", "\"x\"", "42", "null", "true"] {
        let r = api.post_raw(SESSION, &[JSON_CT], body.as_bytes()).await;

        assert_param_error(&r);
    }
}

#[tokio::test]
async fn create_session_with_an_empty_body_answers_13000102() {
    let api = Api::new().await;

    let with_type = api.post_raw(SESSION, &[JSON_CT], b"").await;
    let without_type = api.send("POST", SESSION, &[], None).await;

    assert_param_error(&with_type);
    assert_param_error(&without_type);
}

#[tokio::test]
async fn create_session_with_invalid_utf8_answers_13000102() {
    let api = Api::new().await;

    let r = api
        .post_raw(SESSION, &[JSON_CT], b"{\"code\":\"\xff\xfe\"}")
        .await;

    assert_param_error(&r);
}

#[tokio::test]
async fn create_session_accepts_every_json_content_type_and_none() {
    let api = Api::new().await;
    let body = json!({"code": SEED_CODE}).to_string();

    for content_type in [
        Some("application/json;charset=utf8"),
        Some("application/json; charset=UTF-8"),
        Some("APPLICATION/JSON"),
        Some("text/plain"),
        None,
    ] {
        let headers: Vec<(&str, &str)> = content_type
            .map(|ct| vec![("content-type", ct)])
            .unwrap_or_default();

        let r = api.post_raw(SESSION, &headers, body.as_bytes()).await;

        assert_session_created(&r, seed_user_info());
    }
}

#[tokio::test]
async fn create_session_with_a_body_of_exactly_64_kib_is_served() {
    let api = Api::new().await;

    let r = api
        .post_raw(SESSION, &[JSON_CT], &padded_create_body(64 * 1024))
        .await;

    assert_session_created(&r, seed_user_info());
}

#[tokio::test]
async fn create_session_with_a_body_over_64_kib_answers_413_with_13000102() {
    let api = Api::new().await;

    let r = api
        .post_raw(SESSION, &[JSON_CT], &padded_create_body(64 * 1024 + 1))
        .await;

    assert_error(&r, 413, 13000102, "Verify parameters failed.");
}

#[tokio::test]
async fn create_session_through_a_repeated_slash_is_served() {
    let api = Api::new().await;

    let r = api
        .post(
            "//koodrive/ose/v1/session/",
            &[],
            json!({"code": SEED_CODE}),
        )
        .await;

    assert_session_created(&r, seed_user_info());
}

#[tokio::test]
async fn a_minted_code_creates_a_session_for_its_user_exactly_once() {
    let api = Api::new().await;
    let code = mint_auth_code(&api, USER_ID).await;

    let first = api.koo_create_session(&code, &[]).await;
    let second = api.koo_create_session(&code, &[]).await;

    let session = assert_session_created(&first, koo_user_info());
    assert_bad_auth_code(&second);
    assert_session_auth_ok(&api.koo_auth(&session.bearer, &[]).await, koo_user_info());
}

#[tokio::test]
async fn a_minted_code_works_until_the_last_millisecond_of_five_minutes() {
    let api = Api::new().await;
    api.freeze().await;
    let early = mint_auth_code(&api, USER_ID).await;
    let late = mint_auth_code(&api, USER_ID).await;

    api.advance_ms(5 * 60_000 - 1).await;
    let alive = api.koo_create_session(&early, &[]).await;
    api.advance_ms(1).await;
    let expired = api.koo_create_session(&late, &[]).await;

    assert_session_created(&alive, koo_user_info());
    assert_bad_auth_code(&expired);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_minted_code_raced_by_32_requests_creates_exactly_one_session() {
    let api = Api::new().await;
    let code = mint_auth_code(&api, USER_ID).await;

    let answers = join_all((0..32).map(|_| api.koo_create_session(&code, &[]))).await;

    let winners: Vec<&Resp> = answers.iter().filter(|r| r.status == 200).collect();
    assert_eq!(winners.len(), 1, "{answers:?}");
    assert_session_created(winners[0], koo_user_info());
    let losers: Vec<&Resp> = answers.iter().filter(|r| r.status != 200).collect();
    assert_eq!(losers.len(), 31);
    for r in losers {
        assert_bad_auth_code(r);
    }
}

// ================================================================ 1.2 session/auth

#[tokio::test]
async fn session_auth_with_a_bearer_token_answers_the_user() {
    let api = Api::new().await;
    let session = create_seed_session(&api).await;

    let r = api.koo_auth(&session.bearer, &[]).await;

    assert_session_auth_ok(&r, seed_user_info());
}

#[tokio::test]
async fn session_auth_accepts_bearer_plus_and_the_bare_token() {
    let api = Api::new().await;
    let session = create_seed_session(&api).await;

    let plus = api
        .koo_auth(&format!("Bearer+{}", session.token), &[])
        .await;
    let bare = api.koo_auth(&session.token, &[]).await;
    let upper_header = api
        .get(SESSION_AUTH, &[("AUTHORIZATION", session.bearer.as_str())])
        .await;

    assert_session_auth_ok(&plus, seed_user_info());
    assert_session_auth_ok(&bare, seed_user_info());
    assert_session_auth_ok(&upper_header, seed_user_info());
}

#[tokio::test]
async fn session_auth_without_a_token_answers_13000202() {
    let api = Api::new().await;

    let r = api.get(SESSION_AUTH, &[]).await;

    assert_bad_session(&r);
}

#[tokio::test]
async fn session_auth_with_an_unknown_token_answers_13000202() {
    let api = Api::new().await;
    let unknown = format!("Bearer {}", "0".repeat(48));

    let r = api.koo_auth(&unknown, &[]).await;

    assert_bad_session(&r);
}

#[tokio::test]
async fn a_session_slides_its_20_minute_window_on_every_call() {
    let api = Api::new().await;
    api.freeze().await;
    let session = create_seed_session(&api).await;
    const WINDOW: i64 = 20 * 60_000;

    api.advance_ms(WINDOW - 1).await;
    let last_ms = api.koo_auth(&session.bearer, &[]).await;
    api.advance_ms(WINDOW - 1).await;
    let last_ms_again = api.koo_auth(&session.bearer, &[]).await;
    api.advance_ms(WINDOW).await;
    let idle_window = api.koo_auth(&session.bearer, &[]).await;

    assert_session_auth_ok(&last_ms, seed_user_info());
    assert_session_auth_ok(&last_ms_again, seed_user_info());
    assert_bad_session(&idle_window);
}

#[tokio::test]
async fn a_session_idle_for_exactly_20_minutes_answers_13000202() {
    let api = Api::new().await;
    api.freeze().await;
    let session = create_seed_session(&api).await;

    api.advance_ms(20 * 60_000).await;
    let r = api.koo_auth(&session.bearer, &[]).await;

    assert_bad_session(&r);
}

// ================================================================ 1.2 session/refresh

#[tokio::test]
async fn session_refresh_answers_a_new_token_at_the_top_level() {
    let api = Api::new().await;
    let session = create_seed_session(&api).await;

    let r = session_refresh(&api, &session.bearer, &session.session_id).await;

    let new_token = assert_session_refreshed(&r);
    assert_ne!(new_token, session.token);
}

#[tokio::test]
async fn session_refresh_retires_the_old_token_and_keeps_the_session() {
    let api = Api::new().await;
    let session = create_seed_session(&api).await;
    let new_token = assert_session_refreshed(
        &session_refresh(&api, &session.bearer, &session.session_id).await,
    );
    let new_bearer = format!("Bearer {new_token}");

    let old_auth = api.koo_auth(&session.bearer, &[]).await;
    let old_refresh = session_refresh(&api, &session.bearer, &session.session_id).await;
    let new_auth = api.koo_auth(&new_bearer, &[]).await;
    let again = session_refresh(&api, &new_bearer, &session.session_id).await;

    assert_bad_session(&old_auth);
    assert_bad_session(&old_refresh);
    assert_session_auth_ok(&new_auth, seed_user_info());
    let third = assert_session_refreshed(&again);
    assert_session_auth_ok(
        &api.koo_auth(&format!("Bearer+{third}"), &[]).await,
        seed_user_info(),
    );
}

#[tokio::test]
async fn session_refresh_accepts_any_header_case_and_bearer_plus() {
    let api = Api::new().await;
    let session = create_seed_session(&api).await;
    let plus = format!("Bearer+{}", session.token);

    let r = api
        .send(
            "POST",
            SESSION_REFRESH,
            &[
                ("Authorization", plus.as_str()),
                ("X-Session-Id", session.session_id.as_str()),
            ],
            None,
        )
        .await;

    assert_session_refreshed(&r);
}

#[tokio::test]
async fn session_refresh_without_x_session_id_answers_13000102() {
    let api = Api::new().await;
    let session = create_seed_session(&api).await;

    let missing = api
        .send(
            "POST",
            SESSION_REFRESH,
            &[("authorization", session.bearer.as_str())],
            None,
        )
        .await;
    let empty = session_refresh(&api, &session.bearer, "").await;

    assert_param_error(&missing);
    assert_param_error(&empty);
}

#[tokio::test]
async fn session_refresh_with_another_session_id_answers_13000202() {
    let api = Api::new().await;
    let session = create_seed_session(&api).await;
    let other = create_seed_session(&api).await;

    let wrong = session_refresh(&api, &session.bearer, &other.session_id).await;
    let unknown = session_refresh(&api, &session.bearer, &"a".repeat(48)).await;

    assert_bad_session(&wrong);
    assert_bad_session(&unknown);
}

#[tokio::test]
async fn session_refresh_checks_the_token_before_the_session_id_header() {
    let api = Api::new().await;
    let bad = format!("Bearer {}", "0".repeat(48));

    let bad_token = api
        .send(
            "POST",
            SESSION_REFRESH,
            &[("authorization", bad.as_str())],
            None,
        )
        .await;
    let no_token = api.send("POST", SESSION_REFRESH, &[], None).await;

    assert_bad_session(&bad_token);
    assert_bad_session(&no_token);
}

// ================================================================ 1.2 session/logoff

#[tokio::test]
async fn session_logoff_answers_success_and_kills_the_token() {
    let api = Api::new().await;
    let session = create_seed_session(&api).await;

    let r = api
        .get(
            SESSION_LOGOFF,
            &[("authorization", session.bearer.as_str())],
        )
        .await;

    assert_success_only(&r);
    assert_bad_session(&api.koo_auth(&session.bearer, &[]).await);
    assert_bad_session(&session_refresh(&api, &session.bearer, &session.session_id).await);
}

#[tokio::test]
async fn session_logoff_without_a_token_answers_success() {
    let api = Api::new().await;

    let r = api.get(SESSION_LOGOFF, &[]).await;

    assert_success_only(&r);
}

#[tokio::test]
async fn session_logoff_with_an_unknown_or_logged_off_token_answers_success() {
    let api = Api::new().await;
    let session = create_seed_session(&api).await;
    let unknown = format!("Bearer {}", "0".repeat(48));
    let auth = [("authorization", session.bearer.as_str())];
    assert_success_only(&api.get(SESSION_LOGOFF, &auth).await);

    let twice = api.get(SESSION_LOGOFF, &auth).await;
    let never_issued = api
        .get(SESSION_LOGOFF, &[("authorization", unknown.as_str())])
        .await;

    assert_success_only(&twice);
    assert_success_only(&never_issued);
}

#[tokio::test]
async fn session_logoff_of_one_session_leaves_the_other_alive() {
    let api = Api::new().await;
    let gone = create_seed_session(&api).await;
    let kept = create_seed_session(&api).await;

    let bare = gone.token.clone();
    assert_success_only(
        &api.get(SESSION_LOGOFF, &[("authorization", bare.as_str())])
            .await,
    );

    assert_bad_session(&api.koo_auth(&gone.bearer, &[]).await);
    assert_session_auth_ok(&api.koo_auth(&kept.bearer, &[]).await, seed_user_info());
}

// ================================================================ 1.3 auth/login

#[tokio::test]
async fn login_with_the_seed_001_example_and_its_trailing_comma_answers_13000102() {
    let api = Api::new().await;

    let r = api
        .post_raw(LOGIN, &[JSON_CT, AGENT], SEED_001_REQUEST.as_bytes())
        .await;

    assert_param_error(&r);
}

#[tokio::test]
async fn login_with_the_seed_001_example_without_its_comma_answers_the_seed_shape() {
    let api = Api::new().await;

    let r = api
        .post_raw(LOGIN, &[JSON_CT, AGENT], SEED_001_REQUEST_FIXED.as_bytes())
        .await;

    assert_logged_in(&r, login_user_info());
}

#[tokio::test]
async fn login_types_expires_in_as_an_integer_and_issued_at_as_a_string() {
    let api = Api::new().await;

    let r = api.koo_login_as(ACCOUNT, PASSWORD, &[]).await;

    assert_eq!(r.status, 200, "{r:?}");
    let info = &r.body["data"]["sessionInfo"];
    assert_eq!(info["expiresIn"].as_u64(), Some(1800), "{}", r.text);
    assert!(info["issuedAt"].is_string(), "{}", r.text);
}

#[tokio::test]
async fn login_issued_at_is_the_server_clock_in_epoch_ms() {
    let api = Api::new().await;

    let before = server_epoch_ms(&api).await;
    let pair = login_ok(&api).await;
    let after = server_epoch_ms(&api).await;

    let issued_at: u64 = pair.issued_at.parse().expect("issuedAt digits");
    assert!(
        before <= issued_at && issued_at <= after,
        "issuedAt {issued_at} not within [{before}, {after}]"
    );
}

#[tokio::test]
async fn login_issued_at_equals_the_frozen_clock() {
    let api = Api::new().await;
    let r = api
        .post("/__admin/clock", &[], json!({"freeze": true}))
        .await;
    assert_eq!(r.status / 100, 2, "{r:?}");
    let frozen = server_epoch_ms(&api).await;

    let first = login_ok(&api).await;
    api.advance_clock(60).await;
    let second = login_ok(&api).await;

    assert_eq!(first.issued_at, frozen.to_string());
    assert_eq!(second.issued_at, (frozen + 60_000).to_string());
    assert_eq!(server_epoch_ms(&api).await, frozen + 60_000);
}

#[tokio::test]
async fn login_by_account_name_and_by_phone_reach_the_same_user() {
    let api = Api::new().await;

    let by_name = api.koo_login_as("koo_admin", "Admin@Koo123", &[]).await;
    let by_phone = api.koo_login_as("13800000001", "Admin@Koo123", &[]).await;

    let a = assert_logged_in(&by_name, koo_admin_login_info());
    let b = assert_logged_in(&by_phone, koo_admin_login_info());
    assert_ne!(a.access, b.access);
    assert_ne!(a.refresh, b.refresh);
}

#[tokio::test]
async fn login_takes_a_numeric_account_as_its_decimal_text() {
    let api = Api::new().await;

    let r = api
        .post(
            LOGIN,
            &[AGENT],
            json!({"account": 13800000001u64, "authType": "1", "password": "Admin@Koo123"}),
        )
        .await;

    assert_logged_in(&r, koo_admin_login_info());
}

#[tokio::test]
async fn login_with_a_numeric_auth_type_works_like_the_string() {
    let api = Api::new().await;

    let r = api
        .post(
            LOGIN,
            &[AGENT],
            json!({"account": ACCOUNT, "authType": 1, "password": PASSWORD}),
        )
        .await;

    assert_logged_in(&r, login_user_info());
}

#[tokio::test]
async fn login_accepts_the_agent_header_in_any_case() {
    let api = Api::new().await;

    let r = api
        .post(
            LOGIN,
            &[("X-HW-AGENTNAME", "tests")],
            json!({"account": ACCOUNT, "authType": "1", "password": PASSWORD}),
        )
        .await;

    assert_logged_in(&r, login_user_info());
}

#[tokio::test]
async fn login_without_the_agent_header_answers_13000102() {
    let api = Api::new().await;
    let body = json!({"account": ACCOUNT, "authType": "1", "password": PASSWORD});

    let missing = api.post(LOGIN, &[], body.clone()).await;
    let empty = api.post(LOGIN, &[("x-hw-agentName", "")], body).await;

    assert_param_error(&missing);
    assert_param_error(&empty);
}

#[tokio::test]
async fn login_checks_the_agent_header_before_the_password() {
    let api = Api::new().await;

    let r = api
        .post(
            LOGIN,
            &[],
            json!({"account": ACCOUNT, "authType": "1", "password": "wrong"}),
        )
        .await;

    assert_param_error(&r);
}

#[tokio::test]
async fn login_with_another_or_missing_auth_type_answers_13000102() {
    let api = Api::new().await;

    let other = api
        .post(
            LOGIN,
            &[AGENT],
            json!({"account": ACCOUNT, "authType": "3", "password": PASSWORD}),
        )
        .await;
    let missing = api
        .post(
            LOGIN,
            &[AGENT],
            json!({"account": ACCOUNT, "password": PASSWORD}),
        )
        .await;

    assert_param_error(&other);
    assert_param_error(&missing);
}

#[tokio::test]
async fn login_without_an_account_answers_13000102() {
    let api = Api::new().await;

    let r = api
        .post(
            LOGIN,
            &[AGENT],
            json!({"authType": "1", "password": PASSWORD}),
        )
        .await;

    assert_param_error(&r);
}

#[tokio::test]
async fn login_with_malformed_or_wrong_kind_bodies_answers_13000102() {
    let api = Api::new().await;

    for body in ["{\"account\":", "[]", "\"x\"", ""] {
        let r = api
            .post_raw(LOGIN, &[JSON_CT, AGENT], body.as_bytes())
            .await;

        assert_param_error(&r);
    }
}

#[tokio::test]
async fn login_with_a_body_over_64_kib_answers_413_with_13000102() {
    let api = Api::new().await;
    let body = json!({
        "account": ACCOUNT,
        "authType": "1",
        "password": PASSWORD,
        "pad": "x".repeat(70 * 1024)
    });

    let r = api.post(LOGIN, &[AGENT], body).await;

    assert_error(&r, 413, 13000102, "Verify parameters failed.");
}

#[tokio::test]
async fn login_with_a_wrong_password_answers_13000203() {
    let api = Api::new().await;

    let r = api.koo_login_as(ACCOUNT, "wrong-password", &[]).await;

    assert_bad_credentials(&r);
}

#[tokio::test]
async fn login_with_an_unknown_account_answers_13000203_and_never_locks() {
    let api = Api::new().await;

    for _ in 0..7 {
        let r = api.koo_login_as("nobody-here", PASSWORD, &[]).await;

        assert_bad_credentials(&r);
    }
}

#[tokio::test]
async fn five_wrong_passwords_lock_the_account_for_15_minutes_to_the_millisecond() {
    let api = Api::new().await;
    api.freeze().await;

    for _ in 0..5 {
        assert_bad_credentials(&api.koo_login_as(ACCOUNT, "wrong", &[]).await);
    }
    let right_while_locked = api.koo_login_as(ACCOUNT, PASSWORD, &[]).await;
    let wrong_while_locked = api.koo_login_as(ACCOUNT, "wrong", &[]).await;
    let other_user = api.koo_login_as("koo_user", "User@Koo123", &[]).await;
    api.advance_ms(15 * 60_000 - 1).await;
    let right_at_last_ms = api.koo_login_as(ACCOUNT, PASSWORD, &[]).await;
    api.advance_ms(1).await;
    let wrong_after_window = api.koo_login_as(ACCOUNT, "wrong", &[]).await;
    let after_window = api.koo_login_as(ACCOUNT, PASSWORD, &[]).await;

    assert_locked(&right_while_locked);
    assert_locked(&wrong_while_locked);
    assert_locked(&right_at_last_ms);
    assert_logged_in(&other_user, koo_user_login_info());
    assert_bad_credentials(&wrong_after_window);
    assert_logged_in(&after_window, login_user_info());
}

#[tokio::test]
async fn a_lock_applies_to_the_account_whichever_identifier_is_used() {
    let api = Api::new().await;

    for _ in 0..5 {
        assert_bad_credentials(&api.koo_login_as("koo_admin", "wrong", &[]).await);
    }
    let by_phone = api.koo_login_as("13800000001", "Admin@Koo123", &[]).await;

    assert_locked(&by_phone);
}

#[tokio::test]
async fn a_successful_login_resets_the_failure_count() {
    let api = Api::new().await;

    for _ in 0..4 {
        assert_bad_credentials(&api.koo_login_as(ACCOUNT, "wrong", &[]).await);
    }
    login_ok(&api).await;
    for _ in 0..4 {
        assert_bad_credentials(&api.koo_login_as(ACCOUNT, "wrong", &[]).await);
    }
    let r = api.koo_login_as(ACCOUNT, PASSWORD, &[]).await;

    assert_logged_in(&r, login_user_info());
}

#[tokio::test]
async fn login_with_the_fixture_verification_code_works_every_time() {
    let api = Api::new().await;

    let first = login_code(&api, ACCOUNT, LOGIN_CODE).await;
    let second = login_code(&api, ACCOUNT, LOGIN_CODE).await;

    assert_logged_in(&first, login_user_info());
    assert_logged_in(&second, login_user_info());
}

#[tokio::test]
async fn login_with_a_numeric_auth_type_2_uses_the_verification_code() {
    let api = Api::new().await;

    let r = api
        .post(
            LOGIN,
            &[AGENT],
            json!({"account": ACCOUNT, "authType": 2, "captchaToken": LOGIN_CODE}),
        )
        .await;

    assert_logged_in(&r, login_user_info());
}

#[tokio::test]
async fn a_minted_verification_code_works_once_and_the_fixture_code_stays_valid() {
    let api = Api::new().await;
    let minted = mint_verification_code(&api, ACCOUNT).await;

    let first = login_code(&api, ACCOUNT, &minted).await;
    let second = login_code(&api, ACCOUNT, &minted).await;
    let fixture = login_code(&api, ACCOUNT, LOGIN_CODE).await;

    assert_logged_in(&first, login_user_info());
    assert_bad_credentials(&second);
    assert_logged_in(&fixture, login_user_info());
}

#[tokio::test]
async fn a_minted_verification_code_works_until_the_last_millisecond_of_five_minutes() {
    let api = Api::new().await;
    api.freeze().await;
    // One code per user (a new one replaces it): two users, so that each instant has an unused code.
    let early = mint_verification_code(&api, ACCOUNT).await;
    let late = mint_verification_code(&api, "koo_admin").await;

    api.advance_ms(5 * 60_000 - 1).await;
    let alive = login_code(&api, ACCOUNT, &early).await;
    api.advance_ms(1).await;
    let expired = login_code(&api, "koo_admin", &late).await;

    assert_logged_in(&alive, login_user_info());
    assert_bad_credentials(&expired);
}

#[tokio::test]
async fn login_with_a_wrong_verification_code_answers_13000203() {
    let api = Api::new().await;

    let r = login_code(&api, ACCOUNT, "000000").await;

    assert_bad_credentials(&r);
}

#[tokio::test]
async fn wrong_verification_codes_count_toward_the_lockout() {
    let api = Api::new().await;

    for _ in 0..3 {
        assert_bad_credentials(&api.koo_login_as(ACCOUNT, "wrong", &[]).await);
    }
    for _ in 0..2 {
        assert_bad_credentials(&login_code(&api, ACCOUNT, "000000").await);
    }
    let by_code = login_code(&api, ACCOUNT, LOGIN_CODE).await;
    let by_password = api.koo_login_as(ACCOUNT, PASSWORD, &[]).await;

    assert_locked(&by_code);
    assert_locked(&by_password);
}

// ================================================================ 1.4 auth/refreshToken

#[tokio::test]
async fn refresh_token_answers_a_new_pair_in_session_info() {
    let api = Api::new().await;
    let old = login_ok(&api).await;

    let r = refresh_tokens(&api, &old.access, &old.refresh).await;

    let new = assert_tokens_refreshed(&r);
    assert_ne!(new.access, old.access);
    assert_ne!(new.refresh, old.refresh);
}

#[tokio::test]
async fn refresh_token_accepts_at_with_a_space() {
    let api = Api::new().await;
    let old = login_ok(&api).await;
    let authorization = format!("AT {}", old.access);

    let r = api
        .post(
            REFRESH_TOKEN,
            &[("Authorization", authorization.as_str())],
            json!({"refreshToken": old.refresh}),
        )
        .await;

    assert_tokens_refreshed(&r);
}

#[tokio::test]
async fn refresh_token_retires_both_old_tokens() {
    let api = Api::new().await;
    let old = login_ok(&api).await;
    let new = assert_tokens_refreshed(&refresh_tokens(&api, &old.access, &old.refresh).await);

    let old_access = refresh_tokens(&api, &old.access, &new.refresh).await;
    let old_refresh = refresh_tokens(&api, &new.access, &old.refresh).await;
    let both_old = refresh_tokens(&api, &old.access, &old.refresh).await;
    let both_new = refresh_tokens(&api, &new.access, &new.refresh).await;

    assert_bad_session(&old_access);
    assert_bad_refresh_token(&old_refresh);
    assert_bad_session(&both_old);
    assert_tokens_refreshed(&both_new);
}

#[tokio::test]
async fn an_expired_access_token_can_still_be_refreshed() {
    let api = Api::new().await;
    let old = login_ok(&api).await;

    api.advance_clock(31 * 60).await;
    let r = refresh_tokens(&api, &old.access, &old.refresh).await;

    let new = assert_tokens_refreshed(&r);
    assert_tokens_refreshed(&refresh_tokens(&api, &new.access, &new.refresh).await);
}

#[tokio::test]
async fn refresh_token_issued_at_follows_the_server_clock() {
    let api = Api::new().await;
    let old = login_ok(&api).await;
    api.advance_clock(3600).await;

    let before = server_epoch_ms(&api).await;
    let new = assert_tokens_refreshed(&refresh_tokens(&api, &old.access, &old.refresh).await);
    let after = server_epoch_ms(&api).await;

    let issued_at: u64 = new.issued_at.parse().expect("issuedAt digits");
    assert!(
        before <= issued_at && issued_at <= after,
        "issuedAt {issued_at} not within [{before}, {after}]"
    );
}

#[tokio::test]
async fn refresh_token_with_another_logins_refresh_token_answers_13000202() {
    let api = Api::new().await;
    let first = login_ok(&api).await;
    let second = login_ok(&api).await;

    let r = refresh_tokens(&api, &first.access, &second.refresh).await;

    assert_bad_session(&r);
}

#[tokio::test]
async fn refresh_token_with_an_unknown_refresh_token_answers_13000205() {
    let api = Api::new().await;
    let pair = login_ok(&api).await;

    let r = refresh_tokens(&api, &pair.access, &"0".repeat(48)).await;

    assert_bad_refresh_token(&r);
}

#[tokio::test]
async fn refresh_token_without_authorization_answers_13000202() {
    let api = Api::new().await;
    let pair = login_ok(&api).await;

    let r = api
        .post(REFRESH_TOKEN, &[], json!({"refreshToken": pair.refresh}))
        .await;

    assert_bad_session(&r);
}

#[tokio::test]
async fn refresh_token_with_an_unknown_access_token_answers_13000202() {
    let api = Api::new().await;
    let pair = login_ok(&api).await;

    let r = refresh_tokens(&api, &"0".repeat(48), &pair.refresh).await;

    assert_bad_session(&r);
}

#[tokio::test]
async fn refresh_token_without_a_refresh_token_answers_13000102() {
    let api = Api::new().await;
    let pair = login_ok(&api).await;
    let authorization = format!("AT+{}", pair.access);
    let auth = [("authorization", authorization.as_str())];

    let empty_object = api.post(REFRESH_TOKEN, &auth, json!({})).await;
    let empty_string = api
        .post(REFRESH_TOKEN, &auth, json!({"refreshToken": ""}))
        .await;
    let wrong_type = api
        .post(REFRESH_TOKEN, &auth, json!({"refreshToken": true}))
        .await;
    let malformed = api
        .post_raw(REFRESH_TOKEN, &[JSON_CT, auth[0]], b"{\"refreshToken\"")
        .await;

    assert_param_error(&empty_object);
    assert_param_error(&empty_string);
    assert_param_error(&wrong_type);
    assert_param_error(&malformed);
}

#[tokio::test]
async fn refresh_tokens_live_30_days_to_the_millisecond() {
    let api = Api::new().await;
    api.freeze().await;
    let early = login_ok(&api).await;
    let late = login_ok(&api).await;

    api.advance_ms(30 * 86_400_000 - 1).await;
    let last_ms = refresh_tokens(&api, &early.access, &early.refresh).await;
    api.advance_ms(1).await;
    let at_30_days = refresh_tokens(&api, &late.access, &late.refresh).await;

    assert_tokens_refreshed(&last_ms);
    assert_bad_refresh_token(&at_30_days);
}

/// The `live` flag `/__admin/state` shows for `token`.
async fn live_in_state(api: &Api, token: &str) -> Value {
    let r = api.get("/__admin/state", &[]).await;
    assert_eq!(r.status, 200, "{r:?}");
    let tokens = r.body["tokens"].as_array().expect("tokens array");
    let t = tokens.iter().find(|t| t["token"] == token);
    t.unwrap_or_else(|| panic!("{token} not in {}", r.text))["live"].clone()
}

// No KooDrive route accepts a login access token (session routes refuse it, auth/refreshToken takes
// it expired too), so its 1800 s is seen only in `expiresIn` and the control plane's state.
#[tokio::test]
async fn a_login_access_token_lives_1800_seconds_to_the_millisecond() {
    let api = Api::new().await;
    api.freeze().await;
    let pair = login_ok(&api).await;

    api.advance_ms(1_800_000 - 1).await;
    let last_ms = live_in_state(&api, &pair.access).await;
    api.advance_ms(1).await;
    let at_1800_s = live_in_state(&api, &pair.access).await;

    assert_eq!((last_ms, at_1800_s), (json!(true), json!(false)));
}

/// Waits (bounded) until the server's background sweeper has dropped `token` from the state dump.
/// This waits for housekeeping, not for time to pass: expiry itself is driven by the clock.
async fn wait_until_swept(api: &Api, token: &str) {
    for _ in 0..100 {
        let r = api.get("/__admin/state", &[]).await;
        assert_eq!(r.status, 200, "{r:?}");
        let tokens = r.body["tokens"].as_array().expect("tokens array");
        if !tokens.iter().any(|t| t["token"] == token) {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    panic!("{token} was never swept");
}

#[tokio::test]
async fn an_expired_refresh_token_answers_13000205_also_once_swept() {
    let api = Api::new().await;
    let pair = login_ok(&api).await;

    api.advance_clock(31 * 86_400).await;
    wait_until_swept(&api, &pair.access).await;
    let r = refresh_tokens(&api, &pair.access, &pair.refresh).await;

    assert_bad_refresh_token(&r);
}

// ================================================================ token kinds never cross

#[tokio::test]
async fn a_session_bearer_token_is_refused_by_auth_refresh_token() {
    let api = Api::new().await;
    let session = create_seed_session(&api).await;
    let pair = login_ok(&api).await;
    let as_at = format!("AT {}", session.token);

    let bearer = api
        .post(
            REFRESH_TOKEN,
            &[("authorization", session.bearer.as_str())],
            json!({"refreshToken": pair.refresh}),
        )
        .await;
    let disguised = api
        .post(
            REFRESH_TOKEN,
            &[("authorization", as_at.as_str())],
            json!({"refreshToken": pair.refresh}),
        )
        .await;

    assert_bad_session(&bearer);
    assert_bad_session(&disguised);
}

#[tokio::test]
async fn a_login_at_token_is_refused_by_session_routes() {
    let api = Api::new().await;
    let pair = login_ok(&api).await;
    let session = create_seed_session(&api).await;

    for authorization in [
        format!("AT {}", pair.access),
        format!("AT+{}", pair.access),
        format!("Bearer {}", pair.access),
        pair.access.clone(),
    ] {
        let auth = api.koo_auth(&authorization, &[]).await;
        let refresh = session_refresh(&api, &authorization, &session.session_id).await;

        assert_bad_session(&auth);
        assert_bad_session(&refresh);
    }
}

#[tokio::test]
async fn a_token_of_another_family_means_nothing_to_koodrive() {
    let api = Api::new().await;

    let enos_static = api
        .koo_auth("Bearer APP_PORTAL_S_TDKKeqfYBK3m5z3LRgKVqThWDYnRBN44", &[])
        .await;
    let enos_as_at = api
        .post(
            REFRESH_TOKEN,
            &[(
                "authorization",
                "AT APP_PORTAL_S_TDKKeqfYBK3m5z3LRgKVqThWDYnRBN44",
            )],
            json!({"refreshToken": "0".repeat(48)}),
        )
        .await;

    assert_bad_session(&enos_static);
    assert_bad_session(&enos_as_at);
}

#[tokio::test]
async fn a_session_of_one_namespace_means_nothing_to_another() {
    let api = Api::new().await;
    let ns_a = ("X-Mock-Namespace", "koo-a");
    let ns_b = ("X-Mock-Namespace", "koo-b");
    let created = api.post(SESSION, &[ns_a], json!({"code": SEED_CODE})).await;
    let session = assert_session_created(&created, seed_user_info());
    let auth = ("authorization", session.bearer.as_str());

    let same = api.get(SESSION_AUTH, &[ns_a, auth]).await;
    let other = api.get(SESSION_AUTH, &[ns_b, auth]).await;
    let default = api.get(SESSION_AUTH, &[auth]).await;

    assert_session_auth_ok(&same, seed_user_info());
    assert_bad_session(&other);
    assert_bad_session(&default);
}

#[tokio::test]
async fn a_refresh_token_is_not_a_session_token() {
    let api = Api::new().await;
    let pair = login_ok(&api).await;

    let r = api.koo_auth(&format!("Bearer {}", pair.refresh), &[]).await;

    assert_bad_session(&r);
}

// ================================================================ 404 / 405

#[tokio::test]
async fn a_wrong_method_on_create_session_answers_405_with_allow() {
    let api = Api::new().await;

    let slash = api.get(SESSION, &[]).await;
    let no_slash = api.delete(SESSION_NO_SLASH, &[]).await;

    assert_eq!(assert_method_not_allowed(&slash, "GET", SESSION), ["POST"]);
    assert_eq!(
        assert_method_not_allowed(&no_slash, "DELETE", SESSION_NO_SLASH),
        ["POST"]
    );
}

#[tokio::test]
async fn a_wrong_method_on_the_post_routes_answers_405_with_allow_post() {
    let api = Api::new().await;

    for path in [SESSION_REFRESH, LOGIN, REFRESH_TOKEN] {
        let r = api.get(path, &[]).await;

        assert_eq!(assert_method_not_allowed(&r, "GET", path), ["POST"]);
    }
}

#[tokio::test]
async fn a_wrong_method_on_the_get_routes_answers_405_allowing_get() {
    let api = Api::new().await;

    for path in [SESSION_AUTH, SESSION_LOGOFF] {
        let r = api.post(path, &[], json!({})).await;

        let allow = assert_method_not_allowed(&r, "POST", path);
        assert!(allow.iter().any(|m| m == "GET"), "{allow:?}");
        assert!(!allow.iter().any(|m| m == "POST"), "{allow:?}");
    }
}

#[tokio::test]
async fn an_unknown_koodrive_path_answers_404_listing_the_routes() {
    let api = Api::new().await;
    let path = "/koodrive/ose/v1/sesion/";

    let r = api.post(path, &[], json!({"code": SEED_CODE})).await;

    assert_eq!(r.status, 404, "{r:?}");
    assert_json_content_type(&r);
    assert_eq!(r.body["error"], "no route", "{}", r.text);
    assert_eq!(r.body["method"], "POST", "{}", r.text);
    assert_eq!(r.body["path"], path, "{}", r.text);
    let routes = r.body["routes"].as_array().expect("routes array");
    for route in [
        "POST /koodrive/ose/v1/session/",
        "GET /koodrive/ose/v1/session/auth",
        "POST /koodrive/ose/v1/session/refresh",
        "GET /koodrive/ose/v1/session/logoff",
        "POST /koodrive/ose/v1/auth/login",
        "POST /koodrive/ose/v1/auth/refreshToken",
    ] {
        assert!(routes.iter().any(|r| r == route), "{route} in {routes:?}");
    }
}
