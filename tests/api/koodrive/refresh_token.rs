//! KooDrive auth/refreshToken: a new token pair for a login's pair, and the lifetimes of both tokens.

use super::*;

// ================================================================ auth/refreshToken

#[tokio::test]
async fn refresh_token_answers_a_new_pair_in_session_info() {
    let api = Api::new().await;
    let old = login_ok(&api).await;

    let r = refresh_tokens(&api, &old.access, &old.refresh).await;

    let new = assert_tokens_refreshed(&r);
    assert_ne!(new.access, old.access);
    assert_ne!(new.refresh, old.refresh);
}

#[tokio::test]
async fn refresh_token_accepts_at_with_a_space() {
    let api = Api::new().await;
    let old = login_ok(&api).await;
    let authorization = format!("AT {}", old.access);

    let r = api
        .post(
            REFRESH_TOKEN,
            &[("Authorization", authorization.as_str())],
            json!({"refreshToken": old.refresh}),
        )
        .await;

    assert_tokens_refreshed(&r);
}

#[tokio::test]
async fn refresh_token_retires_both_old_tokens() {
    let api = Api::new().await;
    let old = login_ok(&api).await;
    let new = assert_tokens_refreshed(&refresh_tokens(&api, &old.access, &old.refresh).await);

    let old_access = refresh_tokens(&api, &old.access, &new.refresh).await;
    let old_refresh = refresh_tokens(&api, &new.access, &old.refresh).await;
    let both_old = refresh_tokens(&api, &old.access, &old.refresh).await;
    let both_new = refresh_tokens(&api, &new.access, &new.refresh).await;

    assert_bad_session(&old_access);
    assert_bad_refresh_token(&old_refresh);
    assert_bad_session(&both_old);
    assert_tokens_refreshed(&both_new);
}

#[tokio::test]
async fn an_expired_access_token_can_still_be_refreshed() {
    let api = Api::new().await;
    let old = login_ok(&api).await;

    api.advance_clock(31 * 60).await;
    let r = refresh_tokens(&api, &old.access, &old.refresh).await;

    let new = assert_tokens_refreshed(&r);
    assert_tokens_refreshed(&refresh_tokens(&api, &new.access, &new.refresh).await);
}

#[tokio::test]
async fn refresh_token_issued_at_follows_the_server_clock() {
    let api = Api::new().await;
    let old = login_ok(&api).await;
    api.advance_clock(3600).await;

    let before = server_epoch_ms(&api).await;
    let new = assert_tokens_refreshed(&refresh_tokens(&api, &old.access, &old.refresh).await);
    let after = server_epoch_ms(&api).await;

    let issued_at: u64 = new.issued_at.parse().expect("issuedAt digits");
    assert!(
        before <= issued_at && issued_at <= after,
        "issuedAt {issued_at} not within [{before}, {after}]"
    );
}

#[tokio::test]
async fn refresh_token_with_another_logins_refresh_token_answers_13000202() {
    let api = Api::new().await;
    let first = login_ok(&api).await;
    let second = login_ok(&api).await;

    let r = refresh_tokens(&api, &first.access, &second.refresh).await;

    assert_bad_session(&r);
}

#[tokio::test]
async fn refresh_token_with_an_unknown_refresh_token_answers_13000205() {
    let api = Api::new().await;
    let pair = login_ok(&api).await;

    let r = refresh_tokens(&api, &pair.access, &"0".repeat(48)).await;

    assert_bad_refresh_token(&r);
}

#[tokio::test]
async fn refresh_token_without_authorization_answers_13000202() {
    let api = Api::new().await;
    let pair = login_ok(&api).await;

    let r = api
        .post(REFRESH_TOKEN, &[], json!({"refreshToken": pair.refresh}))
        .await;

    assert_bad_session(&r);
}

#[tokio::test]
async fn refresh_token_with_an_unknown_access_token_answers_13000202() {
    let api = Api::new().await;
    let pair = login_ok(&api).await;

    let r = refresh_tokens(&api, &"0".repeat(48), &pair.refresh).await;

    assert_bad_session(&r);
}

#[tokio::test]
async fn refresh_token_without_a_refresh_token_answers_13000102() {
    let api = Api::new().await;
    let pair = login_ok(&api).await;
    let authorization = format!("AT+{}", pair.access);
    let auth = [("authorization", authorization.as_str())];

    let empty_object = api.post(REFRESH_TOKEN, &auth, json!({})).await;
    let empty_string = api
        .post(REFRESH_TOKEN, &auth, json!({"refreshToken": ""}))
        .await;
    let wrong_type = api
        .post(REFRESH_TOKEN, &auth, json!({"refreshToken": true}))
        .await;
    let malformed = api
        .post_raw(REFRESH_TOKEN, &[JSON_CT, auth[0]], b"{\"refreshToken\"")
        .await;

    assert_param_error(&empty_object);
    assert_param_error(&empty_string);
    assert_param_error(&wrong_type);
    assert_param_error(&malformed);
}

#[tokio::test]
async fn refresh_tokens_live_30_days_to_the_millisecond() {
    let api = Api::new().await;
    api.freeze().await;
    let early = login_ok(&api).await;
    let late = login_ok(&api).await;

    api.advance_ms(30 * 86_400_000 - 1).await;
    let last_ms = refresh_tokens(&api, &early.access, &early.refresh).await;
    api.advance_ms(1).await;
    let at_30_days = refresh_tokens(&api, &late.access, &late.refresh).await;

    assert_tokens_refreshed(&last_ms);
    assert_bad_refresh_token(&at_30_days);
}

/// The `live` flag `/__admin/state` shows for `token`.
async fn live_in_state(api: &Api, token: &str) -> Value {
    let r = api.get("/__admin/state", &[]).await;
    assert_eq!(r.status, 200, "{r:?}");
    let tokens = r.body["tokens"].as_array().expect("tokens array");
    let t = tokens.iter().find(|t| t["token"] == token);
    t.unwrap_or_else(|| panic!("{token} not in {}", r.text))["live"].clone()
}

// No KooDrive route accepts a login access token (session routes refuse it, auth/refreshToken takes
// it expired too), so its 1800 s is seen only in `expiresIn` and the control plane's state.
#[tokio::test]
async fn a_login_access_token_lives_1800_seconds_to_the_millisecond() {
    let api = Api::new().await;
    api.freeze().await;
    let pair = login_ok(&api).await;

    api.advance_ms(1_800_000 - 1).await;
    let last_ms = live_in_state(&api, &pair.access).await;
    api.advance_ms(1).await;
    let at_1800_s = live_in_state(&api, &pair.access).await;

    assert_eq!((last_ms, at_1800_s), (json!(true), json!(false)));
}

/// Waits (bounded) until the server's background sweeper has dropped `token` from the state dump.
/// This waits for housekeeping, not for time to pass: expiry itself is driven by the clock.
async fn wait_until_swept(api: &Api, token: &str) {
    for _ in 0..100 {
        let r = api.get("/__admin/state", &[]).await;
        assert_eq!(r.status, 200, "{r:?}");
        let tokens = r.body["tokens"].as_array().expect("tokens array");
        if !tokens.iter().any(|t| t["token"] == token) {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    panic!("{token} was never swept");
}

#[tokio::test]
async fn an_expired_refresh_token_answers_13000205_also_once_swept() {
    let api = Api::new().await;
    let pair = login_ok(&api).await;

    api.advance_clock(31 * 86_400).await;
    wait_until_swept(&api, &pair.access).await;
    let r = refresh_tokens(&api, &pair.access, &pair.refresh).await;

    assert_bad_refresh_token(&r);
}

// ================================================================ token kinds never cross

#[tokio::test]
async fn a_session_bearer_token_is_refused_by_auth_refresh_token() {
    let api = Api::new().await;
    let session = create_seed_session(&api).await;
    let pair = login_ok(&api).await;
    let as_at = format!("AT {}", session.token);

    let bearer = api
        .post(
            REFRESH_TOKEN,
            &[("authorization", session.bearer.as_str())],
            json!({"refreshToken": pair.refresh}),
        )
        .await;
    let disguised = api
        .post(
            REFRESH_TOKEN,
            &[("authorization", as_at.as_str())],
            json!({"refreshToken": pair.refresh}),
        )
        .await;

    assert_bad_session(&bearer);
    assert_bad_session(&disguised);
}
