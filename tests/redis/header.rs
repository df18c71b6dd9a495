//! The namespace header each replica keeps: a vendor request runs on the one its replica last read,
//! its first command's script checks it in the same round trip, and what another replica changed
//! since (the clock, identities, faults, a reset, an evicted or broken header) is what the request
//! sees. What authmock sends is watched with Redis's `MONITOR`, which lists each command a client
//! sent apart from those a script ran.

use super::*;
use std::io::{BufRead, BufReader, Write};
use std::net::TcpStream;

/// A `MONITOR` connection to the test's Redis.
pub(super) struct Monitor {
    lines: BufReader<TcpStream>,
}

impl Monitor {
    pub(super) fn start(redis: &Redis) -> Monitor {
        let mut s = TcpStream::connect(("127.0.0.1", redis.port())).expect("connect to Redis");
        s.set_read_timeout(Some(Duration::from_secs(5)))
            .expect("a read timeout");
        s.write_all(b"*1\r\n$7\r\nMONITOR\r\n")
            .expect("MONITOR sent");
        let mut lines = BufReader::new(s);
        let mut ok = String::new();
        lines.read_line(&mut ok).expect("MONITOR answered");
        assert_eq!(ok.trim_end(), "+OK");
        Monitor { lines }
    }

    /// The commands clients sent since the last call (lower-case names), not those scripts ran:
    /// read up to a marker this sends, so that nothing sent before it is missed.
    pub(super) fn sent(&mut self, redis: &Redis) -> Vec<String> {
        let mark = format!("mark-{}", rand_tag());
        assert!(redis.command(&["ECHO", &mark]).is_some(), "ECHO answered");
        let deadline = Instant::now() + Duration::from_secs(10);
        let mut out = Vec::new();
        loop {
            assert!(Instant::now() < deadline, "no marker in MONITOR: {out:?}");
            let mut line = String::new();
            self.lines.read_line(&mut line).expect("a MONITOR line");
            if line.contains(&mark) {
                return out;
            }
            // `+<time> [<db> <client>] "<command>" "<arg>" …`; a script's own commands: `[<db> lua]`.
            let Some((client, rest)) = line.split_once("] ") else {
                continue;
            };
            if client.ends_with(" lua") {
                continue;
            }
            let name = rest.split('"').nth(1).unwrap_or_default().to_lowercase();
            out.push(name);
        }
    }
}

fn rand_tag() -> u128 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos())
}

/// `n` script calls (EVALSHA), nothing else.
pub(super) fn scripts(n: usize) -> Vec<String> {
    vec!["evalsha".to_string(); n]
}

/// In the steady state a vendor request sends only its verbs' commands: the header it runs on is
/// checked inside the first of them. A login (every family's) is one script, one round trip.
#[tokio::test]
async fn in_the_steady_state_a_login_is_one_round_trip_and_no_request_reads_the_header_alone() {
    let redis = redis_or_skip!();
    let b = Node::start(&redis.url());
    // The scripts loaded and the header read once: what every later request starts from.
    let session = b.koo_session(koo::SEED_CODE, &[]).await;
    koo_ok(&b.koo_login_as(koo::ACCOUNT, koo::PASSWORD, &[]).await);
    assert_status(&b.oa_login(oa::USER, oa::PASSWORD, &[]).await, 200);
    enos_ok(&b.enos_login(enos::ACCOUNT, enos::PASSWORD, &[]).await);
    assert_status(&b.koo_auth(&session, &[]).await, 200);
    let mut m = Monitor::start(&redis);

    koo_ok(&b.koo_login_as(koo::ACCOUNT, koo::PASSWORD, &[]).await);
    assert_eq!(m.sent(&redis), scripts(1), "a KooDrive login");
    let r = b.oa_login(oa::USER, oa::PASSWORD, &[]).await;
    assert_eq!(r.body["status"], json!("SUCCESS"), "{}", r.text);
    assert_eq!(m.sent(&redis), scripts(1), "a OneAccess login");
    enos_ok(&b.enos_login(enos::ACCOUNT, enos::PASSWORD, &[]).await);
    assert_eq!(m.sent(&redis), scripts(1), "an EnOS login");
    koo_wrong_password(&b.koo_login_as(koo::ACCOUNT, "wrong", &[]).await);
    assert_eq!(m.sent(&redis), scripts(1), "a failed login");
    // A session check: the header's check, the record's and its expiry slid, in one script.
    assert_status(&b.koo_auth(&session, &[]).await, 200);
    assert_eq!(m.sent(&redis), scripts(1), "a KooDrive session check");
    // A request that runs no verb reads the header once, at its end.
    let bad = b
        .post(koo::LOGIN, &[koo::AGENT], json!({ "account": "x" }))
        .await;
    koo_error(&bad, 400, 13000102, "Verify parameters failed.");
    assert_eq!(m.sent(&redis), ["hmget"], "a login refused for its input");
}

/// What another replica changed since B last read the header: B's next request's first script
/// finds it out and writes nothing, B reads the header again and runs the request once more.
#[tokio::test]
async fn a_header_that_moved_makes_bs_next_request_read_it_and_run_again() {
    let redis = redis_or_skip!();
    let (a, b) = replicas(&redis);
    a.freeze_at(JAN_2026, &[]).await;
    let session = b.koo_session(koo::SEED_CODE, &[]).await;
    assert_status(&b.koo_auth(&session, &[]).await, 200);
    koo_ok(&b.koo_login_as(koo::ACCOUNT, koo::PASSWORD, &[]).await);
    let mut m = Monitor::start(&redis);

    a.clock(json!({ "advance": "21m" }), &[]).await;
    m.sent(&redis);
    koo_session_invalid(&b.koo_auth(&session, &[]).await);
    // Stale: nothing read or written; then the header, then the check again on the fresh one.
    assert_eq!(
        m.sent(&redis),
        ["evalsha", "hmget", "evalsha"],
        "a session check on a header that moved"
    );
    // B is current again: one script per login.
    koo_ok(&b.koo_login_as(koo::ACCOUNT, koo::PASSWORD, &[]).await);
    assert_eq!(m.sent(&redis), scripts(1));
}

/// A reset on A: B's next request, whichever verb it runs first, sees the new epoch.
#[tokio::test]
async fn a_reset_on_a_is_what_bs_very_next_request_sees_whatever_its_first_verb() {
    let redis = redis_or_skip!();
    let (a, b) = replicas(&redis);
    let session = b.koo_session(koo::SEED_CODE, &[]).await;
    let code = b.mint_auth_code(koo::USER_ID, &[]).await;
    let enos_token = b.enos_login_token(&[]).await;
    koo_ok(&b.koo_login_as(koo::ACCOUNT, koo::PASSWORD, &[]).await);

    a.reset().await;
    // A credential's check (a read that checks the header).
    koo_session_invalid(&b.koo_auth(&session, &[]).await);
    a.reset().await;
    // A one-time code's redemption.
    koo_bad_code(&b.koo_create_session(&code, &[]).await);
    a.reset().await;
    // An exchange (EnOS's organization choice).
    enos_error(
        &b.enos_set(&enos_token, enos::ORG, &[]).await,
        31401,
        "Please login first",
    );
    a.reset().await;
    // A login issues its tokens in the new epoch: A accepts them.
    let info = b.koo_session_info(&[]).await;
    let access = str_of(&info, "accessToken");
    koo_ok(&a.koo_refresh(&access, &str_of(&info, "refreshToken")).await);
}

/// A header evicted or replaced by a key of another type under B's cached read: B's next request
/// sets the namespace up afresh, or answers the 500 naming the key.
#[tokio::test]
async fn an_evicted_or_broken_header_under_bs_cached_read_is_found_by_bs_next_request() {
    let redis = redis_or_skip!();
    let b = Node::start(&redis.url());
    let session = b.koo_session(koo::SEED_CODE, &[]).await;
    let meta = "am:n:default:meta";

    assert_eq!(redis.command(&["DEL", meta]).as_deref(), Some(":1"));
    koo_session_invalid(&b.koo_auth(&session, &[]).await);
    assert_eq!(redis.text(&["TYPE", meta]).as_deref(), Some("hash"));
    let session = b.koo_session(koo::SEED_CODE, &[]).await;

    assert_eq!(redis.command(&["DEL", meta]).as_deref(), Some(":1"));
    assert_eq!(redis.command(&["SET", meta, "x"]).as_deref(), Some("+OK"));
    let r = b.koo_auth(&session, &[]).await;
    assert_status(&r, 500);
    let msg = r.body["msg"].as_str().unwrap_or_default();
    assert!(
        msg.contains(&format!("the key {meta} holds a string")),
        "{}",
        r.text
    );
    let r = b.koo_create_session(koo::SEED_CODE, &[]).await;
    assert_status(&r, 500);
    let r = b.koo_login_as(koo::ACCOUNT, koo::PASSWORD, &[]).await;
    assert_status(&r, 500);
    b.reset().await;
    koo_ok(&b.koo_login_as(koo::ACCOUNT, koo::PASSWORD, &[]).await);
}

/// A vendor request on B runs on the namespace header B last read, checked by its first command (the
/// login script itself) or, when it ran none, once at the end: whatever A changed since is what B's
/// next request sees, and the request that found it out answers as if B had read it first.
#[tokio::test]
async fn what_a_changes_after_b_last_read_the_header_is_what_bs_next_login_sees() {
    let redis = redis_or_skip!();
    let (a, b) = replicas(&redis);
    koo_ok(&b.koo_login_as(koo::ACCOUNT, koo::PASSWORD, &[]).await);

    a.clock(json!({ "set": JAN_2026, "freeze": true }), &[])
        .await;
    let info = b.koo_session_info(&[]).await;
    assert_eq!(info["issuedAt"], json!(JAN_2026_MS.to_string()), "{info}");

    a.add_identity(
        "koodrive",
        "users",
        koo_user("1008600000709990004", "late_comer"),
        &[],
    )
    .await;
    // The account is unknown on the header B last read: no verb ran before the check at the end.
    let login = b.koo_login_as("late_comer", "N3w-Koo-Pass", &[]).await;
    assert_eq!(
        koo_ok(&login)["userInfo"]["userId"],
        json!("1008600000709990004")
    );

    a.add_fault(
        json!({ "route": format!("POST {}", koo::LOGIN), "times": 1, "error": "13000203" }),
        &[],
    )
    .await;
    // A login B refuses for its input alone still meets the fault queued since.
    let bad = b
        .post(koo::LOGIN, &[koo::AGENT], json!({ "account": "x" }))
        .await;
    koo_wrong_password(&bad);
    koo_ok(&b.koo_login_as(koo::ACCOUNT, koo::PASSWORD, &[]).await);
}
