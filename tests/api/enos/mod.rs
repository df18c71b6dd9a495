//! EnOS Application Portal (contract §3): login, session/set (seed 003), session/info, user/info,
//! token/refresh, logout, refreshToken/revokeAll, and the manners of the vendor's Python client.

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

// ---------------------------------------------------------------------------------------------
// §3.2 session/set — the seed 003 example

#[tokio::test]
async fn seed_003_example_answers_the_documented_envelope() {
    let api = Api::new().await;

    let r = api
        .post(
            SET,
            &[(
                "Authorization",
                "Bearer APP_PORTAL_S_TDKKeqfYBK3m5z3LRgKVqThWDYnRBN44",
            )],
            json!({"orgId": ORG}),
        )
        .await;

    let data = ok(&r);
    assert_session_data(data, ORG, "Portal Demo");
    assert_ne!(data["accessToken"], json!(STATIC_TOKEN));
}

#[tokio::test]
async fn seed_003_refresh_token_is_an_hs256_jwt_with_the_documented_claims() {
    let api = Api::new().await;

    let r = api.enos_set(STATIC_TOKEN, ORG, &[]).await;

    let data = ok(&r);
    let rt = s(&data["refreshToken"]);
    let (header, claims) = decode_jwt(rt);
    assert_eq!(header, r#"{"alg":"HS256"}"#);
    let mut keys: Vec<&str> = claims
        .as_object()
        .expect("claims object")
        .keys()
        .map(String::as_str)
        .collect();
    keys.sort_unstable();
    assert_eq!(
        keys,
        [
            "adminLevel",
            "exp",
            "iat",
            "iss",
            "jti",
            "sub",
            "userId",
            "userName",
            "workingOrganizationId",
            "workingOrganizationName"
        ]
    );
    assert_eq!(claims["sub"], json!(USER_ID));
    assert_eq!(claims["userId"], json!(USER_ID));
    assert_eq!(claims["adminLevel"], json!(2));
    assert!(claims["adminLevel"].is_i64());
    assert_eq!(claims["iss"], json!("APP-PORTAL"));
    assert_eq!(claims["workingOrganizationId"], json!(ORG));
    assert_eq!(claims["workingOrganizationName"], json!("Portal Demo"));
    assert_eq!(claims["userName"], json!(ACCOUNT));
    assert!(!s(&claims["jti"]).is_empty());
    let exp = claims["exp"].as_i64().expect("exp integer");
    let iat = claims["iat"].as_i64().expect("iat integer");
    assert_eq!(exp - iat, THIRTY_DAYS);
    assert_eq!(data["refreshTokenExpire"].as_i64(), Some(exp * 1000));
}

#[tokio::test]
async fn refresh_token_times_come_from_the_server_clock() {
    let frozen_ms: i64 = 1_767_225_600_000; // 2026-01-01T00:00:00Z
    let api = Api::with(MockServer::builder().frozen_at_ms(frozen_ms).start().await);

    let r = api.enos_set(STATIC_TOKEN, ORG, &[]).await;
    let (_, claims) = decode_jwt(s(&ok(&r)["refreshToken"]));
    assert_eq!(claims["iat"], json!(frozen_ms / 1000));
    assert_eq!(claims["exp"], json!(frozen_ms / 1000 + THIRTY_DAYS));
    assert_eq!(
        ok(&r)["refreshTokenExpire"],
        json!(frozen_ms + THIRTY_DAYS * 1000)
    );

    api.advance_clock(86_400).await;
    let r = refresh(&api, s(&ok(&r)["refreshToken"])).await;
    let data = ok(&r);
    let (_, claims) = decode_jwt(s(&data["refreshToken"]));
    assert_eq!(claims["iat"], json!(frozen_ms / 1000 + 86_400));
    assert_eq!(
        data["refreshTokenExpire"],
        json!(frozen_ms + (86_400 + THIRTY_DAYS) * 1000)
    );
}

#[tokio::test]
async fn the_static_fixture_token_keeps_working_after_session_set() {
    let api = Api::new().await;
    ok(&api.enos_set(STATIC_TOKEN, ORG, &[]).await);

    let r = api.enos_set(STATIC_TOKEN, "o15589308944781", &[]).await;

    assert_session_data(ok(&r), "o15589308944781", "Envision Demo");
}

#[tokio::test]
async fn session_set_v2_1_alias_answers_like_v2_2() {
    let api = Api::new().await;

    let r = api
        .post(
            "/app-portal-service/v2.1/session/set",
            &[(
                "authorization",
                "Bearer APP_PORTAL_S_TDKKeqfYBK3m5z3LRgKVqThWDYnRBN44",
            )],
            json!({"orgId": ORG}),
        )
        .await;

    assert_session_data(ok(&r), ORG, "Portal Demo");
}

#[tokio::test]
async fn session_set_with_a_doubled_leading_slash_is_served() {
    let api = Api::new().await;

    let r = api
        .post(
            "//app-portal-service/v2.2/session/set",
            &[(
                "authorization",
                "Bearer APP_PORTAL_S_TDKKeqfYBK3m5z3LRgKVqThWDYnRBN44",
            )],
            json!({"orgId": ORG}),
        )
        .await;

    assert_session_data(ok(&r), ORG, "Portal Demo");
}

#[tokio::test]
async fn session_set_accepts_the_bearer_plus_form() {
    let api = Api::new().await;

    let r = api
        .post(
            SET,
            &[(
                "authorization",
                "Bearer+APP_PORTAL_S_TDKKeqfYBK3m5z3LRgKVqThWDYnRBN44",
            )],
            json!({"orgId": ORG}),
        )
        .await;

    assert_session_data(ok(&r), ORG, "Portal Demo");
}

// ---------------------------------------------------------------------------------------------
// §3.1 login

#[tokio::test]
async fn login_answers_token_mfa_type_organizations_and_user() {
    let api = Api::new().await;

    let r = api.enos_login(ACCOUNT, PASSWORD, &[]).await;

    let data = ok(&r);
    let mut keys: Vec<&str> = data
        .as_object()
        .expect("data object")
        .keys()
        .map(String::as_str)
        .collect();
    keys.sort_unstable();
    assert_eq!(keys, ["accessToken", "mfaType", "organizations", "user"]);
    assert_portal_token(&data["accessToken"]);
    assert_eq!(data["mfaType"], json!("NONE"));
    let mut orgs = data["organizations"]
        .as_array()
        .expect("organizations array")
        .clone();
    orgs.sort_by_key(|o| o["id"].to_string());
    assert_eq!(
        orgs,
        vec![
            json!({"id": "o15589308944781", "name": "Envision Demo"}),
            json!({"id": ORG, "name": "Portal Demo"}),
        ]
    );
    assert_eq!(
        data["user"],
        json!({"id": USER_ID, "name": ACCOUNT, "email": "portal_demo@example.com"})
    );
}

#[tokio::test]
async fn each_login_issues_a_different_token() {
    let api = Api::new().await;

    let first = login(&api).await;
    let second = login(&api).await;

    assert_ne!(first, second);
}

#[tokio::test]
async fn login_with_wrong_password_answers_31400() {
    let api = Api::new().await;

    let r = api.enos_login(ACCOUNT, "wrong", &[]).await;

    err(&r, 31400, "The user name or password is wrong.");
}

#[tokio::test]
async fn login_with_unknown_account_answers_31400() {
    let api = Api::new().await;

    let r = api.enos_login("nobody", PASSWORD, &[]).await;

    err(&r, 31400, "The user name or password is wrong.");
}

#[tokio::test]
async fn login_without_account_or_password_answers_31400_wrong_password() {
    let api = Api::new().await;

    for body in [
        json!({}),
        json!({"account": ACCOUNT}),
        json!({"password": PASSWORD}),
        json!({"account": null, "password": PASSWORD}),
    ] {
        let r = api.post(LOGIN, &[], body.clone()).await;
        err(&r, 31400, "The user name or password is wrong.");
    }
}

#[tokio::test]
async fn login_with_malformed_json_answers_31400_invalid_request_parameters() {
    let api = Api::new().await;

    for body in [&b"{\"account\":"[..], b"[]", b"\"x\""] {
        let r = api
            .post_raw(LOGIN, &[("content-type", "application/json")], body)
            .await;
        err(&r, 31400, "Invalid request parameters");
    }
}

#[tokio::test]
async fn fifth_wrong_password_still_answers_31400_and_the_sixth_attempt_answers_31429() {
    let api = Api::new().await;

    for _ in 0..5 {
        err(
            &api.enos_login(ACCOUNT, "wrong", &[]).await,
            31400,
            "The user name or password is wrong.",
        );
    }
    let r = api.enos_login(ACCOUNT, PASSWORD, &[]).await;

    err(&r, 31429, LOCKED);
}

#[tokio::test]
async fn a_lockout_lasts_fifteen_minutes_to_the_millisecond() {
    let api = Api::new().await;
    api.freeze().await;
    for _ in 0..5 {
        err(
            &api.enos_login(ACCOUNT, "wrong", &[]).await,
            31400,
            "The user name or password is wrong.",
        );
    }

    api.advance_ms(15 * 60_000 - 1).await;
    err(&api.enos_login(ACCOUNT, PASSWORD, &[]).await, 31429, LOCKED);

    api.advance_ms(1).await;
    let r = api.enos_login(ACCOUNT, PASSWORD, &[]).await;
    assert_portal_token(&ok(&r)["accessToken"]);
}

#[tokio::test]
async fn a_successful_login_resets_the_failure_count() {
    let api = Api::new().await;
    for _ in 0..4 {
        api.enos_login(ACCOUNT, "wrong", &[]).await;
    }
    ok(&api.enos_login(ACCOUNT, PASSWORD, &[]).await);
    for _ in 0..4 {
        api.enos_login(ACCOUNT, "wrong", &[]).await;
    }

    let r = api.enos_login(ACCOUNT, PASSWORD, &[]).await;

    assert_portal_token(&ok(&r)["accessToken"]);
}

#[tokio::test]
async fn a_lockout_locks_only_its_own_account() {
    let api = Api::new().await;
    for _ in 0..5 {
        api.enos_login(ACCOUNT, "wrong", &[]).await;
    }

    let r = api.enos_login("portal_admin", "Admin1234", &[]).await;

    assert_portal_token(&ok(&r)["accessToken"]);
    err(&api.enos_login(ACCOUNT, PASSWORD, &[]).await, 31429, LOCKED);
}

#[tokio::test]
async fn wrong_passwords_for_unknown_accounts_lock_nothing() {
    let api = Api::new().await;

    for _ in 0..7 {
        err(
            &api.enos_login("nobody", "wrong", &[]).await,
            31400,
            "The user name or password is wrong.",
        );
    }
}

// ---------------------------------------------------------------------------------------------
// §3.2 session/set with run-time tokens

#[tokio::test]
async fn login_then_session_set_gives_a_token_that_works_on_session_info_and_user_info() {
    let api = Api::new().await;
    let token = login(&api).await;

    let r = api.enos_set(&token, "o15589308944781", &[]).await;

    let (access, _) = assert_session_data(ok(&r), "o15589308944781", "Envision Demo");
    assert_ne!(access, token);
    ok(&get_with(&api, INFO, &access).await);
    ok(&get_with(&api, USER_INFO, &access).await);
}

#[tokio::test]
async fn the_login_token_is_dead_after_session_set() {
    let api = Api::new().await;
    let token = login(&api).await;
    ok(&api.enos_set(&token, ORG, &[]).await);

    let r = api.enos_set(&token, ORG, &[]).await;

    err(&r, 31401, "Please login first");
}

#[tokio::test]
async fn an_org_bound_token_can_switch_org_and_is_then_dead() {
    let api = Api::new().await;
    let first = session(&api).await;
    let first_access = s(&first["accessToken"]);

    let r = api.enos_set(first_access, "o15589308944781", &[]).await;

    let (second_access, _) = assert_session_data(ok(&r), "o15589308944781", "Envision Demo");
    err(
        &get_with(&api, INFO, first_access).await,
        31401,
        "Please login first",
    );
    let info = get_with(&api, INFO, &second_access).await;
    assert_eq!(ok(&info)["currentOrgId"], json!("o15589308944781"));
}

#[tokio::test]
async fn the_first_refresh_token_survives_an_org_switch() {
    let api = Api::new().await;
    let first = session(&api).await;
    let switched = api
        .enos_set(s(&first["accessToken"]), "o15589308944781", &[])
        .await;
    let (_, second_refresh) =
        assert_session_data(ok(&switched), "o15589308944781", "Envision Demo");

    // docs/decisions.md: the earlier session's refresh token stays valid until it expires or is revoked.
    let r = refresh(&api, s(&first["refreshToken"])).await;
    let (access, _) = assert_session_data(ok(&r), ORG, "Portal Demo");
    assert_eq!(
        ok(&get_with(&api, INFO, &access).await)["currentOrgId"],
        json!(ORG)
    );
    let r = refresh(&api, &second_refresh).await;
    assert_session_data(ok(&r), "o15589308944781", "Envision Demo");
}

#[tokio::test]
async fn session_set_without_org_id_answers_31400() {
    let api = Api::new().await;

    for body in [json!({}), json!({"orgId": ""}), json!({"orgId": null})] {
        let r = api
            .post(
                SET,
                &[(
                    "authorization",
                    "Bearer APP_PORTAL_S_TDKKeqfYBK3m5z3LRgKVqThWDYnRBN44",
                )],
                body.clone(),
            )
            .await;
        err(&r, 31400, "orgId is required");
    }
}

#[tokio::test]
async fn session_set_with_an_empty_body_answers_31400() {
    let api = Api::new().await;

    let r = api
        .post_raw(
            SET,
            &[(
                "authorization",
                "Bearer APP_PORTAL_S_TDKKeqfYBK3m5z3LRgKVqThWDYnRBN44",
            )],
            b"",
        )
        .await;

    err(&r, 31400, "Invalid request parameters");
}

#[tokio::test]
async fn session_set_with_an_org_the_user_is_not_a_member_of_answers_31404() {
    let api = Api::new().await;

    let r = api.enos_set(STATIC_TOKEN, "o10000000000001", &[]).await;

    err(&r, 31404, "Can not find this organization.");
}

#[tokio::test]
async fn session_set_with_an_unknown_org_answers_31404() {
    let api = Api::new().await;

    let r = api.enos_set(STATIC_TOKEN, "no-such-org", &[]).await;

    err(&r, 31404, "Can not find this organization.");
}

#[tokio::test]
async fn session_set_takes_a_numeric_org_id_as_its_text() {
    let api = Api::new().await;

    let r = api
        .post(
            SET,
            &[(
                "authorization",
                "Bearer APP_PORTAL_S_TDKKeqfYBK3m5z3LRgKVqThWDYnRBN44",
            )],
            json!({"orgId": 15589308944781_i64}),
        )
        .await;

    err(&r, 31404, "Can not find this organization.");
}

#[tokio::test]
async fn session_set_without_or_with_an_unknown_bearer_answers_31401_before_checking_the_body() {
    let api = Api::new().await;

    let cases: Vec<Vec<(&str, &str)>> = vec![
        vec![],
        vec![(
            "authorization",
            "Bearer APP_PORTAL_S_unknownunknownunknownunknown1234",
        )],
        vec![("authorization", "Bearer ")],
        vec![("authorization", "Basic dXNlcjpwYXNz")],
    ];
    for headers in cases {
        let r = api.post_raw(SET, &headers, b"").await;
        err(&r, 31401, "Please login first");
        let mut h = headers.clone();
        h.push(("content-type", "application/json"));
        let r = api.post_raw(SET, &h, b"{not json").await;
        err(&r, 31401, "Please login first");
        let r = api
            .post(SET, &headers, json!({"orgId": "o10000000000001"}))
            .await;
        err(&r, 31401, "Please login first");
    }
}

#[tokio::test]
async fn session_set_with_malformed_json_answers_31400_invalid_request_parameters() {
    let api = Api::new().await;

    for body in [
        &b"{\"orgId\":"[..],
        b"[]",
        b"\"yourOrgId\"",
        b"{\"orgId\":\"yourOrgId\",}",
    ] {
        let r = api
            .post_raw(
                SET,
                &[
                    (
                        "authorization",
                        "Bearer APP_PORTAL_S_TDKKeqfYBK3m5z3LRgKVqThWDYnRBN44",
                    ),
                    ("content-type", "application/json"),
                ],
                body,
            )
            .await;
        err(&r, 31400, "Invalid request parameters");
    }
}

#[tokio::test]
async fn session_set_with_an_org_id_of_the_wrong_type_answers_31400() {
    let api = Api::new().await;

    for body in [
        json!({"orgId": true}),
        json!({"orgId": {"id": ORG}}),
        json!({"orgId": [ORG]}),
    ] {
        let r = api
            .post(
                SET,
                &[(
                    "authorization",
                    "Bearer APP_PORTAL_S_TDKKeqfYBK3m5z3LRgKVqThWDYnRBN44",
                )],
                body,
            )
            .await;
        // The contract says "the parameter error" (31400) without fixing the message: either
        // of the two 31400 messages that fit is accepted.
        assert_eq!(r.status, 200, "{}", r.text);
        assert_eq!(r.body["code"], json!(31400), "{}", r.text);
        assert_eq!(r.body["data"], Value::Null, "{}", r.text);
        let message = s(&r.body["message"]);
        assert!(
            message == "Invalid request parameters" || message == "orgId is required",
            "{}",
            r.text
        );
    }
}

#[tokio::test]
async fn session_set_ignores_unknown_fields() {
    let api = Api::new().await;

    let r = api
        .post(
            SET,
            &[(
                "authorization",
                "Bearer APP_PORTAL_S_TDKKeqfYBK3m5z3LRgKVqThWDYnRBN44",
            )],
            json!({"orgId": ORG, "extra": [1, 2, {"x": null}]}),
        )
        .await;

    assert_session_data(ok(&r), ORG, "Portal Demo");
}

#[tokio::test]
async fn session_set_with_a_body_over_64_kib_answers_http_413_with_the_parameter_error() {
    let api = Api::new().await;
    let body = json!({"orgId": ORG, "pad": "x".repeat(70 * 1024)});

    let r = api
        .post(
            SET,
            &[(
                "authorization",
                "Bearer APP_PORTAL_S_TDKKeqfYBK3m5z3LRgKVqThWDYnRBN44",
            )],
            body,
        )
        .await;

    assert_eq!(r.status, 413, "{}", r.text);
    assert!(r.header("content-type").starts_with("application/json"));
    assert_eq!(
        r.body,
        json!({"code": 31400, "message": "Invalid request parameters", "data": null})
    );
}

#[tokio::test]
async fn a_body_of_exactly_64_kib_is_not_too_large() {
    let api = Api::new().await;
    let head = r#"{"orgId":"yourOrgId","pad":""#;
    let pad = 64 * 1024 - head.len() - 2;
    let body = format!("{head}{}\"}}", "x".repeat(pad));
    assert_eq!(body.len(), 65536);

    let r = api
        .post_raw(
            SET,
            &[
                (
                    "authorization",
                    "Bearer APP_PORTAL_S_TDKKeqfYBK3m5z3LRgKVqThWDYnRBN44",
                ),
                ("content-type", "application/json"),
            ],
            body.as_bytes(),
        )
        .await;
    assert_session_data(ok(&r), ORG, "Portal Demo");

    let r = api
        .post_raw(
            SET,
            &[
                (
                    "authorization",
                    "Bearer APP_PORTAL_S_TDKKeqfYBK3m5z3LRgKVqThWDYnRBN44",
                ),
                ("content-type", "application/json"),
            ],
            format!("{body} ").as_bytes(),
        )
        .await;
    assert_eq!(r.status, 413, "{}", r.text);
}

#[tokio::test]
async fn session_set_accepts_a_channel_query_parameter_and_header() {
    let api = Api::new().await;

    let r = api
        .post(
            &format!("{SET}?channel=web"),
            &[(
                "authorization",
                "Bearer APP_PORTAL_S_TDKKeqfYBK3m5z3LRgKVqThWDYnRBN44",
            )],
            json!({"orgId": ORG}),
        )
        .await;
    assert_session_data(ok(&r), ORG, "Portal Demo");

    let r = api
        .post(
            SET,
            &[
                (
                    "authorization",
                    "Bearer APP_PORTAL_S_TDKKeqfYBK3m5z3LRgKVqThWDYnRBN44",
                ),
                ("channel", "web"),
            ],
            json!({"orgId": ORG}),
        )
        .await;
    assert_session_data(ok(&r), ORG, "Portal Demo");
}

#[tokio::test]
async fn session_set_accepts_json_content_types_with_a_charset_or_none() {
    let api = Api::new().await;

    for ct in [
        Some("application/json;charset=utf-8"),
        Some("application/json; charset=UTF-8"),
        Some("Application/JSON;charset=utf8"),
        None,
    ] {
        let mut headers = vec![(
            "authorization",
            "Bearer APP_PORTAL_S_TDKKeqfYBK3m5z3LRgKVqThWDYnRBN44",
        )];
        if let Some(ct) = ct {
            headers.push(("content-type", ct));
        }
        let r = api
            .post_raw(SET, &headers, br#"{"orgId":"yourOrgId"}"#)
            .await;
        assert_session_data(ok(&r), ORG, "Portal Demo");
    }
}

// ---------------------------------------------------------------------------------------------
// §3.3 session/info and user/info

#[tokio::test]
async fn session_info_with_an_org_bound_token_answers_user_and_org() {
    let api = Api::new().await;
    let sess = session(&api).await;

    let r = get_with(&api, INFO, s(&sess["accessToken"])).await;

    assert_eq!(
        ok(&r),
        &json!({
            "userId": USER_ID,
            "userName": ACCOUNT,
            "currentOrgId": ORG,
            "currentOrgName": "Portal Demo"
        })
    );
}

#[tokio::test]
async fn user_info_with_an_org_bound_token_answers_the_fixture_profile() {
    let api = Api::new().await;
    let sess = session(&api).await;

    let r = get_with(&api, USER_INFO, s(&sess["accessToken"])).await;

    let data = ok(&r);
    assert_eq!(
        data,
        &json!({
            "id": USER_ID,
            "name": ACCOUNT,
            "domain": "",
            "description": "Demo user of the seed examples",
            "nickName": "Portal Demo",
            "phoneArea": "+86",
            "phone": "13900000000",
            "email": "portal_demo@example.com",
            "createdTime": "2019-05-27 04:33:30.0",
            "type": 0,
            "company": "Envision",
            "department": "Digital",
            "position": "Engineer"
        })
    );
    assert!(data["createdTime"].is_string());
    assert!(data["type"].is_i64());
}

#[tokio::test]
async fn user_info_answers_the_profile_of_the_token_owner() {
    let api = Api::new().await;
    let sess = session_of(&api, "portal_admin", "Admin1234", "o15589308944781").await;

    let r = get_with(&api, USER_INFO, s(&sess["accessToken"])).await;

    let data = ok(&r);
    assert_eq!(data["id"], json!("u15589316109092"));
    assert_eq!(data["name"], json!("portal_admin"));
    assert_eq!(data["position"], json!("Administrator"));
}

#[tokio::test]
async fn session_info_and_user_info_with_a_login_only_token_answer_31512() {
    let api = Api::new().await;
    let token = login(&api).await;

    for t in [token.as_str(), STATIC_TOKEN] {
        err(
            &get_with(&api, INFO, t).await,
            31512,
            "Organization unselected",
        );
        err(
            &get_with(&api, USER_INFO, t).await,
            31512,
            "Organization unselected",
        );
    }
}

#[tokio::test]
async fn session_info_and_user_info_without_a_token_answer_31401() {
    let api = Api::new().await;

    for path in [INFO, USER_INFO] {
        err(&api.get(path, &[]).await, 31401, "Please login first");
        err(
            &get_with(&api, path, "APP_PORTAL_S_unknownunknownunknownunknown1234").await,
            31401,
            "Please login first",
        );
    }
}

// ---------------------------------------------------------------------------------------------
// §3.3 token/refresh

#[tokio::test]
async fn token_refresh_answers_new_tokens_for_the_same_session() {
    let api = Api::new().await;
    let sess = session_of(&api, ACCOUNT, PASSWORD, "o15589308944781").await;

    let r = refresh(&api, s(&sess["refreshToken"])).await;

    let (access, rt) = assert_session_data(ok(&r), "o15589308944781", "Envision Demo");
    assert_ne!(json!(access), sess["accessToken"]);
    assert_ne!(json!(rt), sess["refreshToken"]);
    let info = get_with(&api, INFO, &access).await;
    assert_eq!(ok(&info)["currentOrgId"], json!("o15589308944781"));
    ok(&refresh(&api, &rt).await);
}

#[tokio::test]
async fn token_refresh_retires_the_old_refresh_token_and_the_previous_access_token() {
    let api = Api::new().await;
    let sess = session(&api).await;
    ok(&refresh(&api, s(&sess["refreshToken"])).await);

    err(
        &refresh(&api, s(&sess["refreshToken"])).await,
        31401,
        "Please login first",
    );
    err(
        &get_with(&api, INFO, s(&sess["accessToken"])).await,
        31401,
        "Please login first",
    );
}

#[tokio::test]
async fn token_refresh_without_refresh_token_answers_31400() {
    let api = Api::new().await;

    err(
        &api.get(REFRESH, &[]).await,
        31400,
        "Refresh Token is required",
    );
    err(
        &api.get(&format!("{REFRESH}?refreshToken="), &[]).await,
        31400,
        "Refresh Token is required",
    );
}

#[tokio::test]
async fn token_refresh_with_a_tampered_signature_answers_31401() {
    let api = Api::new().await;
    let sess = session(&api).await;
    let rt = s(&sess["refreshToken"]);
    let (rest, sig) = rt.rsplit_once('.').expect("jwt");
    let first = sig.chars().next().expect("signature");
    let flipped = if first == 'A' { 'B' } else { 'A' };
    let tampered = format!("{rest}.{flipped}{}", &sig[1..]);

    err(&refresh(&api, &tampered).await, 31401, "Please login first");
    ok(&refresh(&api, rt).await);
}

#[tokio::test]
async fn token_refresh_with_forged_claims_or_alg_none_answers_31401() {
    let api = Api::new().await;
    let sess = session(&api).await;
    let rt = s(&sess["refreshToken"]);
    let parts: Vec<&str> = rt.split('.').collect();
    let (_, mut claims) = decode_jwt(rt);
    claims["workingOrganizationId"] = json!("o10000000000001");
    let forged_claims = URL_SAFE_NO_PAD.encode(claims.to_string());
    let forged = format!("{}.{}.{}", parts[0], forged_claims, parts[2]);
    let none_header = URL_SAFE_NO_PAD.encode(r#"{"alg":"none"}"#);
    let alg_none = format!("{none_header}.{}.", parts[1]);
    let seed_example = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ1MTU1ODkzMTYxMDkwOTEiLCJhZG1pbkxldmVsIjoyLCJpc3MiOiJBUFAtUE9SVEFMIiwid29ya2luZ09yZ2FuaXphdGlvbklkIjoibzE1NTg5MzA4OTQ0NzgxIiwidXNlck5hbWUiOiJwb3J0YWxfZGVtbyIsIndvcmtpbmdPcmdhbml6YXRpb25OYW1lIjoiUG9ydGFsIERlbW8iLCJleHAiOjE1NzAwMTg5NTgsInVzZXJJZCI6InUxNTU4OTMxNjEwOTA5MSIsImlhdCI6MTU2NzQyNjk1OCwianRpIjoiand0X2lkIn0.Ql1vNVvb0ok2uWzzU1jiBzAyvRdBOkzzfnHD4PLsi1E";

    for bad in [
        forged.as_str(),
        alg_none.as_str(),
        seed_example,
        "not-a-jwt",
        "a.b.c",
    ] {
        err(&refresh(&api, bad).await, 31401, "Please login first");
    }
}

#[tokio::test]
async fn token_refresh_works_until_the_last_millisecond_of_thirty_days() {
    let api = Api::new().await;
    // On a whole second, `exp` (seconds) × 1000 is exactly issuance + 30 days.
    api.freeze().await;
    let first = session(&api).await;
    let second = session(&api).await;

    api.advance_ms(THIRTY_DAYS * 1000 - 1).await;
    assert_session_data(
        ok(&refresh(&api, s(&first["refreshToken"])).await),
        ORG,
        "Portal Demo",
    );

    api.advance_ms(1).await;
    err(
        &refresh(&api, s(&second["refreshToken"])).await,
        31401,
        "Please login first",
    );
}

#[tokio::test]
async fn an_access_token_lives_two_hours_to_the_millisecond() {
    let api = Api::new().await;
    api.freeze().await;
    let early = session(&api).await;
    let late = session(&api).await;
    let login_early = login(&api).await;
    let login_late = login(&api).await;

    api.advance_ms(2 * 3_600_000 - 1).await;
    let alive = get_with(&api, INFO, s(&early["accessToken"])).await;
    let login_alive = api.enos_set(&login_early, ORG, &[]).await;
    api.advance_ms(1).await;
    let expired = get_with(&api, INFO, s(&late["accessToken"])).await;
    let login_expired = api.enos_set(&login_late, ORG, &[]).await;

    assert_eq!(
        ok(&alive),
        &json!({
            "userId": USER_ID,
            "userName": ACCOUNT,
            "currentOrgId": ORG,
            "currentOrgName": "Portal Demo"
        })
    );
    assert_session_data(ok(&login_alive), ORG, "Portal Demo");
    err(&expired, 31401, "Please login first");
    err(&login_expired, 31401, "Please login first");
}

#[tokio::test]
async fn token_refresh_after_thirty_one_days_answers_31401() {
    let api = Api::new().await;
    let sess = session(&api).await;

    api.advance_clock(31 * 86_400).await;

    err(
        &refresh(&api, s(&sess["refreshToken"])).await,
        31401,
        "Please login first",
    );
}

#[tokio::test]
async fn sixty_four_concurrent_refreshes_of_one_refresh_token_succeed_exactly_once() {
    let api = Api::new().await;
    let sess = session(&api).await;
    let rt = s(&sess["refreshToken"]).to_string();

    let answers = futures::future::join_all((0..64).map(|_| refresh(&api, &rt))).await;

    let mut successes = 0;
    for r in &answers {
        if r.body["code"] == json!(0) {
            assert_session_data(ok(r), ORG, "Portal Demo");
            successes += 1;
        } else {
            err(r, 31401, "Please login first");
        }
    }
    assert_eq!(successes, 1);
}

// ---------------------------------------------------------------------------------------------
// §3.3 logout

#[tokio::test]
async fn logout_answers_true_and_kills_the_token_and_its_refresh_token() {
    let api = Api::new().await;
    let sess = session(&api).await;
    let access = s(&sess["accessToken"]);

    let r = get_with(&api, LOGOUT, access).await;

    assert_eq!(ok(&r), &json!(true));
    err(
        &get_with(&api, INFO, access).await,
        31401,
        "Please login first",
    );
    err(
        &refresh(&api, s(&sess["refreshToken"])).await,
        31401,
        "Please login first",
    );
    err(
        &get_with(&api, LOGOUT, access).await,
        31401,
        "Access token is not valid",
    );
}

#[tokio::test]
async fn logout_with_the_static_token_answers_true_and_keeps_it() {
    let api = Api::new().await;

    let first = get_with(&api, LOGOUT, STATIC_TOKEN).await;
    let second = get_with(&api, LOGOUT, STATIC_TOKEN).await;
    let set = api.enos_set(STATIC_TOKEN, ORG, &[]).await;

    assert_eq!(ok(&first), &json!(true));
    assert_eq!(ok(&second), &json!(true));
    assert_session_data(ok(&set), ORG, "Portal Demo");
}

#[tokio::test]
async fn a_revoked_static_token_answers_31401_until_reset() {
    let api = Api::new().await;
    let path = format!("/__admin/tokens/{STATIC_TOKEN}");
    let revoked = api.delete(&path, &[]).await;
    assert_eq!(revoked.status, 200, "{}", revoked.text);

    for _ in 0..2 {
        err(
            &api.enos_set(STATIC_TOKEN, ORG, &[]).await,
            31401,
            "Please login first",
        );
    }
    err(
        &get_with(&api, LOGOUT, STATIC_TOKEN).await,
        31401,
        "Access token is not valid",
    );
    let reset = api.post("/__admin/reset", &[], json!({})).await;
    assert_eq!(reset.status, 200, "{}", reset.text);
    assert_session_data(
        ok(&api.enos_set(STATIC_TOKEN, ORG, &[]).await),
        ORG,
        "Portal Demo",
    );
}

#[tokio::test]
async fn logout_with_a_login_only_token_kills_it() {
    let api = Api::new().await;
    let token = login(&api).await;

    assert_eq!(ok(&get_with(&api, LOGOUT, &token).await), &json!(true));

    err(
        &api.enos_set(&token, ORG, &[]).await,
        31401,
        "Please login first",
    );
}

#[tokio::test]
async fn logout_leaves_other_sessions_alive() {
    let api = Api::new().await;
    let first = session(&api).await;
    let second = session(&api).await;

    ok(&get_with(&api, LOGOUT, s(&first["accessToken"])).await);

    ok(&get_with(&api, INFO, s(&second["accessToken"])).await);
    ok(&refresh(&api, s(&second["refreshToken"])).await);
}

#[tokio::test]
async fn logout_without_or_with_an_unknown_token_answers_31401_access_token_is_not_valid() {
    let api = Api::new().await;

    err(
        &api.get(LOGOUT, &[]).await,
        31401,
        "Access token is not valid",
    );
    err(
        &get_with(
            &api,
            LOGOUT,
            "APP_PORTAL_S_unknownunknownunknownunknown1234",
        )
        .await,
        31401,
        "Access token is not valid",
    );
}

// ---------------------------------------------------------------------------------------------
// §3.3 refreshToken/revokeAll

#[tokio::test]
async fn revoke_all_sent_as_the_python_client_does_answers_true() {
    let api = Api::new().await;
    let sess = session(&api).await;

    let r = revoke_all(
        &api,
        s(&sess["accessToken"]),
        Some(s(&sess["refreshToken"])),
    )
    .await;

    assert_eq!(ok(&r), &json!(true));
}

#[tokio::test]
async fn revoke_all_refuses_every_refresh_token_of_the_user_but_keeps_access_tokens() {
    let api = Api::new().await;
    let first = session(&api).await;
    let second = session_of(&api, ACCOUNT, PASSWORD, "o15589308944781").await;
    let other_user = session_of(&api, "portal_admin", "Admin1234", "o15589308944781").await;

    ok(&revoke_all(
        &api,
        s(&second["accessToken"]),
        Some(s(&first["refreshToken"])),
    )
    .await);

    for sess in [&first, &second] {
        err(
            &refresh(&api, s(&sess["refreshToken"])).await,
            31401,
            "Please login first",
        );
        ok(&get_with(&api, INFO, s(&sess["accessToken"])).await);
    }
    ok(&refresh(&api, s(&other_user["refreshToken"])).await);
}

#[tokio::test]
async fn revoke_all_without_refresh_token_answers_31400() {
    let api = Api::new().await;
    let sess = session(&api).await;

    let r = revoke_all(&api, s(&sess["accessToken"]), None).await;

    err(&r, 31400, "Refresh Token is required");
    ok(&refresh(&api, s(&sess["refreshToken"])).await);
}

#[tokio::test]
async fn revoke_all_with_another_users_refresh_token_answers_31401() {
    let api = Api::new().await;
    let demo = session(&api).await;
    let admin = session_of(&api, "portal_admin", "Admin1234", "o15589308944781").await;

    let r = revoke_all(
        &api,
        s(&demo["accessToken"]),
        Some(s(&admin["refreshToken"])),
    )
    .await;

    err(&r, 31401, "Please login first");
    ok(&refresh(&api, s(&admin["refreshToken"])).await);
    ok(&refresh(&api, s(&demo["refreshToken"])).await);
}

#[tokio::test]
async fn revoke_all_without_a_bearer_answers_31401_first() {
    let api = Api::new().await;
    let sess = session(&api).await;

    let r = api
        .post_raw(
            REVOKE_ALL,
            &[("content-type", "application/x-www-form-urlencoded")],
            b"{}",
        )
        .await;
    err(&r, 31401, "Please login first");

    let r = api
        .post_raw(
            &format!("{REVOKE_ALL}?refreshToken={}", s(&sess["refreshToken"])),
            &[("content-type", "application/x-www-form-urlencoded")],
            b"{}",
        )
        .await;
    err(&r, 31401, "Please login first");
    ok(&refresh(&api, s(&sess["refreshToken"])).await);
}

#[tokio::test]
async fn revoke_all_with_a_login_only_token_of_the_user_works() {
    let api = Api::new().await;
    let sess = session(&api).await;
    let token = login(&api).await;

    let r = revoke_all(&api, &token, Some(s(&sess["refreshToken"]))).await;

    assert_eq!(ok(&r), &json!(true));
    err(
        &refresh(&api, s(&sess["refreshToken"])).await,
        31401,
        "Please login first",
    );
}

// ---------------------------------------------------------------------------------------------
// the vendor's Python client (poseidon)

#[tokio::test]
async fn session_info_accepts_a_get_with_json_content_type_and_a_body() {
    let api = Api::new().await;
    let sess = session(&api).await;
    let auth = bearer(s(&sess["accessToken"]));

    for body in [&b"{}"[..], b"{\"orgId\":\"yourOrgId\"}", b"not json at all"] {
        let r = api
            .send(
                "GET",
                INFO,
                &[
                    ("authorization", auth.as_str()),
                    ("content-type", "application/json;charset=utf-8"),
                ],
                Some(body.to_vec()),
            )
            .await;
        assert_eq!(ok(&r)["currentOrgId"], json!(ORG));
    }
}

#[tokio::test]
async fn the_python_client_flow_with_title_cased_headers_works_end_to_end() {
    let api = Api::new().await;
    let json_ct = ("Content-Type", "application/json;charset=utf-8");
    let manners = [
        ("Apim-Accesstoken", "blob"),
        ("Connection", "close"),
        json_ct,
    ];

    let r = raw(
        &api,
        "POST",
        LOGIN,
        &manners,
        br#"{"account":"portal_demo","password":"Test1234"}"#,
    )
    .await;
    let token = assert_portal_token(&ok(&r)["accessToken"]);

    let auth = bearer(&token);
    let mut h = manners.to_vec();
    h.push(("Authorization", auth.as_str()));
    let r = raw(&api, "POST", SET, &h, br#"{"orgId":"yourOrgId"}"#).await;
    let (access, rt) = assert_session_data(ok(&r), ORG, "Portal Demo");

    let auth = bearer(&access);
    let mut h = manners.to_vec();
    h.push(("Authorization", auth.as_str()));
    let r = raw(&api, "GET", INFO, &h, b"{}").await;
    assert_eq!(ok(&r)["currentOrgName"], json!("Portal Demo"));
    let r = raw(&api, "GET", USER_INFO, &h, b"").await;
    assert_eq!(ok(&r)["id"], json!(USER_ID));

    let r = raw(
        &api,
        "GET",
        &format!("{REFRESH}?refreshToken={rt}"),
        &manners,
        b"{}",
    )
    .await;
    let (access, rt) = assert_session_data(ok(&r), ORG, "Portal Demo");

    let auth = bearer(&access);
    let h = [
        ("Apim-Accesstoken", "blob"),
        ("Connection", "close"),
        ("Content-Type", "application/x-www-form-urlencoded"),
        ("Authorization", auth.as_str()),
    ];
    let r = raw(
        &api,
        "POST",
        &format!("{REVOKE_ALL}?refreshToken={rt}"),
        &h,
        b"{}",
    )
    .await;
    assert_eq!(ok(&r), &json!(true));

    let mut h = manners.to_vec();
    h.push(("Authorization", auth.as_str()));
    let r = raw(&api, "GET", LOGOUT, &h, b"").await;
    assert_eq!(ok(&r), &json!(true));
}

#[tokio::test]
async fn no_enos_answer_carries_a_top_level_apim_status_key() {
    let api = Api::new().await;
    let sess = session(&api).await;
    let access = s(&sess["accessToken"]);
    let answers = vec![
        api.enos_login(ACCOUNT, PASSWORD, &[]).await,
        api.enos_login(ACCOUNT, "wrong", &[]).await,
        api.enos_set(STATIC_TOKEN, ORG, &[]).await,
        api.enos_set(STATIC_TOKEN, "o10000000000001", &[]).await,
        api.enos_set("nope", ORG, &[]).await,
        get_with(&api, INFO, access).await,
        get_with(&api, USER_INFO, STATIC_TOKEN).await,
        api.get(REFRESH, &[]).await,
        refresh(&api, "a.b.c").await,
        api.get(LOGOUT, &[]).await,
        revoke_all(&api, access, None).await,
        api.post_raw(SET, &[("content-type", "application/json")], b"{")
            .await,
    ];

    for r in &answers {
        assert_eq!(r.status, 200, "{}", r.text);
        let obj = r.body.as_object().unwrap_or_else(|| panic!("{}", r.text));
        assert!(!obj.contains_key("apim_status"), "{}", r.text);
        assert!(
            obj.contains_key("code") && obj.contains_key("message") && obj.contains_key("data")
        );
    }
}

#[tokio::test]
async fn no_fixture_user_is_a_member_of_other_org() {
    let api = Api::new().await;
    for (account, password) in [
        (ACCOUNT, PASSWORD),
        ("portal_admin", "Admin1234"),
        ("portal_user", "User1234"),
    ] {
        let r = api
            .post(
                LOGIN,
                &[],
                json!({"account": account, "password": password}),
            )
            .await;
        let token = r.body["data"]["accessToken"].as_str().unwrap().to_string();
        let orgs = r.body["data"]["organizations"].as_array().unwrap();
        assert!(
            orgs.iter().all(|o| o["id"] != "o10000000000001"),
            "{account}: {orgs:?}"
        );
        let set = api.enos_set(&token, "o10000000000001", &[]).await;
        assert_eq!(set.body["code"], 31404, "{account}: {}", set.text);
    }
}
