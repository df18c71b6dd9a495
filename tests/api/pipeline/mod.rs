//! Contract §0: the rules every vendor route follows, checked across the three families.

mod cors;
mod edge;
mod json;

use crate::fixtures::{enos, koo, oa};
use crate::helpers::{Api, Resp};
use reqwest::header::{HeaderMap, HeaderName, HeaderValue};
use serde_json::json;
use std::io::{Read, Write};

/// Sends one HTTP/1.1 request byte for byte as written (header names keep their case) over a fresh
/// TCP connection and reads the answer to the end. Adds `Host`, `Content-Length` (when there is a
/// body or the method is POST) and `Connection: close` unless the caller gave one.
pub(crate) async fn raw(
    api: &Api,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &[u8],
) -> Resp {
    let addr = api.server.address();
    let mut req = format!("{method} {path} HTTP/1.1\r\nHost: {addr}\r\n");
    for (k, v) in headers {
        req.push_str(&format!("{k}: {v}\r\n"));
    }
    if !body.is_empty() || method == "POST" {
        req.push_str(&format!("Content-Length: {}\r\n", body.len()));
    }
    if !headers
        .iter()
        .any(|(k, _)| k.eq_ignore_ascii_case("connection"))
    {
        req.push_str("Connection: close\r\n");
    }
    req.push_str("\r\n");
    let mut bytes = req.into_bytes();
    bytes.extend_from_slice(body);

    let answer = tokio::task::spawn_blocking(move || {
        let mut stream = std::net::TcpStream::connect(addr).expect("connect");
        stream
            .set_read_timeout(Some(std::time::Duration::from_secs(20)))
            .expect("timeout");
        stream.write_all(&bytes).expect("write request");
        let mut answer = Vec::new();
        stream.read_to_end(&mut answer).expect("read answer");
        answer
    })
    .await
    .expect("raw request task");
    parse_answer(&answer)
}

pub(crate) fn parse_answer(answer: &[u8]) -> Resp {
    let split = answer
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .expect("end of head");
    let head = std::str::from_utf8(&answer[..split]).expect("ascii head");
    let mut lines = head.split("\r\n");
    let status_line = lines.next().expect("status line");
    let status: u16 = status_line
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("bad status line {status_line:?}"));
    let mut headers = HeaderMap::new();
    for line in lines {
        let (k, v) = line.split_once(':').expect("header line");
        headers.append(
            HeaderName::from_bytes(k.trim().as_bytes()).expect("header name"),
            HeaderValue::from_str(v.trim()).expect("header value"),
        );
    }
    let mut body = answer[split + 4..].to_vec();
    let chunked = headers
        .get("transfer-encoding")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.eq_ignore_ascii_case("chunked"));
    if chunked {
        body = dechunk(&body);
    }
    let text = String::from_utf8(body).expect("utf-8 body");
    Resp::new(status, headers, text)
}

fn dechunk(mut rest: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    loop {
        let eol = rest
            .windows(2)
            .position(|w| w == b"\r\n")
            .expect("chunk size line");
        let size_text = std::str::from_utf8(&rest[..eol]).expect("chunk size");
        let size = usize::from_str_radix(size_text.split(';').next().unwrap_or("").trim(), 16)
            .expect("hex chunk size");
        rest = &rest[eol + 2..];
        if size == 0 {
            return out;
        }
        out.extend_from_slice(&rest[..size]);
        rest = &rest[size + 2..];
    }
}

fn assert_json_content_type(r: &Resp) {
    assert!(
        r.header("content-type")
            .to_ascii_lowercase()
            .starts_with("application/json"),
        "status {} content-type {:?} body {}",
        r.status,
        r.header("content-type"),
        r.text
    );
}

fn oneaccess_login_headers() -> Vec<(&'static str, &'static str)> {
    vec![
        ("x-client-id", oa::CLIENT_ID),
        ("x-device-fingerprint", "fp-rules-test"),
        ("x-operating-sys-version", "Windows 10"),
        ("x-agent", "Chrome"),
    ]
}

fn enos_err(r: &Resp, code: i64, message: &str) {
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(
        r.body,
        json!({"code": code, "message": message, "data": null}),
        "{}",
        r.text
    );
}

fn koodrive_err(r: &Resp, status: u16, code: i64, msg: &str) {
    assert_eq!(r.status, status, "{}", r.text);
    assert_eq!(r.body, json!({"code": code, "msg": msg}), "{}", r.text);
}

fn oneaccess_err(r: &Resp, status: u16, code: &str, msg: &str) {
    assert_eq!(r.status, status, "{}", r.text);
    assert_eq!(
        r.body,
        json!({"error_code": code, "error_msg": msg}),
        "{}",
        r.text
    );
}

// ---------------------------------------------------------------------------------------------
// 404 and 405

#[tokio::test]
async fn an_unknown_path_answers_404_with_the_known_routes() {
    let api = Api::new().await;

    let r = api.get("/nope", &[]).await;

    assert_eq!(r.status, 404, "{}", r.text);
    assert_json_content_type(&r);
    let obj = r.body.as_object().expect("JSON object");
    let mut keys: Vec<&str> = obj.keys().map(String::as_str).collect();
    keys.sort_unstable();
    assert_eq!(keys, ["error", "method", "path", "routes"]);
    assert_eq!(r.body["error"], json!("no route"));
    assert_eq!(r.body["method"], json!("GET"));
    assert_eq!(r.body["path"], json!("/nope"));
    let routes: Vec<&str> = r.body["routes"]
        .as_array()
        .expect("routes array")
        .iter()
        .map(|v| v.as_str().expect("route is a string"))
        .collect();
    for expected in [
        "POST /koodrive/ose/v1/session/",
        "POST /app-portal-service/v2.2/session/set",
        "POST /api/v2/tenant/sso/session-token/sso-ticket",
    ] {
        assert!(
            routes.contains(&expected),
            "{expected} missing from {routes:?}"
        );
    }
}

#[tokio::test]
async fn an_unknown_path_echoes_the_method_and_path_of_the_request() {
    let api = Api::new().await;

    let r = api
        .post("/app-portal-service/v2.2/session/sett", &[], json!({}))
        .await;

    assert_eq!(r.status, 404, "{}", r.text);
    assert_eq!(r.body["error"], json!("no route"));
    assert_eq!(r.body["method"], json!("POST"));
    assert_eq!(
        r.body["path"],
        json!("/app-portal-service/v2.2/session/sett")
    );
}

#[tokio::test]
async fn a_known_path_with_the_wrong_method_answers_405_with_allow() {
    let api = Api::new().await;

    for path in [enos::SET, koo::LOGIN, oa::TICKET] {
        let r = api.get(path, &[]).await;

        assert_eq!(r.status, 405, "{path}: {}", r.text);
        assert_json_content_type(&r);
        assert_eq!(r.header("allow"), "POST", "{path}");
        assert_eq!(
            r.body,
            json!({"error": "method not allowed", "method": "GET", "path": path, "allow": ["POST"]})
        );
    }
}

#[tokio::test]
async fn a_delete_on_a_post_route_answers_405() {
    let api = Api::new().await;

    let r = api.delete(enos::SET, &[]).await;

    assert_eq!(r.status, 405, "{}", r.text);
    assert_eq!(r.header("allow"), "POST");
    assert_eq!(r.body["method"], json!("DELETE"));
    assert_eq!(r.body["allow"], json!(["POST"]));
}

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
async fn an_invalid_utf8_body_gets_each_familys_parameter_error() {
    let api = Api::new().await;
    let ct = ("content-type", "application/json");

    let r = api
        .post_raw(koo::SESSION, &[ct], b"{\"code\":\"\xff\xfe\"}")
        .await;
    koodrive_err(&r, 400, 13000102, "Verify parameters failed.");

    let mut h = oneaccess_login_headers();
    h.push(ct);
    let r = api
        .post_raw(
            oa::LOGIN,
            &h,
            b"{\"user_name\":\"\xff\",\"password\":\"x\"}",
        )
        .await;
    oneaccess_err(&r, 400, "PARAM.0001", "Invalid request body.");

    let r = api
        .post_raw(
            enos::LOGIN,
            &[ct],
            b"{\"account\":\"\xff\",\"password\":\"Test1234\"}",
        )
        .await;
    enos_err(&r, 31400, "Invalid request parameters");

    let r = api
        .post_raw(
            enos::SET,
            &[
                ct,
                (
                    "authorization",
                    "Bearer APP_PORTAL_S_TDKKeqfYBK3m5z3LRgKVqThWDYnRBN44",
                ),
            ],
            b"{\"orgId\":\"\xc3\x28\"}",
        )
        .await;
    enos_err(&r, 31400, "Invalid request parameters");
}

// JSON text is UTF-8 (RFC 8259): a body with invalid UTF-8 does not parse, even when the bad bytes sit
// in a field the route ignores.

#[tokio::test]
async fn invalid_utf8_in_an_ignored_field_gets_the_koodrive_parameter_error() {
    let api = Api::new().await;
    let mut bad = format!("{{\"code\":\"{}\",\"x\":\"", koo::SEED_CODE).into_bytes();
    bad.extend_from_slice(b"\xff\xfe\"}");

    let r = api
        .post_raw(koo::SESSION, &[("content-type", "application/json")], &bad)
        .await;

    koodrive_err(&r, 400, 13000102, "Verify parameters failed.");
}

#[tokio::test]
async fn invalid_utf8_in_an_ignored_field_gets_the_oneaccess_parameter_error() {
    let api = Api::new().await;
    let mut h = oneaccess_login_headers();
    h.push(("content-type", "application/json"));

    let r = api
        .post_raw(
            oa::LOGIN,
            &h,
            b"{\"user_name\":\"zhangsan\",\"password\":\"Zhangsan@123\",\"x\":\"\xff\xfe\"}",
        )
        .await;

    oneaccess_err(&r, 400, "PARAM.0001", "Invalid request body.");
}

#[tokio::test]
async fn invalid_utf8_in_an_ignored_field_gets_the_enos_parameter_error() {
    let api = Api::new().await;
    let ct = ("content-type", "application/json");

    let r = api
        .post_raw(
            enos::LOGIN,
            &[ct],
            b"{\"account\":\"portal_demo\",\"password\":\"Test1234\",\"x\":\"\xff\xfe\"}",
        )
        .await;
    enos_err(&r, 31400, "Invalid request parameters");

    let r = api
        .post_raw(
            enos::SET,
            &[
                ct,
                (
                    "authorization",
                    "Bearer APP_PORTAL_S_TDKKeqfYBK3m5z3LRgKVqThWDYnRBN44",
                ),
            ],
            b"{\"orgId\":\"yourOrgId\",\"x\":\"\xff\xfe\"}",
        )
        .await;
    enos_err(&r, 31400, "Invalid request parameters");
}

#[tokio::test]
async fn a_json_number_where_a_string_is_expected_is_taken_as_its_text() {
    let api = Api::new().await;

    let r = api
        .post(
            koo::LOGIN,
            &[("x-hw-agentName", "rules-test")],
            json!({"account": 27188460911_i64, "authType": 1, "password": koo::PASSWORD}),
        )
        .await;

    // account 27188460911 is not "0027188460911": the number's text has no leading zeros, so the
    // login fails on the credentials (not on the parameters) and authType 1 was understood.
    koodrive_err(&r, 401, 13000203, "Incorrect account or password.");

    let r = api
        .post(
            koo::LOGIN,
            &[("x-hw-agentName", "rules-test")],
            json!({"account": koo::ACCOUNT, "authType": 1, "password": koo::PASSWORD}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.body["code"], json!(0), "{}", r.text);
}

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

// ---------------------------------------------------------------------------------------------
// tokens never cross families

#[tokio::test]
async fn a_koodrive_session_token_means_nothing_to_enos() {
    let api = Api::new().await;
    let token = api.koo_session(koo::SEED_CODE, &[]).await;
    assert!(token.starts_with("Bearer "), "{token}");
    let ok = api
        .get(koo::SESSION_AUTH, &[("authorization", token.as_str())])
        .await;
    assert_eq!(ok.body["code"], json!(0), "{}", ok.text);

    let r = api
        .get(enos::INFO, &[("authorization", token.as_str())])
        .await;
    enos_err(&r, 31401, "Please login first");
    let r = api
        .post(
            enos::SET,
            &[("authorization", token.as_str())],
            json!({"orgId": enos::ORG}),
        )
        .await;
    enos_err(&r, 31401, "Please login first");
}

#[tokio::test]
async fn an_enos_token_means_nothing_to_koodrive() {
    let api = Api::new().await;
    let r = api.enos_login(enos::ACCOUNT, enos::PASSWORD, &[]).await;
    let login_token = r.body["data"]["accessToken"]
        .as_str()
        .expect("token")
        .to_string();
    let r = api
        .post(
            enos::SET,
            &[("authorization", format!("Bearer {login_token}").as_str())],
            json!({"orgId": enos::ORG}),
        )
        .await;
    let org_token = r.body["data"]["accessToken"]
        .as_str()
        .expect("token")
        .to_string();

    for t in [enos::STATIC_TOKEN, org_token.as_str()] {
        for auth in [format!("Bearer {t}"), t.to_string()] {
            let r = api
                .get(koo::SESSION_AUTH, &[("authorization", auth.as_str())])
                .await;
            koodrive_err(&r, 401, 13000202, "Session is invalid or expired.");
        }
    }
}

#[tokio::test]
async fn a_oneaccess_app_token_means_nothing_to_enos_or_koodrive() {
    let api = Api::new().await;
    let token = api.oa_app_token(&[]).await;
    let auth = format!("Bearer {token}");

    let r = api
        .get(enos::INFO, &[("authorization", auth.as_str())])
        .await;
    enos_err(&r, 31401, "Please login first");
    let r = api
        .get(koo::SESSION_AUTH, &[("authorization", auth.as_str())])
        .await;
    koodrive_err(&r, 401, 13000202, "Session is invalid or expired.");
}

#[tokio::test]
async fn an_enos_token_means_nothing_to_oneaccess() {
    let api = Api::new().await;
    let auth = format!("Bearer {}", enos::STATIC_TOKEN);

    let r = api
        .post(oa::TICKET, &[("authorization", auth.as_str())], json!({}))
        .await;

    oneaccess_err(
        &r,
        400,
        "invalid_token",
        &format!("Invalid access token: {}", enos::STATIC_TOKEN),
    );
}

// ---------------------------------------------------------------------------------------------
// namespaces

#[tokio::test]
async fn a_token_issued_in_one_namespace_means_nothing_in_another_or_in_the_default() {
    let api = Api::new().await;
    let ns_a = ("x-mock-namespace", "a");
    let r = api.enos_login(enos::ACCOUNT, enos::PASSWORD, &[ns_a]).await;
    let enos_token = r.body["data"]["accessToken"]
        .as_str()
        .expect("token")
        .to_string();
    let enos_auth = format!("Bearer {enos_token}");
    let r = api
        .post(koo::SESSION, &[ns_a], json!({"code": koo::SEED_CODE}))
        .await;
    let kd_token = r.body["data"]["accessToken"]
        .as_str()
        .expect("token")
        .to_string();

    for ns in [vec![("x-mock-namespace", "b")], vec![]] {
        let mut h = ns.clone();
        h.push(("authorization", enos_auth.as_str()));
        let r = api.post(enos::SET, &h, json!({"orgId": enos::ORG})).await;
        enos_err(&r, 31401, "Please login first");
        let mut h = ns.clone();
        h.push(("authorization", kd_token.as_str()));
        let r = api.get(koo::SESSION_AUTH, &h).await;
        koodrive_err(&r, 401, 13000202, "Session is invalid or expired.");
    }

    let r = api
        .post(
            enos::SET,
            &[ns_a, ("authorization", enos_auth.as_str())],
            json!({"orgId": enos::ORG}),
        )
        .await;
    assert_eq!(r.body["code"], json!(0), "{}", r.text);
    let r = api
        .get(
            koo::SESSION_AUTH,
            &[ns_a, ("authorization", kd_token.as_str())],
        )
        .await;
    assert_eq!(r.body["code"], json!(0), "{}", r.text);
}

#[tokio::test]
async fn a_token_issued_in_the_default_namespace_means_nothing_in_a_named_one() {
    let api = Api::new().await;
    let r = api.enos_login(enos::ACCOUNT, enos::PASSWORD, &[]).await;
    let token = r.body["data"]["accessToken"]
        .as_str()
        .expect("token")
        .to_string();
    let auth = format!("Bearer {token}");

    let r = api
        .post(
            enos::SET,
            &[("x-mock-namespace", "b"), ("authorization", auth.as_str())],
            json!({"orgId": enos::ORG}),
        )
        .await;

    enos_err(&r, 31401, "Please login first");
}
