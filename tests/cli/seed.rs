//! `--seed` across processes: the same seed and requests give byte-identical bodies, another seed
//! other tokens.

use super::*;

// ---------------------------------------------------------------------------------------------------
// Determinism across processes (issue 3)
// ---------------------------------------------------------------------------------------------------

/// The same requests, in the same order, against a server: the clock frozen at 2026-01-01, then the
/// three families' flows. Returns each step's name and response body.
async fn scripted_run(server: &Server, namespace: Option<&str>) -> Vec<(&'static str, String)> {
    let c = client();
    let ns: Vec<(&str, &str)> = namespace
        .map(|n| ("X-Mock-Namespace", n))
        .into_iter()
        .collect();
    let with = |extra: &[(&'static str, &str)]| -> Vec<(String, String)> {
        ns.iter()
            .chain(extra)
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    };
    async fn post(c: &reqwest::Client, url: String, h: Vec<(String, String)>, b: Value) -> Resp {
        let h: Vec<(&str, &str)> = h.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        post_json(c, &url, &h, b).await
    }
    let mut steps: Vec<(&'static str, Resp)> = Vec::new();

    let clock = post(
        &c,
        server.url("/__admin/clock"),
        with(&[]),
        json!({"set": "2026-01-01T00:00:00Z", "freeze": true}),
    )
    .await;
    assert_eq!(
        clock.body["epochMs"], 1_767_225_600_000_i64,
        "{}",
        clock.text
    );
    steps.push(("clock", clock));

    let login = post(
        &c,
        server.url(KD_LOGIN),
        with(&[("x-hw-agentName", "determinism")]),
        json!({"account": "0027188460911", "authType": "1", "password": KD_PASSWORD}),
    )
    .await;
    assert_eq!(login.body["code"], 0, "{}", login.text);
    steps.push(("koodrive login", login));
    let session = post(
        &c,
        server.url(KD_SESSION),
        with(&[]),
        json!({"code": KD_CODE}),
    )
    .await;
    assert_eq!(session.body["code"], 0, "{}", session.text);
    steps.push(("koodrive createSession", session));

    let oa = oneaccess_ticket(&c, server, "fp-determinism", namespace).await;
    steps.extend(oa.replies);

    let login = post(
        &c,
        server.url(EN_LOGIN),
        with(&[]),
        json!({"account": "portal_demo", "password": EN_PASSWORD}),
    )
    .await;
    assert_eq!(login.body["code"], 0, "{}", login.text);
    let bearer = format!("Bearer {}", str_at(&login.body, "/data/accessToken"));
    steps.push(("enos login", login));
    let set = post(
        &c,
        server.url(EN_SET),
        with(&[("Authorization", &bearer)]),
        json!({"orgId": "yourOrgId"}),
    )
    .await;
    assert_eq!(set.body["code"], 0, "{}", set.text);
    steps.push(("enos session/set", set));

    steps.into_iter().map(|(n, r)| (n, r.text)).collect()
}

#[tokio::test]
async fn two_processes_with_the_same_seed_answer_byte_identical_bodies() {
    let a = Server::start(&["--seed", "42"]);
    let b = Server::start(&["--seed", "42"]);

    let run_a = scripted_run(&a, None).await;
    let run_b = scripted_run(&b, None).await;
    let ns_a = scripted_run(&a, Some("ci-run")).await;
    let ns_b = scripted_run(&b, Some("ci-run")).await;

    for (x, y) in run_a.iter().zip(&run_b).chain(ns_a.iter().zip(&ns_b)) {
        assert_eq!(x.0, y.0);
        assert_eq!(x.1, y.1, "step {} differs between the processes", x.0);
    }
    assert_eq!((run_a.len(), ns_a.len()), (8, 8));
}

#[tokio::test]
async fn another_seed_answers_other_tokens() {
    let a = Server::start(&["--seed", "42"]);
    let b = Server::start(&["--seed", "43"]);

    let run_a = scripted_run(&a, None).await;
    let run_b = scripted_run(&b, None).await;

    assert_eq!(run_a[0], run_b[0], "the clock step issues nothing");
    for (x, y) in run_a.iter().zip(&run_b).skip(1) {
        assert_ne!(
            x.1, y.1,
            "step {} answered the same with seeds 42 and 43",
            x.0
        );
    }
}
