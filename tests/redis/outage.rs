//! Redis hung, lost or a replica killed: 503 within a bound, serving resumes by itself, and nothing
//! acknowledged is lost.

use super::*;

#[tokio::test]
async fn a_hung_redis_gets_503_within_the_documented_bound_then_serving_resumes() {
    let mut redis = redis_or_skip!();
    let (a, b) = replicas(&redis);
    let session = a.koo_session(koo::SEED_CODE, &[]).await;

    redis.hang();
    for node in [&a, &b] {
        let start = Instant::now();
        koo_store_down(&node.koo_auth(&session, &[]).await);
        let koo = start.elapsed();
        let start = Instant::now();
        oa_store_down(&node.oa_token_request(&[]).await);
        let oa = start.elapsed();
        let start = Instant::now();
        enos_store_down(&node.enos_login(enos::ACCOUNT, enos::PASSWORD, &[]).await);
        let enos = start.elapsed();
        for took in [koo, oa, enos] {
            assert!(
                took < HUNG_REDIS_ANSWERED_WITHIN,
                "a hung Redis answered 503 after {took:?} (koo {koo:?}, oa {oa:?}, enos {enos:?})"
            );
        }
    }
    redis.unhang();
    wait_until_healthy(&[&a, &b], RESUME_WITHIN).await;

    // Nothing acknowledged before the hang is lost, and new work is served.
    assert_eq!(
        koo_ok(&b.koo_auth(&session, &[]).await)["userId"],
        json!(koo::SEED_USER_ID)
    );
    assert!(!b.oa_app_token(&[]).await.is_empty());
}

#[tokio::test]
async fn a_replica_killed_and_restarted_keeps_every_session_issued_before() {
    let redis = redis_or_skip!();
    let (mut a, b) = replicas(&redis);
    let mut koo_sessions = Vec::new();
    for i in 0..10 {
        koo_sessions.push(pick(i, &a, &b).koo_session(koo::SEED_CODE, &[]).await);
    }
    let info = a.koo_session_info(&[]).await;
    let app = a.oa_app_token(&[]).await;
    let oa_session = a.oa_session_token(&[]).await;
    let (enos_access, enos_refresh) = a.enos_session(&[]).await;
    let logged_off = a.koo_session(koo::SEED_CODE, &[]).await;
    koo_ok(&a.koo_logoff(&logged_off).await);

    a.kill_and_restart();

    for s in &koo_sessions {
        assert_status(&a.koo_auth(s, &[]).await, 200);
    }
    koo_session_invalid(&a.koo_auth(&logged_off, &[]).await);
    koo_ok(
        &a.koo_refresh(
            &str_of(&info, "accessToken"),
            &str_of(&info, "refreshToken"),
        )
        .await,
    );
    let ticket = a.oa_sso_ticket(&app, &oa_session, &[]).await;
    assert_status(&a.oa_verify(&app, &ticket, &[]).await, 200);
    enos_ok(&a.enos_info(&enos_access, &[]).await);
    enos_ok(&a.enos_refresh(&enos_refresh).await);
    let h = a.health().await;
    assert_eq!(
        (h.status, &h.body["store"]),
        (200, &json!("redis")),
        "{}",
        h.text
    );
}

/// Asserts a 503 for a lost store: `Retry-After: 1`, JSON, and the body's keys.
fn store_down(r: &Resp, body_keys: &[&str]) {
    assert_status(r, 503);
    assert_eq!(r.header("retry-after"), "1", "{:?}", r.headers);
    assert!(
        r.header("content-type").starts_with("application/json"),
        "{:?}",
        r.headers
    );
    assert_eq!(keys(&r.body), body_keys, "{}", r.text);
}

fn koo_store_down(r: &Resp) {
    store_down(r, &["code", "msg"]);
    assert_eq!(r.body["code"], json!(503), "{}", r.text);
    assert!(
        r.body["msg"].as_str().is_some_and(|m| !m.is_empty()),
        "{}",
        r.text
    );
}

fn oa_store_down(r: &Resp) {
    store_down(r, &["error_code", "error_msg"]);
    assert_eq!(r.body["error_code"], json!("STORE.0503"), "{}", r.text);
    assert!(
        r.body["error_msg"].as_str().is_some_and(|m| !m.is_empty()),
        "{}",
        r.text
    );
}

fn enos_store_down(r: &Resp) {
    store_down(r, &["code", "data", "message"]);
    assert_eq!(r.body["code"], json!(503), "{}", r.text);
    assert_eq!(r.body["data"], Value::Null, "{}", r.text);
    assert!(
        r.body["message"].as_str().is_some_and(|m| !m.is_empty()),
        "{}",
        r.text
    );
}

#[tokio::test]
async fn redis_lost_mid_run_answers_503_then_serving_resumes_with_nothing_acknowledged_lost() {
    let mut redis = redis_or_skip!();
    let (mut a, mut b) = replicas(&redis);
    let koo_session = a.koo_session(koo::SEED_CODE, &[]).await;
    let info = b.koo_session_info(&[]).await;
    let app = a.oa_app_token(&[]).await;
    let oa_session = b.oa_session_token(&[]).await;
    let (enos_access, enos_refresh) = b.enos_session(&[]).await;
    let logged_off = a.koo_session(koo::SEED_CODE, &[]).await;
    koo_ok(&b.koo_logoff(&logged_off).await);
    let code = a.mint_auth_code(koo::USER_ID, &[]).await;

    redis.stop();

    for node in [&a, &b] {
        koo_store_down(&node.koo_auth(&koo_session, &[]).await);
        koo_store_down(&node.koo_login_as(koo::ACCOUNT, koo::PASSWORD, &[]).await);
        koo_store_down(&node.koo_create_session(koo::SEED_CODE, &[]).await);
        oa_store_down(&node.oa_token_request(&[]).await);
        oa_store_down(&node.oa_ticket(&app, &oa_session, &[]).await);
        enos_store_down(&node.enos_login(enos::ACCOUNT, enos::PASSWORD, &[]).await);
        enos_store_down(&node.enos_info(&enos_access, &[]).await);

        let h = node.health().await;
        assert_status(&h, 503);
        assert_eq!(h.body["store"], json!("down"), "{}", h.text);
        assert_eq!(h.body["status"], json!("unavailable"), "{}", h.text);

        for r in [
            node.get("/__admin/clock", &[]).await,
            node.post(
                "/__admin/koodrive/auth-codes",
                &[],
                json!({ "userId": koo::USER_ID }),
            )
            .await,
        ] {
            assert_status(&r, 503);
            assert!(
                r.header("retry-after").parse::<u64>().is_ok(),
                "{:?}",
                r.headers
            );
            let msg = r.body["error"].as_str().unwrap_or_default();
            assert!(msg.contains("store"), "{}", r.text);
        }
    }

    redis.start();
    wait_until_healthy(&[&a, &b], RESUME_WITHIN).await;

    a.assert_running();
    b.assert_running();
    for node in [&a, &b] {
        assert_status(&node.koo_auth(&koo_session, &[]).await, 200);
        koo_session_invalid(&node.koo_auth(&logged_off, &[]).await);
        assert_status(&node.oa_ticket(&app, &oa_session, &[]).await, 200);
        enos_ok(&node.enos_info(&enos_access, &[]).await);
    }
    koo_ok(
        &a.koo_refresh(
            &str_of(&info, "accessToken"),
            &str_of(&info, "refreshToken"),
        )
        .await,
    );
    enos_ok(&b.enos_refresh(&enos_refresh).await);
    assert_eq!(
        koo_ok(&b.koo_create_session(&code, &[]).await)["userId"],
        json!(koo::USER_ID)
    );
    // And new work is served.
    koo_ok(&a.koo_login_as(koo::ACCOUNT, koo::PASSWORD, &[]).await);
    enos_ok(&b.enos_login(enos::ACCOUNT, enos::PASSWORD, &[]).await);
}
