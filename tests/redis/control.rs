//! The control plane over two replicas: the clock, faults, identities and reset are shared; the
//! request journal stays per replica.

use super::*;

#[tokio::test]
async fn freezing_or_setting_the_clock_on_a_is_the_time_on_b() {
    let redis = redis_or_skip!();
    let (a, b) = replicas(&redis);

    let frozen = a.clock(json!({ "freeze": true }), &[]).await;
    let seen = b.get_clock(&[]).await;
    assert_eq!(frozen["mode"], json!("frozen"), "{frozen}");
    assert_eq!(seen["mode"], json!("frozen"), "{seen}");
    assert_eq!(seen["epochMs"], frozen["epochMs"], "{seen} vs {frozen}");

    a.clock(json!({ "set": JAN_2026 }), &[]).await;
    let seen = b.get_clock(&[]).await;
    assert_eq!(seen["epochMs"], json!(JAN_2026_MS), "{seen}");
    let info = b.koo_session_info(&[]).await;
    assert_eq!(info["issuedAt"], json!(JAN_2026_MS.to_string()));

    assert_status(&a.delete("/__admin/clock", &[]).await, 200);
    let seen = b.get_clock(&[]).await;
    assert_eq!(seen["mode"], json!("real"), "{seen}");
    let drift = (seen["epochMs"].as_i64().expect("epochMs") - system_ms()).abs();
    assert!(drift < 60_000, "{seen}");
}

#[tokio::test]
async fn advancing_the_clock_on_a_expires_a_session_on_b() {
    let redis = redis_or_skip!();
    let (a, b) = replicas(&redis);
    a.freeze_at(JAN_2026, &[]).await;
    let session = b.koo_session(koo::SEED_CODE, &[]).await;

    a.clock(json!({ "advance": "19m" }), &[]).await;
    let still = b.koo_auth(&session, &[]).await;
    a.clock(json!({ "advance": "21m" }), &[]).await;
    let expired = b.koo_auth(&session, &[]).await;

    assert_status(&still, 200);
    koo_session_invalid(&expired);
    assert_eq!(
        b.get_clock(&[]).await["epochMs"],
        json!(JAN_2026_MS + 40 * 60_000)
    );
}

#[tokio::test]
async fn a_fault_queued_on_a_with_times_1_fires_once_on_b() {
    let redis = redis_or_skip!();
    let (a, b) = replicas(&redis);
    let id = a
        .add_fault(
            json!({ "route": format!("POST {}", koo::LOGIN), "times": 1, "error": "13000203" }),
            &[],
        )
        .await;

    let listed = b.faults(&[]).await;
    assert_eq!(listed.len(), 1, "{listed:?}");
    assert_eq!(listed[0]["id"], json!(id));
    koo_wrong_password(&b.koo_login_as(koo::ACCOUNT, koo::PASSWORD, &[]).await);
    for i in 0..8 {
        koo_ok(
            &pick(i, &a, &b)
                .koo_login_as(koo::ACCOUNT, koo::PASSWORD, &[])
                .await,
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_fault_queued_on_a_fires_exactly_its_times_among_racers_over_a_and_b() {
    let redis = redis_or_skip!();
    let (a, b) = replicas(&redis);
    // More than the 32 requests either replica gets: only a shared count fires it exactly 40 times.
    let times = 40;
    a.add_fault(
        json!({ "route": format!("POST {}", enos::LOGIN), "times": times, "error": "31404" }),
        &[],
    )
    .await;

    let answers = join_all(
        (0..RACERS).map(|i| pick(i, &a, &b).enos_login(enos::ACCOUNT, enos::PASSWORD, &[])),
    )
    .await;

    let faulted = answers.iter().filter(|r| r.body["code"] == 31404).count();
    let served = answers.iter().filter(|r| r.body["code"] == 0).count();
    let other: Vec<String> = answers
        .iter()
        .filter(|r| r.body["code"] != 31404 && r.body["code"] != 0)
        .map(|r| format!("{} {}", r.status, r.text))
        .collect();
    assert_eq!(
        (faulted, served),
        (times, RACERS - times),
        "{} other answers (Redis was up all along): {other:#?}",
        other.len()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_clock_advances_over_a_and_b_each_count_once() {
    let redis = redis_or_skip!();
    let (a, b) = replicas(&redis);
    a.freeze_at(JAN_2026, &[]).await;
    let n = RACERS;

    let answers = join_all(
        (0..n).map(|i| pick(i, &a, &b).post("/__admin/clock", &[], json!({ "advance": 60 }))),
    )
    .await;

    for r in &answers {
        assert_status(r, 200);
    }
    let expected = JAN_2026_MS + n as i64 * 60_000;
    assert_eq!(a.get_clock(&[]).await["epochMs"], json!(expected));
    assert_eq!(b.get_clock(&[]).await["epochMs"], json!(expected));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_identity_additions_over_a_and_b_all_land() {
    let redis = redis_or_skip!();
    let (a, b) = replicas(&redis);
    let n = RACERS;
    let user = |i: usize| koo_user(&format!("10086000007099901{i:02}"), &format!("racer_{i}"));

    let answers =
        join_all((0..n).map(|i| pick(i, &a, &b).post("/__admin/koodrive/users", &[], user(i))))
            .await;

    for r in &answers {
        assert_status(r, 201);
    }
    // Each user logs in on the replica that did not add it.
    for i in 0..n {
        let other = pick(i + 1, &a, &b);
        let login = other
            .koo_login_as(&format!("racer_{i}"), "N3w-Koo-Pass", &[])
            .await;
        koo_ok(&login);
    }
}

#[tokio::test]
async fn identities_added_on_a_are_usable_on_b() {
    let redis = redis_or_skip!();
    let (a, b) = replicas(&redis);
    let koo_id = "1008600000709990003";

    a.add_identity("koodrive", "users", koo_user(koo_id, "new_comer"), &[])
        .await;
    a.add_identity(
        "oneaccess",
        "users",
        json!({
            "id": "oa-added-1",
            "userName": "wangwu",
            "password": "Wangwu@12345",
            "name": "wangwu",
            "mobile": "+86-18300000099",
            "email": "wangwu@oneaccess.example",
            "tenantId": oa::TENANT
        }),
        &[],
    )
    .await;
    a.add_identity(
        "enos",
        "orgs",
        json!({ "id": "oAdded", "name": "Added" }),
        &[],
    )
    .await;
    a.add_identity(
        "enos",
        "users",
        json!({
            "id": "uAdded1",
            "account": "new_enos",
            "password": "NewUser1234",
            "name": "new_enos",
            "email": "new_enos@example.com",
            "adminLevel": 0,
            "orgs": ["oAdded"]
        }),
        &[],
    )
    .await;

    let login = b.koo_login_as("new_comer", "N3w-Koo-Pass", &[]).await;
    assert_eq!(koo_ok(&login)["userInfo"]["userId"], json!(koo_id));
    let code = b.mint_auth_code(koo_id, &[]).await;
    let created = a.koo_create_session(&code, &[]).await;
    assert_eq!(koo_ok(&created)["userId"], json!(koo_id));

    let r = b.oa_login("wangwu", "Wangwu@12345", &[]).await;
    assert_status(&r, 200);
    assert_eq!(r.body["status"], json!("SUCCESS"), "{}", r.text);

    let r = b.enos_login("new_enos", "NewUser1234", &[]).await;
    let token = str_of(enos_ok(&r), "accessToken");
    let set = b.enos_set(&token, "oAdded", &[]).await;
    assert_eq!(enos_ok(&set)["currentOrgId"], json!("oAdded"));
}

#[tokio::test]
async fn reset_on_a_resets_what_b_sees() {
    let redis = redis_or_skip!();
    let (a, b) = replicas(&redis);
    let session = b.koo_session(koo::SEED_CODE, &[]).await;
    let enos_login = b.enos_login_token(&[]).await;
    let code = b.mint_auth_code(koo::USER_ID, &[]).await;
    b.add_identity(
        "koodrive",
        "users",
        koo_user("1008600000709990005", "gone_soon"),
        &[],
    )
    .await;
    b.add_fault(
        json!({ "route": format!("POST {}", oa::TOKEN), "times": 0, "status": 503 }),
        &[],
    )
    .await;
    b.freeze_at(JAN_2026, &[]).await;
    for _ in 0..5 {
        b.enos_login(enos::ACCOUNT, "wrong", &[]).await;
    }

    a.reset().await;

    koo_session_invalid(&b.koo_auth(&session, &[]).await);
    enos_error(
        &b.enos_set(&enos_login, enos::ORG, &[]).await,
        31401,
        "Please login first",
    );
    koo_bad_code(&b.koo_create_session(&code, &[]).await);
    koo_wrong_password(&b.koo_login_as("gone_soon", "N3w-Koo-Pass", &[]).await);
    assert_eq!(b.faults(&[]).await, Vec::<Value>::new());
    assert_status(&b.oa_token_request(&[]).await, 200);
    assert_eq!(b.get_clock(&[]).await["mode"], json!("real"));
    enos_ok(&b.enos_login(enos::ACCOUNT, enos::PASSWORD, &[]).await);
    // The fixtures are back.
    koo_ok(&b.koo_create_session(koo::SEED_CODE, &[]).await);
}

#[tokio::test]
async fn the_request_journal_stays_per_replica() {
    let redis = redis_or_skip!();
    let (a, b) = replicas(&redis);

    koo_ok(&a.koo_login_as(koo::ACCOUNT, koo::PASSWORD, &[]).await);

    let on_a = a.journal().await;
    let on_b = b.journal().await;
    assert!(
        on_a.iter().any(|e| e["path"] == json!(koo::LOGIN)),
        "{on_a:?}"
    );
    assert!(
        !on_b.iter().any(|e| e["path"] == json!(koo::LOGIN)),
        "{on_b:?}"
    );
}
