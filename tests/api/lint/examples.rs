//! The vendor pages' examples sent verbatim, and the README's curl examples.

use super::*;
use crate::fixtures::{enos, koo, oa};
use crate::helpers::Api;

#[tokio::test]
async fn each_pages_example_is_served_in_strict_mode_without_a_warning() {
    let api = Api::new().await;
    // "Initializing and Creating a Session": no headers shown; `domain` is in the example.
    let r = api
        .post_raw(
            "/koodrive/ose/v1/session",
            &[STRICT],
            format!(
                r#"{{ "code" : "{}", "domain" : "kdconsole-***-***.************.cn:8080" }}"#,
                koo::SEED_CODE
            )
            .as_bytes(),
        )
        .await;
    assert_eq!(
        (r.status, r.body["code"].as_i64()),
        (200, Some(0)),
        "{}",
        r.text
    );
    assert_eq!(r.header("x-mock-warnings"), "");
    // "Login" without its trailing comma, with the x-hw-agentName its Request Parameters make
    // Mandatory (the example shows the body only; without it the mock answers 13000102 in either mode:
    // rules.rs, a_missing_mandatory_header_…).
    let body = koo::SEED_001_REQUEST.replace(",\n}", "\n}");
    let r = api
        .post_raw(koo::LOGIN, &[koo::AGENT, STRICT], body.as_bytes())
        .await;
    assert_eq!(
        (r.status, r.body["code"].as_i64()),
        (200, Some(0)),
        "{}",
        r.text
    );
    assert_eq!(r.header("x-mock-warnings"), "");
    // "Obtaining sso_ticket Using session_token" with exactly the example's headers (Authorization,
    // X-tenant-id, no Content-Type), a real bearer token and session_token: no warning, only a note
    // in the journal that the Request Parameters set a Content-Type the example does not send.
    let (app, session) = oa_credentials(&api).await;
    let r = ticket(
        &api,
        &app,
        &ticket_body(&session, "10.10.10.1"),
        &["Content-Type"],
        &[STRICT],
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert!(r.body["sso_ticket"].is_string(), "{}", r.text);
    assert_eq!(r.header("x-mock-warnings"), "");
    // "Choose Organization".
    let r = api
        .post_raw(
            enos::SET,
            &[("Authorization", &en_static()), STRICT],
            br#"{"orgId":"yourOrgId"}"#,
        )
        .await;
    assert_eq!(
        (r.status, r.body["code"].as_i64()),
        (200, Some(0)),
        "{}",
        r.text
    );
    assert_eq!(r.header("x-mock-warnings"), "");
    let journal = api.get("/__admin/requests?warnings=true", &[]).await;
    assert_eq!(
        journal.body["requests"],
        serde_json::json!([]),
        "{}",
        journal.text
    );
    let journal = api.get("/__admin/requests", &[]).await;
    let notes: Vec<_> = journal.body["requests"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["notes"] != serde_json::json!([]))
        .map(|e| (e["path"].clone(), e["notes"].clone()))
        .collect();
    assert_eq!(
        notes,
        [(
            serde_json::json!(oa::TICKET),
            serde_json::json!([{
                "id": "content-type",
                "message": "missing; the page's Request Parameters set application/json;charset=utf8 (its example sends none)"
            }])
        )],
        "{}",
        journal.text
    );
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
