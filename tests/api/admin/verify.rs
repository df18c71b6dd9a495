//! The control plane: `POST /__admin/verify`, assertions over the journal (and `MockServer::verify`).

use super::*;
use authmock::{Verify, VerifyError};

const LOGIN: &str = "POST /koodrive/ose/v1/auth/login";

async fn verify(api: &Api, body: Value, h: &[(&str, &str)]) -> Resp {
    admin(api, "POST", "/__admin/verify", body, h).await
}

/// `{"method":"POST","path":<KooDrive login>}` plus `extra`.
fn login(extra: Value) -> Value {
    let mut v = json!({ "method": "POST", "path": koo::LOGIN });
    for (k, x) in extra.as_object().expect("an object") {
        v[k] = x.clone();
    }
    v
}

/// Asserts the whole 417 body: the message, the match count and the nearest entries.
fn assert_mismatch(r: &Resp, error: &str, matched: u64, nearest: &[Value]) {
    assert_eq!(
        (r.status, &r.body),
        (
            417,
            &json!({ "error": error, "matched": matched, "nearest": nearest })
        ),
        "{}",
        r.text
    );
}

#[tokio::test]
async fn count_passes_on_the_exact_number_and_fails_on_any_other() {
    let api = Api::new().await;
    koo_ok(&api.koo_login(&[]).await);
    koo_ok(&api.koo_login(&[]).await);

    let ok = verify(&api, login(json!({ "count": 2 })), &[]).await;
    let lower_case = verify(
        &api,
        json!({ "method": "post", "path": koo::LOGIN, "count": 2 }),
        &[],
    )
    .await;
    let one = verify(&api, login(json!({ "count": 1 })), &[]).await;
    let three = verify(&api, login(json!({ "count": 3 })), &[]).await;

    assert_eq!((ok.status, &ok.body), (200, &json!({ "matched": 2 })));
    assert_eq!(
        lower_case.body,
        json!({ "matched": 2 }),
        "{}",
        lower_case.text
    );
    let entries = journal(&api, "", &[]).await;
    let expected = format!("exactly 1 {LOGIN}");
    assert_mismatch(&one, &format!("expected {expected}, found 2"), 2, &entries);
    let expected = format!("exactly 3 {LOGIN}");
    assert_mismatch(
        &three,
        &format!("expected {expected}, found 2"),
        2,
        &entries,
    );
}

#[tokio::test]
async fn count_zero_asserts_a_request_was_never_sent() {
    let api = Api::new().await;
    let never = verify(&api, login(json!({ "count": 0 })), &[]).await;
    koo_ok(&api.koo_login(&[]).await);
    let once = verify(&api, login(json!({ "count": 0 })), &[]).await;

    assert_eq!((never.status, &never.body), (200, &json!({ "matched": 0 })));
    let entries = journal(&api, "", &[]).await;
    assert_mismatch(
        &once,
        &format!("expected exactly 0 {LOGIN}, found 1"),
        1,
        &entries,
    );
}

#[tokio::test]
async fn at_least_and_at_most_bound_the_count() {
    let api = Api::new().await;
    for _ in 0..3 {
        koo_ok(&api.koo_login(&[]).await);
    }
    let entries = journal(&api, "", &[]).await;

    for ok in [
        json!({ "atLeast": 3 }),
        json!({ "atMost": 3 }),
        json!({ "atLeast": 1, "atMost": 3 }),
        json!({}),
    ] {
        let r = verify(&api, login(ok.clone()), &[]).await;
        assert_eq!((r.status, &r.body), (200, &json!({ "matched": 3 })), "{ok}");
    }
    let r = verify(&api, login(json!({ "atLeast": 4 })), &[]).await;
    assert_mismatch(
        &r,
        &format!("expected at least 4 {LOGIN}, found 3"),
        3,
        &entries,
    );
    let r = verify(&api, login(json!({ "atMost": 2 })), &[]).await;
    assert_mismatch(
        &r,
        &format!("expected at most 2 {LOGIN}, found 3"),
        3,
        &entries,
    );
    let r = verify(&api, login(json!({ "atLeast": 4, "atMost": 9 })), &[]).await;
    assert_mismatch(
        &r,
        &format!("expected 4 to 9 {LOGIN}, found 3"),
        3,
        &entries,
    );
}

#[tokio::test]
async fn without_a_count_one_request_is_expected() {
    let api = Api::new().await;
    let r = verify(&api, login(json!({})), &[]).await;
    assert_mismatch(&r, &format!("expected at least 1 {LOGIN}, found 0"), 0, &[]);
}

#[tokio::test]
async fn status_counts_only_the_requests_answered_with_it() {
    let api = Api::new().await;
    koo_ok(&api.koo_login(&[]).await);
    koo_wrong_password(&api.koo_login_as(koo::ACCOUNT, "wrong", &[]).await);
    let entries = journal(&api, "", &[]).await;
    let (refused, accepted) = (&entries[0], &entries[1]);

    let r401 = verify(&api, login(json!({ "status": 401, "count": 1 })), &[]).await;
    let r200 = verify(&api, login(json!({ "status": 200, "count": 2 })), &[]).await;

    assert_eq!((r401.status, &r401.body), (200, &json!({ "matched": 1 })));
    // The match ranks first, then the same route with another status.
    assert_mismatch(
        &r200,
        &format!("expected exactly 2 {LOGIN} answered 200, found 1"),
        1,
        &[accepted.clone(), refused.clone()],
    );
}

#[tokio::test]
async fn no_warnings_fails_on_a_request_that_deviated_from_its_page() {
    let api = Api::new().await;
    koo_ok(&api.koo_login(&[]).await);
    let clean = verify(&api, login(json!({ "noWarnings": true })), &[]).await;
    let body = json!({ "account": koo::ACCOUNT, "authType": "1", "password": koo::PASSWORD, "acount": "x" });
    koo_ok(&api.post(koo::LOGIN, &[koo::AGENT], body).await);

    let dirty = verify(&api, login(json!({ "noWarnings": true, "count": 2 })), &[]).await;
    let unchecked = verify(&api, login(json!({ "count": 2 })), &[]).await;

    assert_eq!((clean.status, &clean.body), (200, &json!({ "matched": 1 })));
    let deviating = journal(&api, "?warnings=true", &[]).await;
    assert_eq!(deviating.len(), 1);
    assert_eq!(deviating[0]["warnings"][0]["id"], json!("unknown-field"));
    assert_mismatch(
        &dirty,
        &format!(
            "1 of 2 requests (exactly 2 {LOGIN}) deviate from their vendor page; expected none"
        ),
        2,
        &deviating,
    );
    assert_eq!(
        unchecked.body,
        json!({ "matched": 2 }),
        "{}",
        unchecked.text
    );
}

#[tokio::test]
async fn a_miss_shows_the_closest_requests_first() {
    let api = Api::new().await;
    api.enos_login_token(&[]).await;
    koo_ok(&api.koo_login(&[]).await);
    api.oa_app_token(&[]).await;
    let e = journal(&api, "", &[]).await;
    let (oa_token, koo_login, enos_login) = (&e[0], &e[1], &e[2]);

    // A typo in the path: the KooDrive login shares the longest prefix; then newest first.
    let typo = json!({ "method": "POST", "path": "/koodrive/ose/v1/auth/logn" });
    let r = verify(&api, typo, &[]).await;
    let msg = "expected at least 1 POST /koodrive/ose/v1/auth/logn, found 0";
    assert_mismatch(
        &r,
        msg,
        0,
        &[koo_login.clone(), oa_token.clone(), enos_login.clone()],
    );
    // The right path, the wrong method: the path ranks before the method.
    let r = verify(&api, json!({ "method": "GET", "path": enos::LOGIN }), &[]).await;
    let msg = format!("expected at least 1 GET {}, found 0", enos::LOGIN);
    assert_mismatch(
        &r,
        &msg,
        0,
        &[enos_login.clone(), oa_token.clone(), koo_login.clone()],
    );
}

#[tokio::test]
async fn a_request_counts_under_its_route_and_any_method_matches_without_one() {
    let api = Api::new().await;
    koo_ok(&api.koo_login(&[]).await);
    // A repeated slash still reaches the login route (and is journaled as it).
    let body = json!({ "account": koo::ACCOUNT, "authType": "1", "password": koo::PASSWORD });
    koo_ok(
        &api.post("//koodrive/ose/v1/auth/login", &[koo::AGENT], body)
            .await,
    );
    api.get(koo::LOGIN, &[]).await;

    let by_route = verify(&api, login(json!({ "count": 2 })), &[]).await;
    let any_method = verify(&api, json!({ "path": koo::LOGIN, "count": 3 }), &[]).await;

    assert_eq!(by_route.body, json!({ "matched": 2 }), "{}", by_route.text);
    assert_eq!(
        any_method.body,
        json!({ "matched": 3 }),
        "{}",
        any_method.text
    );
}

#[tokio::test]
async fn verify_sees_only_its_own_namespace() {
    let api = Api::new().await;
    koo_ok(&api.koo_login(&ns("verify-a")).await);

    let own = verify(&api, login(json!({ "count": 1 })), &ns("verify-a")).await;
    let other = verify(&api, login(json!({})), &ns("verify-b")).await;
    let default = verify(&api, login(json!({ "count": 0 })), &[]).await;

    assert_eq!((own.status, &own.body), (200, &json!({ "matched": 1 })));
    assert_mismatch(
        &other,
        &format!("expected at least 1 {LOGIN}, found 0"),
        0,
        &[],
    );
    assert_eq!(
        (default.status, &default.body),
        (200, &json!({ "matched": 0 }))
    );
}

#[tokio::test]
async fn a_verification_that_makes_no_sense_is_refused_with_400() {
    let api = Api::new().await;
    let cases = [
        (json!({ "method": "POST" }), "missing field `path`"),
        (json!({ "path": "koodrive" }), "\"path\" must start with /"),
        (
            json!({ "path": "/x", "method": "PO ST" }),
            "\"method\" must be an HTTP method",
        ),
        (
            json!({ "path": "/x", "count": 1, "atLeast": 1 }),
            "\"count\" cannot be combined",
        ),
        (
            json!({ "path": "/x", "count": 1, "atMost": 1 }),
            "\"count\" cannot be combined",
        ),
        (
            json!({ "path": "/x", "atLeast": 3, "atMost": 2 }),
            "\"atLeast\" (3) is greater than \"atMost\" (2)",
        ),
        (
            json!({ "path": "/x", "status": 600 }),
            "\"status\" must be at most 599",
        ),
        (json!({ "path": "/x", "count": -1 }), "invalid JSON body"),
        (json!({ "path": "/x", "times": 1 }), "unknown field `times`"),
    ];
    for (body, words) in cases {
        let r = verify(&api, body.clone(), &[]).await;
        assert_refused_naming(&r, &[words]);
    }
    let not_json = api.post_raw("/__admin/verify", &[], b"{").await;
    assert_refused_naming(&not_json, &["invalid JSON body"]);
}

#[tokio::test]
async fn verify_without_a_journal_is_refused_with_400() {
    let api = Api::with(MockServer::builder().journal_size(0).start().await);
    let r = verify(&api, login(json!({ "count": 0 })), &[]).await;
    assert_eq!(
        admin_error(&r, 400),
        "the journal is off (--journal-size 0): nothing to verify"
    );
}

#[tokio::test]
async fn the_rust_harness_verifies_in_process() {
    let api = Api::new().await;
    koo_ok(&api.koo_login(&ns("rust")).await);
    let once = Verify::new("POST", koo::LOGIN).count(1).no_warnings();

    assert_eq!(api.server.verify_in("rust", &once).ok(), Some(1));
    let Err(VerifyError::Mismatch(m)) = api.server.verify(&once) else {
        panic!("the default namespace saw no login");
    };
    assert_eq!(
        m.to_string(),
        format!("expected exactly 1 {LOGIN}, found 0; the journal holds no request near it")
    );
    let twice = Verify::new("POST", koo::LOGIN).at_least(2);
    let Err(VerifyError::Mismatch(m)) = api.server.verify_in("rust", &twice) else {
        panic!("one login is not two");
    };
    assert_eq!(
        m.to_string(),
        format!(
            "expected at least 2 {LOGIN}, found 1; nearest:\n  POST {} -> 200 (0 warnings)",
            koo::LOGIN
        )
    );
    let bad = Verify::new("POST", "x");
    assert!(matches!(
        api.server.verify(&bad),
        Err(VerifyError::Invalid(_))
    ));
}
