//! Contract §0: the rules every vendor route follows, checked across the three families.

use crate::helpers::{Api, Resp};
use reqwest::header::{HeaderMap, HeaderName, HeaderValue};
use serde_json::{json, Value};
use std::io::{Read, Write};

const KD_CODE: &str = "FrbMohdqi86v6sMZlFSSuG3E0_9RsDpL08BlYfNQPhvibLET266cQhDI_WczEXJOAoIoKGCdqN2shKX1yfqrVci8nSFdMlxljNFhoffVvH93uSzIoyFxK4P7yhY6fDXa";
const KD_SESSION: &str = "/koodrive/ose/v1/session/";
const KD_AUTH: &str = "/koodrive/ose/v1/session/auth";
const KD_LOGIN: &str = "/koodrive/ose/v1/auth/login";
const OA_TOKEN: &str = "/api/v2/tenant/token";
const OA_LOGIN: &str = "/api/v2/sdk/login";
const OA_TICKET: &str = "/api/v2/tenant/sso/session-token/sso-ticket";
const OA_CLIENT: &str = "9fIHl3Dc9ivToWLVtblrF6Sjv9Fx47JJ";
const EN_LOGIN: &str = "/app-portal-service/v2.2/login";
const EN_SET: &str = "/app-portal-service/v2.2/session/set";
const EN_INFO: &str = "/app-portal-service/v2.2/session/info";
const EN_STATIC: &str = "APP_PORTAL_S_TDKKeqfYBK3m5z3LRgKVqThWDYnRBN44";

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
    let body = serde_json::from_str(&text).unwrap_or(Value::Null);
    Resp {
        status,
        headers,
        text,
        body,
    }
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

/// A KooDrive session token (`Bearer <48 hex>`) from the seed 000 code.
async fn koodrive_session_token(api: &Api) -> String {
    let r = api.post(KD_SESSION, &[], json!({"code": KD_CODE})).await;
    assert_eq!(r.status, 200, "{}", r.text);
    r.body["data"]["accessToken"]
        .as_str()
        .expect("accessToken")
        .to_string()
}

/// A OneAccess app access token.
async fn oneaccess_app_token(api: &Api) -> String {
    let form = format!(
        "grant_type=client_credentials&client_id={OA_CLIENT}&client_secret=demo-client-secret"
    );
    let r = api
        .post_raw(
            OA_TOKEN,
            &[("content-type", "application/x-www-form-urlencoded")],
            form.as_bytes(),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    r.body["access_token"]
        .as_str()
        .expect("access_token")
        .to_string()
}

/// An EnOS login-only token for portal_demo.
async fn enos_login(api: &Api, headers: &[(&str, &str)]) -> Resp {
    api.post(
        EN_LOGIN,
        headers,
        json!({"account": "portal_demo", "password": "Test1234"}),
    )
    .await
}

fn oneaccess_login_headers() -> Vec<(&'static str, &'static str)> {
    vec![
        ("x-client-id", OA_CLIENT),
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

    for path in [EN_SET, KD_LOGIN, OA_TICKET] {
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

    let r = api.delete(EN_SET, &[]).await;

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
        enos_login(&api, &[]).await,
        api.post(EN_LOGIN, &[], json!({"account": "portal_demo", "password": "no"}))
            .await,
        api.post(KD_SESSION, &[], json!({"code": KD_CODE})).await,
        api.post(KD_SESSION, &[], json!({"code": "unknown"})).await,
        api.get(KD_AUTH, &[]).await,
        api.post_raw(
            OA_TOKEN,
            &[("content-type", "application/x-www-form-urlencoded")],
            format!("grant_type=client_credentials&client_id={OA_CLIENT}&client_secret=demo-client-secret")
                .as_bytes(),
        )
        .await,
        api.post_raw(
            OA_TOKEN,
            &[("content-type", "application/x-www-form-urlencoded")],
            format!("grant_type=client_credentials&client_id={OA_CLIENT}&client_secret=wrong")
                .as_bytes(),
        )
        .await,
        api.post(OA_TICKET, &[], json!({})).await,
        api.get("/nope", &[]).await,
        api.get(EN_SET, &[]).await,
        api.post(EN_SET, &[("authorization", "Bearer x")], big.clone())
            .await,
        api.post(KD_SESSION, &[], big.clone()).await,
        api.post(OA_LOGIN, &oneaccess_login_headers(), big).await,
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

    let r = api.post(KD_SESSION, &[], big.clone()).await;
    koodrive_err(&r, 413, 13000102, "Verify parameters failed.");

    let r = api
        .post(OA_LOGIN, &oneaccess_login_headers(), big.clone())
        .await;
    oneaccess_err(&r, 413, "PARAM.0001", "Invalid request body.");

    let r = api.post(EN_LOGIN, &[], big).await;
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
            EN_LOGIN,
            &[("content-type", "text/plain")],
            br#"{"account":"portal_demo","password":"Test1234"}"#,
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.body["code"], json!(0), "{}", r.text);

    let r = api
        .post_raw(
            KD_SESSION,
            &[("content-type", "text/plain;charset=utf-8")],
            json!({"code": KD_CODE}).to_string().as_bytes(),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.body["code"], json!(0), "{}", r.text);

    let r = api
        .post_raw(
            EN_SET,
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
            EN_LOGIN,
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
        .post_raw(KD_SESSION, &[ct], b"{\"code\":\"\xff\xfe\"}")
        .await;
    koodrive_err(&r, 400, 13000102, "Verify parameters failed.");

    let mut h = oneaccess_login_headers();
    h.push(ct);
    let r = api
        .post_raw(OA_LOGIN, &h, b"{\"user_name\":\"\xff\",\"password\":\"x\"}")
        .await;
    oneaccess_err(&r, 400, "PARAM.0001", "Invalid request body.");

    let r = api
        .post_raw(
            EN_LOGIN,
            &[ct],
            b"{\"account\":\"\xff\",\"password\":\"Test1234\"}",
        )
        .await;
    enos_err(&r, 31400, "Invalid request parameters");

    let r = api
        .post_raw(
            EN_SET,
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
    let mut bad = format!("{{\"code\":\"{KD_CODE}\",\"x\":\"").into_bytes();
    bad.extend_from_slice(b"\xff\xfe\"}");

    let r = api
        .post_raw(KD_SESSION, &[("content-type", "application/json")], &bad)
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
            OA_LOGIN,
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
            EN_LOGIN,
            &[ct],
            b"{\"account\":\"portal_demo\",\"password\":\"Test1234\",\"x\":\"\xff\xfe\"}",
        )
        .await;
    enos_err(&r, 31400, "Invalid request parameters");

    let r = api
        .post_raw(
            EN_SET,
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
            KD_LOGIN,
            &[("x-hw-agentName", "rules-test")],
            json!({"account": 27188460911_i64, "authType": 1, "password": "123qweASD143"}),
        )
        .await;

    // account 27188460911 is not "0027188460911": the number's text has no leading zeros, so the
    // login fails on the credentials (not on the parameters) and authType 1 was understood.
    koodrive_err(&r, 401, 13000203, "Incorrect account or password.");

    let r = api
        .post(
            KD_LOGIN,
            &[("x-hw-agentName", "rules-test")],
            json!({"account": "0027188460911", "authType": 1, "password": "123qweASD143"}),
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
        EN_SET,
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
        KD_LOGIN,
        &[
            ("X-HW-AGENTNAME", "rules-test"),
            ("content-type", "application/json"),
        ],
        br#"{"account":"0027188460911","authType":"1","password":"123qweASD143"}"#,
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.body["code"], json!(0), "{}", r.text);

    let token = koodrive_session_token(&api).await;
    let r = raw(
        &api,
        "GET",
        KD_AUTH,
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
    let token = koodrive_session_token(&api).await;
    assert!(token.starts_with("Bearer "), "{token}");
    let ok = api.get(KD_AUTH, &[("authorization", token.as_str())]).await;
    assert_eq!(ok.body["code"], json!(0), "{}", ok.text);

    let r = api.get(EN_INFO, &[("authorization", token.as_str())]).await;
    enos_err(&r, 31401, "Please login first");
    let r = api
        .post(
            EN_SET,
            &[("authorization", token.as_str())],
            json!({"orgId": "yourOrgId"}),
        )
        .await;
    enos_err(&r, 31401, "Please login first");
}

#[tokio::test]
async fn an_enos_token_means_nothing_to_koodrive() {
    let api = Api::new().await;
    let r = enos_login(&api, &[]).await;
    let login_token = r.body["data"]["accessToken"]
        .as_str()
        .expect("token")
        .to_string();
    let r = api
        .post(
            EN_SET,
            &[("authorization", format!("Bearer {login_token}").as_str())],
            json!({"orgId": "yourOrgId"}),
        )
        .await;
    let org_token = r.body["data"]["accessToken"]
        .as_str()
        .expect("token")
        .to_string();

    for t in [EN_STATIC, org_token.as_str()] {
        for auth in [format!("Bearer {t}"), t.to_string()] {
            let r = api.get(KD_AUTH, &[("authorization", auth.as_str())]).await;
            koodrive_err(&r, 401, 13000202, "Session is invalid or expired.");
        }
    }
}

#[tokio::test]
async fn a_oneaccess_app_token_means_nothing_to_enos_or_koodrive() {
    let api = Api::new().await;
    let token = oneaccess_app_token(&api).await;
    let auth = format!("Bearer {token}");

    let r = api.get(EN_INFO, &[("authorization", auth.as_str())]).await;
    enos_err(&r, 31401, "Please login first");
    let r = api.get(KD_AUTH, &[("authorization", auth.as_str())]).await;
    koodrive_err(&r, 401, 13000202, "Session is invalid or expired.");
}

#[tokio::test]
async fn an_enos_token_means_nothing_to_oneaccess() {
    let api = Api::new().await;
    let auth = format!("Bearer {EN_STATIC}");

    let r = api
        .post(OA_TICKET, &[("authorization", auth.as_str())], json!({}))
        .await;

    oneaccess_err(
        &r,
        400,
        "invalid_token",
        &format!("Invalid access token: {EN_STATIC}"),
    );
}

// ---------------------------------------------------------------------------------------------
// namespaces

#[tokio::test]
async fn a_token_issued_in_one_namespace_means_nothing_in_another_or_in_the_default() {
    let api = Api::new().await;
    let ns_a = ("x-mock-namespace", "a");
    let r = enos_login(&api, &[ns_a]).await;
    let enos_token = r.body["data"]["accessToken"]
        .as_str()
        .expect("token")
        .to_string();
    let enos_auth = format!("Bearer {enos_token}");
    let r = api
        .post(KD_SESSION, &[ns_a], json!({"code": KD_CODE}))
        .await;
    let kd_token = r.body["data"]["accessToken"]
        .as_str()
        .expect("token")
        .to_string();

    for ns in [vec![("x-mock-namespace", "b")], vec![]] {
        let mut h = ns.clone();
        h.push(("authorization", enos_auth.as_str()));
        let r = api.post(EN_SET, &h, json!({"orgId": "yourOrgId"})).await;
        enos_err(&r, 31401, "Please login first");
        let mut h = ns.clone();
        h.push(("authorization", kd_token.as_str()));
        let r = api.get(KD_AUTH, &h).await;
        koodrive_err(&r, 401, 13000202, "Session is invalid or expired.");
    }

    let r = api
        .post(
            EN_SET,
            &[ns_a, ("authorization", enos_auth.as_str())],
            json!({"orgId": "yourOrgId"}),
        )
        .await;
    assert_eq!(r.body["code"], json!(0), "{}", r.text);
    let r = api
        .get(KD_AUTH, &[ns_a, ("authorization", kd_token.as_str())])
        .await;
    assert_eq!(r.body["code"], json!(0), "{}", r.text);
}

#[tokio::test]
async fn a_token_issued_in_the_default_namespace_means_nothing_in_a_named_one() {
    let api = Api::new().await;
    let r = enos_login(&api, &[]).await;
    let token = r.body["data"]["accessToken"]
        .as_str()
        .expect("token")
        .to_string();
    let auth = format!("Bearer {token}");

    let r = api
        .post(
            EN_SET,
            &[("x-mock-namespace", "b"), ("authorization", auth.as_str())],
            json!({"orgId": "yourOrgId"}),
        )
        .await;

    enos_err(&r, 31401, "Please login first");
}
