//! OneAccess tenant/token: the app's client-credentials token, and its 30-minute life.

use super::*;

// ---------------------------------------------------------------- tenant/token

#[tokio::test]
async fn tenant_token_issues_a_uuid_bearer_token_for_1800_seconds() {
    let api = Api::new().await;

    let r = request_token(
        &api,
        &format!(
            "grant_type=client_credentials&client_id={CLIENT_ID}&client_secret={CLIENT_SECRET}"
        ),
    )
    .await;

    assert_ok(&r);
    assert_eq!(
        keys(&r.body),
        [
            "access_token",
            "expires_in",
            "id_token",
            "scope",
            "token_type"
        ]
    );
    assert_uuid_v4(
        r.body["access_token"]
            .as_str()
            .expect("access_token string"),
    );
    assert_eq!(r.body["token_type"], json!("Bearer"));
    assert_eq!(r.body["expires_in"], json!(1800));
    assert_eq!(r.body["scope"], json!("all"));
    assert_jwt(r.body["id_token"].as_str().expect("id_token string"));
}

#[tokio::test]
async fn tenant_token_with_a_wrong_secret_answers_invalid_client_401() {
    let api = Api::new().await;

    let r = request_token(
        &api,
        &format!("grant_type=client_credentials&client_id={CLIENT_ID}&client_secret=nope"),
    )
    .await;

    assert_error(&r, 401, "invalid_client", "Bad client credentials");
}

#[tokio::test]
async fn tenant_token_for_an_unknown_client_answers_invalid_client_401() {
    let api = Api::new().await;

    let r = request_token(
        &api,
        &format!(
            "grant_type=client_credentials&client_id=NoSuchClient&client_secret={CLIENT_SECRET}"
        ),
    )
    .await;

    assert_error(&r, 401, "invalid_client", "Bad client credentials");
}

#[tokio::test]
async fn tenant_token_with_another_grant_type_answers_unsupported_grant_type() {
    let api = Api::new().await;

    let r = request_token(
        &api,
        &format!("grant_type=password&client_id={CLIENT_ID}&client_secret={CLIENT_SECRET}"),
    )
    .await;

    assert_error(&r, 400, "unsupported_grant_type", "Unsupported grant type");
}

#[tokio::test]
async fn tenant_token_without_a_field_answers_param_0001_naming_it() {
    let api = Api::new().await;
    let fields = [
        ("grant_type", "client_credentials"),
        ("client_id", CLIENT_ID),
        ("client_secret", CLIENT_SECRET),
    ];
    for (missing, _) in fields {
        for empty in [false, true] {
            let form: Vec<String> = fields
                .iter()
                .filter(|(k, _)| empty || *k != missing)
                .map(|(k, v)| {
                    if *k == missing {
                        format!("{k}=")
                    } else {
                        format!("{k}={v}")
                    }
                })
                .collect();

            let r = request_token(&api, &form.join("&")).await;

            assert_error(&r, 400, "PARAM.0001", &format!("{missing} is required."));
        }
    }
}

#[tokio::test]
async fn a_second_tenant_token_does_not_revoke_the_first() {
    let api = Api::new().await;
    let first = app_token(&api).await;
    let second = app_token(&api).await;
    let session = session_token(&api).await;

    let with_first = ask_ticket(&api, &first, seed_body(&session)).await;
    let with_second = ask_ticket(&api, &second, seed_body(&session)).await;

    assert_ne!(first, second);
    assert_ok(&with_first);
    assert_ok(&with_second);
}

#[tokio::test]
async fn tenant_token_body_over_64_kib_answers_413_with_the_param_error() {
    let api = Api::new().await;
    let form = format!(
        "grant_type=client_credentials&client_id={CLIENT_ID}&client_secret={CLIENT_SECRET}&pad={}",
        "a".repeat(70 * 1024)
    );

    let r = request_token(&api, &form).await;

    assert_error(&r, 413, "PARAM.0001", "Invalid request body.");
}

#[tokio::test]
async fn app_token_works_until_its_last_millisecond_of_30_minutes() {
    let api = Api::new().await;
    api.freeze().await;
    let bearer = app_token(&api).await;
    let session = session_token(&api).await;

    api.advance_ms(30 * 60_000 - 1).await;
    let alive = ask_ticket(&api, &bearer, seed_body(&session)).await;
    api.advance_ms(1).await;
    let expired = ask_ticket(&api, &bearer, seed_body(&session)).await;

    assert_ticket_issued(&alive);
    assert_error(
        &expired,
        400,
        "invalid_token",
        &format!("Access token expired:{bearer}"),
    );
}
