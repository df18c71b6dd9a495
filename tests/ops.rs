//! Operating authmock as a service, with the real binary: the probes (`/__admin/health/live`,
//! `/__admin/health/ready`) and `authmock healthcheck --ready`'s exit codes, with the memory store and
//! with a Redis that stops and comes back; the trace context in the JSON log line; the store's
//! metrics. Without `redis-server` the Redis tests print a SKIP line (`AUTHMOCK_REQUIRE_REDIS=1` fails
//! them instead). Every wait is bounded; processes are killed on drop.

#[path = "support/process.rs"]
mod process;
#[path = "support/redis.rs"]
mod redis_server;
#[allow(dead_code)]
#[path = "support/tempdir.rs"]
mod tempdir;

use process::{authmock, run, Server};
use redis_server::Redis;
use serde_json::{json, Value};
use std::time::{Duration, Instant};

/// How long a replica may take to see Redis back.
const RESUME_WITHIN: Duration = Duration::from_secs(30);

fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .timeout(Duration::from_secs(10))
        .build()
        .expect("client")
}

async fn get(url: &str, headers: &[(&str, &str)]) -> (u16, Value) {
    let mut req = client().get(url);
    for (k, v) in headers {
        req = req.header(*k, *v);
    }
    let r = req.send().await.expect("request");
    let status = r.status().as_u16();
    let text = r.text().await.expect("body");
    (
        status,
        serde_json::from_str(&text).unwrap_or(Value::String(text)),
    )
}

fn healthcheck(args: &[&str]) -> Option<i32> {
    let mut all = vec!["healthcheck"];
    all.extend_from_slice(args);
    let out = run(authmock(&all));
    out.status.code()
}

/// A port nothing listens on (bound, then released).
fn closed_port() -> String {
    let l = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    format!("http://127.0.0.1:{}", l.local_addr().expect("addr").port())
}

#[tokio::test]
async fn probes_answer_without_the_admin_token_and_healthcheck_ready_exits_0() {
    let server = Server::start(&["--admin-token", "s3cret"]);
    let live = get(&server.url("/__admin/health/live"), &[]).await;
    let ready = get(&server.url("/__admin/health/ready"), &[]).await;
    assert_eq!(live, (200, json!({"status": "live"})));
    let want = json!({"status": "ready", "fixtures": "loaded", "store": "memory"});
    assert_eq!(ready, (200, want));
    assert_eq!(healthcheck(&["--ready", "--url", &server.base()]), Some(0));
    assert_eq!(healthcheck(&["--url", &server.base()]), Some(0));
    assert_eq!(healthcheck(&["--ready", "--url", &closed_port()]), Some(1));
    // A route that is not a probe still needs the token.
    assert_eq!(get(&server.url("/__admin/metrics"), &[]).await.0, 401);
}

#[tokio::test]
async fn a_valid_trace_context_is_written_in_the_json_log_line_and_a_malformed_one_is_not() {
    let server = Server::start(&["--log-format", "json"]);
    let tp = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
    let xt = "a".repeat(58);
    get(
        &server.url("/koodrive/traced"),
        &[("traceparent", tp), ("X-Traceid", &xt)],
    )
    .await;
    let bad = "00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01";
    get(
        &server.url("/koodrive/untraced"),
        &[("traceparent", bad), ("X-Traceid", "a b")],
    )
    .await;
    let mut p = server.proc;
    p.signal("TERM");
    let out = p.finish(Duration::from_secs(15));
    let lines: Vec<Value> = out
        .stderr
        .lines()
        .filter_map(|l| serde_json::from_str::<Value>(l).ok())
        .filter(|v| v.get("path").is_some())
        .collect();
    let traced = lines
        .iter()
        .find(|l| l["path"] == "/koodrive/traced")
        .expect("traced line");
    assert_eq!(
        traced["trace_id"], "4bf92f3577b34da6a3ce929d0e0e4736",
        "{traced}"
    );
    assert_eq!(traced["x_traceid"], xt.as_str(), "{traced}");
    let untraced = lines
        .iter()
        .find(|l| l["path"] == "/koodrive/untraced")
        .expect("untraced line");
    assert_eq!(
        (untraced.get("trace_id"), untraced.get("x_traceid")),
        (None, None),
        "{untraced}"
    );
    assert!(
        !out.stderr.contains("4BF92F"),
        "the malformed value is not echoed"
    );
}

/// Polls `url` until it answers `status`, within [`RESUME_WITHIN`].
async fn until(url: &str, status: u16) -> (u16, Value) {
    let deadline = Instant::now() + RESUME_WITHIN;
    loop {
        let r = get(url, &[]).await;
        if r.0 == status || Instant::now() > deadline {
            return r;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test]
async fn ready_is_503_while_redis_is_down_and_live_stays_200() {
    let Some(mut redis) = Redis::start_or_skip() else {
        return;
    };
    let server = Server::start(&["--store", &redis.url()]);
    let ready = server.url("/__admin/health/ready");
    let want = json!({"status": "ready", "fixtures": "loaded", "store": "redis"});
    assert_eq!(get(&ready, &[]).await, (200, want));
    assert_eq!(healthcheck(&["--ready", "--url", &server.base()]), Some(0));

    redis.stop();
    let down = json!({"status": "unavailable", "fixtures": "loaded", "store": "down"});
    assert_eq!(until(&ready, 503).await, (503, down));
    let live = get(&server.url("/__admin/health/live"), &[]).await;
    assert_eq!(live, (200, json!({"status": "live"})));
    assert_eq!(healthcheck(&["--ready", "--url", &server.base()]), Some(1));
    let login = client()
        .post(server.url("/koodrive/ose/v1/auth/login"))
        .send()
        .await
        .expect("login");
    assert_eq!(login.status(), 503);

    redis.start();
    assert_eq!(until(&ready, 200).await.0, 200);
    let (status, metrics) = get(&server.url("/__admin/metrics"), &[]).await;
    assert_eq!(status, 200);
    let text = metrics.as_str().unwrap_or_default().to_string();
    let sample = |name: &str| -> f64 {
        text.lines()
            .find_map(|l| l.strip_prefix(name)?.strip_prefix(' ')?.parse().ok())
            .unwrap_or_else(|| panic!("no {name} in {text}"))
    };
    assert!(sample("authmock_store_calls_total") > 0.0);
    assert!(sample("authmock_store_errors_total") >= 1.0);
    let login_503 = r#"authmock_requests_total{family="koodrive",route="POST /koodrive/ose/v1/auth/login",status="503",code="503"}"#;
    assert_eq!(sample(login_503), 1.0, "{text}");
    let ready_503 = r#"authmock_requests_total{family="admin",route="GET /__admin/health/ready",status="503",code="none"}"#;
    // Every 503 answered while the store was down: the login's and the readiness probe's.
    let answers = sample("authmock_store_unavailable_answers_total");
    assert_eq!(answers, 1.0 + sample(ready_503), "{text}");
}
