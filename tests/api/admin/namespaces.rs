//! The control plane: namespaces and determinism under a seed.

use super::*;

// =============================================================================================
// namespaces

/// The control plane's answer to an invalid `X-Mock-Namespace`, on any route.
const BAD_NAMESPACE: &str = "X-Mock-Namespace must be 1-64 characters of A-Z a-z 0-9 . _ -";

#[tokio::test]
async fn an_invalid_namespace_gets_the_control_planes_400_on_every_family() {
    let api = Api::new().await;
    let too_long = "a".repeat(65);

    for name in ["", too_long.as_str(), "a/b"] {
        let h = ns(name);
        let answers = [
            ("KooDrive", api.koo_auth("Bearer x", &h).await),
            ("OneAccess", api.oa_token_request(&h).await),
            (
                "EnOS",
                api.enos_login(enos::ACCOUNT, enos::PASSWORD, &h).await,
            ),
            ("admin", api.get("/__admin/clock", &h).await),
        ];
        for (family, r) in answers {
            assert_eq!(
                (r.status, &r.body),
                (400, &json!({ "error": BAD_NAMESPACE })),
                "{family} with X-Mock-Namespace {name:?}: {}",
                r.text
            );
        }
    }
    // 64 characters is the longest name: served by the route itself.
    let longest = "a".repeat(64);
    let token = api.oa_app_token(&ns(&longest)).await;
    assert!(!token.is_empty());
}

#[tokio::test]
async fn a_token_issued_in_one_namespace_is_refused_in_another_and_in_default() {
    let api = Api::new().await;
    let (a, b) = (ns("a"), ns("b"));
    let session = api.koo_session(koo::SEED_CODE, &a).await;
    let app = api.oa_app_token(&a).await;
    let oa_session = api.oa_session_token(&a).await;
    let enos = api.enos_login_token(&a).await;

    assert_status(&api.koo_auth(&session, &a).await, 200);
    koo_session_invalid(&api.koo_auth(&session, &b).await);
    koo_session_invalid(&api.koo_auth(&session, &[]).await);
    oa_error(
        &api.oa_ticket(&app, &oa_session, &b).await,
        400,
        "invalid_token",
        &format!("Invalid access token: {app}"),
    );
    enos_error(
        &api.enos_set(&enos, enos::ORG, &[]).await,
        31401,
        "Please login first",
    );
    enos_ok(&api.enos_set(&enos, enos::ORG, &a).await);
    assert_status(&api.oa_ticket(&app, &oa_session, &a).await, 200);
}

#[tokio::test]
async fn a_fault_in_one_namespace_does_not_affect_another() {
    let api = Api::new().await;
    let (a, b) = (ns("a"), ns("b"));
    api.add_fault(
        json!({ "route": format!("POST {}", koo::LOGIN), "times": 0, "error": "13000204" }),
        &a,
    )
    .await;

    koo_ok(&api.koo_login(&b).await);
    koo_ok(&api.koo_login(&[]).await);
    koo_error(
        &api.koo_login(&a).await,
        401,
        13000204,
        "Account is locked. Try again later.",
    );
    assert_eq!(api.faults(&b).await, Vec::<Value>::new());
    assert_eq!(api.faults(&a).await.len(), 1);
}

#[tokio::test]
async fn freezing_the_clock_in_one_namespace_leaves_another_real() {
    let api = Api::new().await;
    let (a, b) = (ns("a"), ns("b"));

    api.freeze_at(JAN_2026, &a).await;

    let in_a = api.get_clock(&a).await;
    let in_b = api.get_clock(&b).await;
    assert_eq!(in_a["mode"], json!("frozen"));
    assert_eq!(in_a["epochMs"], json!(JAN_2026_MS));
    assert_eq!(in_b["mode"], json!("real"));
    assert!((in_b["epochMs"].as_i64().expect("ms") - system_ms()).abs() < 60_000);
    assert_eq!(api.get_clock(&[]).await["mode"], json!("real"));
    assert_eq!(
        api.koo_session_info(&a).await["issuedAt"],
        json!("1767225600000")
    );
    let issued: i64 = api.koo_session_info(&b).await["issuedAt"]
        .as_str()
        .and_then(|s| s.parse().ok())
        .expect("issuedAt");
    assert!((issued - system_ms()).abs() < 60_000);
}

#[tokio::test]
async fn the_journal_of_one_namespace_shows_only_its_own_requests() {
    let api = Api::new().await;
    let (a, b) = (ns("a"), ns("b"));
    api.koo_login(&a).await;
    api.enos_login(enos::ACCOUNT, enos::PASSWORD, &b).await;
    api.enos_login(enos::ACCOUNT, enos::PASSWORD, &b).await;

    let in_a = journal(&api, "", &a).await;
    let in_b = journal(&api, "", &b).await;
    let in_default = journal(&api, "", &[]).await;

    assert_eq!(in_a.len(), 1, "{in_a:?}");
    assert_eq!(in_a[0]["path"], json!(koo::LOGIN));
    assert_eq!(in_b.len(), 2, "{in_b:?}");
    assert!(in_b.iter().all(|e| e["path"] == json!(enos::LOGIN)));
    assert_eq!(in_default, Vec::<Value>::new());
}

#[tokio::test]
async fn a_new_namespace_starts_from_the_fixtures() {
    let api = Api::new().await;
    assert_status(
        &add(
            &api,
            "koodrive",
            "users",
            koo_user("1008600000709990008", "only_in_default", koo::ORG),
        )
        .await,
        201,
    );
    let c = ns("c");

    koo_ok(&api.koo_create_session(koo::SEED_CODE, &c).await);
    koo_ok(&api.koo_login(&c).await);
    koo_wrong_password(
        &api.koo_login_as("only_in_default", "N3w-Koo-Pass", &c)
            .await,
    );
    koo_ok(
        &api.koo_login_as("only_in_default", "N3w-Koo-Pass", &[])
            .await,
    );
}

#[tokio::test]
async fn state_all_names_and_counts_every_namespace() {
    let api = Api::new().await;
    api.koo_login(&ns("a")).await;
    api.get_clock(&ns("b")).await;

    let st = state(&api, "?all=true", &[]).await.body;
    let in_a = state(&api, "", &ns("a")).await.body;

    assert_eq!(st["namespaces"]["count"], json!(3), "{}", st["namespaces"]);
    let mut names: Vec<&str> = st["namespaces"]["names"]
        .as_array()
        .expect("names")
        .iter()
        .filter_map(Value::as_str)
        .collect();
    names.sort_unstable();
    assert_eq!(names, ["a", "b", "default"]);
    assert_eq!(in_a["namespace"], json!("a"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn namespaces_are_capped_at_1000_dropping_the_least_recently_used() {
    let api = Api::new().await;
    let touch = |name: String| {
        let api = &api;
        async move {
            let r = api.get("/__admin/health", &ns(&name)).await;
            assert_status(&r, 200);
        }
    };
    for name in ["n0000", "n0001", "n0002", "n0000"] {
        touch(name.to_string()).await;
    }
    // 998 more, concurrently: with default that makes 1002 namespaces asked for.
    for chunk in (3..=1000).collect::<Vec<u32>>().chunks(100) {
        join_all(chunk.iter().map(|i| touch(format!("n{i:04}")))).await;
    }

    let st = state(&api, "?all=true", &[]).await.body;

    let count = st["namespaces"]["count"].as_u64().expect("count");
    assert!(count <= 1000, "{count} namespaces live");
    let names: Vec<&str> = st["namespaces"]["names"]
        .as_array()
        .expect("names")
        .iter()
        .filter_map(Value::as_str)
        .collect();
    assert_eq!(names.len() as u64, count);
    assert!(
        !names.contains(&"n0001"),
        "the least recently used is dropped"
    );
    assert!(names.contains(&"n0000"), "a recently used one stays");
    assert!(names.contains(&"n1000") && names.contains(&"default"));
}

// =============================================================================================
// determinism

/// The same scripted conversation against a server seeded with `seed`; every answer's body.
async fn scripted_run(seed: u64) -> Vec<String> {
    let api = Api::with(MockServer::builder().seed(seed).start().await);
    let mut out = Vec::new();
    let r = admin(
        &api,
        "POST",
        "/__admin/clock",
        json!({ "freeze": true, "set": JAN_2026 }),
        &[],
    )
    .await;
    assert_status(&r, 200);
    out.push(r.text);
    let r = api.koo_login(&[]).await;
    koo_ok(&r);
    out.push(r.text);
    let r = api.koo_create_session(koo::SEED_CODE, &[]).await;
    koo_ok(&r);
    out.push(r.text);
    let r = api.oa_token_request(&[]).await;
    assert_status(&r, 200);
    let app = r.body["access_token"].as_str().expect("app").to_owned();
    out.push(r.text);
    let r = api.oa_login(oa::USER, oa::PASSWORD, &[]).await;
    assert_status(&r, 200);
    let session = r.body["session_token"].as_str().expect("s").to_owned();
    out.push(r.text);
    let r = api.oa_ticket(&app, &session, &[]).await;
    assert_status(&r, 200);
    out.push(r.text);
    let r = api.enos_login(enos::ACCOUNT, enos::PASSWORD, &[]).await;
    let login = enos_ok(&r)["accessToken"].as_str().expect("t").to_owned();
    out.push(r.text);
    let r = api.enos_set(&login, enos::ORG, &[]).await;
    enos_ok(&r);
    out.push(r.text);
    out
}

#[tokio::test]
async fn the_same_seed_and_requests_give_byte_identical_answers() {
    let first = scripted_run(42).await;
    let second = scripted_run(42).await;

    for (i, (a, b)) in first.iter().zip(&second).enumerate() {
        assert_eq!(a, b, "answer {i} differs");
    }
    assert_eq!(first.len(), second.len());
}

#[tokio::test]
async fn a_different_seed_gives_different_tokens() {
    let first = scripted_run(42).await;
    let other = scripted_run(43).await;

    // The clock answer is the same; every answer carrying a token differs.
    assert_eq!(first[0], other[0]);
    for i in 1..first.len() {
        assert_ne!(
            first[i], other[i],
            "answer {i} is the same under another seed"
        );
    }
}
