//! The namespace header each replica keeps: a vendor request runs on the one its replica last read,
//! its script checks it in the same round trip, and what another replica changed since is what the
//! request sees.

use super::*;

/// A vendor request on B runs on the namespace header B last read, checked by its first command (the
/// login script itself) or, when it ran none, once at the end: whatever A changed since is what B's
/// next request sees, and the request that found it out answers as if B had read it first.
#[tokio::test]
async fn what_a_changes_after_b_last_read_the_header_is_what_bs_next_login_sees() {
    let redis = redis_or_skip!();
    let (a, b) = replicas(&redis);
    koo_ok(&b.koo_login_as(koo::ACCOUNT, koo::PASSWORD, &[]).await);

    a.clock(json!({ "set": JAN_2026, "freeze": true }), &[])
        .await;
    let info = b.koo_session_info(&[]).await;
    assert_eq!(info["issuedAt"], json!(JAN_2026_MS.to_string()), "{info}");

    a.add_identity(
        "koodrive",
        "users",
        koo_user("1008600000709990004", "late_comer"),
        &[],
    )
    .await;
    // The account is unknown on the header B last read: no verb ran before the check at the end.
    let login = b.koo_login_as("late_comer", "N3w-Koo-Pass", &[]).await;
    assert_eq!(
        koo_ok(&login)["userInfo"]["userId"],
        json!("1008600000709990004")
    );

    a.add_fault(
        json!({ "route": format!("POST {}", koo::LOGIN), "times": 1, "error": "13000203" }),
        &[],
    )
    .await;
    // A login B refuses for its input alone still meets the fault queued since.
    let bad = b
        .post(koo::LOGIN, &[koo::AGENT], json!({ "account": "x" }))
        .await;
    koo_wrong_password(&bad);
    koo_ok(&b.koo_login_as(koo::ACCOUNT, koo::PASSWORD, &[]).await);
}
