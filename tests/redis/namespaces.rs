//! Namespaces over two replicas, and a namespace's keys in Redis: namespaces are shared and stay
//! apart; what a key of the wrong type answers, a lost header, the namespace limit and
//! `reset?all=true`. Keys are planted and inspected with raw RESP commands.

use super::*;

/// How many keys match `pattern` (`KEYS`: fine on a test's own small Redis).
fn count(redis: &Redis, pattern: &str) -> usize {
    let head = redis.command(&["KEYS", pattern]).expect("KEYS answered");
    head.trim_start_matches('*').parse().expect("an array")
}

fn epoch(redis: &Redis, ns: &str) -> String {
    redis
        .text(&["HGET", &format!("am:n:{ns}:meta"), "epoch"])
        .expect("the namespace's epoch")
}

/// Asserts the family's 500 envelope (and the control plane's) naming `key`.
fn names_key(r: &Resp, field: &str, key: &str) {
    assert_status(r, 500);
    let what = r.body[field].as_str().unwrap_or_default();
    assert!(
        what.contains(&format!("the key {key} holds a")) && what.contains("POST /__admin/reset"),
        "{}",
        r.text
    );
}

#[tokio::test]
async fn a_wrong_type_header_answers_500_naming_the_key_until_a_reset_clears_it() {
    let redis = redis_or_skip!();
    let (a, b) = replicas(&redis);
    enos_ok(&a.enos_login(enos::ACCOUNT, enos::PASSWORD, &[]).await);
    let meta = "am:n:default:meta";
    assert_eq!(redis.command(&["DEL", meta]).as_deref(), Some(":1"));
    assert_eq!(redis.command(&["SET", meta, "x"]).as_deref(), Some("+OK"));

    let koo = b.koo_login_as(koo::ACCOUNT, koo::PASSWORD, &[]).await;
    names_key(&koo, "msg", meta);
    assert_eq!(keys(&koo.body), ["code", "msg"]);
    assert_eq!(koo.body["code"], json!(500));
    let oa = a.oa_token_request(&[]).await;
    names_key(&oa, "error_msg", meta);
    assert_eq!(oa.body["error_code"], json!("STORE.0500"));
    let en = b.enos_login(enos::ACCOUNT, enos::PASSWORD, &[]).await;
    names_key(&en, "message", meta);
    assert_eq!(
        (&en.body["code"], &en.body["data"]),
        (&json!(500), &Value::Null)
    );
    names_key(&a.get("/__admin/clock", &[]).await, "error", meta);
    let h = b.health().await;
    names_key(&h, "error", meta);
    assert_eq!(
        (&h.body["status"], &h.body["store"]),
        (&json!("broken"), &json!("redis"))
    );
    // Another namespace is served meanwhile.
    assert_status(&a.health_of("other").await, 200);

    a.reset().await;

    assert_eq!(redis.text(&["TYPE", meta]).as_deref(), Some("hash"));
    koo_ok(&b.koo_login_as(koo::ACCOUNT, koo::PASSWORD, &[]).await);
    assert_status(&a.health().await, 200);
}

#[tokio::test]
async fn a_wrong_type_credential_key_answers_500_naming_it_and_a_reset_clears_it() {
    let redis = redis_or_skip!();
    let (a, b) = replicas(&redis);
    let session = a.koo_session(koo::SEED_CODE, &[]).await;
    let key = format!(
        "am:n:default:{}:t:{}",
        epoch(&redis, "default"),
        session.trim_start_matches("Bearer ")
    );
    assert_eq!(redis.command(&["DEL", &key]).as_deref(), Some(":1"));
    assert_eq!(
        redis.command(&["HSET", &key, "f", "v"]).as_deref(),
        Some(":1")
    );

    let r = b.koo_auth(&session, &[]).await;
    names_key(&r, "msg", &key);
    assert_eq!(r.body["code"], json!(500));
    assert_eq!(r.header("retry-after"), "", "{:?}", r.headers);

    a.reset().await;

    koo_session_invalid(&b.koo_auth(&session, &[]).await);
    koo_ok(&b.koo_create_session(koo::SEED_CODE, &[]).await);
    // The planted key went with the old epoch (unlinked in the background).
    let deadline = Instant::now() + Duration::from_secs(10);
    while redis.command(&["EXISTS", &key]).as_deref() != Some(":0") {
        assert!(Instant::now() < deadline, "{key} was never unlinked");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[tokio::test]
async fn a_lost_header_never_brings_back_an_epoch_an_earlier_reset_retired() {
    let redis = redis_or_skip!();
    let (a, b) = replicas(&redis);
    let first = a.koo_session(koo::SEED_CODE, &[]).await;
    let used = epoch(&redis, "default");
    a.reset().await;
    let second = b.koo_session(koo::SEED_CODE, &[]).await;
    let retired = epoch(&redis, "default");
    koo_session_invalid(&a.koo_auth(&first, &[]).await);

    // Evicted or deleted: the namespace starts over, at an epoch no earlier one used.
    assert_eq!(
        redis.command(&["DEL", "am:n:default:meta"]).as_deref(),
        Some(":1")
    );
    koo_session_invalid(&b.koo_auth(&second, &[]).await);
    koo_session_invalid(&a.koo_auth(&first, &[]).await);
    let now = epoch(&redis, "default");
    assert!(now != used && now != retired, "{used} {retired} {now}");
    koo_ok(&a.koo_create_session(koo::SEED_CODE, &[]).await);
}

#[tokio::test]
async fn past_the_namespace_limit_the_least_recently_used_namespace_and_its_keys_go() {
    let redis = redis_or_skip!();
    let (a, b) = replicas(&redis);
    let oldest = ns("a0000");
    let kept = a.koo_session(koo::SEED_CODE, &oldest).await;
    assert!(count(&redis, "am:n:a0000:*") >= 2);
    // 1,000 namespaces in all with `default`, as in memory: one more evicts the oldest.
    for i in 1..999 {
        assert_status(&pick(i, &a, &b).health_of(&format!("n{i:04}")).await, 200);
    }
    assert!(count(&redis, "am:n:a0000:*") >= 2);
    assert_status(&b.health_of("n0999").await, 200);

    assert_eq!(
        redis.command(&["EXISTS", "am:n:a0000:meta"]).as_deref(),
        Some(":0")
    );
    // The rest of its keys are unlinked in the background.
    let deadline = Instant::now() + Duration::from_secs(10);
    while count(&redis, "am:n:a0000:*") != 0 {
        assert!(
            Instant::now() < deadline,
            "a0000's keys were never unlinked"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert_eq!(
        redis.command(&["ZCARD", "am:used"]).as_deref(),
        Some(":999")
    );
    assert!(count(&redis, "am:n:n0001:*") >= 1);
    koo_session_invalid(&b.koo_auth(&kept, &oldest).await);
}

#[tokio::test]
async fn reset_all_removes_every_namespaces_keys() {
    let redis = redis_or_skip!();
    let (a, b) = replicas(&redis);
    let one = a.koo_session(koo::SEED_CODE, &ns("one")).await;
    b.enos_session(&ns("two")).await;
    a.koo_session(koo::SEED_CODE, &[]).await;
    assert!(count(&redis, "am:n:*") >= 6);

    let r = b.post("/__admin/reset?all=true", &[], json!({})).await;
    assert_status(&r, 200);

    assert_eq!(count(&redis, "am:n:*"), 0);
    assert_eq!(count(&redis, "am:ns"), 0);
    koo_session_invalid(&a.koo_auth(&one, &ns("one")).await);
    koo_ok(&b.koo_create_session(koo::SEED_CODE, &ns("one")).await);
}

#[tokio::test]
async fn namespaces_are_shared_across_replicas_and_stay_apart() {
    let redis = redis_or_skip!();
    let (a, b) = replicas(&redis);
    let (t1, t2) = (ns("t1"), ns("t2"));

    let session = a.koo_session(koo::SEED_CODE, &t1).await;
    let enos_login = a.enos_login_token(&t1).await;
    a.clock(json!({ "set": JAN_2026, "freeze": true }), &t1)
        .await;

    assert_status(&b.koo_auth(&session, &t1).await, 200);
    koo_session_invalid(&b.koo_auth(&session, &t2).await);
    koo_session_invalid(&b.koo_auth(&session, &[]).await);
    enos_error(
        &b.enos_set(&enos_login, enos::ORG, &t2).await,
        31401,
        "Please login first",
    );
    enos_ok(&b.enos_set(&enos_login, enos::ORG, &t1).await);
    assert_eq!(b.get_clock(&t1).await["epochMs"], json!(JAN_2026_MS));
    assert_eq!(b.get_clock(&t2).await["mode"], json!("real"));

    // A namespace's fixtures load once: B's first use of t3 keeps what A did there before.
    let t3 = ns("t3");
    a.add_identity(
        "koodrive",
        "users",
        koo_user("1008600000709990006", "t3_only"),
        &t3,
    )
    .await;
    let in_t3 = a.koo_session(koo::SEED_CODE, &t3).await;
    koo_ok(&b.koo_login_as("t3_only", "N3w-Koo-Pass", &t3).await);
    assert_status(&b.koo_auth(&in_t3, &t3).await, 200);
    koo_ok(&b.koo_create_session(koo::SEED_CODE, &t3).await);
    koo_wrong_password(&b.koo_login_as("t3_only", "N3w-Koo-Pass", &t2).await);
}
