//! OneAccess's app token is the only bearer it takes: other families' tokens, session tokens and
//! tickets are refused as invalid tokens.

use super::*;

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
