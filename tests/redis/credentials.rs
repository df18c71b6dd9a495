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
