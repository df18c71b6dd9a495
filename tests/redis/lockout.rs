//! Login lockouts over two replicas: each wrong password counted once, the lock seen by both, lifted
//! at exactly 15 minutes.

use super::*;

#[tokio::test]
async fn wrong_passwords_alternated_over_a_and_b_lock_after_the_limit_counted_once() {
    let redis = redis_or_skip!();
    let (a, b) = replicas(&redis);

    // KooDrive: 5 failures in all lock; the 5th still answers the wrong-password error.
    for i in 0..5 {
        koo_wrong_password(
            &pick(i, &a, &b)
                .koo_login_as(koo::ACCOUNT, "wrong", &[])
                .await,
        );
    }
    koo_locked(&b.koo_login_as(koo::ACCOUNT, koo::PASSWORD, &[]).await);
    koo_locked(&a.koo_login_as(koo::ACCOUNT, koo::PASSWORD, &[]).await);

    // EnOS: the same, 5.
    for i in 0..5 {
        enos_error(
            &pick(i, &a, &b)
                .enos_login(enos::ACCOUNT, "wrong", &[])
                .await,
            31400,
            ENOS_WRONG,
        );
    }
    enos_error(
        &b.enos_login(enos::ACCOUNT, enos::PASSWORD, &[]).await,
        31429,
        ENOS_LOCKED,
    );
    enos_error(
        &a.enos_login(enos::ACCOUNT, enos::PASSWORD, &[]).await,
        31429,
        ENOS_LOCKED,
    );

    // OneAccess: 10, and each answer counts down what is left in all.
    for (i, remaining) in (0..=9).rev().enumerate() {
        oa_wrong_password(
            &pick(i, &a, &b).oa_login(oa::USER, "wrong", &[]).await,
            remaining,
        );
    }
    for node in [&a, &b] {
        oa_error(
            &node.oa_login(oa::USER, oa::PASSWORD, &[]).await,
            400,
            "LOGIN.0003",
            "Account is locked.",
        );
    }
}

#[tokio::test]
async fn the_lockout_cycle_over_a_and_b_clears_locks_and_lifts_at_exactly_15_minutes() {
    let redis = redis_or_skip!();
    let (a, b) = replicas(&redis);
    a.clock(json!({ "set": JAN_2026, "freeze": true }), &[])
        .await;

    // Four failures, then a success on the other replica clears the count ...
    for i in 0..4 {
        koo_wrong_password(
            &pick(i, &a, &b)
                .koo_login_as(koo::ACCOUNT, "wrong", &[])
                .await,
        );
    }
    koo_ok(&b.koo_login_as(koo::ACCOUNT, koo::PASSWORD, &[]).await);
    // ... so four more do not lock (eight counted would have);
    for i in 0..4 {
        koo_wrong_password(
            &pick(i + 1, &a, &b)
                .koo_login_as(koo::ACCOUNT, "wrong", &[])
                .await,
        );
    }
    koo_ok(&a.koo_login_as(koo::ACCOUNT, koo::PASSWORD, &[]).await);
    // five do, on both replicas, until the last millisecond of the 15 minutes.
    for i in 0..5 {
        koo_wrong_password(
            &pick(i, &a, &b)
                .koo_login_as(koo::ACCOUNT, "wrong", &[])
                .await,
        );
    }
    koo_locked(&a.koo_login_as(koo::ACCOUNT, koo::PASSWORD, &[]).await);
    koo_locked(&b.koo_login_as(koo::ACCOUNT, koo::PASSWORD, &[]).await);
    b.clock(json!({ "advance": format!("{}ms", 15 * 60_000 - 1) }), &[])
        .await;
    koo_locked(&a.koo_login_as(koo::ACCOUNT, koo::PASSWORD, &[]).await);
    a.clock(json!({ "advance": "1ms" }), &[]).await;
    koo_ok(&b.koo_login_as(koo::ACCOUNT, koo::PASSWORD, &[]).await);
    // The lock is gone, not just skipped: one failure now counts from zero.
    koo_wrong_password(&a.koo_login_as(koo::ACCOUNT, "wrong", &[]).await);
    koo_ok(&a.koo_login_as(koo::ACCOUNT, koo::PASSWORD, &[]).await);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_wrong_passwords_over_a_and_b_each_count_once() {
    let redis = redis_or_skip!();
    let (a, b) = replicas(&redis);

    // 9 at once: an atomic count gives each failure its own remaining number, 9 down to 1.
    let answers = join_all((0..9).map(|i| pick(i, &a, &b).oa_login(oa::USER, "wrong", &[]))).await;
    let remaining: BTreeSet<u32> = answers
        .iter()
        .map(|r| {
            assert_eq!(r.body["error_code"], json!("LOGIN.0002"), "{}", r.text);
            let msg = r.body["error_msg"].as_str().unwrap_or_default();
            msg.trim_start_matches("Invalid account name or password. Remaining attempts: ")
                .trim_end_matches('.')
                .parse()
                .unwrap_or_else(|_| panic!("{msg:?}"))
        })
        .collect();
    assert_eq!(remaining, (1..=9).collect::<BTreeSet<u32>>());
    oa_wrong_password(&b.oa_login(oa::USER, "wrong", &[]).await, 0);
    oa_error(
        &a.oa_login(oa::USER, oa::PASSWORD, &[]).await,
        400,
        "LOGIN.0003",
        "Account is locked.",
    );

    // KooDrive: 4 at once, none lost: the 5th failure is the last one answered 13000203.
    join_all((0..4).map(|i| pick(i, &a, &b).koo_login_as(koo::ACCOUNT, "wrong", &[])))
        .await
        .iter()
        .for_each(koo_wrong_password);
    koo_wrong_password(&a.koo_login_as(koo::ACCOUNT, "wrong", &[]).await);
    koo_locked(&b.koo_login_as(koo::ACCOUNT, koo::PASSWORD, &[]).await);
}
