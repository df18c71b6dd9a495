//! EnOS login: the login-only token, wrong credentials, and the lockout.

use super::*;

// ---------------------------------------------------------------------------------------------
// login

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
