//! Request headers as the vendors' gateways read them: names in any case, values beyond ASCII.

use super::*;

// ---------------------------------------------------------------------------------------------
// header names

#[tokio::test]
async fn header_names_are_case_insensitive() {
    let api = Api::new().await;

    let r = raw(
        &api,
        "POST",
        enos::SET,
        &[
            (
                "AUTHORIZATION",
                "Bearer APP_PORTAL_S_TDKKeqfYBK3m5z3LRgKVqThWDYnRBN44",
            ),
            ("CONTENT-TYPE", "APPLICATION/JSON; CHARSET=UTF-8"),
        ],
        br#"{"orgId":"yourOrgId"}"#,
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.body["code"], json!(0), "{}", r.text);
    assert_json_content_type(&r);

    let r = raw(
        &api,
        "POST",
        koo::LOGIN,
        &[
            ("X-HW-AGENTNAME", "rules-test"),
            ("content-type", "application/json"),
        ],
        br#"{"account":"0027188460911","authType":"1","password":"123qweASD143"}"#,
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.body["code"], json!(0), "{}", r.text);

    let token = api.koo_session(koo::SEED_CODE, &[]).await;
    let r = raw(
        &api,
        "GET",
        koo::SESSION_AUTH,
        &[("aUtHoRiZaTiOn", token.as_str())],
        b"",
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.body["code"], json!(0), "{}", r.text);
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
async fn a_bearer_token_that_is_not_utf8_is_an_invalid_token_not_a_missing_header() {
    let api = Api::new().await;
    let mut req = format!("POST {} HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Length: 2\r\nAuthorization: Bearer caf", oa::TICKET).into_bytes();
    req.extend_from_slice(b"\xe9\r\n\r\n{}");
    let r = parse_answer(&exchange(&api, req, false).await);
    assert_eq!(r.body["error_code"], "invalid_token", "{}", r.text);
    assert_eq!(r.body["error_msg"], "Invalid access token: caf\u{fffd}");
}
