//! Starting, serving and stopping: the URL printed first, a free port, signals, the token limit, the
//! open-files limit and the public URL.

use super::*;

// ---------------------------------------------------------------------------------------------------
// Starting, serving, stopping
// ---------------------------------------------------------------------------------------------------

#[tokio::test]
async fn port_zero_prints_the_listening_url_first_on_stdout_and_serves_it() {
    let server = Server::start(&[]);

    let health = get(&client(), &server.url("/__admin/health"), &[]).await;
    let out = server.stop();

    assert_eq!(health.status, 200, "{}", health.text);
    assert_eq!(health.body["status"], "ok");
    let first = out.stdout.lines().next().unwrap_or_default();
    assert!(listening_port(first).is_some(), "stdout: {:?}", out.stdout);
    assert!(out.status.success(), "{:?}\n{}", out.status, out.stderr);
}

#[tokio::test]
async fn authmock_port_zero_in_the_environment_picks_a_free_port() {
    let mut cmd = authmock(&[]);
    cmd.env("AUTHMOCK_PORT", "0");
    let server = Server::spawn(cmd);

    let health = get(&client(), &server.url("/__admin/health"), &[]).await;

    assert_ne!(server.port, 8080, "the environment variable was ignored");
    assert_eq!(health.status, 200, "{}", health.text);
    let out = server.stop();
    assert!(out.status.success(), "{:?}\n{}", out.status, out.stderr);
}

async fn signal_stops_the_server_with_status_0(signal: &str) {
    let server = Server::start(&[]);
    // A pooled keep-alive connection stays open while the signal arrives.
    let c = client();
    assert_eq!(
        get(&c, &server.url("/__admin/health"), &[]).await.status,
        200
    );
    let mut proc = server.proc;

    let started = Instant::now();
    proc.signal(signal);
    let out = proc.finish(PROMPTLY);

    assert_eq!(
        out.status.code(),
        Some(0),
        "SIG{signal} gave {:?} after {:?}\n{}",
        out.status,
        started.elapsed(),
        out.stderr
    );
}

#[test]
fn sigterm_sent_as_soon_as_the_url_is_printed_still_exits_0() {
    for _ in 0..5 {
        let out = Server::start(&[]).stop();

        assert_eq!(
            out.status.code(),
            Some(0),
            "{:?}\n{}",
            out.status,
            out.stderr
        );
    }
}

#[tokio::test]
async fn sigterm_stops_the_server_promptly_with_status_0() {
    signal_stops_the_server_with_status_0("TERM").await;
}

#[tokio::test]
async fn sigint_stops_the_server_promptly_with_status_0() {
    signal_stops_the_server_with_status_0("INT").await;
}

#[test]
fn a_max_tokens_below_a_thousand_is_refused_before_start() {
    let out = run(authmock(&["--port", "0", "--max-tokens", "10"]));

    assert_eq!(out.status.code(), Some(2), "{}", out.all_output());
    assert!(
        out.stderr.contains("--max-tokens") && out.stderr.contains("1000"),
        "{}",
        out.all_output()
    );
}

#[tokio::test]
async fn authmock_max_tokens_in_the_environment_sets_the_limit_the_state_reports() {
    let mut cmd = authmock(&["--port", "0"]);
    cmd.env("AUTHMOCK_MAX_TOKENS", "5000");
    let server = Server::spawn(cmd);

    let state = get(&client(), &server.url("/__admin/state?tokens=0"), &[]).await;

    assert_eq!(state.status, 200);
    assert_eq!(state.body["counts"]["tokenLimit"], 5000);
    assert_eq!(state.body["counts"]["tokensEvicted"], 0);
    assert_eq!(server.stop().status.code(), Some(0));
}

/// The soft and hard "Max open files" of a running process, from /proc.
fn open_files_limits(pid: u32) -> (String, String) {
    let limits = std::fs::read_to_string(format!("/proc/{pid}/limits")).expect("limits");
    let line = limits
        .lines()
        .find(|l| l.starts_with("Max open files"))
        .expect("Max open files line");
    let mut cols = line["Max open files".len()..].split_whitespace();
    (
        cols.next().unwrap_or("").to_string(),
        cols.next().unwrap_or("").to_string(),
    )
}

#[test]
fn the_server_raises_its_open_files_soft_limit_to_the_hard_limit() {
    // A shell lowers the soft limit, then becomes authmock.
    let mut cmd = Command::new("sh");
    cmd.args(["-c", &format!("ulimit -Sn 256 && exec {BIN} --port 0")]);
    without_authmock_env(&mut cmd);
    let server = Server::spawn(cmd);

    let (soft, hard) = open_files_limits(server.proc.child.id());

    assert_eq!(soft, hard, "soft limit {soft} was not raised to {hard}");
    assert_ne!(soft, "256");
    assert_eq!(server.stop().status.code(), Some(0));
}

#[tokio::test]
async fn authmock_public_url_sets_org_id_host_and_a_bad_one_refuses_to_start() {
    let mut cmd = authmock(&[]);
    cmd.env("AUTHMOCK_PUBLIC_URL", "http://localhost:8080/");
    let server = Server::spawn(cmd);
    let url = server.url("/koodrive/ose/v1/session/authCodeURL?domain=localhost:3000");
    let r = get(&client(), &url, &[]).await;
    drop(server);
    assert_eq!(r.body["orgIdHost"], "http://localhost:8080", "{}", r.text);
    assert!(
        str_at(&r.body, "/uri").starts_with("http://localhost:8080/oauth2/authorize?"),
        "{}",
        r.text
    );

    for bad in [
        "ftp://mock.example",
        "mock.example:8080",
        "https://mock.example/?x=1",
    ] {
        let out = run(authmock(&["--public-url", bad]));
        assert_eq!(out.status.code(), Some(2), "{bad}: {}", out.stderr);
        assert!(out.stderr.contains("--public-url"), "{bad}: {}", out.stderr);
    }
}
