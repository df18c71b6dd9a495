//! OneAccess session-token/sso-ticket ("Obtaining an SSO Ticket Using a Session Token"): the page's
//! example, tickets of a session, and what is checked in which order.

use super::*;

// ---------------------------------------------------------------- session-token/sso-ticket ("Obtaining sso_ticket Using session_token")

#[tokio::test]
async fn seed_example_with_real_tokens_answers_a_ticket_for_9600_seconds() {
    let api = Api::new().await;
    let bearer = app_token(&api).await;
    let session = session_token(&api).await;

    let r = ask_ticket(&api, &bearer, seed_body(&session)).await;

    assert_ok(&r);
    assert_eq!(keys(&r.body), ["expire", "sso_ticket"]);
    assert_eq!(r.body["expire"], json!(9600));
    let t = r.body["sso_ticket"].as_str().expect("sso_ticket string");
    assert_eq!(t.len(), 32, "{t}");
    assert!(is_base62(t), "{t}");
}

#[tokio::test]
async fn sso_ticket_without_optional_fields_and_tenant_header_succeeds() {
    let api = Api::new().await;
    let bearer = app_token(&api).await;
    let session = session_token(&api).await;
    let auth = format!("Bearer {bearer}");

    let r = api
        .post(
            TICKET,
            &[("Authorization", auth.as_str())],
            json!({
                "session_token": session,
                "operating_sys_version": "Android 10",
                "device_ip": "10.10.10.1",
                "device_fingerprint": FINGERPRINT
            }),
        )
        .await;

    assert_ok(&r);
    assert_eq!(r.body["expire"], json!(9600));
}

#[tokio::test]
async fn one_session_token_yields_distinct_tickets_that_each_redeem() {
    let api = Api::new().await;
    let bearer = app_token(&api).await;
    let session = session_token(&api).await;

    let a = ticket(&api, &bearer, &session).await;
    let b = ticket(&api, &bearer, &session).await;
    let ra = verify(&api, &bearer, verify_body(&a)).await;
    let rb = verify(&api, &bearer, verify_body(&b)).await;

    assert_ne!(a, b);
    assert_ok(&ra);
    assert_ok(&rb);
}

#[tokio::test]
async fn sso_ticket_without_authorization_answers_param_0001() {
    let api = Api::new().await;
    let session = session_token(&api).await;

    let r = api
        .post_raw(
            TICKET,
            &[("Content-Type", SEED_CONTENT_TYPE), ("X-tenant-id", TENANT)],
            seed_body(&session).to_string().as_bytes(),
        )
        .await;

    assert_error(&r, 400, "PARAM.0001", "Authorization is required.");
}

#[tokio::test]
async fn sso_ticket_with_an_empty_authorization_answers_param_0001() {
    let api = Api::new().await;
    let session = session_token(&api).await;

    let r = api
        .post(TICKET, &[("Authorization", "")], seed_body(&session))
        .await;

    assert_error(&r, 400, "PARAM.0001", "Authorization is required.");
}

#[tokio::test]
async fn sso_ticket_with_an_unknown_bearer_answers_invalid_token() {
    let api = Api::new().await;
    let session = session_token(&api).await;
    let unknown = "334963fc-1e4a-473b-9096-52a929140abc";

    let r = ask_ticket(&api, unknown, seed_body(&session)).await;

    assert_error(
        &r,
        400,
        "invalid_token",
        &format!("Invalid access token: {unknown}"),
    );
}

#[tokio::test]
async fn sso_ticket_with_a_bare_app_token_is_refused_with_invalid_token() {
    let api = Api::new().await;
    let bearer = app_token(&api).await;
    let session = session_token(&api).await;

    let r = api
        .post(
            TICKET,
            &[("Authorization", bearer.as_str())],
            seed_body(&session),
        )
        .await;

    assert_error(
        &r,
        400,
        "invalid_token",
        &format!("Invalid access token: {bearer}"),
    );
}

#[tokio::test]
async fn sso_ticket_accepts_bearer_joined_with_a_plus() {
    let api = Api::new().await;
    let bearer = app_token(&api).await;
    let session = session_token(&api).await;
    let auth = format!("Bearer+{bearer}");

    let r = api
        .post(
            TICKET,
            &[("Authorization", auth.as_str())],
            seed_body(&session),
        )
        .await;

    assert_ok(&r);
    assert_eq!(r.body["expire"], json!(9600));
}

#[tokio::test]
async fn sso_ticket_without_or_with_an_empty_session_token_answers_param_0005() {
    let api = Api::new().await;
    let bearer = app_token(&api).await;
    for session in [None, Some(json!("")), Some(json!(null))] {
        let mut body = seed_body("x");
        match session {
            None => {
                body.as_object_mut()
                    .expect("object")
                    .remove("session_token");
            }
            Some(v) => body["session_token"] = v,
        }

        let r = ask_ticket(&api, &bearer, body).await;

        assert_error(&r, 400, "PARAM.0005", "Token required.");
    }
}

#[tokio::test]
async fn sso_ticket_without_another_required_field_answers_param_0001_naming_it() {
    let api = Api::new().await;
    let bearer = app_token(&api).await;
    let session = session_token(&api).await;
    for field in ["operating_sys_version", "device_ip", "device_fingerprint"] {
        for how in ["absent", "empty", "null"] {
            let mut body = seed_body(&session);
            match how {
                "absent" => {
                    body.as_object_mut().expect("object").remove(field);
                }
                "empty" => body[field] = json!(""),
                _ => body[field] = json!(null),
            }

            let r = ask_ticket(&api, &bearer, body).await;

            assert_error(&r, 400, "PARAM.0001", &format!("{field} is required."));
        }
    }
}

#[tokio::test]
async fn sso_ticket_with_an_unknown_session_token_answers_session_0001() {
    let api = Api::new().await;
    let bearer = app_token(&api).await;

    let r = ask_ticket(
        &api,
        &bearer,
        seed_body("btsAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"),
    )
    .await;

    assert_error(
        &r,
        400,
        "SESSION.0001",
        "Session token is invalid or expired.",
    );
}

#[tokio::test]
async fn sso_ticket_with_another_fingerprint_answers_session_0002() {
    let api = Api::new().await;
    let bearer = app_token(&api).await;
    let session = session_token(&api).await;
    let mut body = seed_body(&session);
    body["device_fingerprint"] = json!("156aysdna213sc50");

    let r = ask_ticket(&api, &bearer, body).await;

    assert_error(
        &r,
        400,
        "SESSION.0002",
        "Device fingerprint does not match.",
    );
}

#[tokio::test]
async fn sso_ticket_with_a_wrong_tenant_header_answers_tenant_0001() {
    let api = Api::new().await;
    let bearer = app_token(&api).await;
    let session = session_token(&api).await;
    let auth = format!("Bearer {bearer}");
    for tenant in [OTHER_TENANT, "ffffffffffffffffffffffffffffffff"] {
        let r = api
            .post(
                TICKET,
                &[("Authorization", auth.as_str()), ("X-tenant-id", tenant)],
                seed_body(&session),
            )
            .await;

        assert_error(&r, 400, "TENANT.0001", "Tenant does not match.");
    }
}

#[tokio::test]
async fn other_tenants_app_token_with_the_seed_tenant_header_answers_tenant_0001() {
    let api = Api::new().await;
    let bearer = app_token_of(&api, OTHER_CLIENT_ID, OTHER_CLIENT_SECRET).await;
    let session = session_token(&api).await;

    let r = ask_ticket(&api, &bearer, seed_body(&session)).await;

    assert_error(&r, 400, "TENANT.0001", "Tenant does not match.");
}

#[tokio::test]
async fn sso_ticket_with_an_unknown_body_client_id_answers_app_0001() {
    let api = Api::new().await;
    let bearer = app_token(&api).await;
    let session = session_token(&api).await;
    let mut body = seed_body(&session);
    body["client_id"] = json!("NoSuchClient");

    let r = ask_ticket(&api, &bearer, body).await;

    assert_error(&r, 400, "APP.0001", "Application does not exist.");
}

#[tokio::test]
async fn session_token_of_another_tenants_user_is_refused_with_session_0001() {
    let api = Api::new().await;
    let bearer = app_token(&api).await;
    let foreign = session_token_of(&api, OTHER_CLIENT_ID, "lisi", "Lisi@12345").await;

    let r = ask_ticket(&api, &bearer, seed_body(&foreign)).await;

    assert_error(
        &r,
        400,
        "SESSION.0001",
        "Session token is invalid or expired.",
    );
}

#[tokio::test]
async fn sso_ticket_with_malformed_json_answers_param_0001_invalid_request_body() {
    let api = Api::new().await;
    let bearer = app_token(&api).await;
    let bodies: [&[u8]; 5] = [
        br#"{"session_token": "x", }"#,
        b"[]",
        br#""x""#,
        b"",
        b"{\"session_token\": \"\xff\xfe\"}",
    ];
    for body in bodies {
        let r = post_seed_style(&api, TICKET, &bearer, body).await;

        assert_error(&r, 400, "PARAM.0001", "Invalid request body.");
    }
}

#[tokio::test]
async fn sso_ticket_with_a_field_of_the_wrong_type_answers_param_0001() {
    let api = Api::new().await;
    let bearer = app_token(&api).await;
    let session = session_token(&api).await;
    let mut body = seed_body(&session);
    body["device_ip"] = json!(true);

    let r = ask_ticket(&api, &bearer, body).await;

    assert_eq!(r.status, 400, "{}", r.text);
    assert_json_content_type(&r);
    assert_eq!(keys(&r.body), ["error_code", "error_msg"]);
    assert_eq!(r.body["error_code"], json!("PARAM.0001"));
}

#[tokio::test]
async fn sso_ticket_body_over_64_kib_answers_413_with_the_param_error() {
    let api = Api::new().await;
    let bearer = app_token(&api).await;
    let session = session_token(&api).await;
    let mut body = seed_body(&session);
    body["agent"] = json!("A".repeat(65 * 1024));

    let r = ask_ticket(&api, &bearer, body).await;

    assert_error(&r, 413, "PARAM.0001", "Invalid request body.");
}

#[tokio::test]
async fn sso_ticket_body_of_exactly_64_kib_is_accepted() {
    let api = Api::new().await;
    let bearer = app_token(&api).await;
    let session = session_token(&api).await;
    let mut body = seed_body(&session);
    body["agent"] = json!("");
    let pad = 64 * 1024 - body.to_string().len();
    body["agent"] = json!("A".repeat(pad));
    assert_eq!(body.to_string().len(), 64 * 1024);

    let r = ask_ticket(&api, &bearer, body).await;

    assert_ok(&r);
}

#[tokio::test]
async fn authorization_is_checked_before_the_body() {
    let api = Api::new().await;
    let bearer = app_token(&api).await;

    let missing = api
        .post_raw(TICKET, &[("Content-Type", SEED_CONTENT_TYPE)], b"")
        .await;
    let unknown = post_seed_style(&api, TICKET, "not-a-token", b"").await;
    api.advance_clock(31 * 60).await;
    let expired = post_seed_style(&api, TICKET, &bearer, b"{}").await;

    assert_error(&missing, 400, "PARAM.0001", "Authorization is required.");
    assert_error(
        &unknown,
        400,
        "invalid_token",
        "Invalid access token: not-a-token",
    );
    assert_error(
        &expired,
        400,
        "invalid_token",
        &format!("Access token expired:{bearer}"),
    );
}

#[tokio::test]
async fn parameters_are_checked_before_the_session_state() {
    let api = Api::new().await;
    let bearer = app_token(&api).await;
    let mut body = seed_body("btsUnknownUnknownUnknownUnknownUnknownUnkno");
    body.as_object_mut().expect("object").remove("device_ip");

    let r = ask_ticket(&api, &bearer, body).await;

    assert_error(&r, 400, "PARAM.0001", "device_ip is required.");
}

// ---------------------------------------------------------------- the rules every route follows, on sso-ticket

#[tokio::test]
async fn sso_ticket_accepts_any_json_content_type_or_none() {
    let api = Api::new().await;
    let bearer = app_token(&api).await;
    let session = session_token(&api).await;
    let auth = format!("Bearer {bearer}");
    let body = seed_body(&session).to_string();
    for ct in [
        Some("application/json"),
        Some("application/json; charset=utf-8"),
        Some("APPLICATION/JSON;CHARSET=UTF8"),
        Some("text/plain"),
        None,
    ] {
        let mut h = vec![("authorization", auth.as_str())];
        if let Some(ct) = ct {
            h.push(("content-type", ct));
        }

        let r = api.post_raw(TICKET, &h, body.as_bytes()).await;

        assert_ok(&r);
        assert_eq!(r.body["expire"], json!(9600), "content-type {ct:?}");
    }
}

#[tokio::test]
async fn sso_ticket_ignores_unknown_fields_and_gateway_headers_and_coerces_numbers() {
    let api = Api::new().await;
    let bearer = app_token(&api).await;
    let r = login_with(
        &api,
        CLIENT_ID,
        "12345",
        &[],
        &[],
        json!({"user_name": USER, "password": PASSWORD}),
    )
    .await;
    assert_ok(&r);
    let session = r.body["session_token"].as_str().expect("session_token");
    let auth = format!("Bearer {bearer}");
    let body = json!({
        "session_token": session,
        "operating_sys_version": 10,
        "device_ip": "10.10.10.1",
        "device_fingerprint": 12345,
        "surprise": {"nested": [1, 2, 3]}
    });

    let r = api
        .post(
            TICKET,
            &[
                ("Authorization", auth.as_str()),
                ("X-Traceid", "trace-1"),
                ("language", "en-US"),
                ("channel", "web"),
                ("User-Agent", "curl/8"),
                ("apim-accesstoken", "blob"),
            ],
            body,
        )
        .await;

    assert_ok(&r);
    assert_eq!(r.body["expire"], json!(9600));
}
