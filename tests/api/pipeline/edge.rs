//! Edge cases found by black-box audits: credentials compared exactly as sent, numbers kept as their
//! JSON text, non-ASCII header values, forms that are not UTF-8, secrets quoted in messages, and the
//! HTTP edges (half-closed sockets, large heads, plain OPTIONS, oversized declared bodies, fault
//! headers against queued faults, dropped requests in the journal, bounded journal entries).

use super::{parse_answer, raw};
use crate::fixtures::{enos, koo, oa};
use crate::helpers::Api;
use serde_json::json;
use std::io::{Read, Write};

/// Writes `bytes` on a fresh connection, optionally shuts down the write side, and reads to the end.
async fn exchange(api: &Api, bytes: Vec<u8>, half_close: bool) -> Vec<u8> {
    let addr = api.server.address();
    tokio::task::spawn_blocking(move || {
        let mut s = std::net::TcpStream::connect(addr).expect("connect");
        s.set_read_timeout(Some(std::time::Duration::from_secs(20)))
            .expect("timeout");
        s.write_all(&bytes).expect("write");
        if half_close {
            s.shutdown(std::net::Shutdown::Write).expect("shutdown");
        }
        let mut out = Vec::new();
        let _ = s.read_to_end(&mut out);
        out
    })
    .await
    .expect("exchange task")
}

fn login_body(password: &str) -> serde_json::Value {
    json!({"account": koo::ACCOUNT, "authType": "1", "password": password})
}

#[tokio::test]
async fn credentials_with_surrounding_spaces_are_wrong_credentials() {
    let api = Api::new().await;
    let h = [("x-hw-agentName", "tests")];
    for pw in ["123qweASD143 ", " 123qweASD143"] {
        let r = api.post(koo::LOGIN, &h, login_body(pw)).await;
        assert_eq!(
            (r.status, &r.body["code"]),
            (401, &json!(13000203)),
            "{pw:?}"
        );
    }
    let r = api
        .post(
            koo::LOGIN,
            &h,
            json!({"account": koo::ACCOUNT, "authType": " 1 ", "password": koo::PASSWORD}),
        )
        .await;
    assert_eq!((r.status, &r.body["code"]), (400, &json!(13000102)));
    let r = api
        .post(koo::SESSION, &[], json!({"code": " koo-admin-code "}))
        .await;
    assert_eq!((r.status, &r.body["code"]), (400, &json!(13000201)));
    let form = format!(
        "grant_type=client_credentials&client_id={}&client_secret=demo-client-secret%20",
        oa::CLIENT_ID
    );
    let r = api.post_raw(oa::TOKEN, &[], form.as_bytes()).await;
    assert_eq!(
        (r.status, &r.body["error_code"]),
        (401, &json!("invalid_client"))
    );
    // The exact credentials still work.
    let r = api.post(koo::LOGIN, &h, login_body(koo::PASSWORD)).await;
    assert_eq!(r.status, 200, "{}", r.text);
}

#[tokio::test]
async fn a_number_where_a_string_is_expected_is_taken_as_its_exact_json_text() {
    let api = Api::new().await;
    let user = json!({
        "userId": "7700000000000000001", "userName": "num", "innerUserId": "i1",
        "orgId": "9190086000001721760", "deptId": "1", "role": "1", "account": "num",
        "password": "1.10", "verificationCode": "1e2"
    });
    let r = api.post("/__admin/koodrive/users", &[], user).await;
    assert_eq!(r.status, 201, "{}", r.text);
    let h = [
        ("x-hw-agentName", "tests"),
        ("content-type", "application/json"),
    ];
    let by_password = br#"{"account":"num","authType":1,"password":1.10}"#;
    let r = api.post_raw(koo::LOGIN, &h, by_password).await;
    assert_eq!(r.status, 200, "{}", r.text);
    let by_code = br#"{"account":"num","authType":2,"captchaToken":1e2}"#;
    let r = api.post_raw(koo::LOGIN, &h, by_code).await;
    assert_eq!(r.status, 200, "{}", r.text);
    let other_spelling = br#"{"account":"num","authType":1,"password":1.1}"#;
    let r = api.post_raw(koo::LOGIN, &h, other_spelling).await;
    assert_eq!(r.body["code"], 13000203, "{}", r.text);
}

#[tokio::test]
async fn json_escapes_in_request_fields_are_decoded_before_they_are_compared() {
    let api = Api::new().await;
    let h = [
        ("x-hw-agentName", "tests"),
        ("content-type", "application/json"),
    ];
    // "0027188460911" / "123qweASD143" with escapes: the decoded text is what is compared.
    let escaped = br#"{"account":"\u0030027188460911","authType":"\u0031","password":"123qweASD\u00314\u0033"}"#;
    let r = api.post_raw(koo::LOGIN, &h, escaped).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.body["data"]["userInfo"]["phone"], "0027188460911");
    // The raw text of the escape is not the password.
    let literal =
        br#"{"account":"0027188460911","authType":"1","password":"123qweASD\\u00314\\u0033"}"#;
    let r = api.post_raw(koo::LOGIN, &h, literal).await;
    assert_eq!(r.body["code"], 13000203, "{}", r.text);
    let enos = br#"{"account":"portal\u005fdemo","password":"Test\u0031234"}"#;
    let r = api
        .post_raw(enos::LOGIN, &[("content-type", "application/json")], enos)
        .await;
    assert_eq!(r.body["code"], 0, "{}", r.text);
}

#[tokio::test]
async fn required_headers_with_utf8_beyond_ascii_are_present() {
    let api = Api::new().await;
    let body = login_body(koo::PASSWORD).to_string();
    let r = raw(
        &api,
        "POST",
        koo::LOGIN,
        &[
            ("x-hw-agentName", "客户端"),
            ("Content-Type", "application/json"),
        ],
        body.as_bytes(),
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.text);

    let body = json!({"user_name": oa::USER, "password": oa::PASSWORD}).to_string();
    let r = raw(
        &api,
        "POST",
        oa::LOGIN,
        &[
            ("X-client-id", oa::CLIENT_ID),
            ("X-device-fingerprint", "fp"),
            ("X-operating-sys-version", "Android 10"),
            ("X-agent", "Mozilla/5.0 (华为)"),
            ("Content-Type", "application/json"),
        ],
        body.as_bytes(),
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.text);
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
async fn a_bearer_token_that_is_not_utf8_is_an_invalid_token_not_a_missing_header() {
    let api = Api::new().await;
    let mut req = format!("POST {} HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Length: 2\r\nAuthorization: Bearer caf", oa::TICKET).into_bytes();
    req.extend_from_slice(b"\xe9\r\n\r\n{}");
    let r = parse_answer(&exchange(&api, req, false).await);
    assert_eq!(r.body["error_code"], "invalid_token", "{}", r.text);
    assert_eq!(r.body["error_msg"], "Invalid access token: caf\u{fffd}");
}

#[tokio::test]
async fn the_journal_masks_tokens_quoted_in_oneaccess_messages_and_session_ids() {
    let api = Api::new().await;
    let form = format!(
        "grant_type=client_credentials&client_id={}&client_secret=demo-client-secret",
        oa::CLIENT_ID
    );
    let t = api.post_raw(oa::TOKEN, &[], form.as_bytes()).await;
    let app = t.body["access_token"].as_str().unwrap().to_string();
    api.advance_clock(31 * 60).await;
    let bearer = format!("Bearer {app}");
    let r = api
        .post(oa::TICKET, &[("authorization", &bearer)], json!({}))
        .await;
    assert_eq!(r.body["error_msg"], format!("Access token expired:{app}"));
    let s = api
        .post(koo::SESSION, &[], json!({"code": "koo-admin-code"}))
        .await;
    let session_id = s.body["data"]["sessionId"].as_str().unwrap().to_string();

    let journal = api.get("/__admin/requests", &[]).await;
    assert!(!journal.text.contains(&app), "{}", journal.text);
    assert!(!journal.text.contains(&session_id), "{}", journal.text);
    let e = &journal.body["requests"][1];
    assert_eq!(
        e["response"]["body"]["error_msg"],
        format!("Access token expired:{}****", &app[..4])
    );
}

#[tokio::test]
async fn a_client_that_half_closes_after_its_request_still_gets_the_answer() {
    let api = Api::new().await;
    let body = br#"{"code":"koo-admin-code"}"#;
    for _ in 0..20 {
        let mut req = format!(
            "POST {} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n",
            koo::SESSION,
            body.len()
        )
        .into_bytes();
        req.extend_from_slice(body);
        let answer = exchange(&api, req, true).await;
        assert!(!answer.is_empty(), "no answer to a half-closed request");
        assert_eq!(parse_answer(&answer).body["code"], 0);
    }
}

#[tokio::test]
async fn a_head_of_95_long_headers_under_32_kib_is_served_and_over_100_header_lines_get_431() {
    let api = Api::new().await;
    let long = "v".repeat(280);
    let big: Vec<(String, String)> = (0..95).map(|i| (format!("X-H{i}"), long.clone())).collect();
    let mut h: Vec<(&str, &str)> = big.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    h.push(("Content-Type", "application/json"));
    let r = raw(
        &api,
        "POST",
        koo::SESSION,
        &h,
        br#"{"code":"koo-admin-code"}"#,
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.text);

    // hyper's own limit (its header array stays on the stack): more than 100 lines.
    let many: Vec<(String, String)> = (0..120).map(|i| (format!("X-H{i}"), "v".into())).collect();
    let h: Vec<(&str, &str)> = many.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let r = raw(&api, "POST", koo::SESSION, &h, b"{}").await;
    assert_eq!(r.status, 431);
}

#[tokio::test]
async fn a_plain_options_request_gets_405_with_allow_and_a_preflight_gets_cors() {
    let api = Api::new().await;
    let r = raw(&api, "OPTIONS", koo::SESSION, &[], b"").await;
    assert_eq!(r.status, 405, "{}", r.text);
    assert_eq!(r.header("allow"), "POST");
    assert_eq!(r.body["error"], "method not allowed");
    let r = raw(&api, "OPTIONS", "/nope", &[], b"").await;
    assert_eq!((r.status, &r.body["error"]), (404, &json!("no route")));
    let r = raw(
        &api,
        "OPTIONS",
        koo::SESSION,
        &[
            ("Origin", "http://app.example"),
            ("Access-Control-Request-Method", "POST"),
        ],
        b"",
    )
    .await;
    assert_eq!(r.status, 200);
    assert_eq!(r.header("access-control-allow-origin"), "*");
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
async fn the_journal_keeps_the_first_4_kib_of_a_body_and_its_whole_size() {
    let api = Api::new().await;
    let big = format!(
        r#"{{"account":"portal_demo","password":"x","pad":"{}"}}"#,
        "p".repeat(10_000)
    );
    let r = api
        .post_raw(
            enos::LOGIN,
            &[("content-type", "application/json")],
            big.as_bytes(),
        )
        .await;
    assert_eq!(r.body["code"], 31400);

    let journal = api.get("/__admin/requests", &[]).await;
    let req = &journal.body["requests"][0]["request"];
    assert_eq!(req["bodyBytes"], big.len());
    assert_eq!(req["bodyTruncated"], true);
    let kept = req["body"].as_str().unwrap();
    // The first 4096 bytes, with the one-character password shown as "x****".
    assert_eq!(kept.len(), 4096 + 4, "{kept}");
    assert!(kept.contains(r#""password":"x****""#), "{kept}");
    let resp = &journal.body["requests"][0]["response"];
    assert_eq!(resp["bodyTruncated"], false);
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
