//! Credentials are shared: what A issues B accepts, and what A ends B refuses on the next request.

use super::*;

#[tokio::test]
async fn a_token_issued_by_a_is_accepted_by_b_in_every_family() {
    let redis = redis_or_skip!();
    // B reads its store from the environment: both ways select the same store.
    let (a, b) = (
        Node::start(&redis.url()),
        Node::start_with_env(&redis.url()),
    );

    // KooDrive createSession on A → session/auth and session/refresh on B.
    let created = a.koo_create_session(koo::SEED_CODE, &[]).await;
    let session = str_of(koo_ok(&created), "accessToken");
    let session_id = str_of(koo_ok(&created), "sessionId");
    let auth = b.koo_auth(&session, &[]).await;
    assert_eq!(koo_ok(&auth)["userId"], json!(koo::SEED_USER_ID));
    let refreshed = b
        .post(
            koo::SESSION_REFRESH,
            &[
                ("Authorization", session.as_str()),
                ("x-session-id", session_id.as_str()),
            ],
            json!({}),
        )
        .await;
    assert_status(&refreshed, 200);
    let renewed = str_of(&refreshed.body, "accessToken");
    koo_session_invalid(&a.koo_auth(&session, &[]).await);
    assert_status(&a.koo_auth(&renewed, &[]).await, 200);

    // KooDrive login on A → auth/refreshToken on B.
    let info = a.koo_session_info(&[]).await;
    let rotated = b
        .koo_refresh(
            &str_of(&info, "accessToken"),
            &str_of(&info, "refreshToken"),
        )
        .await;
    assert!(
        koo_ok(&rotated)["sessionInfo"]["accessToken"].is_string(),
        "{}",
        rotated.text
    );

    // OneAccess tenant/token and sdk/login on A → sso-ticket on B → verify on A.
    let app = a.oa_app_token(&[]).await;
    let oa_session = a.oa_session_token(&[]).await;
    let ticket = b.oa_sso_ticket(&app, &oa_session, &[]).await;
    let verified = a.oa_verify(&app, &ticket, &[]).await;
    assert_status(&verified, 200);
    assert_eq!(verified.body["data"]["user"]["id"], json!(oa::USER_ID));

    // EnOS login on A → session/set on B → session/info and token/refresh on A.
    let login = a.enos_login_token(&[]).await;
    let set = b.enos_set(&login, enos::ORG, &[]).await;
    let access = str_of(enos_ok(&set), "accessToken");
    let refresh = str_of(enos_ok(&set), "refreshToken");
    let info = a.enos_info(&access, &[]).await;
    assert_eq!(enos_ok(&info)["currentOrgId"], json!(enos::ORG));
    enos_ok(&a.enos_refresh(&refresh).await);
}

#[tokio::test]
async fn a_logout_or_revocation_on_a_is_seen_by_the_next_request_on_b() {
    let redis = redis_or_skip!();
    let (a, b) = replicas(&redis);

    // Logouts, over and over: a replica that cached a token would let one through.
    for _ in 0..10 {
        let session = b.koo_session(koo::SEED_CODE, &[]).await;
        assert_status(&b.koo_auth(&session, &[]).await, 200);
        koo_ok(&a.koo_logoff(&session).await);
        koo_session_invalid(&b.koo_auth(&session, &[]).await);

        let (access, refresh) = b.enos_session(&[]).await;
        enos_ok(&b.enos_info(&access, &[]).await);
        enos_ok(&a.enos_logout(&access).await);
        enos_error(
            &b.enos_info(&access, &[]).await,
            31401,
            "Please login first",
        );
        enos_error(&b.enos_refresh(&refresh).await, 31401, "Please login first");
    }

    // DELETE /__admin/tokens/{token} on A, for each family.
    let session = b.koo_session(koo::SEED_CODE, &[]).await;
    assert_status(&b.koo_auth(&session, &[]).await, 200);
    a.revoke(&session).await;
    koo_session_invalid(&b.koo_auth(&session, &[]).await);

    let app = b.oa_app_token(&[]).await;
    let oa_session = b.oa_session_token(&[]).await;
    assert_status(&b.oa_ticket(&app, &oa_session, &[]).await, 200);
    a.revoke(&app).await;
    oa_error(
        &b.oa_ticket(&app, &oa_session, &[]).await,
        400,
        "invalid_token",
        &format!("Invalid access token: {app}"),
    );

    let (access, _) = b.enos_session(&[]).await;
    enos_ok(&b.enos_info(&access, &[]).await);
    a.revoke(&access).await;
    enos_error(
        &b.enos_info(&access, &[]).await,
        31401,
        "Please login first",
    );
}

/// docs/redis.md: Redis TTLs run on real time and only collect garbage, so a credential's key lives
/// 7 days of real time past its mock expiry, never less (a frozen or set-back clock still finds it).
#[tokio::test]
async fn a_credentials_key_outlives_its_expiry_by_seven_days_of_real_time() {
    let redis = redis_or_skip!();
    let a = Node::start(&redis.url());

    let app = a.oa_app_token(&[]).await;
    let epoch = redis
        .text(&["HGET", "am:n:default:meta", "epoch"])
        .expect("the namespace's epoch");
    let pttl = redis
        .command(&["PTTL", &format!("am:n:default:{epoch}:t:{app}")])
        .expect("PTTL answered");

    // The app token's 30 minutes, then the 7 days; less only by the real time since it was stored.
    let full: i64 = (30 * 60 + 7 * 24 * 3600) * 1000;
    let pttl: i64 = pttl.trim_start_matches(':').parse().expect("a TTL in ms");
    assert!(
        (full - 60_000..=full).contains(&pttl),
        "PTTL {pttl} ms, expected just under {full}"
    );
}

/// docs/control-plane.md: `/__admin/state?tokens=N` lists the N newest credentials, newest first;
/// on Redis every replica lists the same ones, whichever issued them.
#[tokio::test]
async fn the_state_on_b_lists_the_newest_credentials_a_issued_newest_first() {
    let redis = redis_or_skip!();
    let (a, b) = replicas(&redis);
    a.freeze().await;
    let mut sessions = Vec::new();
    for _ in 0..4 {
        let s = a.koo_session(koo::SEED_CODE, &[]).await;
        sessions.push(s.strip_prefix("Bearer ").unwrap_or(&s).to_string());
        a.advance_ms(1).await;
    }

    let on_b = b.get("/__admin/state?tokens=3", &[]).await;
    let on_a = a.get("/__admin/state?tokens=3", &[]).await;
    assert_status(&on_b, 200);
    let listed: Vec<&str> = on_b.body["tokens"]
        .as_array()
        .unwrap_or_else(|| panic!("no tokens array: {}", on_b.text))
        .iter()
        .map(|t| t["token"].as_str().unwrap_or_default())
        .collect();
    let newest: Vec<&str> = sessions.iter().rev().take(3).map(String::as_str).collect();
    assert_eq!(listed, newest, "{}", on_b.text);
    assert_eq!(on_b.body["tokens"], on_a.body["tokens"]);
    assert_eq!(on_b.body["counts"]["tokens"], on_a.body["counts"]["tokens"]);
    assert!(
        on_b.body["counts"]["tokens"]
            .as_u64()
            .is_some_and(|n| n >= 4),
        "{}",
        on_b.text
    );
}

/// A ticket verified on B from another device is refused there (the script tests the fingerprint
/// and the tenant before it takes the ticket) and stays redeemable from its own device.
#[tokio::test]
async fn a_ticket_verified_on_b_from_another_device_is_refused_and_not_spent() {
    let redis = redis_or_skip!();
    let (a, b) = replicas(&redis);
    let app = a.oa_app_token(&[]).await;
    let session = a.oa_session_token(&[]).await;
    let ticket = a.oa_sso_ticket(&app, &session, &[]).await;
    let auth = format!("Bearer {app}");
    let other_device = json!({
        "sso_ticket": ticket,
        "operating_sys_version": "Android 10",
        "device_ip": "10.10.10.1",
        "device_fingerprint": "another-device",
    });
    let r = b
        .post(
            oa::VERIFY,
            &[("Authorization", auth.as_str())],
            other_device,
        )
        .await;
    oa_error(
        &r,
        400,
        "SESSION.0002",
        "Device fingerprint does not match.",
    );
    let r = b.oa_verify(&app, &ticket, &[]).await;
    assert_status(&r, 200);
    assert_eq!(
        r.body["data"]["user"]["id"],
        json!(oa::USER_ID),
        "{}",
        r.text
    );
    oa_error(
        &a.oa_verify(&app, &ticket, &[]).await,
        400,
        "TICKET.0001",
        "SSO ticket is invalid, used or expired.",
    );
}
