//! EnOS logout: the token and its refresh token die; the static fixture token stays.

use super::*;

// ---------------------------------------------------------------------------------------------
// logout

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
