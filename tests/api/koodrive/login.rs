//! KooDrive auth/login: password and verification-code logins, their answers, and the lockout.

use super::*;

// ================================================================ auth/login

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
    let minted = api.mint_verification_code(ACCOUNT).await;

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
    let early = api.mint_verification_code(ACCOUNT).await;
    let late = api.mint_verification_code("koo_admin").await;

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
