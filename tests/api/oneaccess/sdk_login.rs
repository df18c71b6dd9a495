//! OneAccess sdk/login: the session token of a user, its required headers, the lockout, and its
//! one-week life.

use super::*;

// ---------------------------------------------------------------- sdk/login

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
