//! Start-up: a store URL that cannot serve stops the start with one line (no Redis needed); health
//! names the store; each replica checks its fixtures against the store's; the helper Redis itself.

use super::*;

// ---------------------------------------------------------------------------------------------------
// The harness itself
// ---------------------------------------------------------------------------------------------------

#[test]
fn the_redis_helper_keeps_acknowledged_writes_across_a_stop_and_a_start_on_the_same_port() {
    let mut redis = redis_or_skip!();
    let port = redis.port();
    assert_eq!(
        redis.command(&["SET", "am:helper", "kept"]).as_deref(),
        Some("+OK")
    );

    redis.stop();
    assert_eq!(
        redis.command(&["PING"]),
        None,
        "a stopped server answers nothing"
    );
    assert!(!redis.is_running());
    redis.start();

    assert_eq!(redis.port(), port);
    assert!(redis.is_running());
    assert_eq!(
        redis.command(&["EXISTS", "am:helper"]).as_deref(),
        Some(":1"),
        "log:\n{}",
        redis.log()
    );
    assert!(
        redis.dir().join("appendonlydir").is_dir() || redis.dir().join("appendonly.aof").is_file()
    );
}

// ---------------------------------------------------------------------------------------------------
// Start-up (no Redis needed)
// ---------------------------------------------------------------------------------------------------

/// Asserts exit code 2 and exactly one non-empty line on stderr; returns that line.
fn one_line_exit_2(out: &Exited) -> String {
    assert_eq!(
        out.status.code(),
        Some(2),
        "exit status {}\nstdout:\n{}\nstderr:\n{}",
        out.status,
        out.stdout,
        out.stderr
    );
    let lines: Vec<&str> = out
        .stderr
        .lines()
        .filter(|l| !l.trim().is_empty())
        .collect();
    assert_eq!(lines.len(), 1, "one stderr line expected:\n{}", out.stderr);
    lines[0].to_owned()
}

#[test]
fn an_unreachable_redis_at_start_up_exits_2_with_one_line_naming_the_url() {
    let port = redis_server::free_port_outside_ephemeral_range();
    let url = format!("redis://127.0.0.1:{port}");

    let out = refused_start(&["--port", "0", "--store", &url], &[]);

    let line = one_line_exit_2(&out);
    assert!(line.contains(&url), "{line:?} does not name {url}");
    assert!(out.stdout.is_empty(), "nothing served: {}", out.stdout);
}

#[test]
fn an_unreachable_redis_url_with_a_password_is_named_with_the_password_masked() {
    let port = redis_server::free_port_outside_ephemeral_range();
    let password = "s3cr3t-pw-never-printed";
    let url = format!("redis://mockuser:{password}@127.0.0.1:{port}/3");

    let out = refused_start(&["--port", "0", "--store", &url], &[]);

    let line = one_line_exit_2(&out);
    let masked = format!("redis://mockuser:***@127.0.0.1:{port}");
    assert!(line.contains(&masked), "{line:?} does not name {masked}");
    assert!(
        !format!("{}{}", out.stdout, out.stderr).contains(password),
        "the password was printed:\n{}{}",
        out.stdout,
        out.stderr
    );
}

#[test]
fn authmock_store_in_the_environment_selects_the_store_like_the_flag() {
    let port = redis_server::free_port_outside_ephemeral_range();
    let url = format!("redis://127.0.0.1:{port}");

    let out = refused_start(&["--port", "0"], &[("AUTHMOCK_STORE", &url)]);

    let line = one_line_exit_2(&out);
    assert!(line.contains(&url), "{line:?} does not name {url}");
}

#[test]
fn a_store_url_of_another_scheme_is_refused_with_code_2_and_a_one_line_message() {
    let url = "mysql://127.0.0.1:3306/auth";

    let out = refused_start(&["--port", "0", "--store", url], &[]);

    // The flag is refused while the arguments are parsed, so the message comes in clap's form, as for
    // every other bad flag value: one line, then clap's standard pointer to --help.
    let mut message = out.stderr.clone();
    if let Some(cut) = message.find("\n\nFor more information, try '--help'.") {
        message.truncate(cut);
    }
    let line = one_line_exit_2(&Exited {
        status: out.status,
        stdout: out.stdout,
        stderr: message,
    });
    assert!(line.contains(url), "{line:?} does not name {url}");
    assert!(
        line.contains("redis://"),
        "{line:?} does not say what is expected"
    );
}

#[tokio::test]
async fn without_redis_the_store_is_memory_and_health_says_so() {
    let default = Node::spawn(vec![], vec![]);
    let flagged = Node::spawn(vec!["--store".into(), "memory".into()], vec![]);

    for node in [&default, &flagged] {
        let h = node.health().await;
        assert_status(&h, 200);
        assert_eq!(h.body["status"], json!("ok"), "{}", h.text);
        assert_eq!(h.body["store"], json!("memory"), "{}", h.text);
    }
}

// ---------------------------------------------------------------------------------------------------
// Two replicas on one Redis
// ---------------------------------------------------------------------------------------------------

#[tokio::test]
async fn health_reports_the_redis_store_on_both_replicas() {
    let redis = redis_or_skip!();
    let (a, b) = replicas(&redis);

    for node in [&a, &b] {
        let h = node.health().await;
        assert_status(&h, 200);
        assert_eq!(h.body["status"], json!("ok"), "{}", h.text);
        assert_eq!(h.body["store"], json!("redis"), "{}", h.text);
    }
}

#[tokio::test]
async fn a_replica_whose_fixtures_differ_from_the_namespaces_says_so_in_its_log() {
    let redis = redis_or_skip!();
    let dir = tempdir::TempDir::new("redis-fixtures");
    let koodrive = include_str!("../../fixtures/koodrive.json");
    assert!(
        koodrive.contains("\"orgName\": \"lym09\""),
        "the default fixtures changed"
    );
    dir.write(
        "koodrive.json",
        &koodrive.replacen("lym09", "lym09-changed", 1),
    );
    let fixtures = dir.path().to_string_lossy().to_string();
    let a = Node::start(&redis.url());
    let mut b = Node::spawn(
        vec!["--store".into(), redis.url(), "--fixtures".into(), fixtures],
        vec![],
    );
    let mut same = Node::start(&redis.url());

    // A sets the namespace up with the default fixtures; B and `same` use it after.
    assert_status(&a.health().await, 200);
    assert_status(&a.get("/__admin/clock", &[]).await, 200);
    assert_status(&b.get("/__admin/clock", &[]).await, 200);
    assert_status(&same.get("/__admin/clock", &[]).await, 200);

    let told = |node: &mut Node| {
        node.server.proc.signal("TERM");
        node.server.proc.finish(process::WAIT).stderr
    };
    let b_log = told(&mut b);
    assert!(b_log.contains("fixtures differ"), "stderr:\n{b_log}");
    let same_log = told(&mut same);
    assert!(!same_log.contains("fixtures differ"), "stderr:\n{same_log}");
}

#[tokio::test]
async fn the_db_in_the_url_keeps_stores_apart_on_one_redis() {
    let redis = redis_or_skip!();
    let db1 = format!("{}/1", redis.url());
    let (a, b, c) = (
        Node::start(&db1),
        Node::start(&db1),
        Node::start(&format!("{}/2", redis.url())),
    );

    let session = a.koo_session(koo::SEED_CODE, &[]).await;

    assert_status(&b.koo_auth(&session, &[]).await, 200);
    koo_session_invalid(&c.koo_auth(&session, &[]).await);
}
