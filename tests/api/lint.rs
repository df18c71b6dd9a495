//! The contract lint over HTTP: each rule warned in lenient mode (`X-Mock-Warnings`), refused in strict
//! mode with the family's parameter error, silent when the page is followed; the seed examples and the
//! README's curl examples; the journal filter and the warnings summary.

use crate::fixtures::{enos, koo, oa};
use crate::helpers::{Api, Resp};
use authmock::MockServer;
use serde_json::Value;

const KD_LOGIN_BODY: &str =
    r#"{"account": "0027188460911", "authType": "1", "password": "123qweASD143"}"#;
const OA_CT: &str = "application/json;charset=utf8";
const JSON: &str = "application/json";
const STRICT: (&str, &str) = ("X-Mock-Strict", "true");

/// The seed 003 example's `Authorization`: portal_demo's static token.
fn en_static() -> String {
    format!("Bearer {}", enos::STATIC_TOKEN)
}

/// The ids in `X-Mock-Warnings`, in order.
fn ids(r: &Resp) -> Vec<String> {
    entries(r).into_iter().map(|(id, _)| id).collect()
}

/// `X-Mock-Warnings` split into (id, message).
fn entries(r: &Resp) -> Vec<(String, String)> {
    let h = r.header("x-mock-warnings");
    if h.is_empty() {
        return Vec::new();
    }
    h.split(" | ")
        .map(|e| {
            let (id, msg) = e.split_once(": ").expect("id: message");
            (id.to_string(), msg.to_string())
        })
        .collect()
}

async fn kd_login(api: &Api, path: &str, headers: &[(&str, &str)], body: &str) -> Resp {
    api.post_raw(path, headers, body.as_bytes()).await
}

/// A OneAccess app token and a session_token of zhangsan, fingerprint `156aysdna213sac`.
async fn oa_credentials(api: &Api) -> (String, String) {
    (api.oa_app_token(&[]).await, api.oa_session_token(&[]).await)
}

/// The seed 002 example body with a real `session_token` and the given `device_ip`.
fn ticket_body(session: &str, device_ip: &str) -> String {
    let (fingerprint, client) = (oa::FINGERPRINT, oa::CLIENT_ID);
    format!(
        r#"{{ "session_token": "{session}", "operating_sys_version": "Android 10", "device_ip": "{device_ip}", "device_fingerprint": "{fingerprint}", "agent": "Mozilla/5.0 (Linux; Android 10; Redmi K30 Build/QKQ1.190825.002; wv) AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 Chrome/80.0.3987.99 Mobile Safari/537.36", "client_id": "{client}" }}"#
    )
}

/// sso-ticket with the README's headers, minus `without`, plus `extra`.
async fn ticket(
    api: &Api,
    app: &str,
    body: &str,
    without: &[&str],
    extra: &[(&str, &str)],
) -> Resp {
    let bearer = format!("Bearer {app}");
    let mut h: Vec<(&str, &str)> = vec![
        ("Content-Type", OA_CT),
        ("Authorization", &bearer),
        ("X-tenant-id", oa::TENANT),
    ];
    h.retain(|(k, _)| !without.contains(k));
    h.extend_from_slice(extra);
    api.post_raw(oa::TICKET, &h, body.as_bytes()).await
}

// ---------------------------------------------------------------------------------- each rule

#[tokio::test]
async fn repeated_slash_is_warned_refused_in_strict_mode_and_silent_without() {
    let api = Api::new().await;
    let agent = ("x-hw-agentName", "curl");
    let r = kd_login(
        &api,
        "//koodrive/ose/v1//auth/login",
        &[agent],
        KD_LOGIN_BODY,
    )
    .await;
    assert_eq!((r.status, r.body["code"].as_i64()), (200, Some(0)));
    assert_eq!(ids(&r), ["path-slash"]);
    let r = kd_login(
        &api,
        "//koodrive/ose/v1/auth/login",
        &[agent, STRICT],
        KD_LOGIN_BODY,
    )
    .await;
    assert_eq!((r.status, r.body["code"].as_i64()), (400, Some(13000102)));
    assert_eq!(ids(&r), ["path-slash"]);
    let r = kd_login(&api, koo::LOGIN, &[agent, STRICT], KD_LOGIN_BODY).await;
    assert_eq!((r.status, ids(&r).len()), (200, 0));
}

#[tokio::test]
async fn sso_ticket_content_type_must_be_the_pages_value() {
    let api = Api::new().await;
    let (app, session) = oa_credentials(&api).await;
    let body = ticket_body(&session, "10.10.10.1");
    let r = ticket(
        &api,
        &app,
        &body,
        &["Content-Type"],
        &[("Content-Type", JSON)],
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(
        entries(&r),
        [(
            "content-type".to_string(),
            "expected application/json;charset=utf8, got application/json".to_string()
        )]
    );
    let r = ticket(
        &api,
        &app,
        &body,
        &["Content-Type"],
        &[("Content-Type", JSON), STRICT],
    )
    .await;
    assert_eq!(r.status, 400);
    assert_eq!(r.body["error_code"], "PARAM.0001");
    let msg = r.body["error_msg"].as_str().unwrap();
    assert!(msg.contains("content-type") && msg.contains(OA_CT), "{msg}");
    let r = ticket(&api, &app, &body, &[], &[STRICT]).await;
    assert_eq!((r.status, ids(&r).len()), (200, 0), "{}", r.text);
}

#[tokio::test]
async fn a_number_where_the_page_says_string_is_warned_and_refused_in_strict_mode() {
    let api = Api::new().await;
    let agent = ("x-hw-agentName", "curl");
    let body = r#"{"account": "0027188460911", "authType": 1, "password": "123qweASD143"}"#;
    let r = kd_login(&api, koo::LOGIN, &[agent], body).await;
    assert_eq!(r.status, 200);
    assert_eq!(
        entries(&r),
        [(
            "type".to_string(),
            "authType is a JSON number; the page says String".to_string()
        )]
    );
    let r = kd_login(&api, koo::LOGIN, &[agent, STRICT], body).await;
    assert_eq!((r.status, r.body["code"].as_i64()), (400, Some(13000102)));
    // A boolean is refused in either mode; the warning says why.
    let r = kd_login(&api, koo::LOGIN, &[agent], &body.replace("1,", "true,")).await;
    assert_eq!((r.status, r.body["code"].as_i64()), (400, Some(13000102)));
    assert_eq!(ids(&r), ["type"]);
}

#[tokio::test]
async fn an_unknown_field_names_the_closest_documented_one() {
    let api = Api::new().await;
    let bearer = en_static();
    let auth = ("Authorization", bearer.as_str());
    let body = br#"{"orgId":"yourOrgId","orgid":"yourOrgId"}"#;
    let r = api.post_raw(enos::SET, &[auth], body).await;
    assert_eq!(r.body["code"], 0, "{}", r.text);
    assert_eq!(
        entries(&r),
        [(
            "unknown-field".to_string(),
            "orgid - did you mean orgId?".to_string()
        )]
    );
    let r = api.post_raw(enos::SET, &[auth, STRICT], body).await;
    assert_eq!(r.status, 200);
    assert_eq!(r.body["code"], 31400);
    assert_eq!(r.body["message"], "Invalid request parameters");
    let r = api
        .post_raw(enos::SET, &[auth, STRICT], br#"{"orgId":"yourOrgId"}"#)
        .await;
    assert_eq!((r.body["code"].as_i64(), ids(&r).len()), (Some(0), 0));
}

#[tokio::test]
async fn a_session_token_without_bearer_is_warned_and_refused_in_strict_mode() {
    let api = Api::new().await;
    let r = api
        .post(
            koo::SESSION,
            &[],
            serde_json::json!({ "code": koo::SEED_CODE }),
        )
        .await;
    let bearer = r.body["data"]["accessToken"].as_str().unwrap().to_owned();
    let bare = bearer.trim_start_matches("Bearer ").to_owned();
    let r = api
        .get(koo::SESSION_AUTH, &[("Authorization", &bare)])
        .await;
    assert_eq!(r.status, 200);
    assert_eq!(ids(&r), ["auth-scheme"]);
    let r = api
        .get(koo::SESSION_AUTH, &[("Authorization", &bare), STRICT])
        .await;
    assert_eq!((r.status, r.body["code"].as_i64()), (400, Some(13000102)));
    let plus = format!("Bearer+{bare}");
    let r = api
        .get(koo::SESSION_AUTH, &[("Authorization", &plus)])
        .await;
    assert_eq!((r.status, ids(&r)), (200, vec!["auth-scheme".to_string()]));
    let r = api
        .get(koo::SESSION_AUTH, &[("Authorization", &bearer), STRICT])
        .await;
    assert_eq!((r.status, ids(&r).len()), (200, 0));
}

#[tokio::test]
async fn a_login_token_sent_as_bearer_to_refresh_token_is_warned() {
    let api = Api::new().await;
    let agent = ("x-hw-agentName", "curl");
    let r = kd_login(&api, koo::LOGIN, &[agent], KD_LOGIN_BODY).await;
    let at = r.body["data"]["sessionInfo"]["accessToken"]
        .as_str()
        .unwrap()
        .to_owned();
    let refresh = r.body["data"]["sessionInfo"]["refreshToken"]
        .as_str()
        .unwrap()
        .to_owned();
    let body = format!(r#"{{"refreshToken":"{refresh}"}}"#);
    let bearer = at.replace("AT ", "Bearer ");
    let path = koo::REFRESH_TOKEN;
    let r = api
        .post_raw(path, &[("Authorization", &bearer), STRICT], body.as_bytes())
        .await;
    assert_eq!((r.status, r.body["code"].as_i64()), (400, Some(13000102)));
    assert_eq!(ids(&r), ["auth-scheme"]);
    let r = api
        .post_raw(path, &[("Authorization", &bearer)], body.as_bytes())
        .await;
    assert_eq!((r.status, ids(&r)), (200, vec!["auth-scheme".to_string()]));
    let at = r.body["data"]["sessionInfo"]["accessToken"]
        .as_str()
        .unwrap()
        .replace(' ', "+");
    let refresh = r.body["data"]["sessionInfo"]["refreshToken"]
        .as_str()
        .unwrap()
        .to_owned();
    let body = format!(r#"{{"refreshToken":"{refresh}"}}"#);
    let r = api
        .post_raw(path, &[("Authorization", &at), STRICT], body.as_bytes())
        .await;
    assert_eq!((r.status, ids(&r).len()), (200, 0), "{}", r.text);
}

#[tokio::test]
async fn a_missing_mandatory_header_is_named_and_answered_as_before_in_strict_mode() {
    let api = Api::new().await;
    for strict in [false, true] {
        let h: &[(&str, &str)] = if strict { &[STRICT] } else { &[] };
        let r = kd_login(&api, koo::LOGIN, h, KD_LOGIN_BODY).await;
        assert_eq!((r.status, r.body["code"].as_i64()), (400, Some(13000102)));
        assert_eq!(
            entries(&r),
            [(
                "required".to_string(),
                "x-hw-agentName header is Mandatory".to_string()
            )]
        );
    }
}

#[tokio::test]
async fn sso_ticket_without_x_tenant_id_is_warned() {
    let api = Api::new().await;
    let (app, session) = oa_credentials(&api).await;
    let body = ticket_body(&session, "10.10.10.1");
    let r = ticket(&api, &app, &body, &["X-tenant-id"], &[]).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(ids(&r), ["x-tenant-id"]);
    let r = ticket(&api, &app, &body, &["X-tenant-id"], &[STRICT]).await;
    assert_eq!(
        (r.status, &r.body["error_code"]),
        (400, &Value::from("PARAM.0001"))
    );
    assert!(r.body["error_msg"]
        .as_str()
        .unwrap()
        .contains("X-tenant-id"));
}

#[tokio::test]
async fn device_ip_that_is_not_an_ip_address_is_warned() {
    let api = Api::new().await;
    let (app, session) = oa_credentials(&api).await;
    let r = ticket(&api, &app, &ticket_body(&session, "my-phone"), &[], &[]).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(
        entries(&r),
        [(
            "device-ip".to_string(),
            "device_ip my-phone is not an IP address".to_string()
        )]
    );
    let r = ticket(
        &api,
        &app,
        &ticket_body(&session, "my-phone"),
        &[],
        &[STRICT],
    )
    .await;
    assert_eq!(r.body["error_code"], "PARAM.0001");
}

/// createSession with the seed code and `headers`.
async fn create(api: &Api, headers: &[(&str, &str)]) -> Resp {
    let body = format!(r#"{{"code":"{}"}}"#, koo::SEED_CODE);
    api.post_raw(koo::SESSION, headers, body.as_bytes()).await
}

#[tokio::test]
async fn x_traceid_and_language_follow_the_pages_format() {
    let api = Api::new().await;
    let r = create(&api, &[("X-Traceid", "abc123"), ("language", "en_US")]).await;
    assert_eq!(r.status, 200);
    assert_eq!(ids(&r), ["x-traceid", "language"]);
    let r = create(&api, &[("language", "english"), STRICT]).await;
    assert_eq!((r.status, r.body["code"].as_i64()), (400, Some(13000102)));
    let trace = "7".repeat(58);
    let r = create(
        &api,
        &[("X-Traceid", &trace), ("language", "en-US"), STRICT],
    )
    .await;
    assert_eq!((r.status, ids(&r).len()), (200, 0));
}

#[tokio::test]
async fn strict_server_refuses_unless_the_request_says_false() {
    let api = Api::with(MockServer::builder().strict(true).start().await);
    let agent = ("x-hw-agentName", "curl");
    let r = kd_login(
        &api,
        "//koodrive/ose/v1/auth/login",
        &[agent],
        KD_LOGIN_BODY,
    )
    .await;
    assert_eq!(r.body["code"], 13000102);
    let off = ("X-Mock-Strict", "false");
    let r = kd_login(
        &api,
        "//koodrive/ose/v1/auth/login",
        &[agent, off],
        KD_LOGIN_BODY,
    )
    .await;
    assert_eq!(
        (r.body["code"].as_i64(), ids(&r)),
        (Some(0), vec!["path-slash".to_string()])
    );
}

// ------------------------------------------------------------------- seed and README examples

#[tokio::test]
async fn seed_examples_sent_verbatim_get_exactly_the_warnings_they_deserve() {
    let api = Api::new().await;
    // 000: no headers shown; `domain` is in the example.
    let r = api
        .post_raw(
            "/koodrive/ose/v1/session",
            &[],
            format!(
                r#"{{ "code" : "{}", "domain" : "kdconsole-***-***.************.cn:8080" }}"#,
                koo::SEED_CODE
            )
            .as_bytes(),
        )
        .await;
    assert_eq!((r.status, ids(&r).len()), (200, 0), "{}", r.text);
    // 001 without its trailing comma: the example omits the Mandatory x-hw-agentName (001:10).
    let body = koo::SEED_001_REQUEST.replace(",\n}", "\n}");
    let r = api.post_raw(koo::LOGIN, &[], body.as_bytes()).await;
    assert_eq!((r.status, ids(&r)), (400, vec!["required".to_string()]));
    // 002, with a real bearer token and session_token: the example shows no Content-Type (002:12).
    let (app, session) = oa_credentials(&api).await;
    let r = ticket(
        &api,
        &app,
        &ticket_body(&session, "10.10.10.1"),
        &["Content-Type"],
        &[],
    )
    .await;
    assert_eq!(
        (r.status, ids(&r)),
        (200, vec!["content-type".to_string()]),
        "{}",
        r.text
    );
    // 003.
    let r = api
        .post_raw(
            enos::SET,
            &[("Authorization", &en_static())],
            br#"{"orgId":"yourOrgId"}"#,
        )
        .await;
    assert_eq!((r.body["code"].as_i64(), ids(&r).len()), (Some(0), 0));
}

#[tokio::test]
async fn readme_curl_examples_get_no_warnings() {
    let api = Api::new().await;
    let ct = ("Content-Type", JSON);
    let body = format!(
        r#"{{ "code" : "{}", "domain" : "kdconsole-***-***.************.cn:8080" }}"#,
        koo::SEED_CODE
    );
    let r = api
        .post_raw("/koodrive/ose/v1/session", &[ct], body.as_bytes())
        .await;
    assert_eq!((r.status, ids(&r).len()), (200, 0));
    let r = kd_login(
        &api,
        koo::LOGIN,
        &[ct, ("x-hw-agentName", "curl")],
        KD_LOGIN_BODY,
    )
    .await;
    assert_eq!((r.status, ids(&r).len()), (200, 0));
    // The README's tenant/token (a form) and sdk/login (JSON and the four X- headers).
    let r = api.oa_token_request(&[]).await;
    assert_eq!((r.status, ids(&r).len()), (200, 0));
    let app = r.body["access_token"].as_str().unwrap().to_owned();
    let r = api.oa_login(oa::USER, oa::PASSWORD, &[]).await;
    assert_eq!((r.status, ids(&r).len()), (200, 0));
    let session = r.body["session_token"].as_str().unwrap().to_owned();
    let r = ticket(&api, &app, &ticket_body(&session, "10.10.10.1"), &[], &[]).await;
    assert_eq!((r.status, ids(&r).len()), (200, 0));
    let r = api
        .post_raw(
            enos::SET,
            &[("Authorization", &en_static()), ct],
            br#"{"orgId":"yourOrgId"}"#,
        )
        .await;
    assert_eq!((r.body["code"].as_i64(), ids(&r).len()), (Some(0), 0));
    let journal = api.get("/__admin/requests?warnings=true", &[]).await;
    assert_eq!(
        journal.body["requests"],
        serde_json::json!([]),
        "{}",
        journal.text
    );
}

// ----------------------------------------------------------------- journal and summary

#[tokio::test]
async fn journal_lists_the_warnings_and_filters_on_them() {
    let api = Api::new().await;
    let agent = ("x-hw-agentName", "curl");
    kd_login(&api, koo::LOGIN, &[agent], KD_LOGIN_BODY).await;
    let r = kd_login(
        &api,
        "//koodrive/ose/v1/auth/login",
        &[agent],
        KD_LOGIN_BODY,
    )
    .await;
    let all = api.get("/__admin/requests", &[]).await;
    assert_eq!(all.body["requests"].as_array().unwrap().len(), 2);
    let warned = api.get("/__admin/requests?warnings=true", &[]).await;
    let list = warned.body["requests"].as_array().unwrap();
    assert_eq!(list.len(), 1, "{}", warned.text);
    let (id, message) = entries(&r).remove(0);
    assert_eq!(
        list[0]["warnings"],
        serde_json::json!([{ "id": id, "message": message }])
    );
    assert_eq!(all.body["requests"][1]["warnings"], serde_json::json!([]));
}

#[tokio::test]
async fn warnings_summary_counts_by_rule_and_route_per_namespace() {
    let api = Api::new().await;
    let ns = ("X-Mock-Namespace", "lint-summary");
    let agent = ("x-hw-agentName", "curl");
    for _ in 0..3 {
        kd_login(
            &api,
            "//koodrive/ose/v1/auth/login",
            &[agent, ns],
            KD_LOGIN_BODY,
        )
        .await;
    }
    api.post_raw(
        enos::SET,
        &[("Authorization", &en_static()), ns],
        br#"{"orgid":"x"}"#,
    )
    .await;
    let s = api.get("/__admin/warnings", &[ns]).await;
    assert_eq!(s.status, 200);
    let list = s.body["warnings"].as_array().unwrap();
    let find = |id: &str, route: &str| {
        list.iter()
            .find(|w| w["id"] == id && w["route"] == route)
            .unwrap_or_else(|| panic!("{id} {route} in {}", s.text))
    };
    let slash = find("path-slash", koo::LOGIN);
    assert_eq!(slash["count"], 3);
    assert!(slash["firstSeen"].as_str().unwrap() <= slash["lastSeen"].as_str().unwrap());
    assert_eq!(find("unknown-field", enos::SET)["count"], 1);
    assert_eq!(find("required", enos::SET)["count"], 1);
    assert!(s.body["rules"].as_array().unwrap().len() >= 10);
    let other = api.get("/__admin/warnings", &[]).await;
    assert_eq!(other.body["warnings"], serde_json::json!([]));
}

/// The binary started with `AUTHMOCK_STRICT=true` (and with `--strict`) refuses a repeated slash.
#[tokio::test]
async fn strict_flag_and_env_var_turn_strict_mode_on_for_the_binary() {
    use std::io::BufRead;
    for (args, env) in [
        (&["--port", "0"][..], Some("true")),
        (&["--port", "0", "--strict"][..], None),
    ] {
        let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_authmock"));
        cmd.args(args)
            .env_remove("AUTHMOCK_STRICT")
            .env_remove("AUTHMOCK_PORT")
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::null());
        if let Some(v) = env {
            cmd.env("AUTHMOCK_STRICT", v);
        }
        let mut child = cmd.spawn().expect("spawn authmock");
        let mut line = String::new();
        std::io::BufReader::new(child.stdout.take().expect("stdout"))
            .read_line(&mut line)
            .expect("first line");
        let base = line
            .trim()
            .strip_prefix("authmock listening on ")
            .expect(&line)
            .to_owned();
        let r = reqwest::Client::new()
            .post(format!("{base}//koodrive/ose/v1/auth/login"))
            .header("x-hw-agentName", "curl")
            .body(KD_LOGIN_BODY)
            .send()
            .await
            .expect("request");
        let warned = r.headers().contains_key("x-mock-warnings");
        let body: Value = r.json().await.expect("json");
        let _ = child.kill();
        let _ = child.wait();
        assert_eq!(
            (body["code"].as_i64(), warned),
            (Some(13000102), true),
            "{args:?}"
        );
    }
}
