//! EnOS refreshToken/revokeAll: every refresh token of the bearer's user refused from then on.

use super::*;

// ---------------------------------------------------------------------------------------------
// refreshToken/revokeAll

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
