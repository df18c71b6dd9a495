//! `GET /koodrive/ose/v1/session/authCodeURL`: the vendor shape, local domains, `orgIdHost`.

use super::*;
use crate::expect::koo_error;
use crate::helpers::Api;
use authmock::MockServer;
use serde_json::{json, Value};

#[tokio::test]
async fn auth_code_url_answers_the_vendor_shape_with_the_mock_as_org_id_host() {
    let api = Api::new().await;
    let r = api
        .get(
            &format!("{AUTH_CODE_URL}?domain=kdconsole.example.cn:8080"),
            &[],
        )
        .await;
    let host = api.server.uri();
    assert_eq!(
        r.body,
        json!({
            "uri": format!("{host}/oauth2/authorize?response_type=code&client_id={CLIENT}&scope=phone+profile+email&redirect_uri=https://kdconsole.example.cn:8080/cloudfile/index.html"),
            "orgIdHost": host,
            "code": 0,
            "msg": "success",
        })
    );
    assert!(r.text.starts_with(r#"{"uri":"#), "{}", r.text);
}

#[tokio::test]
async fn a_local_domain_leads_back_over_http() {
    let api = Api::new().await;
    for (domain, back) in [
        (
            "localhost:3000",
            "http://localhost:3000/cloudfile/index.html",
        ),
        (
            "127.0.0.1:5173",
            "http://127.0.0.1:5173/cloudfile/index.html",
        ),
        ("[::1]:8081", "http://[::1]:8081/cloudfile/index.html"),
        (
            "app.example.com",
            "https://app.example.com/cloudfile/index.html",
        ),
    ] {
        let uri = auth_code_uri(&api, domain, &[]).await;
        assert!(uri.ends_with(&format!("&redirect_uri={back}")), "{uri}");
    }
}

#[tokio::test]
async fn auth_code_url_without_a_good_domain_answers_13000102() {
    let api = Api::new().await;
    for q in [
        "",
        "?domain=",
        "?domain=%20",
        "?domain=a.example&domain=b.example",
        "?domain=https://a.example",
        "?domain=a.example/x",
        "?domain=a%22b",
        "?domain=a.example:port",
    ] {
        let r = api.get(&format!("{AUTH_CODE_URL}{q}"), &[]).await;
        koo_error(&r, 400, 13000102, "Verify parameters failed.");
    }
    let long = format!("?domain={}.example", "a".repeat(300));
    koo_error(
        &api.get(&format!("{AUTH_CODE_URL}{long}"), &[]).await,
        400,
        13000102,
        "Verify parameters failed.",
    );
    let r = api.get(AUTH_CODE_URL, &[]).await;
    assert!(
        r.header("x-mock-warnings")
            .contains("required: domain query parameter is Mandatory"),
        "{r:?}"
    );
}

#[tokio::test]
async fn org_id_host_follows_public_url_then_forwarded_headers() {
    let server = MockServer::builder()
        .public_url("https://mock.example:8443/")
        .start()
        .await;
    let api = Api::with(server);
    let r = api
        .get(&format!("{AUTH_CODE_URL}?domain=a.example"), &[])
        .await;
    assert_eq!(r.body["orgIdHost"], "https://mock.example:8443");

    let api = Api::new().await;
    let h = [
        ("X-Forwarded-Proto", "https"),
        ("X-Forwarded-Host", "login.example, proxy.internal"),
    ];
    let r = api
        .get(&format!("{AUTH_CODE_URL}?domain=a.example"), &h)
        .await;
    assert_eq!(r.body["orgIdHost"], "https://login.example");
    let r = api
        .get(
            &format!("{AUTH_CODE_URL}?domain=a.example"),
            &[("X-Forwarded-Host", "<bad>")],
        )
        .await;
    assert_eq!(r.body["orgIdHost"], api.server.uri());
}

#[tokio::test]
async fn org_id_host_is_https_on_the_tls_listener() {
    let server = MockServer::builder().tls(true).start().await;
    let ca = reqwest::Certificate::from_pem(server.ca_pem().as_bytes()).expect("ca");
    let client = reqwest::Client::builder()
        .add_root_certificate(ca)
        .build()
        .expect("client");
    let url = format!("{}{AUTH_CODE_URL}?domain=a.example", server.https_uri());
    let body: Value = client
        .get(url)
        .send()
        .await
        .expect("send")
        .json()
        .await
        .expect("json");
    assert_eq!(body["orgIdHost"], server.https_uri());
}

#[tokio::test]
async fn the_harness_signin_url_is_what_auth_code_url_hands_out() {
    let api = Api::new().await;
    let uri = auth_code_uri(&api, "localhost:3000", &[]).await;
    assert_eq!(api.server.signin_url("localhost:3000"), uri);
    let path = format!(
        "{}&prompt=none&login_hint=koo_user&state=h",
        uri.strip_prefix(&api.server.uri()).expect("own host")
    );
    let q = page(&api, "GET", &path, &[], None).await.back_to(BACK);
    assert_eq!(get(&q, "state"), Some("h"));
}
