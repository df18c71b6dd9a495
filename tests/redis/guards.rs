//! The requests whose one script tests a second credential beside the one it spends or reads (a
//! guard: the OneAccess app token, the KooDrive access token a refresh names) and fills in what it
//! issues from the record it read: the guard's window at its boundary on a frozen clock, across
//! replicas, and what the script stores, compared with what the memory store keeps.

use super::*;

/// The verify body of the seed device.
fn verify_body(ticket: &str, fingerprint: &str) -> Value {
    json!({
        "sso_ticket": ticket,
        "operating_sys_version": "Android 10",
        "device_ip": "10.10.10.1",
        "device_fingerprint": fingerprint,
    })
}

#[tokio::test]
async fn an_app_token_guards_tickets_to_its_last_millisecond_and_a_refused_step_spends_nothing() {
    let redis = redis_or_skip!();
    let (a, b) = replicas(&redis);
    a.freeze().await;
    let app = a.oa_app_token(&[]).await;
    let session = a.oa_session_token(&[]).await;
    let early = a.oa_sso_ticket(&app, &session, &[]).await;

    a.advance_ms(30 * 60_000 - 1).await;
    let last = b.oa_sso_ticket(&app, &session, &[]).await;
    let verified = a.oa_verify(&app, &last, &[]).await;
    assert_status(&verified, 200);
    assert_eq!(verified.body["data"]["user"]["id"], json!(oa::USER_ID));

    a.advance_ms(1).await;
    let expired = format!("Access token expired:{app}");
    oa_error(
        &b.oa_ticket(&app, &session, &[]).await,
        400,
        "invalid_token",
        &expired,
    );
    let auth = format!("Bearer {app}");
    let r = b
        .post(
            oa::VERIFY,
            &[("Authorization", auth.as_str())],
            verify_body(&early, oa::FINGERPRINT),
        )
        .await;
    oa_error(&r, 400, "invalid_token", &expired);
    // Refused for its guard, the step took nothing: the ticket is still the app's tenant's to
    // redeem, with a new app token, once.
    let fresh = b.oa_app_token(&[]).await;
    let r = a.oa_verify(&fresh, &early, &[]).await;
    assert_status(&r, 200);
    assert_eq!(
        r.body["data"]["user"]["id"],
        json!(oa::USER_ID),
        "{}",
        r.text
    );
    oa_error(
        &b.oa_verify(&fresh, &early, &[]).await,
        400,
        "TICKET.0001",
        "SSO ticket is invalid, used or expired.",
    );
}

#[tokio::test]
async fn a_ticket_of_another_device_is_told_apart_in_the_same_step_as_a_bad_one() {
    let redis = redis_or_skip!();
    let b = Node::start(&redis.url());
    let app = b.oa_app_token(&[]).await;
    let session = b.oa_session_token(&[]).await;
    let ticket = b.oa_sso_ticket(&app, &session, &[]).await;
    let auth = format!("Bearer {app}");
    let mut m = super::header::Monitor::start(&redis);

    let r = b
        .post(
            oa::VERIFY,
            &[("Authorization", auth.as_str())],
            verify_body(&ticket, "another-device"),
        )
        .await;
    oa_error(
        &r,
        400,
        "SESSION.0002",
        "Device fingerprint does not match.",
    );
    assert_eq!(m.sent(&redis), ["evalsha"], "SESSION.0002");
    let r = b
        .post(
            oa::VERIFY,
            &[("Authorization", auth.as_str())],
            verify_body("no-such-ticket", oa::FINGERPRINT),
        )
        .await;
    oa_error(
        &r,
        400,
        "TICKET.0001",
        "SSO ticket is invalid, used or expired.",
    );
    assert_eq!(m.sent(&redis), ["evalsha"], "TICKET.0001");
}

#[tokio::test]
async fn a_koodrive_refresh_needs_its_access_token_known_not_live_to_the_refresh_tokens_last_millisecond(
) {
    let redis = redis_or_skip!();
    let (a, b) = replicas(&redis);
    a.freeze().await;
    let first = a.koo_session_info(&[]).await;
    let second = a.koo_session_info(&[]).await;
    let revoked = a.koo_session_info(&[]).await;

    // The access token expired long ago (30 minutes): a refresh still takes it as its guard.
    a.advance_ms(30 * 24 * 3600 * 1000 - 1).await;
    let r = b
        .koo_refresh(
            &str_of(&first, "accessToken"),
            &str_of(&first, "refreshToken"),
        )
        .await;
    assert!(
        koo_ok(&r)["sessionInfo"]["refreshToken"].is_string(),
        "{}",
        r.text
    );

    // An access token revoked is no guard (13000202), and the refused step spends nothing.
    let access = str_of(&revoked, "accessToken");
    a.revoke(access.strip_prefix("AT ").unwrap_or(&access))
        .await;
    let refresh = str_of(&revoked, "refreshToken");
    koo_session_invalid(&b.koo_refresh(&access, &refresh).await);
    let state = a.get("/__admin/state", &[]).await;
    let listed = state.body["tokens"].as_array().cloned().unwrap_or_default();
    assert!(
        listed.iter().any(|t| t["token"] == json!(refresh)),
        "{}",
        state.text
    );

    a.advance_ms(1).await;
    koo_error(
        &b.koo_refresh(
            &str_of(&second, "accessToken"),
            &str_of(&second, "refreshToken"),
        )
        .await,
        401,
        13000205,
        "Refresh token is invalid or expired.",
    );
}

#[tokio::test]
async fn an_enos_token_chooses_an_org_to_its_last_millisecond_on_the_replica_that_issued_it_or_another(
) {
    let redis = redis_or_skip!();
    let (a, b) = replicas(&redis);
    a.freeze().await;
    let here = a.enos_login_token(&[]).await;
    let there = a.enos_login_token(&[]).await;
    let late = a.enos_login_token(&[]).await;

    a.advance_ms(2 * 3600 * 1000 - 1).await;
    // On A the step knows the token's user; on B it reads the token first.
    enos_ok(&a.enos_set(&here, enos::ORG, &[]).await);
    enos_ok(&b.enos_set(&there, enos::ORG, &[]).await);

    a.advance_ms(1).await;
    for n in [&a, &b] {
        enos_error(
            &n.enos_set(&late, enos::ORG, &[]).await,
            31401,
            "Please login first",
        );
    }
}

/// What a step fills in from the record it read (owners, the ticket's bindings, the session's org)
/// is what the memory store keeps for the same requests.
#[tokio::test]
async fn what_a_step_fills_in_is_what_the_memory_store_keeps() {
    let redis = redis_or_skip!();
    let shared = Node::start(&redis.url());
    let memory = Node::spawn(vec![], vec![]);
    let mut seen = Vec::new();
    for n in [&shared, &memory] {
        n.freeze_at(JAN_2026, &[]).await;
        let code = n.mint_auth_code(koo::USER_ID, &[]).await;
        let session = n.koo_session(&code, &[]).await;
        let fixture = n.koo_session(koo::USER_CODE, &[]).await;
        let info = n.koo_session_info(&[]).await;
        let rotated = n
            .koo_refresh(
                &str_of(&info, "accessToken"),
                &str_of(&info, "refreshToken"),
            )
            .await;
        let pair = koo_ok(&rotated)["sessionInfo"].clone();
        let app = n.oa_app_token(&[]).await;
        let oa_session = n.oa_session_token(&[]).await;
        let ticket = n.oa_sso_ticket(&app, &oa_session, &[]).await;
        let (access, refresh) = n.enos_session(&[]).await;
        let state = n.get("/__admin/state", &[]).await;
        let listed = state.body["tokens"].as_array().cloned().unwrap_or_default();
        let view = |t: &str| {
            let mut v = listed
                .iter()
                .find(|x| x["token"] == json!(t))
                .cloned()
                .unwrap_or_else(|| panic!("{t} not listed: {}", state.text));
            // The texts differ; the rest must not.
            let o = v.as_object_mut().expect("an object");
            o.remove("token");
            if let Some(b) = o.get_mut("boundTo").and_then(Value::as_object_mut) {
                b.remove("linked");
                b.remove("session");
            }
            v
        };
        let bare = |t: &str| {
            let t = t.strip_prefix("Bearer ").unwrap_or(t);
            t.strip_prefix("AT ").unwrap_or(t).to_string()
        };
        seen.push(vec![
            view(&bare(&session)),
            view(&bare(&str_of(&pair, "accessToken"))),
            view(&str_of(&pair, "refreshToken")),
            view(&ticket),
            view(&access),
            view(&refresh),
            view(&bare(&fixture)),
        ]);
    }
    assert_eq!(seen[0], seen[1]);
    let session = &seen[0][0];
    assert_eq!(session["owner"], json!(koo::USER_ID), "{session}");
    // The org of the code's user, as a session from that user's fixture code binds it.
    assert_eq!(keys(&session["boundTo"]), ["org"], "{session}");
    assert_eq!(session["boundTo"], seen[0][6]["boundTo"], "{session}");
    let ticket = &seen[0][3];
    assert_eq!(
        ticket["boundTo"],
        json!({ "fingerprint": oa::FINGERPRINT, "client": oa::CLIENT_ID, "tenant": oa::TENANT }),
        "{ticket}"
    );
    assert_eq!(ticket["owner"], json!(oa::USER_ID), "{ticket}");
}
