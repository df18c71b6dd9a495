//! The control plane: health and reset.

use super::*;

// =============================================================================================
// health

#[tokio::test]
async fn health_answers_ok_with_the_crate_version_and_uptime() {
    let api = Api::new().await;

    let r = api.get("/__admin/health", &[]).await;

    assert_status(&r, 200);
    assert!(
        r.header("content-type").starts_with("application/json"),
        "{:?}",
        r.header("content-type")
    );
    assert_eq!(
        keys(&r.body),
        ["status", "store", "uptimeSeconds", "version"]
    );
    assert_eq!(r.body["status"], json!("ok"));
    assert_eq!(r.body["store"], json!("memory"));
    assert_eq!(r.body["version"], json!(env!("CARGO_PKG_VERSION")));
    let uptime = r.body["uptimeSeconds"]
        .as_u64()
        .unwrap_or_else(|| panic!("uptimeSeconds is not a whole number: {}", r.text));
    assert!(uptime < 60, "a server just started: {uptime}");
}

// =============================================================================================
// reset

#[tokio::test]
async fn reset_revokes_issued_tokens_and_minted_codes() {
    let api = Api::new().await;
    let session = api.koo_session(koo::SEED_CODE, &[]).await;
    let app = api.oa_app_token(&[]).await;
    let oa_session = api.oa_session_token(&[]).await;
    let enos = api.enos_login_token(&[]).await;
    let code = mint_auth_code(&api, json!({ "userId": koo::USER_ID }), &[]).await;
    let captcha = api.mint_verification_code(koo::ACCOUNT).await;

    let r = admin(&api, "POST", "/__admin/reset", json!({}), &[]).await;

    assert_status(&r, 200);
    koo_session_invalid(&api.koo_auth(&session, &[]).await);
    oa_error(
        &api.oa_ticket(&app, &oa_session, &[]).await,
        400,
        "invalid_token",
        &format!("Invalid access token: {app}"),
    );
    enos_error(
        &api.enos_set(&enos, enos::ORG, &[]).await,
        31401,
        "Please login first",
    );
    koo_bad_code(
        &api.koo_create_session(code["code"].as_str().expect("code"), &[])
            .await,
    );
    koo_wrong_password(&koo_captcha_login(&api, &captcha).await);
    // The fixtures' own credentials are back.
    enos_ok(&api.enos_set(enos::STATIC_TOKEN, enos::ORG, &[]).await);
    koo_ok(&api.koo_create_session(koo::SEED_CODE, &[]).await);
}

#[tokio::test]
async fn reset_restores_added_and_deleted_identities_to_the_fixtures() {
    let api = Api::new().await;
    assert_status(
        &add(
            &api,
            "koodrive",
            "users",
            koo_user("1008600000709990001", "new_comer", koo::ORG),
        )
        .await,
        201,
    );
    assert_status(
        &add(
            &api,
            "enos",
            "orgs",
            json!({ "id": "oAdded", "name": "Added" }),
        )
        .await,
        201,
    );
    let r = api
        .delete(&format!("/__admin/koodrive/users/{}", koo::USER_ID), &[])
        .await;
    assert_status(&r, 200);
    koo_ok(&api.koo_login_as("new_comer", "N3w-Koo-Pass", &[]).await);
    koo_bad_code(&api.koo_create_session(koo::USER_CODE, &[]).await);

    assert_status(
        &admin(&api, "POST", "/__admin/reset", json!({}), &[]).await,
        200,
    );

    koo_wrong_password(&api.koo_login_as("new_comer", "N3w-Koo-Pass", &[]).await);
    let data = koo_ok(&api.koo_create_session(koo::USER_CODE, &[]).await).clone();
    assert_eq!(data["userId"], json!(koo::USER_ID));
    let st = state(&api, "", &[]).await.body;
    assert_eq!(
        ids(&st["enos"]["orgs"], "id"),
        ["o10000000000001", "o15589308944781", "yourOrgId"]
    );
    assert_eq!(
        ids(&st["koodrive"]["users"], "userId"),
        [
            "1008600000701011122",
            "1008600000701011200",
            "1008600000701011201",
            "1882575898755117312"
        ]
    );
}

#[tokio::test]
async fn reset_clears_lockouts_journal_faults_and_the_clock() {
    let api = Api::new().await;
    for _ in 0..5 {
        enos_error(
            &api.enos_login(enos::ACCOUNT, "wrong", &[]).await,
            31400,
            "The user name or password is wrong.",
        );
    }
    enos_error(
        &api.enos_login(enos::ACCOUNT, enos::PASSWORD, &[]).await,
        31429,
        "Attempt of accessing with incorrect password or IP reaches the limit. Please try again later.",
    );
    api.add_fault(
        json!({ "route": "POST /api/v2/tenant/token", "times": 0, "status": 503 }),
        &[],
    )
    .await;
    assert_status(&api.oa_token_request(&[]).await, 503);
    api.freeze_at(JAN_2026, &[]).await;
    assert!(!journal(&api, "", &[]).await.is_empty());

    assert_status(
        &admin(&api, "POST", "/__admin/reset", json!({}), &[]).await,
        200,
    );

    assert_eq!(journal(&api, "", &[]).await, Vec::<Value>::new());
    assert_eq!(api.faults(&[]).await, Vec::<Value>::new());
    let c = api.get_clock(&[]).await;
    assert_eq!(c["mode"], json!("real"));
    let drift = (c["epochMs"].as_i64().expect("epochMs") - system_ms()).abs();
    assert!(drift < 60_000, "clock is back to real time: {c}");
    enos_ok(&api.enos_login(enos::ACCOUNT, enos::PASSWORD, &[]).await);
    assert_status(&api.oa_token_request(&[]).await, 200);
}

#[tokio::test]
async fn reset_touches_only_the_current_namespace_unless_all_is_true() {
    let api = Api::new().await;
    let a = ns("a");
    let in_a = api.koo_session(koo::SEED_CODE, &a).await;
    let in_default = api.koo_session(koo::SEED_CODE, &[]).await;

    assert_status(
        &admin(&api, "POST", "/__admin/reset", json!({}), &[]).await,
        200,
    );
    assert_status(&api.koo_auth(&in_a, &a).await, 200);
    koo_session_invalid(&api.koo_auth(&in_default, &[]).await);

    let in_default = api.koo_session(koo::SEED_CODE, &[]).await;
    assert_status(
        &admin(&api, "POST", "/__admin/reset", json!({}), &a).await,
        200,
    );
    koo_session_invalid(&api.koo_auth(&in_a, &a).await);
    assert_status(&api.koo_auth(&in_default, &[]).await, 200);

    let in_a = api.koo_session(koo::SEED_CODE, &a).await;
    assert_status(
        &admin(&api, "POST", "/__admin/reset?all=true", json!({}), &[]).await,
        200,
    );
    koo_session_invalid(&api.koo_auth(&in_a, &a).await);
    koo_session_invalid(&api.koo_auth(&in_default, &[]).await);
}
