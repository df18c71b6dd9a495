//! OneAccess sso-ticket/verify: a ticket redeemed once for its user's profile, within its 9600 s.

use super::*;

#[tokio::test]
async fn a_ticket_verified_by_another_tenants_app_is_refused_and_stays_redeemable() {
    let api = Api::new().await;
    let bearer = app_token(&api).await;
    let session = session_token(&api).await;
    let t = ticket(&api, &bearer, &session).await;
    let other = app_token_of(&api, OTHER_CLIENT_ID, OTHER_CLIENT_SECRET).await;

    // No X-tenant-id (the header check would answer TENANT.0001 first): the ticket's own tenant decides.
    let foreign = api.oa_verify(&other, &t, &[]).await;
    let foreign_header = api
        .oa_verify(&other, &t, &[("X-tenant-id", OTHER_TENANT)])
        .await;
    let own = api.oa_verify(&bearer, &t, &[]).await;

    let refused = "SSO ticket is invalid, used or expired.";
    assert_error(&foreign, 400, "TICKET.0001", refused);
    assert_error(&foreign_header, 400, "TICKET.0001", refused);
    assert_ok(&own);
    assert_eq!(own.body, zhangsan());
}

// ---------------------------------------------------------------- sso-ticket/verify

#[tokio::test]
async fn verify_redeems_a_ticket_for_the_users_profile() {
    let api = Api::new().await;
    let bearer = app_token(&api).await;
    let session = session_token(&api).await;
    let t = ticket(&api, &bearer, &session).await;

    let r = verify(&api, &bearer, verify_body(&t)).await;

    assert_ok(&r);
    assert_eq!(r.body, zhangsan());
}

#[tokio::test]
async fn verify_answers_the_profile_of_the_user_who_logged_in() {
    let api = Api::new().await;
    let bearer = app_token(&api).await;
    let session = session_token_of(&api, CLIENT_ID, "oa_admin", "Admin@OneAccess1").await;
    let t = ticket(&api, &bearer, &session).await;

    let r = verify(&api, &bearer, verify_body(&t)).await;

    assert_ok(&r);
    assert_eq!(
        r.body,
        json!({"code": "200", "message": "success", "data": {"user": {
            "userName": "oa_admin",
            "id": "20220126153857263-A04D-60E0D4ADMIN",
            "name": "OneAccess Admin",
            "mobile": "+86-18300000001",
            "email": "oa.admin@oneaccess.example"
        }}})
    );
}

#[tokio::test]
async fn verify_a_second_time_answers_ticket_0001() {
    let api = Api::new().await;
    let bearer = app_token(&api).await;
    let session = session_token(&api).await;
    let t = ticket(&api, &bearer, &session).await;

    let first = verify(&api, &bearer, verify_body(&t)).await;
    let second = verify(&api, &bearer, verify_body(&t)).await;

    assert_ok(&first);
    assert_error(
        &second,
        400,
        "TICKET.0001",
        "SSO ticket is invalid, used or expired.",
    );
}

#[tokio::test]
async fn verify_an_unknown_ticket_answers_ticket_0001() {
    let api = Api::new().await;
    let bearer = app_token(&api).await;

    let r = verify(
        &api,
        &bearer,
        verify_body("cd7AAAAAAAAAAAAAAAAAAAAAAAAAAyjn"),
    )
    .await;

    assert_error(
        &r,
        400,
        "TICKET.0001",
        "SSO ticket is invalid, used or expired.",
    );
}

#[tokio::test]
async fn ticket_redeems_until_its_last_millisecond_of_9600_seconds() {
    let api = Api::new().await;
    api.freeze().await;
    let bearer = app_token(&api).await;
    let session = session_token(&api).await;
    let early = ticket(&api, &bearer, &session).await;
    let late = ticket(&api, &bearer, &session).await;

    api.advance_ms(9_600_000 - 1).await;
    let bearer = app_token(&api).await;
    let alive = verify(&api, &bearer, verify_body(&early)).await;
    api.advance_ms(1).await;
    let bearer = app_token(&api).await;
    let expired = verify(&api, &bearer, verify_body(&late)).await;

    assert_ok(&alive);
    assert_eq!(alive.body, zhangsan());
    assert_error(
        &expired,
        400,
        "TICKET.0001",
        "SSO ticket is invalid, used or expired.",
    );
}

#[tokio::test]
async fn verify_with_another_fingerprint_answers_session_0002() {
    let api = Api::new().await;
    let bearer = app_token(&api).await;
    let session = session_token(&api).await;
    let t = ticket(&api, &bearer, &session).await;
    let mut body = verify_body(&t);
    body["device_fingerprint"] = json!("another-device");

    let r = verify(&api, &bearer, body).await;

    assert_error(
        &r,
        400,
        "SESSION.0002",
        "Device fingerprint does not match.",
    );
}

#[tokio::test]
async fn verify_without_a_required_field_answers_param_0001_naming_it() {
    let api = Api::new().await;
    let bearer = app_token(&api).await;
    let session = session_token(&api).await;
    let t = ticket(&api, &bearer, &session).await;
    for field in [
        "sso_ticket",
        "operating_sys_version",
        "device_ip",
        "device_fingerprint",
    ] {
        let mut body = verify_body(&t);
        body.as_object_mut().expect("object").remove(field);

        let r = verify(&api, &bearer, body).await;

        assert_error(&r, 400, "PARAM.0001", &format!("{field} is required."));
    }
    // None of the refused attempts spent the ticket.
    assert_ok(&verify(&api, &bearer, verify_body(&t)).await);
}

#[tokio::test]
async fn verify_without_authorization_answers_param_0001() {
    let api = Api::new().await;
    let bearer = app_token(&api).await;
    let session = session_token(&api).await;
    let t = ticket(&api, &bearer, &session).await;

    let r = api.post(VERIFY, &[], verify_body(&t)).await;

    assert_error(&r, 400, "PARAM.0001", "Authorization is required.");
}

#[tokio::test]
async fn verify_with_a_wrong_tenant_header_answers_tenant_0001() {
    let api = Api::new().await;
    let bearer = app_token(&api).await;
    let session = session_token(&api).await;
    let t = ticket(&api, &bearer, &session).await;
    let auth = format!("Bearer {bearer}");

    let r = api
        .post(
            VERIFY,
            &[
                ("Authorization", auth.as_str()),
                ("X-tenant-id", OTHER_TENANT),
            ],
            verify_body(&t),
        )
        .await;

    assert_error(&r, 400, "TENANT.0001", "Tenant does not match.");
}

#[tokio::test]
async fn verify_with_malformed_json_answers_param_0001_invalid_request_body() {
    let api = Api::new().await;
    let bearer = app_token(&api).await;

    let r = post_seed_style(&api, VERIFY, &bearer, br#"{"sso_ticket": "#).await;

    assert_error(&r, 400, "PARAM.0001", "Invalid request body.");
}

#[tokio::test]
async fn thirty_two_concurrent_redemptions_of_one_ticket_succeed_exactly_once() {
    let api = Api::new().await;
    let bearer = app_token(&api).await;
    let session = session_token(&api).await;
    let t = ticket(&api, &bearer, &session).await;

    let answers = join_all((0..32).map(|_| verify(&api, &bearer, verify_body(&t)))).await;

    let winners: Vec<&Resp> = answers.iter().filter(|r| r.status == 200).collect();
    assert_eq!(winners.len(), 1, "exactly one redemption wins");
    assert_eq!(winners[0].body, zhangsan());
    for r in answers.iter().filter(|r| r.status != 200) {
        assert_error(
            r,
            400,
            "TICKET.0001",
            "SSO ticket is invalid, used or expired.",
        );
    }
}
