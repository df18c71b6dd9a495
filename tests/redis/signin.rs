//! The OrgID sign-in page over two replicas: a code it mints on one is redeemed once on the other, and
//! its lockout is the login route's.

use super::*;

/// The `Location` the sign-in page on `node` answers `query` with (redirects not followed).
async fn signin_location(node: &Node, query: &str) -> String {
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client");
    let url = node.url(&format!("/oauth2/authorize?{query}"));
    let r = client.get(url).send().await.expect("send");
    let loc = r
        .headers()
        .get("location")
        .map(|v| v.to_str().expect("ascii").to_string());
    match loc {
        Some(l) => l,
        None => panic!("{}: {}", r.status(), r.text().await.unwrap_or_default()),
    }
}

#[tokio::test]
async fn a_code_the_sign_in_page_mints_on_a_is_redeemed_once_on_b_and_its_lockout_is_shared() {
    let redis = redis_or_skip!();
    let (a, b) = replicas(&redis);
    let client = "client_id=be93d606a69a214642bf324e147af3366aef98f2cb1eb0b51bf8a27647d135b0";
    let back = "redirect_uri=http://localhost:3000/cloudfile/index.html";
    let q = format!("response_type=code&{client}&{back}&state=r&login_hint=koo_user&prompt=none&mock_namespace=signin-r");
    let loc = signin_location(&a, &q).await;
    let code = loc
        .split_once("code=")
        .and_then(|(_, rest)| rest.split('&').next())
        .expect("a code")
        .to_string();
    assert!(loc.ends_with("&state=r"), "{loc}");
    let h = ns("signin-r");
    let created = b.koo_create_session(&code, &h).await;
    assert_eq!(koo_ok(&created)["userId"], json!(koo::USER_ID));
    koo_bad_code(&a.koo_create_session(&code, &h).await);

    // Five wrong passwords on A's page lock the account on B's login route.
    let wrong = format!("response_type=code&{client}&{back}&account=koo_user&password=nope");
    for _ in 0..5 {
        let r = reqwest::Client::new()
            .post(a.url("/oauth2/authorize?mock_namespace=signin-r"))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(wrong.clone())
            .send()
            .await
            .expect("send");
        assert_eq!(r.status().as_u16(), 401);
    }
    koo_locked(&b.koo_login_as("koo_user", "User@Koo123", &h).await);
}
