//! KooDrive session/auth: the session token it accepts, and the 20-minute window each call slides.

use super::*;

// ================================================================ session/auth

#[tokio::test]
async fn session_auth_with_a_bearer_token_answers_the_user() {
    let api = Api::new().await;
    let session = create_seed_session(&api).await;

    let r = api.koo_auth(&session.bearer, &[]).await;

    assert_session_auth_ok(&r, seed_user_info());
}

#[tokio::test]
async fn session_auth_accepts_bearer_plus_and_the_bare_token() {
    let api = Api::new().await;
    let session = create_seed_session(&api).await;

    let plus = api
        .koo_auth(&format!("Bearer+{}", session.token), &[])
        .await;
    let bare = api.koo_auth(&session.token, &[]).await;
    let upper_header = api
        .get(SESSION_AUTH, &[("AUTHORIZATION", session.bearer.as_str())])
        .await;

    assert_session_auth_ok(&plus, seed_user_info());
    assert_session_auth_ok(&bare, seed_user_info());
    assert_session_auth_ok(&upper_header, seed_user_info());
}

#[tokio::test]
async fn session_auth_without_a_token_answers_13000202() {
    let api = Api::new().await;

    let r = api.get(SESSION_AUTH, &[]).await;

    assert_bad_session(&r);
}

#[tokio::test]
async fn session_auth_with_an_unknown_token_answers_13000202() {
    let api = Api::new().await;
    let unknown = format!("Bearer {}", "0".repeat(48));

    let r = api.koo_auth(&unknown, &[]).await;

    assert_bad_session(&r);
}

#[tokio::test]
async fn a_session_slides_its_20_minute_window_on_every_call() {
    let api = Api::new().await;
    api.freeze().await;
    let session = create_seed_session(&api).await;
    const WINDOW: i64 = 20 * 60_000;

    api.advance_ms(WINDOW - 1).await;
    let last_ms = api.koo_auth(&session.bearer, &[]).await;
    api.advance_ms(WINDOW - 1).await;
    let last_ms_again = api.koo_auth(&session.bearer, &[]).await;
    api.advance_ms(WINDOW).await;
    let idle_window = api.koo_auth(&session.bearer, &[]).await;

    assert_session_auth_ok(&last_ms, seed_user_info());
    assert_session_auth_ok(&last_ms_again, seed_user_info());
    assert_bad_session(&idle_window);
}

#[tokio::test]
async fn a_session_idle_for_exactly_20_minutes_answers_13000202() {
    let api = Api::new().await;
    api.freeze().await;
    let session = create_seed_session(&api).await;

    api.advance_ms(20 * 60_000).await;
    let r = api.koo_auth(&session.bearer, &[]).await;

    assert_bad_session(&r);
}
