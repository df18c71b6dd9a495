//! KooDrive session/refresh: a new session token for the same session, checked against `x-session-id`.

use super::*;

// ================================================================ session/refresh

#[tokio::test]
async fn session_refresh_answers_a_new_token_at_the_top_level() {
    let api = Api::new().await;
    let session = create_seed_session(&api).await;

    let r = session_refresh(&api, &session.bearer, &session.session_id).await;

    let new_token = assert_session_refreshed(&r);
    assert_ne!(new_token, session.token);
}

#[tokio::test]
async fn session_refresh_retires_the_old_token_and_keeps_the_session() {
    let api = Api::new().await;
    let session = create_seed_session(&api).await;
    let new_token = assert_session_refreshed(
        &session_refresh(&api, &session.bearer, &session.session_id).await,
    );
    let new_bearer = format!("Bearer {new_token}");

    let old_auth = api.koo_auth(&session.bearer, &[]).await;
    let old_refresh = session_refresh(&api, &session.bearer, &session.session_id).await;
    let new_auth = api.koo_auth(&new_bearer, &[]).await;
    let again = session_refresh(&api, &new_bearer, &session.session_id).await;

    assert_bad_session(&old_auth);
    assert_bad_session(&old_refresh);
    assert_session_auth_ok(&new_auth, seed_user_info());
    let third = assert_session_refreshed(&again);
    assert_session_auth_ok(
        &api.koo_auth(&format!("Bearer+{third}"), &[]).await,
        seed_user_info(),
    );
}

#[tokio::test]
async fn session_refresh_accepts_any_header_case_and_bearer_plus() {
    let api = Api::new().await;
    let session = create_seed_session(&api).await;
    let plus = format!("Bearer+{}", session.token);

    let r = api
        .send(
            "POST",
            SESSION_REFRESH,
            &[
                ("Authorization", plus.as_str()),
                ("X-Session-Id", session.session_id.as_str()),
            ],
            None,
        )
        .await;

    assert_session_refreshed(&r);
}

#[tokio::test]
async fn session_refresh_without_x_session_id_answers_13000102() {
    let api = Api::new().await;
    let session = create_seed_session(&api).await;

    let missing = api
        .send(
            "POST",
            SESSION_REFRESH,
            &[("authorization", session.bearer.as_str())],
            None,
        )
        .await;
    let empty = session_refresh(&api, &session.bearer, "").await;

    assert_param_error(&missing);
    assert_param_error(&empty);
}

#[tokio::test]
async fn session_refresh_with_another_session_id_answers_13000202() {
    let api = Api::new().await;
    let session = create_seed_session(&api).await;
    let other = create_seed_session(&api).await;

    let wrong = session_refresh(&api, &session.bearer, &other.session_id).await;
    let unknown = session_refresh(&api, &session.bearer, &"a".repeat(48)).await;

    assert_bad_session(&wrong);
    assert_bad_session(&unknown);
}

#[tokio::test]
async fn session_refresh_checks_the_token_before_the_session_id_header() {
    let api = Api::new().await;
    let bad = format!("Bearer {}", "0".repeat(48));

    let bad_token = api
        .send(
            "POST",
            SESSION_REFRESH,
            &[("authorization", bad.as_str())],
            None,
        )
        .await;
    let no_token = api.send("POST", SESSION_REFRESH, &[], None).await;

    assert_bad_session(&bad_token);
    assert_bad_session(&no_token);
}
