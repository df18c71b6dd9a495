//! The body step: content types, the 64 KiB limit, bodies that are not what they claim, and slow
//! bodies; every answer is JSON.

use super::*;

// ---------------------------------------------------------------------------------------------
// content types

#[tokio::test]
async fn every_response_is_application_json() {
    let api = Api::new().await;
    let big = json!({"pad": "x".repeat(70 * 1024)});
    let answers = vec![
        api.enos_login(enos::ACCOUNT, enos::PASSWORD, &[]).await,
        api.post(
            enos::LOGIN,
            &[],
            json!({"account": enos::ACCOUNT, "password": "no"}),
        )
        .await,
        api.post(koo::SESSION, &[], json!({"code": koo::SEED_CODE}))
            .await,
        api.post(koo::SESSION, &[], json!({"code": "unknown"}))
            .await,
        api.get(koo::SESSION_AUTH, &[]).await,
        api.post_raw(
            oa::TOKEN,
            &[("content-type", "application/x-www-form-urlencoded")],
            format!(
                "grant_type=client_credentials&client_id={}&client_secret=demo-client-secret",
                oa::CLIENT_ID
            )
            .as_bytes(),
        )
        .await,
        api.post_raw(
            oa::TOKEN,
            &[("content-type", "application/x-www-form-urlencoded")],
            format!(
                "grant_type=client_credentials&client_id={}&client_secret=wrong",
                oa::CLIENT_ID
            )
            .as_bytes(),
        )
        .await,
        api.post(oa::TICKET, &[], json!({})).await,
        api.get("/nope", &[]).await,
        api.get(enos::SET, &[]).await,
        api.post(enos::SET, &[("authorization", "Bearer x")], big.clone())
            .await,
        api.post(koo::SESSION, &[], big.clone()).await,
        api.post(oa::LOGIN, &oneaccess_login_headers(), big).await,
    ];

    let statuses: Vec<u16> = answers.iter().map(|r| r.status).collect();
    for r in &answers {
        assert_json_content_type(r);
        assert!(r.body.is_object(), "{}", r.text);
    }
    for expected in [200, 400, 401, 404, 405, 413] {
        assert!(
            statuses.contains(&expected),
            "no {expected} among {statuses:?}"
        );
    }
}

#[tokio::test]
async fn bodies_over_64_kib_answer_413_with_each_familys_parameter_error() {
    let api = Api::new().await;
    let big = json!({"pad": "x".repeat(70 * 1024)});

    let r = api.post(koo::SESSION, &[], big.clone()).await;
    koodrive_err(&r, 413, 13000102, "Verify parameters failed.");

    let r = api
        .post(oa::LOGIN, &oneaccess_login_headers(), big.clone())
        .await;
    oneaccess_err(&r, 413, "PARAM.0001", "Invalid request body.");

    let r = api.post(enos::LOGIN, &[], big).await;
    assert_eq!(r.status, 413, "{}", r.text);
    assert_eq!(
        r.body,
        json!({"code": 31400, "message": "Invalid request parameters", "data": null})
    );
}

#[tokio::test]
async fn a_json_body_under_a_non_json_content_type_is_accepted() {
    let api = Api::new().await;

    let r = api
        .post_raw(
            enos::LOGIN,
            &[("content-type", "text/plain")],
            br#"{"account":"portal_demo","password":"Test1234"}"#,
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.body["code"], json!(0), "{}", r.text);

    let r = api
        .post_raw(
            koo::SESSION,
            &[("content-type", "text/plain;charset=utf-8")],
            json!({"code": koo::SEED_CODE}).to_string().as_bytes(),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.body["code"], json!(0), "{}", r.text);

    let r = api
        .post_raw(
            enos::SET,
            &[
                (
                    "authorization",
                    "Bearer APP_PORTAL_S_TDKKeqfYBK3m5z3LRgKVqThWDYnRBN44",
                ),
                ("content-type", "application/octet-stream"),
            ],
            br#"{"orgId":"yourOrgId"}"#,
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.body["code"], json!(0), "{}", r.text);
}

#[tokio::test]
async fn a_non_json_body_under_a_non_json_content_type_gets_the_parameter_error() {
    let api = Api::new().await;

    let r = api
        .post_raw(
            enos::LOGIN,
            &[("content-type", "text/plain")],
            b"account=portal_demo&password=Test1234",
        )
        .await;

    enos_err(&r, 31400, "Invalid request parameters");
}

#[tokio::test]
async fn a_token_form_that_is_not_utf8_is_an_unparsable_body() {
    let api = Api::new().await;
    let ct = [("content-type", "application/x-www-form-urlencoded")];
    for body in [
        b"grant_type=client_credentials&client_id=\xff\xfe&client_secret=x".to_vec(),
        b"grant_type=client_credentials&client_id=%FF%FE&client_secret=x".to_vec(),
    ] {
        let r = api.post_raw(oa::TOKEN, &ct, &body).await;
        assert_eq!(
            (r.status, &r.body),
            (
                400,
                &json!({"error_code": "PARAM.0001", "error_msg": "Invalid request body."})
            )
        );
    }
}

#[tokio::test]
async fn a_body_declared_over_64_kib_is_refused_at_once_without_100_continue() {
    let api = Api::new().await;
    let req = format!("POST {} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1000000\r\nExpect: 100-continue\r\nConnection: close\r\n\r\n", enos::LOGIN);
    let answer = exchange(&api, req.into_bytes(), false).await;
    assert!(
        answer.starts_with(b"HTTP/1.1 413"),
        "{}",
        String::from_utf8_lossy(&answer)
    );
    let r = parse_answer(&answer);
    assert_eq!(
        r.body,
        json!({"code": 31400, "message": "Invalid request parameters", "data": null})
    );
}

#[tokio::test]
async fn a_body_slower_than_the_timeout_gets_408_in_each_familys_envelope() {
    // 300 ms instead of 30 s; the 30 s default is held by a unit test of `BODY_TIMEOUT`.
    let server = authmock::MockServer::builder()
        .body_timeout(std::time::Duration::from_millis(300))
        .start()
        .await;
    let api = Api::with(server);
    let cases = [
        (
            koo::SESSION,
            json!({"code": 13000102, "msg": "Verify parameters failed."}),
        ),
        (
            oa::LOGIN,
            json!({"error_code": "PARAM.0001", "error_msg": "Invalid request body."}),
        ),
        (
            enos::LOGIN,
            json!({"code": 31400, "message": "Invalid request parameters", "data": null}),
        ),
    ];
    for (path, envelope) in cases {
        // 20 bytes declared, one sent: the rest never comes.
        let req = format!("POST {path} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 20\r\nConnection: close\r\n\r\n{{");
        let answer = exchange(&api, req.into_bytes(), false).await;
        assert!(
            answer.starts_with(b"HTTP/1.1 408"),
            "{path}: {}",
            String::from_utf8_lossy(&answer)
        );
        assert_eq!(parse_answer(&answer).body, envelope, "{path}");
    }
}
