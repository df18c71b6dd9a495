//! Each rule over HTTP: warned, refused in strict mode, silent when the page is followed; `--strict`
//! and `AUTHMOCK_STRICT` on the binary.

use super::*;
use crate::fixtures::{enos, koo, oa};
use crate::helpers::Api;
use authmock::MockServer;
use serde_json::Value;

#[tokio::test]
async fn repeated_slash_is_warned_refused_in_strict_mode_and_silent_without() {
    let api = Api::new().await;
    let agent = koo::AGENT;
    let r = kd_login(
        &api,
        "//koodrive/ose/v1//auth/login",
        &[agent],
        KD_LOGIN_BODY,
    )
    .await;
    assert_eq!((r.status, r.body["code"].as_i64()), (200, Some(0)));
    assert_eq!(ids(&r), ["path-slash"]);
    let r = slash_login(&api, &[agent, STRICT]).await;
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
    let agent = koo::AGENT;
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
async fn past_16_warnings_the_header_lists_16_and_counts_the_rest() {
    let api = Api::new().await;
    let bearer = en_static();
    let auth = ("Authorization", bearer.as_str());
    let mut body = serde_json::Map::new();
    body.insert("orgId".into(), Value::from(enos::ORG));
    for i in 0..20 {
        body.insert(format!("zz{i:02}"), Value::from(i));
    }
    let body = Value::Object(body).to_string();

    let r = api.post_raw(enos::SET, &[auth], body.as_bytes()).await;

    assert_eq!(r.body["code"], 0, "{}", r.text);
    let e = entries(&r);
    assert_eq!(e.len(), 17, "{e:?}");
    for (i, (id, msg)) in e[..16].iter().enumerate() {
        assert_eq!(id, "unknown-field", "{e:?}");
        assert!(msg.starts_with(&format!("zz{i:02}")), "{e:?}");
    }
    assert_eq!(e[16], ("more".to_string(), "4 more deviations".to_string()));
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
    let agent = koo::AGENT;
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
async fn sso_ticket_without_x_tenant_id_gets_a_note_never_a_warning_or_a_refusal() {
    let api = Api::new().await;
    let (app, session) = oa_credentials(&api).await;
    let body = ticket_body(&session, "10.10.10.1");
    for extra in [&[][..], &[STRICT][..]] {
        let r = ticket(&api, &app, &body, &["X-tenant-id"], extra).await;
        assert_eq!(r.status, 200, "{}", r.text);
        assert!(r.body["sso_ticket"].is_string(), "{}", r.text);
        assert_eq!(r.header("x-mock-warnings"), "");
    }
    let note = serde_json::json!([{
        "id": "x-tenant-id",
        "message": "X-tenant-id missing; the page makes it mandatory when an ISV calls"
    }]);
    let journal = api.get("/__admin/requests", &[]).await;
    let tickets: Vec<_> = journal.body["requests"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["path"] == oa::TICKET)
        .map(|e| (e["warnings"].clone(), e["notes"].clone()))
        .collect();
    assert_eq!(
        tickets,
        vec![(serde_json::json!([]), note.clone()); 2],
        "{}",
        journal.text
    );
    let s = api.get("/__admin/warnings", &[]).await;
    assert_eq!(s.body["warnings"][0]["id"], "x-tenant-id", "{}", s.text);
    assert_eq!(
        (
            &s.body["warnings"][0]["note"],
            &s.body["warnings"][0]["count"]
        ),
        (&Value::from(true), &Value::from(2))
    );
    assert_eq!(
        s.body["warnings"].as_array().unwrap().len(),
        1,
        "{}",
        s.text
    );
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
    let agent = koo::AGENT;
    let r = slash_login(&api, &[agent]).await;
    assert_eq!(r.body["code"], 13000102);
    let off = ("X-Mock-Strict", "false");
    let r = slash_login(&api, &[agent, off]).await;
    assert_eq!(
        (r.body["code"].as_i64(), ids(&r)),
        (Some(0), vec!["path-slash".to_string()])
    );
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
