//! KooDrive session/logoff: success whatever the token, and only the named session dies.

use super::*;

// ================================================================ session/logoff

#[tokio::test]
async fn session_logoff_answers_success_and_kills_the_token() {
    let api = Api::new().await;
    let session = create_seed_session(&api).await;

    let r = api
        .get(
            SESSION_LOGOFF,
            &[("authorization", session.bearer.as_str())],
        )
        .await;

    assert_success_only(&r);
    assert_bad_session(&api.koo_auth(&session.bearer, &[]).await);
    assert_bad_session(&session_refresh(&api, &session.bearer, &session.session_id).await);
}

#[tokio::test]
async fn session_logoff_without_a_token_answers_success() {
    let api = Api::new().await;

    let r = api.get(SESSION_LOGOFF, &[]).await;

    assert_success_only(&r);
}

#[tokio::test]
async fn session_logoff_with_an_unknown_or_logged_off_token_answers_success() {
    let api = Api::new().await;
    let session = create_seed_session(&api).await;
    let unknown = format!("Bearer {}", "0".repeat(48));
    let auth = [("authorization", session.bearer.as_str())];
    assert_success_only(&api.get(SESSION_LOGOFF, &auth).await);

    let twice = api.get(SESSION_LOGOFF, &auth).await;
    let never_issued = api
        .get(SESSION_LOGOFF, &[("authorization", unknown.as_str())])
        .await;

    assert_success_only(&twice);
    assert_success_only(&never_issued);
}

#[tokio::test]
async fn session_logoff_of_one_session_leaves_the_other_alive() {
    let api = Api::new().await;
    let gone = create_seed_session(&api).await;
    let kept = create_seed_session(&api).await;

    let bare = gone.token.clone();
    assert_success_only(
        &api.get(SESSION_LOGOFF, &[("authorization", bare.as_str())])
            .await,
    );

    assert_bad_session(&api.koo_auth(&gone.bearer, &[]).await);
    assert_session_auth_ok(&api.koo_auth(&kept.bearer, &[]).await, seed_user_info());
}
