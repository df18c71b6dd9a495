//! The vendor pages' examples sent verbatim, and the README's curl examples.

use super::*;
use crate::fixtures::{enos, koo, oa};
use crate::helpers::Api;

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
    // "Login" without its trailing comma: the example omits the Mandatory x-hw-agentName.
    let body = koo::SEED_001_REQUEST.replace(",\n}", "\n}");
    let r = api.post_raw(koo::LOGIN, &[], body.as_bytes()).await;
    assert_eq!((r.status, ids(&r)), (400, vec!["required".to_string()]));
    // "Obtaining sso_ticket Using session_token", with a real bearer token and session_token: the
    // example shows no Content-Type, which its Request Parameters make Mandatory.
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
