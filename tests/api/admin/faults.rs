//! The control plane: faults.

use super::*;

// =============================================================================================
// faults

#[tokio::test]
async fn a_fault_answers_the_named_koodrive_error_once_then_the_route_works() {
    let api = Api::new().await;

    let r = admin(
        &api,
        "POST",
        "/__admin/faults",
        json!({ "route": "POST /koodrive/ose/v1/auth/login", "times": 1, "error": "13000203" }),
        &[],
    )
    .await;

    assert_status(&r, 201);
    assert!(
        r.body["id"].as_str().is_some_and(|id| !id.is_empty()),
        "{}",
        r.text
    );
    koo_wrong_password(&api.koo_login(&[]).await);
    koo_ok(&api.koo_login(&[]).await);
}

#[tokio::test]
async fn a_fault_may_name_a_numeric_vendor_code_as_a_json_number() {
    let api = Api::new().await;
    let login = api.enos_login_token(&[]).await;

    let koo = admin(
        &api,
        "POST",
        "/__admin/faults",
        json!({ "route": format!("POST {}", koo::LOGIN), "error": 13000203 }),
        &[],
    )
    .await;
    let enos = admin(
        &api,
        "POST",
        "/__admin/faults",
        json!({ "route": format!("POST {}", enos::SET), "error": 31512 }),
        &[],
    )
    .await;

    assert_status(&koo, 201);
    assert_status(&enos, 201);
    koo_wrong_password(&api.koo_login(&[]).await);
    enos_error(
        &api.enos_set(&login, enos::ORG, &[]).await,
        31512,
        "Organization unselected",
    );
}

#[tokio::test]
async fn a_fault_applies_to_as_many_requests_as_times_says() {
    let api = Api::new().await;
    api.add_fault(
        json!({ "route": format!("POST {}", koo::LOGIN), "times": 2, "error": "13000204" }),
        &[],
    )
    .await;

    let answers = [
        api.koo_login(&[]).await,
        api.koo_login(&[]).await,
        api.koo_login(&[]).await,
    ];

    koo_error(
        &answers[0],
        401,
        13000204,
        "Account is locked. Try again later.",
    );
    koo_error(
        &answers[1],
        401,
        13000204,
        "Account is locked. Try again later.",
    );
    koo_ok(&answers[2]);
}

#[tokio::test]
async fn a_fault_answers_an_enos_error_as_http_200_with_the_code_in_the_body() {
    let api = Api::new().await;
    let login = api.enos_login_token(&[]).await;
    api.add_fault(
        json!({ "route": format!("POST {}", enos::SET), "error": "31404" }),
        &[],
    )
    .await;

    let faulted = api.enos_set(&login, enos::ORG, &[]).await;
    let next = api.enos_set(&login, enos::ORG, &[]).await;

    enos_error(&faulted, 31404, "Can not find this organization.");
    enos_ok(&next);
}

#[tokio::test]
async fn a_fault_answers_a_oneaccess_error_as_the_route_would() {
    let api = Api::new().await;
    api.add_fault(
        json!({ "route": format!("POST {}", oa::TOKEN), "error": "invalid_client" }),
        &[],
    )
    .await;

    let faulted = api.oa_token_request(&[]).await;
    let next = api.oa_token_request(&[]).await;

    oa_error(&faulted, 401, "invalid_client", "Bad client credentials");
    assert_status(&next, 200);
}

#[tokio::test]
async fn a_fault_with_status_and_body_answers_them_raw() {
    let api = Api::new().await;
    let route = format!("POST {}", koo::LOGIN);
    api.add_fault(
        json!({ "route": route, "status": 503, "body": { "message": "upstream down" } }),
        &[],
    )
    .await;
    api.add_fault(
        json!({ "route": route, "status": 502, "body": "Bad Gateway" }),
        &[],
    )
    .await;

    let first = api.koo_login(&[]).await;
    let second = api.koo_login(&[]).await;
    let third = api.koo_login(&[]).await;

    assert_eq!(
        (first.status, &first.body),
        (503, &json!({ "message": "upstream down" })),
        "{}",
        first.text
    );
    assert_eq!((second.status, second.text.as_str()), (502, "Bad Gateway"));
    koo_ok(&third);
}

#[tokio::test]
async fn a_fault_with_delay_ms_answers_normally_after_the_delay() {
    let api = Api::new().await;
    api.add_fault(
        json!({ "route": format!("POST {}", koo::LOGIN), "delayMs": 300 }),
        &[],
    )
    .await;

    let start = Instant::now();
    let r = api.koo_login(&[]).await;
    let took = start.elapsed();

    koo_ok(&r);
    assert!(took >= Duration::from_millis(300), "took {took:?}");
}

#[tokio::test]
async fn a_fault_with_drop_closes_the_connection_without_an_answer() {
    let api = Api::new().await;
    api.add_fault(
        json!({ "route": format!("POST {}", koo::LOGIN), "drop": true }),
        &[],
    )
    .await;
    let client = reqwest::Client::new();

    let r = client
        .post(api.url(koo::LOGIN))
        .header(koo::AGENT.0, koo::AGENT.1)
        .json(&json!({ "account": koo::ACCOUNT, "authType": "1", "password": koo::PASSWORD }))
        .send()
        .await;

    match r {
        Err(e) => assert!(!e.is_timeout(), "{e}"),
        Ok(resp) => panic!("got an answer: {}", resp.status()),
    }
    koo_ok(&api.koo_login(&[]).await);
}

/// A browser's request carries `Origin`; the server sends those through the router's CORS layer and
/// answers the others directly. Both paths must behave as one.
const ORIGIN: (&str, &str) = ("Origin", "http://localhost:3000");

#[tokio::test]
async fn requests_with_and_without_origin_get_the_same_answers_and_journal_entries() {
    let api = Api::new().await;

    let plain = api.koo_login_as(koo::ACCOUNT, "wrong", &[]).await;
    let cors = api.koo_login_as(koo::ACCOUNT, "wrong", &[ORIGIN]).await;
    let missing_agent = api.post(koo::LOGIN, &[], json!({})).await;
    let missing_agent_cors = api.post(koo::LOGIN, &[ORIGIN], json!({})).await;

    koo_wrong_password(&plain);
    assert_eq!((cors.status, &cors.text), (plain.status, &plain.text));
    assert_eq!(
        (missing_agent_cors.status, &missing_agent_cors.text),
        (missing_agent.status, &missing_agent.text)
    );
    for r in [&plain, &cors] {
        assert_eq!(r.header("content-type"), "application/json");
        assert_eq!(r.header("access-control-allow-origin"), "*");
        assert_eq!(r.header("access-control-expose-headers"), "*");
    }
    let entries = journal(&api, "", &[]).await;
    let routes: Vec<&Value> = entries.iter().map(|e| &e["route"]).collect();
    assert_eq!(routes, vec![&json!(koo::LOGIN); 4], "{entries:?}");
}

#[tokio::test]
async fn faults_apply_to_requests_with_origin_too() {
    let api = Api::new().await;
    api.add_fault(
        json!({ "route": format!("POST {}", koo::LOGIN), "times": 1, "error": "13000203" }),
        &[],
    )
    .await;
    api.add_fault(
        json!({ "route": format!("POST {}", koo::SESSION), "drop": true }),
        &[],
    )
    .await;

    koo_wrong_password(&api.koo_login(&[ORIGIN]).await);
    let dropped = reqwest::Client::new()
        .post(api.url(koo::SESSION))
        .header(ORIGIN.0, ORIGIN.1)
        .json(&json!({ "code": koo::SEED_CODE }))
        .send()
        .await;

    match dropped {
        Err(e) => assert!(!e.is_timeout(), "{e}"),
        Ok(resp) => panic!("got an answer: {}", resp.status()),
    }
    koo_ok(&api.koo_login(&[ORIGIN]).await);
}

#[tokio::test]
async fn a_fault_with_malformed_answers_a_body_that_is_not_json() {
    let api = Api::new().await;
    api.add_fault(
        json!({ "route": format!("POST {}", koo::LOGIN), "malformed": true }),
        &[],
    )
    .await;

    let faulted = api.koo_login(&[]).await;
    let next = api.koo_login(&[]).await;

    assert!(!faulted.text.is_empty());
    assert!(
        serde_json::from_str::<Value>(&faulted.text).is_err(),
        "parses as JSON: {}",
        faulted.text
    );
    koo_ok(&next);
}

#[tokio::test]
async fn a_fault_with_times_zero_applies_until_it_is_deleted() {
    let api = Api::new().await;
    let id = api
        .add_fault(
            json!({ "route": format!("POST {}", koo::LOGIN), "times": 0, "error": "13000204" }),
            &[],
        )
        .await;
    for _ in 0..3 {
        koo_error(
            &api.koo_login(&[]).await,
            401,
            13000204,
            "Account is locked. Try again later.",
        );
    }
    let listed = api.faults(&[]).await;
    assert_eq!(listed.len(), 1, "{listed:?}");
    assert_eq!(listed[0]["id"], json!(id));
    assert_eq!(listed[0]["route"], json!(format!("POST {}", koo::LOGIN)));

    let r = api.delete(&format!("/__admin/faults/{id}"), &[]).await;

    assert_status(&r, 200);
    koo_ok(&api.koo_login(&[]).await);
    assert_eq!(api.faults(&[]).await, Vec::<Value>::new());
    admin_error(
        &api.delete(&format!("/__admin/faults/{id}"), &[]).await,
        404,
    );
}

#[tokio::test]
async fn deleting_all_faults_removes_every_fault() {
    let api = Api::new().await;
    api.add_fault(
        json!({ "route": format!("POST {}", koo::LOGIN), "times": 0, "error": "13000204" }),
        &[],
    )
    .await;
    api.add_fault(
        json!({ "route": format!("POST {}", enos::LOGIN), "times": 0, "error": "31429" }),
        &[],
    )
    .await;
    assert_eq!(api.faults(&[]).await.len(), 2);

    let r = api.delete("/__admin/faults", &[]).await;

    assert_status(&r, 200);
    assert_eq!(api.faults(&[]).await, Vec::<Value>::new());
    koo_ok(&api.koo_login(&[]).await);
    enos_ok(&api.enos_login(enos::ACCOUNT, enos::PASSWORD, &[]).await);
}

#[tokio::test]
async fn a_fault_for_an_unknown_route_or_another_familys_code_answers_400() {
    let api = Api::new().await;
    let refused = [
        (
            json!({ "route": "POST /koodrive/ose/v1/auth/logon", "error": "13000203" }),
            "logon",
        ),
        (
            json!({ "route": "GET /koodrive/ose/v1/auth/login", "error": "13000203" }),
            "GET",
        ),
        (
            json!({ "route": format!("POST {}", koo::LOGIN), "error": "31404" }),
            "31404",
        ),
        (
            json!({ "route": format!("POST {}", enos::SET), "error": "13000203" }),
            "13000203",
        ),
        (
            json!({ "route": format!("POST {}", oa::TICKET), "error": "13000202" }),
            "13000202",
        ),
        (
            json!({ "route": format!("POST {}", koo::LOGIN), "error": "13009999" }),
            "13009999",
        ),
        (
            json!({ "route": format!("POST {}", koo::LOGIN) }),
            "at least one of",
        ),
        (
            json!({ "route": format!("POST {}", koo::LOGIN), "times": 3 }),
            "at least one of",
        ),
        (
            json!({ "route": format!("POST {}", koo::LOGIN), "status": 199 }),
            "200-599",
        ),
        (
            json!({ "route": format!("POST {}", koo::LOGIN), "status": 600 }),
            "200-599",
        ),
        (
            json!({ "route": format!("POST {}", koo::LOGIN), "error": "13000203", "status": 503 }),
            "error",
        ),
        (
            json!({ "route": format!("POST {}", koo::LOGIN), "error": "13000203", "body": {} }),
            "error",
        ),
        (
            json!({ "route": format!("POST {}", koo::LOGIN), "body": {"a": 1} }),
            "status",
        ),
        (
            json!({ "route": format!("POST {}", koo::LOGIN), "delayMs": 60_001 }),
            "60000",
        ),
    ];

    for (body, named) in refused {
        let r = admin(&api, "POST", "/__admin/faults", body.clone(), &[]).await;
        let msg = admin_error(&r, 400);
        assert!(msg.contains(named), "{body}: {msg:?} does not name {named}");
    }

    assert_eq!(api.faults(&[]).await, Vec::<Value>::new());
    koo_ok(&api.koo_login(&[]).await);
}

#[tokio::test]
async fn x_mock_error_answers_that_vendor_error_for_one_request() {
    let api = Api::new().await;
    let login = api.enos_login_token(&[]).await;

    let koo = api.koo_login(&[("X-Mock-Error", "13000204")]).await;
    let koo_next = api.koo_login(&[]).await;
    let enos = api
        .enos_set(&login, enos::ORG, &[("X-Mock-Error", "31404")])
        .await;

    koo_error(&koo, 401, 13000204, "Account is locked. Try again later.");
    koo_ok(&koo_next);
    enos_error(&enos, 31404, "Can not find this organization.");
    enos_ok(&api.enos_set(&login, enos::ORG, &[]).await);
}

#[tokio::test]
async fn x_mock_delay_delays_one_request() {
    let api = Api::new().await;

    let start = Instant::now();
    let r = api.koo_login(&[("X-Mock-Delay", "250ms")]).await;
    let took = start.elapsed();

    koo_ok(&r);
    assert!(took >= Duration::from_millis(250), "took {took:?}");
}

#[tokio::test]
async fn an_x_mock_error_request_leaves_the_queued_fault_for_the_next_request() {
    let api = Api::new().await;
    let f = api
        .post(
            "/__admin/faults",
            &[],
            json!({"route": "POST /app-portal-service/v2.2/login", "error": "31429"}),
        )
        .await;
    assert_eq!(f.status, 201, "{}", f.text);
    let creds = json!({"account": enos::ACCOUNT, "password": enos::PASSWORD});
    let r = api
        .post(enos::LOGIN, &[("X-Mock-Error", "31512")], creds.clone())
        .await;
    assert_eq!(r.body["code"], 31512);
    let r = api.post(enos::LOGIN, &[], creds.clone()).await;
    assert_eq!(r.body["code"], 31429, "the queued fault was lost");
    let r = api.post(enos::LOGIN, &[], creds).await;
    assert_eq!(r.body["code"], 0);
}

#[tokio::test]
async fn an_unreadable_x_mock_delay_answers_400_instead_of_being_ignored() {
    let api = Api::new().await;
    for bad in ["abc", "-5ms", "0.3s"] {
        let r = api
            .post(
                enos::LOGIN,
                &[("X-Mock-Delay", bad)],
                json!({"account": enos::ACCOUNT, "password": enos::PASSWORD}),
            )
            .await;
        assert_eq!(r.status, 400, "{bad}: {}", r.text);
        assert!(r.body["error"].as_str().unwrap().contains("X-Mock-Delay"));
    }
}

#[tokio::test]
async fn a_request_dropped_by_a_fault_is_journaled_with_status_0_and_its_fault() {
    let api = Api::new().await;
    let f = api
        .post(
            "/__admin/faults",
            &[],
            json!({"route": "POST /app-portal-service/v2.2/login", "drop": true}),
        )
        .await;
    let id = f.body["id"].as_str().unwrap().to_string();
    let body = br#"{"account":"portal_demo","password":"Test1234"}"#;
    let mut req = format!(
        "POST {} HTTP/1.1\r\nHost: x\r\nContent-Length: {}\r\n\r\n",
        enos::LOGIN,
        body.len()
    )
    .into_bytes();
    req.extend_from_slice(body);
    assert!(exchange(&api, req, false).await.is_empty());

    let journal = api.get("/__admin/requests", &[]).await;
    let e = &journal.body["requests"][0];
    assert_eq!(e["status"], 0, "{}", journal.text);
    assert_eq!(e["fault"], id.as_str());
    assert_eq!(e["request"]["body"]["password"], "Test****");
    assert_eq!(e["response"]["body"], json!(null));
}

#[tokio::test]
async fn x_mock_delay_adds_to_a_queued_fault_delay() {
    let api = Api::new().await;
    let r = api
        .post(
            "/__admin/faults",
            &[],
            json!({ "route": format!("POST {LOGIN}"), "delayMs": 400 }),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.text);
    let r = api
        .post(
            LOGIN,
            &[("x-hw-agentName", "t"), ("X-Mock-Delay", "400ms")],
            login_body(),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    let j = api.get("/__admin/requests?limit=1", &[]).await;
    let e = &j.body["requests"][0];
    assert_eq!(e["route"], LOGIN, "{e}");
    // The sleep lasts at least what was asked: 400 + 400 ms, not the header's 400 alone.
    let ms = e["durationMs"].as_f64().expect("durationMs");
    assert!(ms >= 800.0, "the delays did not add up: {ms} ms");
}

// ---------------------------------------------------------------------------------------------------
// Fault statuses
// ---------------------------------------------------------------------------------------------------

#[tokio::test]
async fn a_fault_status_outside_200_to_599_is_refused_with_400_naming_the_range() {
    let api = Api::new().await;

    for status in [0, 100, 101, 103, 199, 600, 999] {
        let r = api
            .post(
                "/__admin/faults",
                &[],
                json!({ "route": KOO_LOGIN, "status": status }),
            )
            .await;

        assert_eq!(r.status, 400, "status {status}: {}", r.text);
        let msg = r.body["error"].as_str().unwrap_or_default();
        assert!(msg.contains("200-599"), "status {status}: {msg}");
    }
    let listed = api.get("/__admin/faults", &[]).await;
    assert_eq!(listed.body["faults"], json!([]), "{}", listed.text);
}

#[tokio::test]
async fn fault_statuses_200_and_599_are_accepted_and_answered() {
    let api = Api::new().await;

    for status in [200, 599] {
        let r = api
            .post(
                "/__admin/faults",
                &[],
                json!({ "route": KOO_LOGIN, "status": status, "body": {"s": status} }),
            )
            .await;
        assert_eq!(r.status, 201, "status {status}: {}", r.text);
        let login = api
            .post(
                "/koodrive/ose/v1/auth/login",
                &[("x-hw-agentName", "t")],
                json!({}),
            )
            .await;
        assert_eq!(login.status, status, "{}", login.text);
        assert_eq!(login.body, json!({ "s": status }));
    }
}
