//! The KooDrive sign-in journey over HTTP: authCodeURL, OrgID's sign-in page at /oauth2/authorize,
//! the code it hands back, and create-session redeeming it.

use crate::expect::{koo_bad_code, koo_error};
use crate::fixtures::{koo, JAN_2026_MS};
use crate::helpers::{ns, Api};
use crate::tempdir::TempDir;
use authmock::MockServer;
use serde_json::{json, Value};

const AUTH_CODE_URL: &str = "/koodrive/ose/v1/session/authCodeURL";
const CLIENT: &str = "be93d606a69a214642bf324e147af3366aef98f2cb1eb0b51bf8a27647d135b0";
const BACK: &str = "http://localhost:3000/cloudfile/index.html";

/// One answer of the sign-in page, redirects not followed.
struct Page {
    status: u16,
    location: Option<String>,
    text: String,
}

impl Page {
    /// The query of the redirect, as pairs, asserting it goes back to `to`.
    fn back_to(&self, to: &str) -> Vec<(String, String)> {
        assert_eq!(self.status, 302, "{}", self.text);
        let loc = self.location.as_deref().expect("a Location");
        let (base, q) = loc.split_once('?').expect("a query");
        assert_eq!(base, to.split('?').next().unwrap_or(to), "{loc}");
        form_urlencoded::parse(q.as_bytes()).into_owned().collect()
    }

    /// The error page: 400, no redirect.
    fn refused(&self, title: &str) {
        assert_eq!(self.status, 400, "{}", self.text);
        assert_eq!(self.location, None);
        assert!(
            self.text
                .contains(&format!(r#"<h1 id="error-title">{title}</h1>"#)),
            "{}",
            self.text
        );
    }
}

async fn page(
    api: &Api,
    method: &str,
    path_and_query: &str,
    h: &[(&str, &str)],
    form: Option<&str>,
) -> Page {
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client");
    let mut req = client.request(method.parse().expect("method"), api.url(path_and_query));
    for (k, v) in h {
        req = req.header(*k, *v);
    }
    if let Some(f) = form {
        req = req
            .header("content-type", "application/x-www-form-urlencoded")
            .body(f.to_string());
    }
    let r = req.send().await.expect("send");
    let status = r.status().as_u16();
    let location = r
        .headers()
        .get("location")
        .map(|v| v.to_str().expect("ascii").to_string());
    if status != 302 {
        let ct = r.headers()["content-type"]
            .to_str()
            .expect("ascii")
            .to_string();
        assert!(ct.starts_with("text/html"), "{ct}");
    }
    Page {
        status,
        location,
        text: r.text().await.expect("body"),
    }
}

fn authorize(extra: &str) -> String {
    format!("/oauth2/authorize?response_type=code&client_id={CLIENT}&scope=phone+profile+email&redirect_uri={BACK}{extra}")
}

fn get<'a>(pairs: &'a [(String, String)], k: &str) -> Option<&'a str> {
    pairs.iter().find(|(n, _)| n == k).map(|(_, v)| v.as_str())
}

/// The `uri` authCodeURL hands out for `domain`.
async fn auth_code_uri(api: &Api, domain: &str, h: &[(&str, &str)]) -> String {
    let r = api
        .get(&format!("{AUTH_CODE_URL}?domain={domain}"), h)
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    r.body["uri"].as_str().expect("uri").to_string()
}

/// Redeems a code and asserts the session is `user_id`'s.
async fn session_of(api: &Api, code: &str, h: &[(&str, &str)]) -> Value {
    let r = api.koo_create_session(code, h).await;
    assert_eq!((r.status, &r.body["code"]), (200, &json!(0)), "{}", r.text);
    r.body["data"]["userInfo"].clone()
}

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
async fn the_page_shows_every_fixture_user_and_the_forms() {
    let api = Api::new().await;
    let p = page(&api, "GET", &authorize("&state=s1"), &[], None).await;
    assert_eq!(p.status, 200, "{}", p.text);
    for account in ["0027188460911", "19900000004", "koo_admin", "koo_user"] {
        assert!(
            p.text.contains(&format!(r#"id="user-{account}""#)),
            "{account}"
        );
    }
    for id in ["account", "password", "sign-in", "deny"] {
        assert!(p.text.contains(&format!(r#"id="{id}""#)), "{id}");
    }
    assert!(p.text.contains("Super admin") && p.text.contains("lym10"));
    assert!(!p.text.contains("<script"), "no script");
    assert!(!p.text.contains("src="), "loads nothing");
}

#[tokio::test]
async fn a_user_button_signs_in_and_create_session_redeems_the_code_once() {
    let api = Api::new().await;
    let form = format!(
        "response_type=code&client_id={CLIENT}&redirect_uri={BACK}&state=st%26%3D1&as=koo_user"
    );
    let p = page(&api, "POST", "/oauth2/authorize", &[], Some(&form)).await;
    let q = p.back_to(BACK);
    assert_eq!(get(&q, "state"), Some("st&=1"));
    let code = get(&q, "code").expect("code");
    let info = session_of(&api, code, &[]).await;
    assert_eq!(info["userId"], koo::USER_ID);
    koo_bad_code(&api.koo_create_session(code, &[]).await);
}

#[tokio::test]
async fn the_redirect_keeps_the_redirect_uri_query() {
    let api = Api::new().await;
    let back = "http://localhost:3000/cb?tab=files";
    let path = format!("/oauth2/authorize?response_type=code&client_id={CLIENT}&redirect_uri={}&login_hint=koo_user&prompt=none&state=x", urlencode(back));
    let p = page(&api, "GET", &path, &[], None).await;
    let loc = p.location.expect("Location");
    assert!(
        loc.starts_with("http://localhost:3000/cb?tab=files&code="),
        "{loc}"
    );
    assert!(loc.ends_with("&state=x"), "{loc}");
}

fn urlencode(s: &str) -> String {
    form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

#[tokio::test]
async fn login_hint_with_prompt_none_or_x_mock_login_approves_at_once() {
    let api = Api::new().await;
    let p = page(
        &api,
        "GET",
        &authorize("&login_hint=koo_admin&prompt=none&state=ci"),
        &[],
        None,
    )
    .await;
    let q = p.back_to(BACK);
    assert_eq!(
        session_of(&api, get(&q, "code").expect("code"), &[]).await["userId"],
        "1008600000701011200"
    );

    let p = page(
        &api,
        "GET",
        &authorize("&state=ci"),
        &[("X-Mock-Login", "0027188460911")],
        None,
    )
    .await;
    let q = p.back_to(BACK);
    assert_eq!(
        session_of(&api, get(&q, "code").expect("code"), &[]).await["userName"],
        "0027188460911"
    );

    for extra in [
        "&login_hint=nobody&prompt=none&state=ci",
        "&prompt=none&state=ci",
    ] {
        let q = page(&api, "GET", &authorize(extra), &[], None)
            .await
            .back_to(BACK);
        assert_eq!(
            (get(&q, "error"), get(&q, "state")),
            (Some("login_required"), Some("ci"))
        );
    }
}

#[tokio::test]
async fn the_password_form_signs_in_and_a_wrong_password_shows_the_page_again() {
    let api = Api::new().await;
    let base = format!(
        "response_type=code&client_id={CLIENT}&redirect_uri={BACK}&state=pw&action=sign-in"
    );
    let wrong = page(
        &api,
        "POST",
        "/oauth2/authorize",
        &[],
        Some(&format!("{base}&account=koo_user&password=nope")),
    )
    .await;
    assert_eq!((wrong.status, &wrong.location), (401, &None));
    assert!(wrong.text.contains("Incorrect account or password."));
    assert!(wrong.text.contains(r#"name="account" value="koo_user""#));
    let blank = page(
        &api,
        "POST",
        "/oauth2/authorize",
        &[],
        Some(&format!("{base}&account=koo_user")),
    )
    .await;
    assert_eq!(blank.status, 400);
    let ok = page(
        &api,
        "POST",
        "/oauth2/authorize",
        &[],
        Some(&format!(
            "{base}&account=13800000002&password=User%40Koo123"
        )),
    )
    .await;
    let q = ok.back_to(BACK);
    assert_eq!(get(&q, "state"), Some("pw"));
    assert_eq!(
        session_of(&api, get(&q, "code").expect("code"), &[]).await["userId"],
        koo::USER_ID
    );
}

#[tokio::test]
async fn five_wrong_passwords_lock_the_account_on_the_page_and_the_login_route() {
    let api = Api::new().await;
    let base = format!("response_type=code&client_id={CLIENT}&redirect_uri={BACK}&state=l");
    let wrong = format!("{base}&account=koo_user&password=nope");
    for _ in 0..5 {
        let p = page(&api, "POST", "/oauth2/authorize", &[], Some(&wrong)).await;
        assert!(p.text.contains("Incorrect account or password."));
    }
    let right = format!("{base}&account=koo_user&password=User%40Koo123");
    let p = page(&api, "POST", "/oauth2/authorize", &[], Some(&right)).await;
    assert_eq!(
        (
            p.status,
            p.text.contains("Account is locked. Try again later.")
        ),
        (401, true)
    );
    let p = page(
        &api,
        "POST",
        "/oauth2/authorize",
        &[],
        Some(&format!("{base}&as=koo_user")),
    )
    .await;
    assert_eq!(
        (p.status, p.text.contains("Account is locked.")),
        (401, true)
    );
    let q = page(
        &api,
        "GET",
        &authorize("&login_hint=koo_user&prompt=none&state=l"),
        &[],
        None,
    )
    .await
    .back_to(BACK);
    assert_eq!(get(&q, "error"), Some("access_denied"));
    koo_error(
        &api.koo_login_as("koo_user", "User@Koo123", &[]).await,
        401,
        13000204,
        "Account is locked. Try again later.",
    );
}

#[tokio::test]
async fn deny_goes_back_with_access_denied_and_the_state() {
    let api = Api::new().await;
    let form =
        format!("response_type=code&client_id={CLIENT}&redirect_uri={BACK}&state=d1&action=deny");
    let q = page(&api, "POST", "/oauth2/authorize", &[], Some(&form))
        .await
        .back_to(BACK);
    assert_eq!(
        (get(&q, "error"), get(&q, "state"), get(&q, "code")),
        (Some("access_denied"), Some("d1"), None)
    );
}

#[tokio::test]
async fn an_unknown_client_or_a_redirect_uri_not_allowed_gets_an_error_page_and_no_redirect() {
    let api = Api::new().await;
    let cases = [
        ("/oauth2/authorize?response_type=code&redirect_uri=https://a.example/", "Missing client"),
        (&*format!("/oauth2/authorize?response_type=code&client_id=nope&redirect_uri={BACK}&state=x"), "Unknown client"),
        (&*format!("/oauth2/authorize?client_id={CLIENT}&client_id={CLIENT}&redirect_uri={BACK}"), "Invalid client"),
        (&*format!("/oauth2/authorize?response_type=code&client_id={CLIENT}&state=x"), "Missing redirect URI"),
        (&*format!("/oauth2/authorize?response_type=code&client_id={CLIENT}&redirect_uri={BACK}&redirect_uri={BACK}"), "Invalid redirect URI"),
        (&*format!("/oauth2/authorize?response_type=code&client_id={CLIENT}&redirect_uri=javascript:alert(1)"), "Redirect URI not allowed"),
        (&*format!("/oauth2/authorize?response_type=code&client_id={CLIENT}&redirect_uri=data:text/html,hi"), "Redirect URI not allowed"),
        (&*format!("/oauth2/authorize?response_type=code&client_id={CLIENT}&redirect_uri=http://evil.example/cb"), "Redirect URI not allowed"),
        (&*format!("/oauth2/authorize?response_type=code&client_id={CLIENT}&redirect_uri=https://a.example/cb%23frag"), "Redirect URI not allowed"),
        (&*format!("/oauth2/authorize?response_type=code&client_id={CLIENT}&redirect_uri={}", "x".repeat(3000)), "Invalid redirect URI"),
    ];
    for (path, title) in cases {
        page(&api, "GET", path, &[], None).await.refused(title);
    }
    // A POST without the form's fields cannot be sent back either.
    page(&api, "POST", "/oauth2/authorize", &[], Some(""))
        .await
        .refused("Missing client");
}

#[tokio::test]
async fn a_strict_client_refuses_another_host() {
    let dir = TempDir::new("signin-strict");
    let fixtures = include_str!("../../fixtures/koodrive.json").replace(
        r#""domains": ["*"]"#,
        r#""domains": ["localhost:3000", "*.corp.example"], "redirectUris": ["https://app.example/cb"]"#,
    );
    dir.write("koodrive.json", &fixtures);
    let api = Api::with(MockServer::builder().fixtures_dir(dir.path()).start().await);
    for (back, ok) in [
        (BACK, true),
        ("https://x.corp.example/cb", true),
        ("https://app.example/cb", true),
        ("https://app.example/other", false),
        ("https://other.example/cb", false),
        ("http://localhost:3001/cb", false),
    ] {
        let path = format!("/oauth2/authorize?response_type=code&client_id={CLIENT}&redirect_uri={back}&prompt=none&login_hint=koo_user");
        let p = page(&api, "GET", &path, &[], None).await;
        if ok {
            assert!(
                p.location.as_deref().is_some_and(|l| l.starts_with(back)),
                "{back}: {}",
                p.text
            );
        } else {
            p.refused("Redirect URI not allowed");
        }
    }
}

#[tokio::test]
async fn other_errors_go_back_with_an_oauth2_error_and_the_state() {
    let api = Api::new().await;
    let base = format!("/oauth2/authorize?client_id={CLIENT}&redirect_uri={BACK}");
    for (extra, error, state) in [
        ("&state=s", "invalid_request", Some("s")),
        (
            "&response_type=token&state=s",
            "unsupported_response_type",
            Some("s"),
        ),
        (
            "&response_type=code&response_type=code&state=s",
            "invalid_request",
            Some("s"),
        ),
        (
            "&response_type=code&scope=admin&state=s",
            "invalid_scope",
            Some("s"),
        ),
        (
            "&response_type=code&state=a%0D%0ASet-Cookie:%20x",
            "invalid_request",
            None,
        ),
        (
            "&response_type=code&state=a&state=b",
            "invalid_request",
            None,
        ),
    ] {
        let q = page(&api, "GET", &format!("{base}{extra}"), &[], None)
            .await
            .back_to(BACK);
        assert_eq!(
            (get(&q, "error"), get(&q, "state")),
            (Some(error), state),
            "{extra}"
        );
        assert_eq!(get(&q, "code"), None);
    }
    let long_state = format!("{base}&response_type=code&state={}", "s".repeat(1025));
    let q = page(&api, "GET", &long_state, &[], None)
        .await
        .back_to(BACK);
    assert_eq!(
        (get(&q, "error"), get(&q, "state")),
        (Some("invalid_request"), None)
    );
    let form = format!("response_type=code&client_id={CLIENT}&redirect_uri={BACK}&state=f");
    let q = page(&api, "POST", "/oauth2/authorize", &[], Some(&form))
        .await
        .back_to(BACK);
    assert_eq!(
        (get(&q, "error"), get(&q, "state")),
        (Some("invalid_request"), Some("f"))
    );
}

#[tokio::test]
async fn html_in_state_or_fixture_names_is_escaped() {
    let dir = TempDir::new("signin-html");
    let fixtures = include_str!("../../fixtures/koodrive.json")
        .replace(
            r#""firstname": "Una""#,
            r#""firstname": "<img src=x onerror=alert(1)>""#,
        )
        .replace(r#""orgName": "lym10""#, r#""orgName": "<b>lym10</b>""#)
        .replace(
            r#""name": "KooDrive""#,
            r#""name": "Koo\"><script>x</script>""#,
        );
    dir.write("koodrive.json", &fixtures);
    let api = Api::with(MockServer::builder().fixtures_dir(dir.path()).start().await);
    let p = page(
        &api,
        "GET",
        &authorize("&state=%22%3E%3Cscript%3Ealert(1)%3C/script%3E&login_hint=%3Cb%3E"),
        &[],
        None,
    )
    .await;
    assert_eq!(p.status, 200);
    for raw in ["<script>", "<img", "<b>lym10", "\"><script"] {
        assert!(!p.text.contains(raw), "{raw} reflected: {}", p.text);
    }
    assert!(p.text.contains("&lt;img src=x onerror=alert(1)&gt;"));
    assert!(p
        .text
        .contains(r#"name="state" value="&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;""#));
    let err = page(
        &api,
        "GET",
        "/oauth2/authorize?response_type=code&client_id=%3Cscript%3E",
        &[],
        None,
    )
    .await;
    assert!(!err.text.contains("<script>") && err.text.contains("&lt;script&gt;"));
}

#[tokio::test]
async fn the_namespace_rides_in_the_uri_and_the_code_lands_there() {
    let api = Api::new().await;
    let uri = auth_code_uri(&api, "localhost:3000", &ns("team-a")).await;
    assert!(uri.ends_with("&mock_namespace=team-a"), "{uri}");
    let path = uri.strip_prefix(&api.server.uri()).expect("own host");
    let p = page(&api, "GET", &format!("{path}&state=n"), &[], None).await;
    assert!(p
        .text
        .contains(r#"action="authorize?mock_namespace=team-a""#));
    let form =
        format!("response_type=code&client_id={CLIENT}&redirect_uri={BACK}&state=n&as=koo_user");
    let q = page(
        &api,
        "POST",
        "/oauth2/authorize?mock_namespace=team-a",
        &[],
        Some(&form),
    )
    .await
    .back_to(BACK);
    let code = get(&q, "code").expect("code");
    koo_bad_code(&api.koo_create_session(code, &[]).await);
    koo_bad_code(&api.koo_create_session(code, &ns("team-b")).await);
    assert_eq!(
        session_of(&api, code, &ns("team-a")).await["userId"],
        koo::USER_ID
    );
    let bad = api.get("/oauth2/authorize?mock_namespace=a%20b", &[]).await;
    assert_eq!(bad.status, 400);
    assert_eq!(
        bad.body["error"],
        "mock_namespace must be 1-64 characters of A-Z a-z 0-9 . _ -"
    );
}

#[tokio::test]
async fn a_signed_in_code_lives_five_minutes_of_mock_time() {
    let api = Api::with(
        MockServer::builder()
            .frozen_at_ms(JAN_2026_MS)
            .start()
            .await,
    );
    let mut codes = Vec::new();
    for _ in 0..2 {
        let q = page(
            &api,
            "GET",
            &authorize("&prompt=none&login_hint=koo_user"),
            &[],
            None,
        )
        .await
        .back_to(BACK);
        codes.push(get(&q, "code").expect("code").to_string());
    }
    let set = |ms: i64| json!({ "set": ms });
    assert_eq!(
        api.post("/__admin/clock", &[], set(JAN_2026_MS + 299_999))
            .await
            .status,
        200
    );
    assert_eq!(
        session_of(&api, &codes[0], &[]).await["userId"],
        koo::USER_ID
    );
    assert_eq!(
        api.post("/__admin/clock", &[], set(JAN_2026_MS + 300_000))
            .await
            .status,
        200
    );
    koo_bad_code(&api.koo_create_session(&codes[1], &[]).await);
}

#[tokio::test]
async fn a_signed_in_code_is_revocable_bound_to_its_client_and_journaled_masked() {
    let api = Api::new().await;
    let q = page(
        &api,
        "GET",
        &authorize("&prompt=none&login_hint=koo_user"),
        &[],
        None,
    )
    .await
    .back_to(BACK);
    let code = get(&q, "code").expect("code").to_string();
    let state = api.get("/__admin/state", &[]).await;
    let listed = state.text.contains(CLIENT);
    assert!(
        listed,
        "the code's client binding is listed: {}",
        state.text
    );
    assert_eq!(
        api.delete(&format!("/__admin/tokens/{code}"), &[])
            .await
            .status,
        200
    );
    let r = api.koo_create_session(&code, &[]).await;
    koo_bad_code(&r);
    let journal = api.get("/__admin/requests", &[]).await;
    assert!(
        !journal.text.contains(&code),
        "the code is masked in the journal"
    );
    assert!(journal.text.contains(&code[..4]));
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
