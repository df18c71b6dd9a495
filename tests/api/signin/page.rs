//! The sign-in page: its users and forms, the CI shortcuts, the lockout, Deny, and every refusal.

use super::*;
use crate::expect::koo_error;
use crate::fixtures::koo;
use crate::helpers::Api;
use crate::tempdir::TempDir;
use authmock::MockServer;

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
    let fixtures = include_str!("../../../fixtures/koodrive.json").replace(
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
    let fixtures = include_str!("../../../fixtures/koodrive.json")
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
async fn a_queued_fault_on_the_page_answers_once_then_the_page_is_back() {
    let api = Api::new().await;
    let fault =
        json!({ "route": "GET /oauth2/authorize", "status": 503, "body": {"orgid": "down"} });
    let queued = api.post("/__admin/faults", &[], fault).await;
    assert_eq!(queued.status, 201, "{}", queued.text);

    let down = api.get(&authorize("&state=f1"), &[]).await;
    let again = page(&api, "GET", &authorize("&state=f1"), &[], None).await;

    assert_eq!(
        (down.status, &down.body),
        (503, &json!({"orgid": "down"})),
        "{}",
        down.text
    );
    assert_eq!(again.status, 200, "{}", again.text);
    let meta = api.get("/__admin/meta", &[]).await;
    let listed = meta.body["routes"]
        .as_array()
        .expect("routes")
        .iter()
        .find(|r| r["route"] == "GET /oauth2/authorize");
    assert_eq!(
        listed.map(|r| &r["family"]),
        Some(&json!("koodrive")),
        "{}",
        meta.text
    );
}
