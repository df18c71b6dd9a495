//! The code the page mints: redeemed once, for 5 minutes of mock time, in its namespace, revocable.

use super::*;
use crate::expect::koo_bad_code;
use crate::fixtures::{koo, JAN_2026_MS};
use crate::helpers::{ns, Api};
use authmock::MockServer;
use serde_json::json;

#[tokio::test]
async fn a_user_button_signs_in_and_create_session_redeems_the_code_once() {
    let api = Api::new().await;
    let form = format!(
        "response_type=code&client_id={CLIENT}&redirect_uri={BACK}&state=st%26%3D1&as=koo_user"
    );
    let p = page(&api, "POST", "/oauth2/authorize", &[], Some(&form)).await;
    let q = p.back_to(BACK);
    assert_eq!(get(&q, "state"), Some("st&=1"));
    let code = get(&q, "code").expect("code");
    let info = session_of(&api, code, &[]).await;
    assert_eq!(info["userId"], koo::USER_ID);
    koo_bad_code(&api.koo_create_session(code, &[]).await);
}

#[tokio::test]
async fn the_namespace_rides_in_the_uri_and_the_code_lands_there() {
    let api = Api::new().await;
    let uri = auth_code_uri(&api, "localhost:3000", &ns("team-a")).await;
    assert!(uri.ends_with("&mock_namespace=team-a"), "{uri}");
    let path = uri.strip_prefix(&api.server.uri()).expect("own host");
    let p = page(&api, "GET", &format!("{path}&state=n"), &[], None).await;
    assert!(p
        .text
        .contains(r#"action="authorize?mock_namespace=team-a""#));
    let form =
        format!("response_type=code&client_id={CLIENT}&redirect_uri={BACK}&state=n&as=koo_user");
    let q = page(
        &api,
        "POST",
        "/oauth2/authorize?mock_namespace=team-a",
        &[],
        Some(&form),
    )
    .await
    .back_to(BACK);
    let code = get(&q, "code").expect("code");
    koo_bad_code(&api.koo_create_session(code, &[]).await);
    koo_bad_code(&api.koo_create_session(code, &ns("team-b")).await);
    assert_eq!(
        session_of(&api, code, &ns("team-a")).await["userId"],
        koo::USER_ID
    );
    let bad = api.get("/oauth2/authorize?mock_namespace=a%20b", &[]).await;
    assert_eq!(bad.status, 400);
    assert_eq!(
        bad.body["error"],
        "mock_namespace must be 1-64 characters of A-Z a-z 0-9 . _ -"
    );
    let twice = api
        .get("/oauth2/authorize?mock_namespace=a&mock_namespace=b", &[])
        .await;
    assert_eq!(twice.body, bad.body);
    // A blank one is absent: the default namespace's page.
    let blank = page(&api, "GET", &authorize("&mock_namespace="), &[], None).await;
    assert_eq!(blank.status, 200, "{}", blank.text);
    assert!(blank.text.contains(r#"action="authorize""#));
}

#[tokio::test]
async fn a_signed_in_code_lives_five_minutes_of_mock_time() {
    let api = Api::with(
        MockServer::builder()
            .frozen_at_ms(JAN_2026_MS)
            .start()
            .await,
    );
    let mut codes = Vec::new();
    for _ in 0..2 {
        let q = page(
            &api,
            "GET",
            &authorize("&prompt=none&login_hint=koo_user"),
            &[],
            None,
        )
        .await
        .back_to(BACK);
        codes.push(get(&q, "code").expect("code").to_string());
    }
    let set = |ms: i64| json!({ "set": ms });
    assert_eq!(
        api.post("/__admin/clock", &[], set(JAN_2026_MS + 299_999))
            .await
            .status,
        200
    );
    assert_eq!(
        session_of(&api, &codes[0], &[]).await["userId"],
        koo::USER_ID
    );
    assert_eq!(
        api.post("/__admin/clock", &[], set(JAN_2026_MS + 300_000))
            .await
            .status,
        200
    );
    koo_bad_code(&api.koo_create_session(&codes[1], &[]).await);
}

#[tokio::test]
async fn a_signed_in_code_is_revocable_bound_to_its_client_and_journaled_masked() {
    let api = Api::new().await;
    let q = page(
        &api,
        "GET",
        &authorize("&prompt=none&login_hint=koo_user"),
        &[],
        None,
    )
    .await
    .back_to(BACK);
    let code = get(&q, "code").expect("code").to_string();
    let state = api.get("/__admin/state", &[]).await;
    let listed = state.text.contains(CLIENT);
    assert!(
        listed,
        "the code's client binding is listed: {}",
        state.text
    );
    assert_eq!(
        api.delete(&format!("/__admin/tokens/{code}"), &[])
            .await
            .status,
        200
    );
    let r = api.koo_create_session(&code, &[]).await;
    koo_bad_code(&r);
    let journal = api.get("/__admin/requests", &[]).await;
    assert!(
        !journal.text.contains(&code),
        "the code is masked in the journal"
    );
    assert!(journal.text.contains(&code[..4]));
}
