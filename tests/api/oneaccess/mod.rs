//! OneAccess (Huawei Cloud IDaaS): contract §0 as it applies to the family, and all of §2 —
//! tenant/token, sdk/login, the seed route session-token/sso-ticket, and sso-ticket/verify.

use crate::fixtures::oa::{
    CLIENT_ID, CLIENT_SECRET, FINGERPRINT, LOGIN, OTHER_CLIENT_ID, OTHER_CLIENT_SECRET,
    OTHER_TENANT, PASSWORD, TENANT, TICKET, TOKEN, USER, USER_ID, VERIFY,
};
use crate::fixtures::{enos, koo};
use crate::helpers::{keys, Api, Resp};
use base64::Engine;
use futures::future::join_all;
use serde_json::{json, Value};

/// The seed example's fingerprint.
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

/// The seed 002 example body, verbatim, with a real session token.
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

// ---------------------------------------------------------------- 2.1 tenant/token

#[tokio::test]
async fn tenant_token_issues_a_uuid_bearer_token_for_1800_seconds() {
    let api = Api::new().await;

    let r = request_token(
        &api,
        &format!(
            "grant_type=client_credentials&client_id={CLIENT_ID}&client_secret={CLIENT_SECRET}"
        ),
    )
    .await;

    assert_ok(&r);
    assert_eq!(
        keys(&r.body),
        [
            "access_token",
            "expires_in",
            "id_token",
            "scope",
            "token_type"
        ]
    );
    assert_uuid_v4(
        r.body["access_token"]
            .as_str()
            .expect("access_token string"),
    );
    assert_eq!(r.body["token_type"], json!("Bearer"));
    assert_eq!(r.body["expires_in"], json!(1800));
    assert_eq!(r.body["scope"], json!("all"));
    assert_jwt(r.body["id_token"].as_str().expect("id_token string"));
}

#[tokio::test]
async fn tenant_token_with_a_wrong_secret_answers_invalid_client_401() {
    let api = Api::new().await;

    let r = request_token(
        &api,
        &format!("grant_type=client_credentials&client_id={CLIENT_ID}&client_secret=nope"),
    )
    .await;

    assert_error(&r, 401, "invalid_client", "Bad client credentials");
}

#[tokio::test]
async fn tenant_token_for_an_unknown_client_answers_invalid_client_401() {
    let api = Api::new().await;

    let r = request_token(
        &api,
        &format!(
            "grant_type=client_credentials&client_id=NoSuchClient&client_secret={CLIENT_SECRET}"
        ),
    )
    .await;

    assert_error(&r, 401, "invalid_client", "Bad client credentials");
}

#[tokio::test]
async fn tenant_token_with_another_grant_type_answers_unsupported_grant_type() {
    let api = Api::new().await;

    let r = request_token(
        &api,
        &format!("grant_type=password&client_id={CLIENT_ID}&client_secret={CLIENT_SECRET}"),
    )
    .await;

    assert_error(&r, 400, "unsupported_grant_type", "Unsupported grant type");
}

#[tokio::test]
async fn tenant_token_without_a_field_answers_param_0001_naming_it() {
    let api = Api::new().await;
    let fields = [
        ("grant_type", "client_credentials"),
        ("client_id", CLIENT_ID),
        ("client_secret", CLIENT_SECRET),
    ];
    for (missing, _) in fields {
        for empty in [false, true] {
            let form: Vec<String> = fields
                .iter()
                .filter(|(k, _)| empty || *k != missing)
                .map(|(k, v)| {
                    if *k == missing {
                        format!("{k}=")
                    } else {
                        format!("{k}={v}")
                    }
                })
                .collect();

            let r = request_token(&api, &form.join("&")).await;

            assert_error(&r, 400, "PARAM.0001", &format!("{missing} is required."));
        }
    }
}

#[tokio::test]
async fn a_second_tenant_token_does_not_revoke_the_first() {
    let api = Api::new().await;
    let first = app_token(&api).await;
    let second = app_token(&api).await;
    let session = session_token(&api).await;

    let with_first = ask_ticket(&api, &first, seed_body(&session)).await;
    let with_second = ask_ticket(&api, &second, seed_body(&session)).await;

    assert_ne!(first, second);
    assert_ok(&with_first);
    assert_ok(&with_second);
}

#[tokio::test]
async fn tenant_token_body_over_64_kib_answers_413_with_the_param_error() {
    let api = Api::new().await;
    let form = format!(
        "grant_type=client_credentials&client_id={CLIENT_ID}&client_secret={CLIENT_SECRET}&pad={}",
        "a".repeat(70 * 1024)
    );

    let r = request_token(&api, &form).await;

    assert_error(&r, 413, "PARAM.0001", "Invalid request body.");
}

// ---------------------------------------------------------------- 2.2 sdk/login

#[tokio::test]
async fn sdk_login_issues_a_bts_session_token_for_a_week() {
    let api = Api::new().await;

    let r = login(&api, USER, PASSWORD).await;

    assert_ok(&r);
    assert_eq!(
        keys(&r.body),
        ["expire", "id_token", "session_token", "status"]
    );
    assert_eq!(r.body["status"], json!("SUCCESS"));
    assert_eq!(r.body["expire"], json!(604800));
    let st = r.body["session_token"]
        .as_str()
        .expect("session_token string");
    assert!(st.starts_with("bts"), "{st}");
    assert_eq!(st.len(), 43, "bts + 40 base62: {st}");
    assert!(is_base62(&st[3..]), "{st}");
    assert_jwt(r.body["id_token"].as_str().expect("id_token string"));
}

#[tokio::test]
async fn sdk_login_twice_issues_distinct_session_tokens() {
    let api = Api::new().await;

    let a = session_token(&api).await;
    let b = session_token(&api).await;

    assert_ne!(a, b);
}

#[tokio::test]
async fn sdk_login_without_a_required_header_answers_param_0001_naming_it() {
    let api = Api::new().await;
    for header in [
        "X-client-id",
        "X-device-fingerprint",
        "X-operating-sys-version",
        "X-agent",
    ] {
        let r = login_with(
            &api,
            CLIENT_ID,
            FINGERPRINT,
            &[header],
            &[],
            json!({"user_name": USER, "password": PASSWORD}),
        )
        .await;

        assert_error(&r, 400, "PARAM.0001", &format!("{header} is required."));
    }
}

#[tokio::test]
async fn sdk_login_with_an_empty_required_header_answers_param_0001_naming_it() {
    let api = Api::new().await;

    let r = login_with(
        &api,
        CLIENT_ID,
        FINGERPRINT,
        &["X-agent"],
        &[("X-agent", "")],
        json!({"user_name": USER, "password": PASSWORD}),
    )
    .await;

    assert_error(&r, 400, "PARAM.0001", "X-agent is required.");
}

#[tokio::test]
async fn sdk_login_without_user_name_or_password_answers_param_0001_naming_it() {
    let api = Api::new().await;
    for (body, field) in [
        (json!({"password": PASSWORD}), "user_name"),
        (json!({"user_name": "", "password": PASSWORD}), "user_name"),
        (
            json!({"user_name": null, "password": PASSWORD}),
            "user_name",
        ),
        (json!({"user_name": USER}), "password"),
        (json!({"user_name": USER, "password": ""}), "password"),
    ] {
        let r = login_with(&api, CLIENT_ID, FINGERPRINT, &[], &[], body).await;

        assert_error(&r, 400, "PARAM.0001", &format!("{field} is required."));
    }
}

#[tokio::test]
async fn sdk_login_with_a_malformed_body_answers_param_0001_invalid_request_body() {
    let api = Api::new().await;

    let r = api
        .post_raw(
            LOGIN,
            &[
                ("content-type", "application/json"),
                ("X-client-id", CLIENT_ID),
                ("X-device-fingerprint", FINGERPRINT),
                ("X-operating-sys-version", "Android 10"),
                ("X-agent", AGENT),
            ],
            br#"{"user_name":"zhangsan","password":"Zhangsan@123",}"#,
        )
        .await;

    assert_error(&r, 400, "PARAM.0001", "Invalid request body.");
}

#[tokio::test]
async fn sdk_login_with_a_wrong_password_counts_down_the_remaining_attempts() {
    let api = Api::new().await;
    for remaining in (0..=9).rev() {
        let r = login(&api, USER, "wrong").await;

        assert_error(
            &r,
            400,
            "LOGIN.0002",
            &format!("Invalid account name or password. Remaining attempts: {remaining}."),
        );
    }
}

#[tokio::test]
async fn sdk_login_after_ten_failures_answers_login_0003_even_with_the_right_password() {
    let api = Api::new().await;
    for _ in 0..10 {
        assert_eq!(
            login(&api, USER, "wrong").await.body["error_code"],
            "LOGIN.0002"
        );
    }

    let right = login(&api, USER, PASSWORD).await;
    let wrong = login(&api, USER, "wrong").await;

    assert_error(&right, 400, "LOGIN.0003", "Account is locked.");
    assert_error(&wrong, 400, "LOGIN.0003", "Account is locked.");
}

#[tokio::test]
async fn sdk_login_lock_lifts_at_exactly_15_minutes_and_the_count_starts_again() {
    let api = Api::new().await;
    api.freeze().await;
    for _ in 0..10 {
        assert_eq!(
            login(&api, USER, "wrong").await.body["error_code"],
            "LOGIN.0002"
        );
    }

    api.advance_ms(15 * 60_000 - 1).await;
    let still_locked = login(&api, USER, PASSWORD).await;
    api.advance_ms(1).await;
    let unlocked = login(&api, USER, PASSWORD).await;
    let next_failure = login(&api, USER, "wrong").await;

    assert_error(&still_locked, 400, "LOGIN.0003", "Account is locked.");
    assert_ok(&unlocked);
    assert_eq!(unlocked.body["status"], json!("SUCCESS"));
    assert_error(
        &next_failure,
        400,
        "LOGIN.0002",
        "Invalid account name or password. Remaining attempts: 9.",
    );
}

#[tokio::test]
async fn sdk_login_success_resets_the_failure_count() {
    let api = Api::new().await;
    for _ in 0..9 {
        assert_eq!(
            login(&api, USER, "wrong").await.body["error_code"],
            "LOGIN.0002"
        );
    }

    let success = login(&api, USER, PASSWORD).await;
    let failure = login(&api, USER, "wrong").await;

    assert_ok(&success);
    assert_error(
        &failure,
        400,
        "LOGIN.0002",
        "Invalid account name or password. Remaining attempts: 9.",
    );
}

#[tokio::test]
async fn sdk_login_lock_is_per_account() {
    let api = Api::new().await;
    for _ in 0..10 {
        login(&api, USER, "wrong").await;
    }

    let other = login(&api, "oa_admin", "Admin@OneAccess1").await;

    assert_ok(&other);
}

#[tokio::test]
async fn sdk_login_of_an_unknown_user_answers_login_0002_and_never_locks() {
    let api = Api::new().await;
    let mut messages = Vec::new();
    for _ in 0..12 {
        let r = login(&api, "nobody", "whatever").await;
        assert_eq!(r.status, 400, "{}", r.text);
        assert_json_content_type(&r);
        assert_eq!(keys(&r.body), ["error_code", "error_msg"]);
        assert_eq!(r.body["error_code"], json!("LOGIN.0002"), "{}", r.text);
        messages.push(r.body["error_msg"].as_str().expect("msg").to_owned());
    }

    assert!(
        messages[0].starts_with("Invalid account name or password."),
        "{messages:?}"
    );
    assert!(
        messages.iter().all(|m| m == &messages[0]),
        "unknown accounts count nothing: {messages:?}"
    );
}

#[tokio::test]
async fn sdk_login_with_an_unknown_client_answers_app_0001() {
    let api = Api::new().await;

    let r = login_with(
        &api,
        "NoSuchClient",
        FINGERPRINT,
        &[],
        &[],
        json!({"user_name": USER, "password": PASSWORD}),
    )
    .await;

    assert_error(&r, 400, "APP.0001", "Application does not exist.");
}

#[tokio::test]
async fn sdk_login_with_another_tenant_id_answers_tenant_0001() {
    let api = Api::new().await;

    let r = login_with(
        &api,
        CLIENT_ID,
        FINGERPRINT,
        &[],
        &[("X-tenant-id", OTHER_TENANT)],
        json!({"user_name": USER, "password": PASSWORD}),
    )
    .await;

    assert_error(&r, 400, "TENANT.0001", "Tenant does not match.");
}

#[tokio::test]
async fn sdk_login_with_the_clients_own_tenant_id_succeeds() {
    let api = Api::new().await;

    let r = login_with(
        &api,
        CLIENT_ID,
        FINGERPRINT,
        &[],
        &[("X-tenant-id", TENANT)],
        json!({"user_name": USER, "password": PASSWORD}),
    )
    .await;

    assert_ok(&r);
    assert_eq!(r.body["status"], json!("SUCCESS"));
}

// ---------------------------------------------------------------- 2.3 session-token/sso-ticket (seed 002)

#[tokio::test]
async fn seed_example_with_real_tokens_answers_a_ticket_for_9600_seconds() {
    let api = Api::new().await;
    let bearer = app_token(&api).await;
    let session = session_token(&api).await;

    let r = ask_ticket(&api, &bearer, seed_body(&session)).await;

    assert_ok(&r);
    assert_eq!(keys(&r.body), ["expire", "sso_ticket"]);
    assert_eq!(r.body["expire"], json!(9600));
    let t = r.body["sso_ticket"].as_str().expect("sso_ticket string");
    assert_eq!(t.len(), 32, "{t}");
    assert!(is_base62(t), "{t}");
}

#[tokio::test]
async fn sso_ticket_without_optional_fields_and_tenant_header_succeeds() {
    let api = Api::new().await;
    let bearer = app_token(&api).await;
    let session = session_token(&api).await;
    let auth = format!("Bearer {bearer}");

    let r = api
        .post(
            TICKET,
            &[("Authorization", auth.as_str())],
            json!({
                "session_token": session,
                "operating_sys_version": "Android 10",
                "device_ip": "10.10.10.1",
                "device_fingerprint": FINGERPRINT
            }),
        )
        .await;

    assert_ok(&r);
    assert_eq!(r.body["expire"], json!(9600));
}

#[tokio::test]
async fn one_session_token_yields_distinct_tickets_that_each_redeem() {
    let api = Api::new().await;
    let bearer = app_token(&api).await;
    let session = session_token(&api).await;

    let a = ticket(&api, &bearer, &session).await;
    let b = ticket(&api, &bearer, &session).await;
    let ra = verify(&api, &bearer, verify_body(&a)).await;
    let rb = verify(&api, &bearer, verify_body(&b)).await;

    assert_ne!(a, b);
    assert_ok(&ra);
    assert_ok(&rb);
}

#[tokio::test]
async fn sso_ticket_without_authorization_answers_param_0001() {
    let api = Api::new().await;
    let session = session_token(&api).await;

    let r = api
        .post_raw(
            TICKET,
            &[("Content-Type", SEED_CONTENT_TYPE), ("X-tenant-id", TENANT)],
            seed_body(&session).to_string().as_bytes(),
        )
        .await;

    assert_error(&r, 400, "PARAM.0001", "Authorization is required.");
}

#[tokio::test]
async fn sso_ticket_with_an_empty_authorization_answers_param_0001() {
    let api = Api::new().await;
    let session = session_token(&api).await;

    let r = api
        .post(TICKET, &[("Authorization", "")], seed_body(&session))
        .await;

    assert_error(&r, 400, "PARAM.0001", "Authorization is required.");
}

#[tokio::test]
async fn sso_ticket_with_an_unknown_bearer_answers_invalid_token() {
    let api = Api::new().await;
    let session = session_token(&api).await;
    let unknown = "334963fc-1e4a-473b-9096-52a929140abc";

    let r = ask_ticket(&api, unknown, seed_body(&session)).await;

    assert_error(
        &r,
        400,
        "invalid_token",
        &format!("Invalid access token: {unknown}"),
    );
}

#[tokio::test]
async fn sso_ticket_with_a_bare_app_token_is_refused_with_invalid_token() {
    let api = Api::new().await;
    let bearer = app_token(&api).await;
    let session = session_token(&api).await;

    let r = api
        .post(
            TICKET,
            &[("Authorization", bearer.as_str())],
            seed_body(&session),
        )
        .await;

    assert_error(
        &r,
        400,
        "invalid_token",
        &format!("Invalid access token: {bearer}"),
    );
}

#[tokio::test]
async fn sso_ticket_accepts_bearer_joined_with_a_plus() {
    let api = Api::new().await;
    let bearer = app_token(&api).await;
    let session = session_token(&api).await;
    let auth = format!("Bearer+{bearer}");

    let r = api
        .post(
            TICKET,
            &[("Authorization", auth.as_str())],
            seed_body(&session),
        )
        .await;

    assert_ok(&r);
    assert_eq!(r.body["expire"], json!(9600));
}

#[tokio::test]
async fn app_token_works_until_its_last_millisecond_of_30_minutes() {
    let api = Api::new().await;
    api.freeze().await;
    let bearer = app_token(&api).await;
    let session = session_token(&api).await;

    api.advance_ms(30 * 60_000 - 1).await;
    let alive = ask_ticket(&api, &bearer, seed_body(&session)).await;
    api.advance_ms(1).await;
    let expired = ask_ticket(&api, &bearer, seed_body(&session)).await;

    assert_ticket_issued(&alive);
    assert_error(
        &expired,
        400,
        "invalid_token",
        &format!("Access token expired:{bearer}"),
    );
}

#[tokio::test]
async fn sso_ticket_without_or_with_an_empty_session_token_answers_param_0005() {
    let api = Api::new().await;
    let bearer = app_token(&api).await;
    for session in [None, Some(json!("")), Some(json!(null))] {
        let mut body = seed_body("x");
        match session {
            None => {
                body.as_object_mut()
                    .expect("object")
                    .remove("session_token");
            }
            Some(v) => body["session_token"] = v,
        }

        let r = ask_ticket(&api, &bearer, body).await;

        assert_error(&r, 400, "PARAM.0005", "Token required.");
    }
}

#[tokio::test]
async fn sso_ticket_without_another_required_field_answers_param_0001_naming_it() {
    let api = Api::new().await;
    let bearer = app_token(&api).await;
    let session = session_token(&api).await;
    for field in ["operating_sys_version", "device_ip", "device_fingerprint"] {
        for how in ["absent", "empty", "null"] {
            let mut body = seed_body(&session);
            match how {
                "absent" => {
                    body.as_object_mut().expect("object").remove(field);
                }
                "empty" => body[field] = json!(""),
                _ => body[field] = json!(null),
            }

            let r = ask_ticket(&api, &bearer, body).await;

            assert_error(&r, 400, "PARAM.0001", &format!("{field} is required."));
        }
    }
}

#[tokio::test]
async fn sso_ticket_with_an_unknown_session_token_answers_session_0001() {
    let api = Api::new().await;
    let bearer = app_token(&api).await;

    let r = ask_ticket(
        &api,
        &bearer,
        seed_body("btsAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"),
    )
    .await;

    assert_error(
        &r,
        400,
        "SESSION.0001",
        "Session token is invalid or expired.",
    );
}

#[tokio::test]
async fn session_token_lives_one_week_to_the_millisecond() {
    let api = Api::new().await;
    api.freeze().await;
    let session = session_token(&api).await;

    api.advance_ms(604_800_000 - 1).await;
    let bearer = app_token(&api).await;
    let alive = ask_ticket(&api, &bearer, seed_body(&session)).await;
    api.advance_ms(1).await;
    let bearer = app_token(&api).await;
    let expired = ask_ticket(&api, &bearer, seed_body(&session)).await;

    assert_ticket_issued(&alive);
    assert_error(
        &expired,
        400,
        "SESSION.0001",
        "Session token is invalid or expired.",
    );
}

#[tokio::test]
async fn sso_ticket_with_another_fingerprint_answers_session_0002() {
    let api = Api::new().await;
    let bearer = app_token(&api).await;
    let session = session_token(&api).await;
    let mut body = seed_body(&session);
    body["device_fingerprint"] = json!("156aysdna213sc50");

    let r = ask_ticket(&api, &bearer, body).await;

    assert_error(
        &r,
        400,
        "SESSION.0002",
        "Device fingerprint does not match.",
    );
}

#[tokio::test]
async fn sso_ticket_with_a_wrong_tenant_header_answers_tenant_0001() {
    let api = Api::new().await;
    let bearer = app_token(&api).await;
    let session = session_token(&api).await;
    let auth = format!("Bearer {bearer}");
    for tenant in [OTHER_TENANT, "ffffffffffffffffffffffffffffffff"] {
        let r = api
            .post(
                TICKET,
                &[("Authorization", auth.as_str()), ("X-tenant-id", tenant)],
                seed_body(&session),
            )
            .await;

        assert_error(&r, 400, "TENANT.0001", "Tenant does not match.");
    }
}

#[tokio::test]
async fn other_tenants_app_token_with_the_seed_tenant_header_answers_tenant_0001() {
    let api = Api::new().await;
    let bearer = app_token_of(&api, OTHER_CLIENT_ID, OTHER_CLIENT_SECRET).await;
    let session = session_token(&api).await;

    let r = ask_ticket(&api, &bearer, seed_body(&session)).await;

    assert_error(&r, 400, "TENANT.0001", "Tenant does not match.");
}

#[tokio::test]
async fn a_ticket_verified_by_another_tenants_app_is_refused_and_stays_redeemable() {
    let api = Api::new().await;
    let bearer = app_token(&api).await;
    let session = session_token(&api).await;
    let t = ticket(&api, &bearer, &session).await;
    let other = app_token_of(&api, OTHER_CLIENT_ID, OTHER_CLIENT_SECRET).await;

    // No X-tenant-id (the header check would answer TENANT.0001 first): the ticket's own tenant decides.
    let foreign = api.oa_verify(&other, &t, &[]).await;
    let foreign_header = api
        .oa_verify(&other, &t, &[("X-tenant-id", OTHER_TENANT)])
        .await;
    let own = api.oa_verify(&bearer, &t, &[]).await;

    let refused = "SSO ticket is invalid, used or expired.";
    assert_error(&foreign, 400, "TICKET.0001", refused);
    assert_error(&foreign_header, 400, "TICKET.0001", refused);
    assert_ok(&own);
    assert_eq!(own.body, zhangsan());
}

#[tokio::test]
async fn sso_ticket_with_an_unknown_body_client_id_answers_app_0001() {
    let api = Api::new().await;
    let bearer = app_token(&api).await;
    let session = session_token(&api).await;
    let mut body = seed_body(&session);
    body["client_id"] = json!("NoSuchClient");

    let r = ask_ticket(&api, &bearer, body).await;

    assert_error(&r, 400, "APP.0001", "Application does not exist.");
}

#[tokio::test]
async fn session_token_of_another_tenants_user_is_refused_with_session_0001() {
    let api = Api::new().await;
    let bearer = app_token(&api).await;
    let foreign = session_token_of(&api, OTHER_CLIENT_ID, "lisi", "Lisi@12345").await;

    let r = ask_ticket(&api, &bearer, seed_body(&foreign)).await;

    assert_error(
        &r,
        400,
        "SESSION.0001",
        "Session token is invalid or expired.",
    );
}

#[tokio::test]
async fn sso_ticket_with_malformed_json_answers_param_0001_invalid_request_body() {
    let api = Api::new().await;
    let bearer = app_token(&api).await;
    let bodies: [&[u8]; 5] = [
        br#"{"session_token": "x", }"#,
        b"[]",
        br#""x""#,
        b"",
        b"{\"session_token\": \"\xff\xfe\"}",
    ];
    for body in bodies {
        let r = post_seed_style(&api, TICKET, &bearer, body).await;

        assert_error(&r, 400, "PARAM.0001", "Invalid request body.");
    }
}

#[tokio::test]
async fn sso_ticket_with_a_field_of_the_wrong_type_answers_param_0001() {
    let api = Api::new().await;
    let bearer = app_token(&api).await;
    let session = session_token(&api).await;
    let mut body = seed_body(&session);
    body["device_ip"] = json!(true);

    let r = ask_ticket(&api, &bearer, body).await;

    assert_eq!(r.status, 400, "{}", r.text);
    assert_json_content_type(&r);
    assert_eq!(keys(&r.body), ["error_code", "error_msg"]);
    assert_eq!(r.body["error_code"], json!("PARAM.0001"));
}

#[tokio::test]
async fn sso_ticket_body_over_64_kib_answers_413_with_the_param_error() {
    let api = Api::new().await;
    let bearer = app_token(&api).await;
    let session = session_token(&api).await;
    let mut body = seed_body(&session);
    body["agent"] = json!("A".repeat(65 * 1024));

    let r = ask_ticket(&api, &bearer, body).await;

    assert_error(&r, 413, "PARAM.0001", "Invalid request body.");
}

#[tokio::test]
async fn sso_ticket_body_of_exactly_64_kib_is_accepted() {
    let api = Api::new().await;
    let bearer = app_token(&api).await;
    let session = session_token(&api).await;
    let mut body = seed_body(&session);
    body["agent"] = json!("");
    let pad = 64 * 1024 - body.to_string().len();
    body["agent"] = json!("A".repeat(pad));
    assert_eq!(body.to_string().len(), 64 * 1024);

    let r = ask_ticket(&api, &bearer, body).await;

    assert_ok(&r);
}

#[tokio::test]
async fn authorization_is_checked_before_the_body() {
    let api = Api::new().await;
    let bearer = app_token(&api).await;

    let missing = api
        .post_raw(TICKET, &[("Content-Type", SEED_CONTENT_TYPE)], b"")
        .await;
    let unknown = post_seed_style(&api, TICKET, "not-a-token", b"").await;
    api.advance_clock(31 * 60).await;
    let expired = post_seed_style(&api, TICKET, &bearer, b"{}").await;

    assert_error(&missing, 400, "PARAM.0001", "Authorization is required.");
    assert_error(
        &unknown,
        400,
        "invalid_token",
        "Invalid access token: not-a-token",
    );
    assert_error(
        &expired,
        400,
        "invalid_token",
        &format!("Access token expired:{bearer}"),
    );
}

#[tokio::test]
async fn parameters_are_checked_before_the_session_state() {
    let api = Api::new().await;
    let bearer = app_token(&api).await;
    let mut body = seed_body("btsUnknownUnknownUnknownUnknownUnknownUnkno");
    body.as_object_mut().expect("object").remove("device_ip");

    let r = ask_ticket(&api, &bearer, body).await;

    assert_error(&r, 400, "PARAM.0001", "device_ip is required.");
}

// ---------------------------------------------------------------- §0 on the seed route

#[tokio::test]
async fn sso_ticket_accepts_any_json_content_type_or_none() {
    let api = Api::new().await;
    let bearer = app_token(&api).await;
    let session = session_token(&api).await;
    let auth = format!("Bearer {bearer}");
    let body = seed_body(&session).to_string();
    for ct in [
        Some("application/json"),
        Some("application/json; charset=utf-8"),
        Some("APPLICATION/JSON;CHARSET=UTF8"),
        Some("text/plain"),
        None,
    ] {
        let mut h = vec![("authorization", auth.as_str())];
        if let Some(ct) = ct {
            h.push(("content-type", ct));
        }

        let r = api.post_raw(TICKET, &h, body.as_bytes()).await;

        assert_ok(&r);
        assert_eq!(r.body["expire"], json!(9600), "content-type {ct:?}");
    }
}

#[tokio::test]
async fn sso_ticket_ignores_unknown_fields_and_gateway_headers_and_coerces_numbers() {
    let api = Api::new().await;
    let bearer = app_token(&api).await;
    let r = login_with(
        &api,
        CLIENT_ID,
        "12345",
        &[],
        &[],
        json!({"user_name": USER, "password": PASSWORD}),
    )
    .await;
    assert_ok(&r);
    let session = r.body["session_token"].as_str().expect("session_token");
    let auth = format!("Bearer {bearer}");
    let body = json!({
        "session_token": session,
        "operating_sys_version": 10,
        "device_ip": "10.10.10.1",
        "device_fingerprint": 12345,
        "surprise": {"nested": [1, 2, 3]}
    });

    let r = api
        .post(
            TICKET,
            &[
                ("Authorization", auth.as_str()),
                ("X-Traceid", "trace-1"),
                ("language", "en-US"),
                ("channel", "web"),
                ("User-Agent", "curl/8"),
                ("apim-accesstoken", "blob"),
            ],
            body,
        )
        .await;

    assert_ok(&r);
    assert_eq!(r.body["expire"], json!(9600));
}

#[tokio::test]
async fn a_repeated_leading_slash_is_served_as_a_single_one() {
    let api = Api::new().await;

    let r = api
        .post_raw(
            &format!("/{TOKEN}"),
            &[("content-type", FORM)],
            format!(
                "grant_type=client_credentials&client_id={CLIENT_ID}&client_secret={CLIENT_SECRET}"
            )
            .as_bytes(),
        )
        .await;

    assert_ok(&r);
    assert_eq!(r.body["token_type"], json!("Bearer"));
}

#[tokio::test]
async fn a_oneaccess_path_with_the_wrong_method_answers_405_with_allow() {
    let api = Api::new().await;

    let r = api.get(TICKET, &[]).await;

    assert_eq!(r.status, 405, "{}", r.text);
    assert_json_content_type(&r);
    assert!(r.header("allow").contains("POST"), "{:?}", r.headers);
    assert_eq!(
        r.body,
        json!({"error":"method not allowed","method":"GET","path":TICKET,"allow":["POST"]})
    );
}

#[tokio::test]
async fn a_mistyped_oneaccess_path_answers_404_listing_the_routes() {
    let api = Api::new().await;

    let r = api.post("/api/v2/tenant/tokens", &[], json!({})).await;

    assert_eq!(r.status, 404, "{}", r.text);
    assert_json_content_type(&r);
    assert_eq!(r.body["error"], json!("no route"));
    assert_eq!(r.body["method"], json!("POST"));
    assert_eq!(r.body["path"], json!("/api/v2/tenant/tokens"));
    let routes = r.body["routes"].as_array().expect("routes array");
    for route in [TOKEN, LOGIN, TICKET, VERIFY] {
        assert!(
            routes.contains(&json!(format!("POST {route}"))),
            "{route} missing from {routes:?}"
        );
    }
}

// ---------------------------------------------------------------- 2.4 sso-ticket/verify

#[tokio::test]
async fn verify_redeems_a_ticket_for_the_users_profile() {
    let api = Api::new().await;
    let bearer = app_token(&api).await;
    let session = session_token(&api).await;
    let t = ticket(&api, &bearer, &session).await;

    let r = verify(&api, &bearer, verify_body(&t)).await;

    assert_ok(&r);
    assert_eq!(r.body, zhangsan());
}

#[tokio::test]
async fn verify_answers_the_profile_of_the_user_who_logged_in() {
    let api = Api::new().await;
    let bearer = app_token(&api).await;
    let session = session_token_of(&api, CLIENT_ID, "oa_admin", "Admin@OneAccess1").await;
    let t = ticket(&api, &bearer, &session).await;

    let r = verify(&api, &bearer, verify_body(&t)).await;

    assert_ok(&r);
    assert_eq!(
        r.body,
        json!({"code": "200", "message": "success", "data": {"user": {
            "userName": "oa_admin",
            "id": "20220126153857263-A04D-60E0D4ADMIN",
            "name": "OneAccess Admin",
            "mobile": "+86-18300000001",
            "email": "oa.admin@oneaccess.example"
        }}})
    );
}

#[tokio::test]
async fn verify_a_second_time_answers_ticket_0001() {
    let api = Api::new().await;
    let bearer = app_token(&api).await;
    let session = session_token(&api).await;
    let t = ticket(&api, &bearer, &session).await;

    let first = verify(&api, &bearer, verify_body(&t)).await;
    let second = verify(&api, &bearer, verify_body(&t)).await;

    assert_ok(&first);
    assert_error(
        &second,
        400,
        "TICKET.0001",
        "SSO ticket is invalid, used or expired.",
    );
}

#[tokio::test]
async fn verify_an_unknown_ticket_answers_ticket_0001() {
    let api = Api::new().await;
    let bearer = app_token(&api).await;

    let r = verify(
        &api,
        &bearer,
        verify_body("cd7AAAAAAAAAAAAAAAAAAAAAAAAAAyjn"),
    )
    .await;

    assert_error(
        &r,
        400,
        "TICKET.0001",
        "SSO ticket is invalid, used or expired.",
    );
}

#[tokio::test]
async fn ticket_redeems_until_its_last_millisecond_of_9600_seconds() {
    let api = Api::new().await;
    api.freeze().await;
    let bearer = app_token(&api).await;
    let session = session_token(&api).await;
    let early = ticket(&api, &bearer, &session).await;
    let late = ticket(&api, &bearer, &session).await;

    api.advance_ms(9_600_000 - 1).await;
    let bearer = app_token(&api).await;
    let alive = verify(&api, &bearer, verify_body(&early)).await;
    api.advance_ms(1).await;
    let bearer = app_token(&api).await;
    let expired = verify(&api, &bearer, verify_body(&late)).await;

    assert_ok(&alive);
    assert_eq!(alive.body, zhangsan());
    assert_error(
        &expired,
        400,
        "TICKET.0001",
        "SSO ticket is invalid, used or expired.",
    );
}

#[tokio::test]
async fn verify_with_another_fingerprint_answers_session_0002() {
    let api = Api::new().await;
    let bearer = app_token(&api).await;
    let session = session_token(&api).await;
    let t = ticket(&api, &bearer, &session).await;
    let mut body = verify_body(&t);
    body["device_fingerprint"] = json!("another-device");

    let r = verify(&api, &bearer, body).await;

    assert_error(
        &r,
        400,
        "SESSION.0002",
        "Device fingerprint does not match.",
    );
}

#[tokio::test]
async fn verify_without_a_required_field_answers_param_0001_naming_it() {
    let api = Api::new().await;
    let bearer = app_token(&api).await;
    let session = session_token(&api).await;
    let t = ticket(&api, &bearer, &session).await;
    for field in [
        "sso_ticket",
        "operating_sys_version",
        "device_ip",
        "device_fingerprint",
    ] {
        let mut body = verify_body(&t);
        body.as_object_mut().expect("object").remove(field);

        let r = verify(&api, &bearer, body).await;

        assert_error(&r, 400, "PARAM.0001", &format!("{field} is required."));
    }
    // None of the refused attempts spent the ticket.
    assert_ok(&verify(&api, &bearer, verify_body(&t)).await);
}

#[tokio::test]
async fn verify_without_authorization_answers_param_0001() {
    let api = Api::new().await;
    let bearer = app_token(&api).await;
    let session = session_token(&api).await;
    let t = ticket(&api, &bearer, &session).await;

    let r = api.post(VERIFY, &[], verify_body(&t)).await;

    assert_error(&r, 400, "PARAM.0001", "Authorization is required.");
}

#[tokio::test]
async fn verify_with_a_wrong_tenant_header_answers_tenant_0001() {
    let api = Api::new().await;
    let bearer = app_token(&api).await;
    let session = session_token(&api).await;
    let t = ticket(&api, &bearer, &session).await;
    let auth = format!("Bearer {bearer}");

    let r = api
        .post(
            VERIFY,
            &[
                ("Authorization", auth.as_str()),
                ("X-tenant-id", OTHER_TENANT),
            ],
            verify_body(&t),
        )
        .await;

    assert_error(&r, 400, "TENANT.0001", "Tenant does not match.");
}

#[tokio::test]
async fn verify_with_malformed_json_answers_param_0001_invalid_request_body() {
    let api = Api::new().await;
    let bearer = app_token(&api).await;

    let r = post_seed_style(&api, VERIFY, &bearer, br#"{"sso_ticket": "#).await;

    assert_error(&r, 400, "PARAM.0001", "Invalid request body.");
}

#[tokio::test]
async fn thirty_two_concurrent_redemptions_of_one_ticket_succeed_exactly_once() {
    let api = Api::new().await;
    let bearer = app_token(&api).await;
    let session = session_token(&api).await;
    let t = ticket(&api, &bearer, &session).await;

    let answers = join_all((0..32).map(|_| verify(&api, &bearer, verify_body(&t)))).await;

    let winners: Vec<&Resp> = answers.iter().filter(|r| r.status == 200).collect();
    assert_eq!(winners.len(), 1, "exactly one redemption wins");
    assert_eq!(winners[0].body, zhangsan());
    for r in answers.iter().filter(|r| r.status != 200) {
        assert_error(
            r,
            400,
            "TICKET.0001",
            "SSO ticket is invalid, used or expired.",
        );
    }
}

// ---------------------------------------------------------------- token kinds never cross

#[tokio::test]
async fn a_koodrive_session_token_as_bearer_answers_invalid_token() {
    let api = Api::new().await;
    let session = session_token(&api).await;
    let created = api
        .post(koo::SESSION, &[], json!({"code": koo::SEED_CODE}))
        .await;
    assert_ok(&created);
    let koo = created.body["data"]["accessToken"]
        .as_str()
        .expect("accessToken")
        .to_owned();
    let raw = koo.strip_prefix("Bearer ").expect("Bearer prefix");

    let r = api
        .post(
            TICKET,
            &[("Authorization", koo.as_str())],
            seed_body(&session),
        )
        .await;

    assert_error(
        &r,
        400,
        "invalid_token",
        &format!("Invalid access token: {raw}"),
    );
}

#[tokio::test]
async fn a_koodrive_login_token_as_bearer_answers_invalid_token() {
    let api = Api::new().await;
    let session = session_token(&api).await;
    let login = api
        .post(
            koo::LOGIN,
            &[("x-hw-agentName", "authmock-tests")],
            json!({"account": koo::ACCOUNT, "authType": "1", "password": koo::PASSWORD}),
        )
        .await;
    assert_ok(&login);
    let at = login.body["data"]["sessionInfo"]["accessToken"]
        .as_str()
        .expect("accessToken");
    let raw = at.strip_prefix("AT ").expect("AT prefix");

    let r = ask_ticket(&api, raw, seed_body(&session)).await;

    assert_error(
        &r,
        400,
        "invalid_token",
        &format!("Invalid access token: {raw}"),
    );
}

#[tokio::test]
async fn an_enos_token_as_bearer_answers_invalid_token() {
    let api = Api::new().await;
    let session = session_token(&api).await;
    let login = api
        .post(
            enos::LOGIN,
            &[],
            json!({"account": enos::ACCOUNT, "password": enos::PASSWORD}),
        )
        .await;
    assert_ok(&login);
    let enos = login.body["data"]["accessToken"]
        .as_str()
        .expect("accessToken")
        .to_owned();

    let r = ask_ticket(&api, &enos, seed_body(&session)).await;

    assert_error(
        &r,
        400,
        "invalid_token",
        &format!("Invalid access token: {enos}"),
    );
}

#[tokio::test]
async fn a_session_token_or_id_token_as_bearer_answers_invalid_token() {
    let api = Api::new().await;
    let login = login(&api, USER, PASSWORD).await;
    assert_ok(&login);
    let session = login.body["session_token"].as_str().expect("session_token");
    let id_token = login.body["id_token"].as_str().expect("id_token");
    for bearer in [session, id_token] {
        let r = ask_ticket(&api, bearer, seed_body(session)).await;

        assert_error(
            &r,
            400,
            "invalid_token",
            &format!("Invalid access token: {bearer}"),
        );
    }
}

#[tokio::test]
async fn a_ticket_as_bearer_answers_invalid_token() {
    let api = Api::new().await;
    let bearer = app_token(&api).await;
    let session = session_token(&api).await;
    let t = ticket(&api, &bearer, &session).await;

    let r = verify(&api, &t, verify_body(&t)).await;

    assert_error(
        &r,
        400,
        "invalid_token",
        &format!("Invalid access token: {t}"),
    );
}
