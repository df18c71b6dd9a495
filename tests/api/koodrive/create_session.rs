//! KooDrive createSession ("Initializing and Creating a Session"): the page's example, codes
//! fixed and minted, and every way a request body can be wrong.

use super::*;

/// `{"code":"<seed code>","pad":"xxx…"}` of exactly `len` bytes.
fn padded_create_body(len: usize) -> Vec<u8> {
    let head = format!("{{\"code\":\"{SEED_CODE}\",\"pad\":\"");
    let tail = "\"}";
    let pad = len - head.len() - tail.len();
    let body = format!("{head}{}{tail}", "x".repeat(pad));
    assert_eq!(body.len(), len);
    body.into_bytes()
}

// ================================================================ createSession

#[tokio::test]
async fn create_session_with_the_seed_000_example_request_answers_the_seed_shape() {
    let api = Api::new().await;

    let r = api
        .post_raw(SESSION, &[JSON_CT], seed_000_request().as_bytes())
        .await;

    assert_session_created(&r, seed_user_info());
}

#[tokio::test]
async fn create_session_without_the_trailing_slash_answers_the_same_shape() {
    let api = Api::new().await;

    let r = api
        .post_raw(SESSION_NO_SLASH, &[JSON_CT], seed_000_request().as_bytes())
        .await;

    assert_session_created(&r, seed_user_info());
}

#[tokio::test]
async fn create_session_role_is_a_string_and_user_count_an_integer() {
    let api = Api::new().await;

    let r = api.koo_create_session(SEED_CODE, &[]).await;

    assert_eq!(r.status, 200, "{r:?}");
    let info = &r.body["data"]["userInfo"];
    assert!(info["role"].is_string(), "{}", r.text);
    assert!(info["userCount"].is_u64(), "{}", r.text);
    assert!(info.get("xhwSchema").is_some(), "{}", r.text);
    assert!(info.get("xHwSchema").is_none(), "{}", r.text);
}

#[tokio::test]
async fn the_reusable_fixture_code_creates_two_distinct_sessions() {
    let api = Api::new().await;

    let first = create_seed_session(&api).await;
    let second = create_seed_session(&api).await;

    assert_ne!(first.token, second.token);
    assert_ne!(first.session_id, second.session_id);
    assert_session_auth_ok(&api.koo_auth(&first.bearer, &[]).await, seed_user_info());
    assert_session_auth_ok(&api.koo_auth(&second.bearer, &[]).await, seed_user_info());
}

#[tokio::test]
async fn create_session_with_gateway_headers_and_unknown_fields_succeeds() {
    let api = Api::new().await;

    let r = api
        .post(
            SESSION,
            &[
                (
                    "X-Traceid",
                    "0123456789012345678901234567890123456789012345678901234567",
                ),
                ("language", "en-US"),
                ("User-Agent", "poseidon"),
            ],
            json!({"code": SEED_CODE, "domain": "x", "unexpected": {"nested": [1, 2]}}),
        )
        .await;

    assert_session_created(&r, seed_user_info());
}

#[tokio::test]
async fn create_session_with_an_unknown_code_answers_13000201() {
    let api = Api::new().await;

    let r = api.koo_create_session("no-such-code", &[]).await;

    assert_bad_auth_code(&r);
}

#[tokio::test]
async fn create_session_with_a_numeric_unknown_code_is_coerced_and_answers_13000201() {
    let api = Api::new().await;

    let integer = api.post(SESSION, &[], json!({"code": 12345})).await;
    let float = api.post(SESSION, &[], json!({"code": 1.5})).await;

    assert_bad_auth_code(&integer);
    assert_bad_auth_code(&float);
}

#[tokio::test]
async fn create_session_without_a_code_answers_13000102() {
    let api = Api::new().await;

    let r = api.post(SESSION, &[], json!({"domain": "x"})).await;

    assert_param_error(&r);
}

#[tokio::test]
async fn create_session_with_an_empty_code_answers_13000102() {
    let api = Api::new().await;

    let r = api.koo_create_session("", &[]).await;

    assert_param_error(&r);
}

#[tokio::test]
async fn create_session_with_a_null_code_answers_13000102() {
    let api = Api::new().await;

    let r = api.post(SESSION, &[], json!({"code": null})).await;

    assert_param_error(&r);
}

#[tokio::test]
async fn create_session_with_a_code_of_the_wrong_type_answers_13000102() {
    let api = Api::new().await;

    for code in [json!(true), json!({}), json!(["x"])] {
        let r = api.post(SESSION, &[], json!({"code": code})).await;

        assert_param_error(&r);
    }
}

#[tokio::test]
async fn create_session_with_malformed_json_answers_13000102() {
    let api = Api::new().await;

    let r = api
        .post_raw(
            SESSION,
            &[JSON_CT],
            format!("{{\"code\":\"{SEED_CODE}\"").as_bytes(),
        )
        .await;

    assert_param_error(&r);
}

#[tokio::test]
async fn create_session_with_a_body_of_the_wrong_json_kind_answers_13000102() {
    let api = Api::new().await;

    for body in ["[]", "\"x\"", "42", "null", "true"] {
        let r = api.post_raw(SESSION, &[JSON_CT], body.as_bytes()).await;

        assert_param_error(&r);
    }
}

#[tokio::test]
async fn create_session_with_an_empty_body_answers_13000102() {
    let api = Api::new().await;

    let with_type = api.post_raw(SESSION, &[JSON_CT], b"").await;
    let without_type = api.send("POST", SESSION, &[], None).await;

    assert_param_error(&with_type);
    assert_param_error(&without_type);
}

#[tokio::test]
async fn create_session_with_invalid_utf8_answers_13000102() {
    let api = Api::new().await;

    let r = api
        .post_raw(SESSION, &[JSON_CT], b"{\"code\":\"\xff\xfe\"}")
        .await;

    assert_param_error(&r);
}

#[tokio::test]
async fn create_session_accepts_every_json_content_type_and_none() {
    let api = Api::new().await;
    let body = json!({"code": SEED_CODE}).to_string();

    for content_type in [
        Some("application/json;charset=utf8"),
        Some("application/json; charset=UTF-8"),
        Some("APPLICATION/JSON"),
        Some("text/plain"),
        None,
    ] {
        let headers: Vec<(&str, &str)> = content_type
            .map(|ct| vec![("content-type", ct)])
            .unwrap_or_default();

        let r = api.post_raw(SESSION, &headers, body.as_bytes()).await;

        assert_session_created(&r, seed_user_info());
    }
}

#[tokio::test]
async fn create_session_with_a_body_of_exactly_64_kib_is_served() {
    let api = Api::new().await;

    let r = api
        .post_raw(SESSION, &[JSON_CT], &padded_create_body(64 * 1024))
        .await;

    assert_session_created(&r, seed_user_info());
}

#[tokio::test]
async fn create_session_with_a_body_over_64_kib_answers_413_with_13000102() {
    let api = Api::new().await;

    let r = api
        .post_raw(SESSION, &[JSON_CT], &padded_create_body(64 * 1024 + 1))
        .await;

    assert_error(&r, 413, 13000102, "Verify parameters failed.");
}

#[tokio::test]
async fn create_session_through_a_repeated_slash_is_served() {
    let api = Api::new().await;

    let r = api
        .post(
            "//koodrive/ose/v1/session/",
            &[],
            json!({"code": SEED_CODE}),
        )
        .await;

    assert_session_created(&r, seed_user_info());
}

#[tokio::test]
async fn a_minted_code_creates_a_session_for_its_user_exactly_once() {
    let api = Api::new().await;
    let code = api.mint_auth_code(USER_ID, &[]).await;

    let first = api.koo_create_session(&code, &[]).await;
    let second = api.koo_create_session(&code, &[]).await;

    let session = assert_session_created(&first, koo_user_info());
    assert_bad_auth_code(&second);
    assert_session_auth_ok(&api.koo_auth(&session.bearer, &[]).await, koo_user_info());
}

#[tokio::test]
async fn a_minted_code_works_until_the_last_millisecond_of_five_minutes() {
    let api = Api::new().await;
    api.freeze().await;
    let early = api.mint_auth_code(USER_ID, &[]).await;
    let late = api.mint_auth_code(USER_ID, &[]).await;

    api.advance_ms(5 * 60_000 - 1).await;
    let alive = api.koo_create_session(&early, &[]).await;
    api.advance_ms(1).await;
    let expired = api.koo_create_session(&late, &[]).await;

    assert_session_created(&alive, koo_user_info());
    assert_bad_auth_code(&expired);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_minted_code_raced_by_32_requests_creates_exactly_one_session() {
    let api = Api::new().await;
    let code = api.mint_auth_code(USER_ID, &[]).await;

    let answers = join_all((0..32).map(|_| api.koo_create_session(&code, &[]))).await;

    let winners: Vec<&Resp> = answers.iter().filter(|r| r.status == 200).collect();
    assert_eq!(winners.len(), 1, "{answers:?}");
    assert_session_created(winners[0], koo_user_info());
    let losers: Vec<&Resp> = answers.iter().filter(|r| r.status != 200).collect();
    assert_eq!(losers.len(), 31);
    for r in losers {
        assert_bad_auth_code(r);
    }
}
