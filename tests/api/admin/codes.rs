//! The control plane: minted codes and token revocation.

use super::*;

// =============================================================================================
// minted codes

#[tokio::test]
async fn a_minted_auth_code_creates_one_session_then_answers_13000201() {
    let api = Api::new().await;
    api.freeze_at(JAN_2026, &[]).await;

    let minted = mint_auth_code(&api, json!({ "userId": koo::USER_ID }), &[]).await;

    let code = minted["code"].as_str().expect("code");
    assert!(!code.is_empty());
    assert_instant(&minted["expiresAt"], JAN_2026_MS + 5 * 60_000);
    let first = api.koo_create_session(code, &[]).await;
    assert_eq!(koo_ok(&first)["userId"], json!(koo::USER_ID));
    koo_bad_code(&api.koo_create_session(code, &[]).await);
}

#[tokio::test]
async fn a_minted_auth_code_honours_ttl_seconds() {
    let api = Api::new().await;
    api.freeze_at(JAN_2026, &[]).await;
    let body = json!({ "userId": koo::USER_ID, "ttlSeconds": 60 });
    let first = mint_auth_code(&api, body.clone(), &[]).await;
    let second = mint_auth_code(&api, body, &[]).await;
    assert_instant(&first["expiresAt"], JAN_2026_MS + 60_000);

    api.clock(json!({ "advance": "59999ms" }), &[]).await;
    let before = api
        .koo_create_session(first["code"].as_str().expect("code"), &[])
        .await;
    api.clock(json!({ "advance": "1ms" }), &[]).await;
    let after = api
        .koo_create_session(second["code"].as_str().expect("code"), &[])
        .await;

    koo_ok(&before);
    koo_bad_code(&after);
}

#[tokio::test]
async fn a_minted_verification_code_logs_in_with_auth_type_2_once() {
    let api = Api::new().await;

    let captcha = api.mint_verification_code(koo::ACCOUNT).await;

    let first = koo_captcha_login(&api, &captcha).await;
    assert_eq!(
        koo_ok(&first)["userInfo"]["userId"],
        json!(koo::LOGIN_USER_ID)
    );
    koo_wrong_password(&koo_captcha_login(&api, &captcha).await);
    // The fixture's standing code stays valid.
    koo_ok(&koo_captcha_login(&api, "123456").await);
}

#[tokio::test]
async fn minting_a_code_without_a_known_user_is_refused() {
    let api = Api::new().await;

    let no_user = admin(&api, "POST", "/__admin/koodrive/auth-codes", json!({}), &[]).await;
    let unknown_user = admin(
        &api,
        "POST",
        "/__admin/koodrive/auth-codes",
        json!({ "userId": "nobody" }),
        &[],
    )
    .await;
    let unknown_account = admin(
        &api,
        "POST",
        "/__admin/koodrive/verification-codes",
        json!({ "account": "nobody" }),
        &[],
    )
    .await;

    assert!(admin_error(&no_user, 400).contains("userId"));
    assert!(admin_error(&unknown_user, 404).contains("nobody"));
    assert!(admin_error(&unknown_account, 404).contains("nobody"));
}

// =============================================================================================
// token revocation

#[tokio::test]
async fn revoking_a_koodrive_session_token_answers_13000202_on_its_next_use() {
    let api = Api::new().await;
    let session = api.koo_session(koo::SEED_CODE, &[]).await;
    assert_status(&api.koo_auth(&session, &[]).await, 200);

    let path = format!("/__admin/tokens/{}", session.replace(' ', "%20"));
    let r = api.delete(&path, &[]).await;

    assert_status(&r, 200);
    koo_session_invalid(&api.koo_auth(&session, &[]).await);
}

#[tokio::test]
async fn revoking_a_oneaccess_app_token_answers_invalid_token_on_its_next_use() {
    let api = Api::new().await;
    let app = api.oa_app_token(&[]).await;
    let session = api.oa_session_token(&[]).await;
    assert_status(&api.oa_ticket(&app, &session, &[]).await, 200);

    let r = api.delete(&format!("/__admin/tokens/{app}"), &[]).await;

    assert_status(&r, 200);
    oa_error(
        &api.oa_ticket(&app, &session, &[]).await,
        400,
        "invalid_token",
        &format!("Invalid access token: {app}"),
    );
}

#[tokio::test]
async fn revoking_an_enos_access_token_answers_31401_on_its_next_use() {
    let api = Api::new().await;
    let access = api.enos_access_token(&[]).await;
    enos_ok(&api.enos_info(&access, &[]).await);

    let r = api.delete(&format!("/__admin/tokens/{access}"), &[]).await;

    assert_status(&r, 200);
    enos_error(
        &api.enos_info(&access, &[]).await,
        31401,
        "Please login first",
    );
}

#[tokio::test]
async fn revoking_an_unknown_token_answers_404() {
    let api = Api::new().await;

    let r = api.delete("/__admin/tokens/not-a-token", &[]).await;

    admin_error(&r, 404);
}

// ---------------------------------------------------------------------------------------------------
// Revoking fixture authorization codes and minted verification codes
// ---------------------------------------------------------------------------------------------------

#[tokio::test]
async fn revoking_a_fixture_authorization_code_makes_it_fail_like_an_unknown_code() {
    let api = Api::new().await;

    let r = api
        .delete(&format!("/__admin/tokens/{ADMIN_CODE}"), &[])
        .await;
    let session = create_session(&api, ADMIN_CODE, &[]).await;

    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(
        r.body,
        json!({ "revoked": ADMIN_CODE, "kind": "kooAuthCode", "family": "koodrive", "owner": ADMIN_CODE_OWNER })
    );
    assert_eq!(session.status, 400, "{}", session.text);
    assert_eq!(session.body["code"], BAD_AUTH_CODE, "{}", session.text);
    let again = api
        .delete(&format!("/__admin/tokens/{ADMIN_CODE}"), &[])
        .await;
    assert_eq!(again.status, 404, "{}", again.text);
}

#[tokio::test]
async fn the_seed_code_can_be_revoked_too() {
    let api = Api::new().await;
    assert_eq!(create_session(&api, SEED_CODE, &[]).await.status, 200);

    let r = api
        .delete(&format!("/__admin/tokens/{SEED_CODE}"), &[])
        .await;
    let session = create_session(&api, SEED_CODE, &[]).await;

    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.body["kind"], "kooAuthCode");
    assert_eq!(session.body["code"], BAD_AUTH_CODE, "{}", session.text);
}

#[tokio::test]
async fn a_revoked_fixture_code_stays_revoked_in_its_namespace_until_reset() {
    let api = Api::new().await;
    let other = [("X-Mock-Namespace", "audit-other")];
    let r = api
        .delete(&format!("/__admin/tokens/{ADMIN_CODE}"), &[])
        .await;
    assert_eq!(r.status, 200, "{}", r.text);

    let still_revoked = create_session(&api, ADMIN_CODE, &[]).await;
    let elsewhere = create_session(&api, ADMIN_CODE, &other).await;
    let state = api.get("/__admin/state", &[]).await;
    let reset = api.post("/__admin/reset", &[], json!({})).await;
    let after_reset = create_session(&api, ADMIN_CODE, &[]).await;

    assert_eq!(still_revoked.body["code"], BAD_AUTH_CODE);
    assert_eq!(elsewhere.status, 200, "{}", elsewhere.text);
    let codes: Vec<&Value> = state.body["koodrive"]["authCodes"]
        .as_array()
        .map(|a| a.iter().map(|c| &c["code"]).collect())
        .unwrap_or_default();
    assert!(!codes.contains(&&json!(ADMIN_CODE)), "{codes:?}");
    assert_eq!(reset.status, 200);
    assert_eq!(after_reset.status, 200, "{}", after_reset.text);
}

#[tokio::test]
async fn revoking_a_minted_verification_code_makes_login_with_it_fail() {
    let api = Api::new().await;
    let minted = api
        .post(
            "/__admin/koodrive/verification-codes",
            &[],
            json!({ "account": KOO_ACCOUNT }),
        )
        .await;
    assert_eq!(minted.status, 201, "{}", minted.text);
    let code = minted.body["captchaToken"].as_str().expect("captchaToken");

    let r = api.delete(&format!("/__admin/tokens/{code}"), &[]).await;
    let login = api
        .post(
            "/koodrive/ose/v1/auth/login",
            &[("x-hw-agentName", "t")],
            json!({ "account": KOO_ACCOUNT, "authType": "2", "captchaToken": code }),
        )
        .await;

    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(
        r.body,
        json!({ "revoked": code, "kind": "kooVerificationCode", "family": "koodrive", "owner": KOO_USER_ID })
    );
    assert_eq!(login.status, 401, "{}", login.text);
    assert_eq!(login.body["code"], BAD_CREDENTIALS, "{}", login.text);
    let state = api.get("/__admin/state", &[]).await;
    assert_eq!(state.body["koodrive"]["verificationCodes"], json!([]));
}
