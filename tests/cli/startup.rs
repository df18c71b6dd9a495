//! Start-up order: the port opens first, then the fixtures load. Meanwhile live answers 200, ready 503
//! naming what is pending and every other route 503; the listening line comes once the server is
//! ready. A fixtures file that is a FIFO holds the load until the test writes it: nothing is timed.

use super::*;
use http::poll_until;

fn mkfifo(path: &Path) {
    let st = Command::new("mkfifo")
        .arg(path)
        .status()
        .expect("mkfifo runs");
    assert!(st.success(), "mkfifo {}", path.display());
}

/// Writes `text` into the FIFO the server is blocked reading.
async fn feed(path: std::path::PathBuf, text: &'static str) {
    tokio::task::spawn_blocking(move || std::fs::write(&path, text))
        .await
        .expect("feed task")
        .expect("write the FIFO");
}

/// `authmock --port PORT --fixtures DIR` where DIR's koodrive.json is a FIFO; live answers once the
/// port is open.
async fn started_on_a_fifo(c: &reqwest::Client) -> (process::Proc, String, TempDir, u16) {
    let dir = TempDir::new("fifo-fixtures");
    mkfifo(&dir.path().join("koodrive.json"));
    let port = closed_port();
    let proc = process::Proc::spawn(authmock(&[
        "--port",
        &port.to_string(),
        "--fixtures",
        utf8(dir.path()),
    ]));
    let base = format!("http://127.0.0.1:{port}");
    let live = poll_until(c, &format!("{base}/__admin/health/live"), 200, WAIT).await;
    assert_eq!(live.body, json!({"status": "live"}), "{}", live.text);
    (proc, base, dir, port)
}

const WAIT: Duration = Duration::from_secs(15);
const STARTING: &str = "Service unavailable: the mock is starting. Retry later.";

#[tokio::test]
async fn while_the_fixtures_load_live_answers_200_ready_503_and_every_route_503_then_it_serves() {
    let c = client();
    let (proc, base, dir, port) = started_on_a_fifo(&c).await;

    let ready = get(&c, &format!("{base}/__admin/health/ready"), &[]).await;
    let koo = post_json(
        &c,
        &format!("{base}{KD_LOGIN}"),
        &[("x-hw-agentName", "t")],
        json!({}),
    )
    .await;
    let oa = post_json(&c, &format!("{base}{OA_LOGIN}"), &[], json!({})).await;
    let enos = post_json(&c, &format!("{base}{EN_LOGIN}"), &[], json!({})).await;
    let health = get(&c, &format!("{base}/__admin/health"), &[]).await;
    let line_before = proc.first_line.try_recv();

    assert_eq!(
        (ready.status, &ready.body),
        (
            503,
            &json!({"status": "starting", "fixtures": "loading", "store": "memory"})
        ),
        "{}",
        ready.text
    );
    assert_eq!(ready.header("retry-after"), "1");
    let cases = [
        (&koo, json!({"code": 503, "msg": STARTING})),
        (
            &oa,
            json!({"error_code": "MOCK.0503", "error_msg": STARTING}),
        ),
        (
            &enos,
            json!({"code": 503, "message": STARTING, "data": null}),
        ),
        (
            &health,
            json!({"error": "authmock is starting: GET /__admin/health/ready says what it waits for"}),
        ),
    ];
    for (r, envelope) in cases {
        assert_eq!((r.status, &r.body), (503, &envelope), "{}", r.text);
        assert_eq!(r.header("retry-after"), "1", "{}", r.text);
        assert_eq!(r.header("access-control-allow-origin"), "*", "{}", r.text);
    }
    assert!(
        line_before.is_err(),
        "listening before ready: {line_before:?}"
    );

    feed(
        dir.path().join("koodrive.json"),
        include_str!("../../fixtures/koodrive.json"),
    )
    .await;
    let ready = poll_until(&c, &format!("{base}/__admin/health/ready"), 200, WAIT).await;
    let line = proc.first_line.recv_timeout(WAIT).unwrap_or_default();
    let login = post_json(
        &c,
        &format!("{base}{KD_LOGIN}"),
        &[("x-hw-agentName", "t")],
        json!({"account": "0027188460911", "authType": "1", "password": KD_PASSWORD}),
    )
    .await;

    assert_eq!(
        ready.body,
        json!({"status": "ready", "fixtures": "loaded", "store": "memory"})
    );
    assert_eq!(listening_port(&line), Some(port), "{line:?}");
    assert_eq!(login.body["code"], 0, "{}", login.text);
}

#[tokio::test]
async fn a_fixtures_file_that_turns_out_invalid_still_stops_the_start_with_code_2() {
    let c = client();
    let (mut proc, _base, dir, _port) = started_on_a_fifo(&c).await;
    let path = dir.path().join("koodrive.json");

    feed(path.clone(), "{\"accounts\": 5}").await;
    let out = proc.finish(WAIT);

    assert_eq!(out.status.code(), Some(2), "{}", out.all_output());
    assert!(!out.stdout.contains("listening"), "{}", out.stdout);
    assert!(
        out.stderr
            .contains("authmock: invalid fixtures, not starting:"),
        "{}",
        out.stderr
    );
    assert!(
        out.stderr.contains(&*path.to_string_lossy()),
        "{}",
        out.stderr
    );
}
