//! The Redis store (issue 20) end to end: each test runs its own `redis-server` and two real `authmock`
//! processes, A and B, with `--store redis://…` on it — replicas of one mock — and drives them over
//! HTTP: credentials, one-time redemptions, lockouts, the clock, faults, identities, reset and
//! namespaces are shared; a restarted replica keeps every session; Redis lost while serving answers
//! 503 and serving resumes by itself. Without `redis-server` installed those tests print a SKIP line
//! and pass (`AUTHMOCK_REQUIRE_REDIS=1` makes them fail instead); the start-up checks need no Redis.
//! Every wait is bounded; processes are killed on drop.

#[path = "support/expect.rs"]
mod expect;
#[path = "support/fixtures.rs"]
mod fixtures;
#[path = "support/http.rs"]
mod http;
#[path = "support/process.rs"]
mod process;
#[path = "support/redis.rs"]
mod redis_server;
// `write` is for the other binaries.
#[allow(dead_code)]
#[path = "support/tempdir.rs"]
mod tempdir;

use expect::{
    assert_status, enos_error, koo_bad_code, koo_error, koo_session_invalid, koo_wrong_password,
    oa_error,
};
use fixtures::{enos, koo, oa, JAN_2026, JAN_2026_MS};
use futures::future::join_all;
use http::Resp;
use process::{run, Exited, Server};
use redis_server::Redis;
use serde_json::{json, Value};
use std::collections::BTreeSet;
use std::process::Command;
use std::time::{Duration, Instant};

/// How long the replicas may take to notice that Redis is back.
const RESUME_WITHIN: Duration = Duration::from_secs(30);
/// Concurrent redeemers of one one-time credential, half on each replica.
const RACERS: usize = 64;

/// The Redis of one test, or a skip (see `support/redis.rs`).
macro_rules! redis_or_skip {
    () => {
        match Redis::start_or_skip() {
            Some(r) => r,
            None => return,
        }
    };
}

// Grouped by subject in tests/redis/ (after the macro above, which they use).
#[path = "redis/namespaces.rs"]
mod namespaces;
#[path = "redis/races.rs"]
mod races;

// ---------------------------------------------------------------------------------------------------
// Processes
// ---------------------------------------------------------------------------------------------------

/// `authmock <args>` with `env` added to what it gets (and no AUTHMOCK_* or RUST_LOG inherited).
fn authmock_with_env(args: &[String], env: &[(String, String)]) -> Command {
    let mut c = process::authmock(&[]);
    c.args(args);
    c.envs(env.iter().map(|(k, v)| (k, v)));
    c
}

/// Runs `authmock <args>`, which is expected to refuse to start, and returns how it ended.
fn refused_start(args: &[&str], env: &[(&str, &str)]) -> Exited {
    let args: Vec<String> = args.iter().map(|s| s.to_string()).collect();
    let env: Vec<(String, String)> = env
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    run(authmock_with_env(&args, &env))
}

/// One running replica: `authmock --port 0 <args>`, restartable with the same arguments.
struct Node {
    server: Server,
    args: Vec<String>,
    env: Vec<(String, String)>,
    client: reqwest::Client,
}

impl Node {
    /// `authmock --port 0 --store <store>`.
    fn start(store: &str) -> Node {
        Node::spawn(vec!["--store".into(), store.into()], vec![])
    }

    /// `AUTHMOCK_STORE=<store> authmock --port 0`.
    fn start_with_env(store: &str) -> Node {
        Node::spawn(vec![], vec![("AUTHMOCK_STORE".into(), store.into())])
    }

    fn spawn(mut args: Vec<String>, env: Vec<(String, String)>) -> Node {
        args.splice(0..0, ["--port".to_string(), "0".to_string()]);
        let server = Node::launch(&args, &env);
        let client = reqwest::Client::builder()
            .pool_max_idle_per_host(RACERS)
            // A replica that hangs fails the test instead of hanging it.
            .timeout(Duration::from_secs(10))
            .build()
            .expect("client");
        Node {
            server,
            args,
            env,
            client,
        }
    }

    fn launch(args: &[String], env: &[(String, String)]) -> Server {
        Server::spawn(authmock_with_env(args, env))
    }

    /// Kills the process (SIGKILL) and starts it again with the same arguments (on a new port).
    fn kill_and_restart(&mut self) {
        self.server.proc.kill();
        self.server = Node::launch(&self.args, &self.env);
    }

    /// Fails the test if the process has exited (a panic, say).
    fn assert_running(&mut self) {
        if let Ok(Some(status)) = self.server.proc.child.try_wait() {
            let (out, err) = self.server.proc.collect();
            panic!("authmock exited with {status}\nstdout:\n{out}\nstderr:\n{err}");
        }
    }

    fn url(&self, path: &str) -> String {
        self.server.url(path)
    }

    async fn send(
        &self,
        method: &str,
        path: &str,
        headers: &[(&str, &str)],
        body: Option<Vec<u8>>,
    ) -> Resp {
        http::send(&self.client, method, &self.url(path), headers, body).await
    }

    async fn get(&self, path: &str, headers: &[(&str, &str)]) -> Resp {
        self.send("GET", path, headers, None).await
    }

    async fn post(&self, path: &str, headers: &[(&str, &str)], body: Value) -> Resp {
        http::post_json(&self.client, &self.url(path), headers, body).await
    }

    async fn delete(&self, path: &str, headers: &[(&str, &str)]) -> Resp {
        self.send("DELETE", path, headers, None).await
    }

    // ------------------------------------------------------------------------------ control plane

    async fn health(&self) -> Resp {
        self.get("/__admin/health", &[]).await
    }

    /// Health as namespace `name` sees it (which sets the namespace up).
    async fn health_of(&self, name: &str) -> Resp {
        self.get("/__admin/health", &ns(name)).await
    }

    /// `POST /__admin/clock`, asserting success; returns the clock it reports.
    async fn clock(&self, body: Value, h: &[(&str, &str)]) -> Value {
        let r = self.post("/__admin/clock", h, body).await;
        assert_status(&r, 200);
        r.body
    }

    async fn get_clock(&self, h: &[(&str, &str)]) -> Value {
        let r = self.get("/__admin/clock", h).await;
        assert_status(&r, 200);
        r.body
    }

    /// Freezes the clock, then sets it to `instant`.
    async fn freeze_at(&self, instant: &str, h: &[(&str, &str)]) {
        self.clock(json!({ "freeze": true }), h).await;
        self.clock(json!({ "set": instant }), h).await;
    }

    async fn reset(&self) {
        assert_status(&self.post("/__admin/reset", &[], json!({})).await, 200);
    }

    /// `DELETE /__admin/tokens/{token}`, asserting success.
    async fn revoke(&self, token: &str) {
        let path = format!("/__admin/tokens/{}", token.replace(' ', "%20"));
        assert_status(&self.delete(&path, &[]).await, 200);
    }

    /// `POST /__admin/faults`, asserting 201; returns the fault's id.
    async fn add_fault(&self, body: Value, h: &[(&str, &str)]) -> String {
        let r = self.post("/__admin/faults", h, body).await;
        assert_status(&r, 201);
        r.body["id"]
            .as_str()
            .unwrap_or_else(|| panic!("no fault id: {}", r.text))
            .to_owned()
    }

    async fn faults(&self, h: &[(&str, &str)]) -> Vec<Value> {
        let r = self.get("/__admin/faults", h).await;
        assert_status(&r, 200);
        r.body["faults"]
            .as_array()
            .unwrap_or_else(|| panic!("no faults array: {}", r.text))
            .clone()
    }

    async fn add_identity(&self, family: &str, what: &str, body: Value, h: &[(&str, &str)]) {
        let r = self
            .post(&format!("/__admin/{family}/{what}"), h, body)
            .await;
        assert_status(&r, 201);
    }

    /// A one-time KooDrive authorization code of `user` (`POST /__admin/koodrive/auth-codes`).
    async fn mint_auth_code(&self, user: &str, h: &[(&str, &str)]) -> String {
        let r = self
            .post("/__admin/koodrive/auth-codes", h, json!({ "userId": user }))
            .await;
        assert_status(&r, 201);
        r.body["code"]
            .as_str()
            .unwrap_or_else(|| panic!("no code: {}", r.text))
            .to_owned()
    }

    async fn journal(&self) -> Vec<Value> {
        let r = self.get("/__admin/requests", &[]).await;
        assert_status(&r, 200);
        r.body["requests"]
            .as_array()
            .unwrap_or_else(|| panic!("no requests array: {}", r.text))
            .clone()
    }

    // ----------------------------------------------------------------------------------- KooDrive

    async fn koo_login_as(&self, account: &str, password: &str, h: &[(&str, &str)]) -> Resp {
        self.post(
            koo::LOGIN,
            &cat(&[koo::AGENT], h),
            json!({ "account": account, "authType": "1", "password": password }),
        )
        .await
    }

    /// A successful "Login" login's `sessionInfo`.
    async fn koo_session_info(&self, h: &[(&str, &str)]) -> Value {
        let r = self.koo_login_as(koo::ACCOUNT, koo::PASSWORD, h).await;
        koo_ok(&r)["sessionInfo"].clone()
    }

    async fn koo_create_session(&self, code: &str, h: &[(&str, &str)]) -> Resp {
        self.post(koo::SESSION, h, json!({ "code": code })).await
    }

    /// A session token (`Bearer <48 hex>`) from createSession.
    async fn koo_session(&self, code: &str, h: &[(&str, &str)]) -> String {
        str_of(
            koo_ok(&self.koo_create_session(code, h).await),
            "accessToken",
        )
    }

    async fn koo_auth(&self, token: &str, h: &[(&str, &str)]) -> Resp {
        self.get(koo::SESSION_AUTH, &cat(&[("Authorization", token)], h))
            .await
    }

    async fn koo_logoff(&self, token: &str) -> Resp {
        self.get(koo::SESSION_LOGOFF, &[("Authorization", token)])
            .await
    }

    /// auth/refreshToken with a login's access token (`AT <t>`) and refresh token.
    async fn koo_refresh(&self, access: &str, refresh: &str) -> Resp {
        let auth = format!("AT+{}", access.trim_start_matches("AT "));
        self.post(
            koo::REFRESH_TOKEN,
            &[("Authorization", auth.as_str())],
            json!({ "refreshToken": refresh }),
        )
        .await
    }

    // ---------------------------------------------------------------------------------- OneAccess

    /// tenant/token for the Demo App.
    async fn oa_token_request(&self, h: &[(&str, &str)]) -> Resp {
        let form = format!(
            "grant_type=client_credentials&client_id={}&client_secret={}",
            oa::CLIENT_ID,
            oa::CLIENT_SECRET
        );
        self.send(
            "POST",
            oa::TOKEN,
            &cat(&[("content-type", "application/x-www-form-urlencoded")], h),
            Some(form.into_bytes()),
        )
        .await
    }

    /// A OneAccess app access token of the Demo App.
    async fn oa_app_token(&self, h: &[(&str, &str)]) -> String {
        let r = self.oa_token_request(h).await;
        assert_status(&r, 200);
        str_of(&r.body, "access_token")
    }

    /// sdk/login with the Demo App's required headers.
    async fn oa_login(&self, user: &str, password: &str, h: &[(&str, &str)]) -> Resp {
        let base = [
            ("X-client-id", oa::CLIENT_ID),
            ("X-device-fingerprint", oa::FINGERPRINT),
            ("X-operating-sys-version", "Android 10"),
            ("X-agent", "authmock-tests"),
        ];
        self.post(
            oa::LOGIN,
            &cat(&base, h),
            json!({ "user_name": user, "password": password }),
        )
        .await
    }

    /// A OneAccess session token of zhangsan.
    async fn oa_session_token(&self, h: &[(&str, &str)]) -> String {
        let r = self.oa_login(oa::USER, oa::PASSWORD, h).await;
        assert_status(&r, 200);
        str_of(&r.body, "session_token")
    }

    /// sso-ticket for `session` with the app token `app`.
    async fn oa_ticket(&self, app: &str, session: &str, h: &[(&str, &str)]) -> Resp {
        let auth = format!("Bearer {app}");
        self.post(
            oa::TICKET,
            &cat(&[("Authorization", auth.as_str())], h),
            json!({
                "session_token": session,
                "operating_sys_version": "Android 10",
                "device_ip": "10.10.10.1",
                "device_fingerprint": oa::FINGERPRINT,
                "client_id": oa::CLIENT_ID
            }),
        )
        .await
    }

    /// A one-time sso_ticket of `session`.
    async fn oa_sso_ticket(&self, app: &str, session: &str, h: &[(&str, &str)]) -> String {
        let r = self.oa_ticket(app, session, h).await;
        assert_status(&r, 200);
        str_of(&r.body, "sso_ticket")
    }

    /// sso-ticket/verify of `ticket` with the app token `app`.
    async fn oa_verify(&self, app: &str, ticket: &str, h: &[(&str, &str)]) -> Resp {
        let auth = format!("Bearer {app}");
        self.post(
            oa::VERIFY,
            &cat(&[("Authorization", auth.as_str())], h),
            json!({
                "sso_ticket": ticket,
                "operating_sys_version": "Android 10",
                "device_ip": "10.10.10.1",
                "device_fingerprint": oa::FINGERPRINT,
                "agent": "authmock-tests"
            }),
        )
        .await
    }

    // --------------------------------------------------------------------------------------- EnOS

    async fn enos_login(&self, account: &str, password: &str, h: &[(&str, &str)]) -> Resp {
        self.post(
            enos::LOGIN,
            h,
            json!({ "account": account, "password": password }),
        )
        .await
    }

    /// An EnOS login-only token of portal_demo.
    async fn enos_login_token(&self, h: &[(&str, &str)]) -> String {
        let r = self.enos_login(enos::ACCOUNT, enos::PASSWORD, h).await;
        str_of(enos_ok(&r), "accessToken")
    }

    /// session/set of `org` with the token `token`.
    async fn enos_set(&self, token: &str, org: &str, h: &[(&str, &str)]) -> Resp {
        let auth = format!("Bearer {token}");
        self.post(
            enos::SET,
            &cat(&[("Authorization", auth.as_str())], h),
            json!({ "orgId": org }),
        )
        .await
    }

    /// An org-bound access token of portal_demo in `yourOrgId` and its refresh token.
    async fn enos_session(&self, h: &[(&str, &str)]) -> (String, String) {
        let login = self.enos_login_token(h).await;
        let r = self.enos_set(&login, enos::ORG, h).await;
        let data = enos_ok(&r);
        (str_of(data, "accessToken"), str_of(data, "refreshToken"))
    }

    async fn enos_info(&self, token: &str, h: &[(&str, &str)]) -> Resp {
        let auth = format!("Bearer {token}");
        self.get(enos::INFO, &cat(&[("Authorization", auth.as_str())], h))
            .await
    }

    async fn enos_refresh(&self, refresh: &str) -> Resp {
        self.get(&format!("{}?refreshToken={refresh}", enos::REFRESH), &[])
            .await
    }

    async fn enos_logout(&self, token: &str) -> Resp {
        let auth = format!("Bearer {token}");
        self.get(enos::LOGOUT, &[("Authorization", auth.as_str())])
            .await
    }
}

/// Two replicas, A and B, on one Redis.
fn replicas(redis: &Redis) -> (Node, Node) {
    (Node::start(&redis.url()), Node::start(&redis.url()))
}

/// Racer `i` goes to A when `i` is even, to B when odd.
fn pick<'a>(i: usize, a: &'a Node, b: &'a Node) -> &'a Node {
    if i % 2 == 0 {
        a
    } else {
        b
    }
}

/// Polls both replicas' health until each answers 200 with `"store":"redis"`, or fails the test.
async fn wait_until_healthy(nodes: &[&Node], within: Duration) {
    let deadline = Instant::now() + within;
    loop {
        let mut last = Vec::new();
        for n in nodes {
            last.push(n.health().await);
        }
        if last
            .iter()
            .all(|h| h.status == 200 && h.body["store"] == json!("redis"))
        {
            return;
        }
        if Instant::now() >= deadline {
            let seen: Vec<String> = last
                .iter()
                .map(|h| format!("{} {}", h.status, h.text))
                .collect();
            panic!("the replicas did not report a live store within {within:?}: {seen:?}");
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

// ---------------------------------------------------------------------------------------------------
// Small helpers and assertions
// ---------------------------------------------------------------------------------------------------

/// The header that selects a namespace.
fn ns(name: &str) -> [(&str, &str); 1] {
    [("X-Mock-Namespace", name)]
}

/// `a` then `b`: a call's own headers followed by the caller's extra ones.
fn cat<'a>(a: &[(&'a str, &'a str)], b: &[(&'a str, &'a str)]) -> Vec<(&'a str, &'a str)> {
    let mut v = a.to_vec();
    v.extend_from_slice(b);
    v
}

/// An object's keys, sorted.
fn keys(v: &Value) -> Vec<String> {
    let mut k: Vec<String> = v
        .as_object()
        .unwrap_or_else(|| panic!("not an object: {v}"))
        .keys()
        .cloned()
        .collect();
    k.sort();
    k
}

fn str_of(v: &Value, field: &str) -> String {
    v[field]
        .as_str()
        .unwrap_or_else(|| panic!("no string {field} in {v}"))
        .to_owned()
}

fn system_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("system clock after 1970")
        .as_millis() as i64
}

/// Asserts a KooDrive success (HTTP 200, code 0) and returns `data`.
fn koo_ok(r: &Resp) -> &Value {
    assert_eq!((r.status, &r.body["code"]), (200, &json!(0)), "{}", r.text);
    &r.body["data"]
}

fn koo_locked(r: &Resp) {
    koo_error(r, 401, 13000204, "Account is locked. Try again later.");
}

fn oa_wrong_password(r: &Resp, remaining: u32) {
    oa_error(
        r,
        400,
        "LOGIN.0002",
        &format!("Invalid account name or password. Remaining attempts: {remaining}."),
    );
}

/// Asserts the EnOS success envelope and returns `data`.
fn enos_ok(r: &Resp) -> &Value {
    assert_eq!((r.status, &r.body["code"]), (200, &json!(0)), "{}", r.text);
    &r.body["data"]
}

const ENOS_WRONG: &str = "The user name or password is wrong.";
const ENOS_LOCKED: &str =
    "Attempt of accessing with incorrect password or IP reaches the limit. Please try again later.";

/// A KooDrive user shaped as in `koodrive.json`.
fn koo_user(id: &str, account: &str) -> Value {
    json!({
        "userId": id,
        "userName": account,
        "innerUserId": format!("{id}9"),
        "orgId": koo::ORG,
        "deptId": "1574641574824974465",
        "role": "1",
        "account": account,
        // Unique like the account: 138 and the id's last 8 digits.
        "phone": format!("138{}", &id[id.len() - 8..]),
        "password": "N3w-Koo-Pass",
        "verificationCode": "777777",
        "firstname": "New",
        "surname": "Comer",
        "email": "new.comer@koodrive.example"
    })
}

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
    let koodrive = include_str!("../fixtures/koodrive.json");
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
async fn a_token_issued_by_a_is_accepted_by_b_in_every_family() {
    let redis = redis_or_skip!();
    // B reads its store from the environment: both ways select the same store.
    let (a, b) = (
        Node::start(&redis.url()),
        Node::start_with_env(&redis.url()),
    );

    // KooDrive createSession on A → session/auth and session/refresh on B.
    let created = a.koo_create_session(koo::SEED_CODE, &[]).await;
    let session = str_of(koo_ok(&created), "accessToken");
    let session_id = str_of(koo_ok(&created), "sessionId");
    let auth = b.koo_auth(&session, &[]).await;
    assert_eq!(koo_ok(&auth)["userId"], json!(koo::SEED_USER_ID));
    let refreshed = b
        .post(
            koo::SESSION_REFRESH,
            &[
                ("Authorization", session.as_str()),
                ("x-session-id", session_id.as_str()),
            ],
            json!({}),
        )
        .await;
    assert_status(&refreshed, 200);
    let renewed = str_of(&refreshed.body, "accessToken");
    koo_session_invalid(&a.koo_auth(&session, &[]).await);
    assert_status(&a.koo_auth(&renewed, &[]).await, 200);

    // KooDrive login on A → auth/refreshToken on B.
    let info = a.koo_session_info(&[]).await;
    let rotated = b
        .koo_refresh(
            &str_of(&info, "accessToken"),
            &str_of(&info, "refreshToken"),
        )
        .await;
    assert!(
        koo_ok(&rotated)["sessionInfo"]["accessToken"].is_string(),
        "{}",
        rotated.text
    );

    // OneAccess tenant/token and sdk/login on A → sso-ticket on B → verify on A.
    let app = a.oa_app_token(&[]).await;
    let oa_session = a.oa_session_token(&[]).await;
    let ticket = b.oa_sso_ticket(&app, &oa_session, &[]).await;
    let verified = a.oa_verify(&app, &ticket, &[]).await;
    assert_status(&verified, 200);
    assert_eq!(verified.body["data"]["user"]["id"], json!(oa::USER_ID));

    // EnOS login on A → session/set on B → session/info and token/refresh on A.
    let login = a.enos_login_token(&[]).await;
    let set = b.enos_set(&login, enos::ORG, &[]).await;
    let access = str_of(enos_ok(&set), "accessToken");
    let refresh = str_of(enos_ok(&set), "refreshToken");
    let info = a.enos_info(&access, &[]).await;
    assert_eq!(enos_ok(&info)["currentOrgId"], json!(enos::ORG));
    enos_ok(&a.enos_refresh(&refresh).await);
}

#[tokio::test]
async fn a_logout_or_revocation_on_a_is_seen_by_the_next_request_on_b() {
    let redis = redis_or_skip!();
    let (a, b) = replicas(&redis);

    // Logouts, over and over: a replica that cached a token would let one through.
    for _ in 0..10 {
        let session = b.koo_session(koo::SEED_CODE, &[]).await;
        assert_status(&b.koo_auth(&session, &[]).await, 200);
        koo_ok(&a.koo_logoff(&session).await);
        koo_session_invalid(&b.koo_auth(&session, &[]).await);

        let (access, refresh) = b.enos_session(&[]).await;
        enos_ok(&b.enos_info(&access, &[]).await);
        enos_ok(&a.enos_logout(&access).await);
        enos_error(
            &b.enos_info(&access, &[]).await,
            31401,
            "Please login first",
        );
        enos_error(&b.enos_refresh(&refresh).await, 31401, "Please login first");
    }

    // DELETE /__admin/tokens/{token} on A, for each family.
    let session = b.koo_session(koo::SEED_CODE, &[]).await;
    assert_status(&b.koo_auth(&session, &[]).await, 200);
    a.revoke(&session).await;
    koo_session_invalid(&b.koo_auth(&session, &[]).await);

    let app = b.oa_app_token(&[]).await;
    let oa_session = b.oa_session_token(&[]).await;
    assert_status(&b.oa_ticket(&app, &oa_session, &[]).await, 200);
    a.revoke(&app).await;
    oa_error(
        &b.oa_ticket(&app, &oa_session, &[]).await,
        400,
        "invalid_token",
        &format!("Invalid access token: {app}"),
    );

    let (access, _) = b.enos_session(&[]).await;
    enos_ok(&b.enos_info(&access, &[]).await);
    a.revoke(&access).await;
    enos_error(
        &b.enos_info(&access, &[]).await,
        31401,
        "Please login first",
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sixty_four_racers_over_a_and_b_redeem_a_minted_koodrive_code_once() {
    let redis = redis_or_skip!();
    let (a, b) = replicas(&redis);
    // B redeems a code A minted: both replicas can win the race below.
    let warm_up = a.mint_auth_code(koo::USER_ID, &[]).await;
    koo_ok(&b.koo_create_session(&warm_up, &[]).await);
    let code = a.mint_auth_code(koo::USER_ID, &[]).await;

    let answers =
        join_all((0..RACERS).map(|i| pick(i, &a, &b).koo_create_session(&code, &[]))).await;

    let winners: Vec<&Resp> = answers.iter().filter(|r| r.status == 200).collect();
    assert_eq!(winners.len(), 1, "{answers:#?}");
    assert_eq!(koo_ok(winners[0])["userId"], json!(koo::USER_ID));
    for r in answers.iter().filter(|r| r.status != 200) {
        koo_bad_code(r);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sixty_four_racers_over_a_and_b_redeem_an_sso_ticket_once() {
    let redis = redis_or_skip!();
    let (a, b) = replicas(&redis);
    let app = a.oa_app_token(&[]).await;
    let session = b.oa_session_token(&[]).await;
    let ticket = a.oa_sso_ticket(&app, &session, &[]).await;

    let answers =
        join_all((0..RACERS).map(|i| pick(i, &a, &b).oa_verify(&app, &ticket, &[]))).await;

    let winners: Vec<&Resp> = answers.iter().filter(|r| r.status == 200).collect();
    assert_eq!(winners.len(), 1, "{answers:#?}");
    assert_eq!(winners[0].body["data"]["user"]["id"], json!(oa::USER_ID));
    for r in answers.iter().filter(|r| r.status != 200) {
        oa_error(
            r,
            400,
            "TICKET.0001",
            "SSO ticket is invalid, used or expired.",
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sixty_four_concurrent_uses_of_one_session_over_a_and_b_all_slide_it() {
    let redis = redis_or_skip!();
    let (a, b) = replicas(&redis);
    let session = a.koo_session(koo::SEED_CODE, &[]).await;

    // Each use slides the session's expiry: racers that lose the write read it again, none is refused.
    let answers = join_all((0..RACERS).map(|i| pick(i, &a, &b).koo_auth(&session, &[]))).await;

    for r in &answers {
        assert_status(r, 200);
        assert_eq!(
            r.body["data"]["userId"],
            json!(koo::SEED_USER_ID),
            "{}",
            r.text
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sixty_four_racers_over_a_and_b_rotate_an_enos_refresh_token_once() {
    let redis = redis_or_skip!();
    let (a, b) = replicas(&redis);
    // B rotates a refresh token A issued: both replicas can win the race below.
    let (_, warm_up) = a.enos_session(&[]).await;
    enos_ok(&b.enos_refresh(&warm_up).await);
    let (_, refresh) = a.enos_session(&[]).await;

    let answers = join_all((0..RACERS).map(|i| pick(i, &a, &b).enos_refresh(&refresh))).await;

    let winners: Vec<&Resp> = answers.iter().filter(|r| r.body["code"] == 0).collect();
    assert_eq!(winners.len(), 1, "{answers:#?}");
    assert_eq!(enos_ok(winners[0])["userId"], json!(enos::USER_ID));
    for r in answers.iter().filter(|r| r.body["code"] != 0) {
        enos_error(r, 31401, "Please login first");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sixty_four_racers_over_a_and_b_rotate_a_koodrive_refresh_token_once() {
    let redis = redis_or_skip!();
    let (a, b) = replicas(&redis);
    // B rotates a pair A issued: both replicas can win the race below.
    let warm_up = a.koo_session_info(&[]).await;
    koo_ok(
        &b.koo_refresh(
            &str_of(&warm_up, "accessToken"),
            &str_of(&warm_up, "refreshToken"),
        )
        .await,
    );
    let info = a.koo_session_info(&[]).await;
    let (access, refresh) = (str_of(&info, "accessToken"), str_of(&info, "refreshToken"));

    let answers =
        join_all((0..RACERS).map(|i| pick(i, &a, &b).koo_refresh(&access, &refresh))).await;

    let winners: Vec<&Resp> = answers.iter().filter(|r| r.status == 200).collect();
    assert_eq!(winners.len(), 1, "{answers:#?}");
    koo_ok(winners[0]);
    // A loser finds the refresh token taken (13000205) or, when the winner already retired it, the
    // access token gone (13000202): both refuse, and which one depends on the interleaving.
    for r in answers.iter().filter(|r| r.status != 200) {
        assert_eq!(r.status, 401, "{}", r.text);
        assert!(
            r.body == json!({ "code": 13000205, "msg": "Refresh token is invalid or expired." })
                || r.body == json!({ "code": 13000202, "msg": "Session is invalid or expired." }),
            "{}",
            r.text
        );
    }
}

#[tokio::test]
async fn wrong_passwords_alternated_over_a_and_b_lock_after_the_limit_counted_once() {
    let redis = redis_or_skip!();
    let (a, b) = replicas(&redis);

    // KooDrive: 5 failures in all lock; the 5th still answers the wrong-password error.
    for i in 0..5 {
        koo_wrong_password(
            &pick(i, &a, &b)
                .koo_login_as(koo::ACCOUNT, "wrong", &[])
                .await,
        );
    }
    koo_locked(&b.koo_login_as(koo::ACCOUNT, koo::PASSWORD, &[]).await);
    koo_locked(&a.koo_login_as(koo::ACCOUNT, koo::PASSWORD, &[]).await);

    // EnOS: the same, 5.
    for i in 0..5 {
        enos_error(
            &pick(i, &a, &b)
                .enos_login(enos::ACCOUNT, "wrong", &[])
                .await,
            31400,
            ENOS_WRONG,
        );
    }
    enos_error(
        &b.enos_login(enos::ACCOUNT, enos::PASSWORD, &[]).await,
        31429,
        ENOS_LOCKED,
    );
    enos_error(
        &a.enos_login(enos::ACCOUNT, enos::PASSWORD, &[]).await,
        31429,
        ENOS_LOCKED,
    );

    // OneAccess: 10, and each answer counts down what is left in all.
    for (i, remaining) in (0..=9).rev().enumerate() {
        oa_wrong_password(
            &pick(i, &a, &b).oa_login(oa::USER, "wrong", &[]).await,
            remaining,
        );
    }
    for node in [&a, &b] {
        oa_error(
            &node.oa_login(oa::USER, oa::PASSWORD, &[]).await,
            400,
            "LOGIN.0003",
            "Account is locked.",
        );
    }
}

#[tokio::test]
async fn the_lockout_cycle_over_a_and_b_clears_locks_and_lifts_at_exactly_15_minutes() {
    let redis = redis_or_skip!();
    let (a, b) = replicas(&redis);
    a.clock(json!({ "set": JAN_2026, "freeze": true }), &[])
        .await;

    // Four failures, then a success on the other replica clears the count ...
    for i in 0..4 {
        koo_wrong_password(
            &pick(i, &a, &b)
                .koo_login_as(koo::ACCOUNT, "wrong", &[])
                .await,
        );
    }
    koo_ok(&b.koo_login_as(koo::ACCOUNT, koo::PASSWORD, &[]).await);
    // ... so four more do not lock (eight counted would have);
    for i in 0..4 {
        koo_wrong_password(
            &pick(i + 1, &a, &b)
                .koo_login_as(koo::ACCOUNT, "wrong", &[])
                .await,
        );
    }
    koo_ok(&a.koo_login_as(koo::ACCOUNT, koo::PASSWORD, &[]).await);
    // five do, on both replicas, until the last millisecond of the 15 minutes.
    for i in 0..5 {
        koo_wrong_password(
            &pick(i, &a, &b)
                .koo_login_as(koo::ACCOUNT, "wrong", &[])
                .await,
        );
    }
    koo_locked(&a.koo_login_as(koo::ACCOUNT, koo::PASSWORD, &[]).await);
    koo_locked(&b.koo_login_as(koo::ACCOUNT, koo::PASSWORD, &[]).await);
    b.clock(json!({ "advance": format!("{}ms", 15 * 60_000 - 1) }), &[])
        .await;
    koo_locked(&a.koo_login_as(koo::ACCOUNT, koo::PASSWORD, &[]).await);
    a.clock(json!({ "advance": "1ms" }), &[]).await;
    koo_ok(&b.koo_login_as(koo::ACCOUNT, koo::PASSWORD, &[]).await);
    // The lock is gone, not just skipped: one failure now counts from zero.
    koo_wrong_password(&a.koo_login_as(koo::ACCOUNT, "wrong", &[]).await);
    koo_ok(&a.koo_login_as(koo::ACCOUNT, koo::PASSWORD, &[]).await);
}

/// The documented bound (docs/redis.md) is about 2 s; asserted generously, as an upper bound only,
/// so that a loaded machine does not fail it.
const HUNG_REDIS_ANSWERED_WITHIN: Duration = Duration::from_secs(8);

#[tokio::test]
async fn a_hung_redis_gets_503_within_the_documented_bound_then_serving_resumes() {
    let mut redis = redis_or_skip!();
    let (a, b) = replicas(&redis);
    let session = a.koo_session(koo::SEED_CODE, &[]).await;

    redis.hang();
    for node in [&a, &b] {
        let start = Instant::now();
        koo_store_down(&node.koo_auth(&session, &[]).await);
        let koo = start.elapsed();
        let start = Instant::now();
        oa_store_down(&node.oa_token_request(&[]).await);
        let oa = start.elapsed();
        let start = Instant::now();
        enos_store_down(&node.enos_login(enos::ACCOUNT, enos::PASSWORD, &[]).await);
        let enos = start.elapsed();
        for took in [koo, oa, enos] {
            assert!(
                took < HUNG_REDIS_ANSWERED_WITHIN,
                "a hung Redis answered 503 after {took:?} (koo {koo:?}, oa {oa:?}, enos {enos:?})"
            );
        }
    }
    redis.unhang();
    wait_until_healthy(&[&a, &b], RESUME_WITHIN).await;

    // Nothing acknowledged before the hang is lost, and new work is served.
    assert_eq!(
        koo_ok(&b.koo_auth(&session, &[]).await)["userId"],
        json!(koo::SEED_USER_ID)
    );
    assert!(!b.oa_app_token(&[]).await.is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_wrong_passwords_over_a_and_b_each_count_once() {
    let redis = redis_or_skip!();
    let (a, b) = replicas(&redis);

    // 9 at once: an atomic count gives each failure its own remaining number, 9 down to 1.
    let answers = join_all((0..9).map(|i| pick(i, &a, &b).oa_login(oa::USER, "wrong", &[]))).await;
    let remaining: BTreeSet<u32> = answers
        .iter()
        .map(|r| {
            assert_eq!(r.body["error_code"], json!("LOGIN.0002"), "{}", r.text);
            let msg = r.body["error_msg"].as_str().unwrap_or_default();
            msg.trim_start_matches("Invalid account name or password. Remaining attempts: ")
                .trim_end_matches('.')
                .parse()
                .unwrap_or_else(|_| panic!("{msg:?}"))
        })
        .collect();
    assert_eq!(remaining, (1..=9).collect::<BTreeSet<u32>>());
    oa_wrong_password(&b.oa_login(oa::USER, "wrong", &[]).await, 0);
    oa_error(
        &a.oa_login(oa::USER, oa::PASSWORD, &[]).await,
        400,
        "LOGIN.0003",
        "Account is locked.",
    );

    // KooDrive: 4 at once, none lost: the 5th failure is the last one answered 13000203.
    join_all((0..4).map(|i| pick(i, &a, &b).koo_login_as(koo::ACCOUNT, "wrong", &[])))
        .await
        .iter()
        .for_each(koo_wrong_password);
    koo_wrong_password(&a.koo_login_as(koo::ACCOUNT, "wrong", &[]).await);
    koo_locked(&b.koo_login_as(koo::ACCOUNT, koo::PASSWORD, &[]).await);
}

#[tokio::test]
async fn freezing_or_setting_the_clock_on_a_is_the_time_on_b() {
    let redis = redis_or_skip!();
    let (a, b) = replicas(&redis);

    let frozen = a.clock(json!({ "freeze": true }), &[]).await;
    let seen = b.get_clock(&[]).await;
    assert_eq!(frozen["mode"], json!("frozen"), "{frozen}");
    assert_eq!(seen["mode"], json!("frozen"), "{seen}");
    assert_eq!(seen["epochMs"], frozen["epochMs"], "{seen} vs {frozen}");

    a.clock(json!({ "set": JAN_2026 }), &[]).await;
    let seen = b.get_clock(&[]).await;
    assert_eq!(seen["epochMs"], json!(JAN_2026_MS), "{seen}");
    let info = b.koo_session_info(&[]).await;
    assert_eq!(info["issuedAt"], json!(JAN_2026_MS.to_string()));

    assert_status(&a.delete("/__admin/clock", &[]).await, 200);
    let seen = b.get_clock(&[]).await;
    assert_eq!(seen["mode"], json!("real"), "{seen}");
    let drift = (seen["epochMs"].as_i64().expect("epochMs") - system_ms()).abs();
    assert!(drift < 60_000, "{seen}");
}

#[tokio::test]
async fn advancing_the_clock_on_a_expires_a_session_on_b() {
    let redis = redis_or_skip!();
    let (a, b) = replicas(&redis);
    a.freeze_at(JAN_2026, &[]).await;
    let session = b.koo_session(koo::SEED_CODE, &[]).await;

    a.clock(json!({ "advance": "19m" }), &[]).await;
    let still = b.koo_auth(&session, &[]).await;
    a.clock(json!({ "advance": "21m" }), &[]).await;
    let expired = b.koo_auth(&session, &[]).await;

    assert_status(&still, 200);
    koo_session_invalid(&expired);
    assert_eq!(
        b.get_clock(&[]).await["epochMs"],
        json!(JAN_2026_MS + 40 * 60_000)
    );
}

#[tokio::test]
async fn a_fault_queued_on_a_with_times_1_fires_once_on_b() {
    let redis = redis_or_skip!();
    let (a, b) = replicas(&redis);
    let id = a
        .add_fault(
            json!({ "route": format!("POST {}", koo::LOGIN), "times": 1, "error": "13000203" }),
            &[],
        )
        .await;

    let listed = b.faults(&[]).await;
    assert_eq!(listed.len(), 1, "{listed:?}");
    assert_eq!(listed[0]["id"], json!(id));
    koo_wrong_password(&b.koo_login_as(koo::ACCOUNT, koo::PASSWORD, &[]).await);
    for i in 0..8 {
        koo_ok(
            &pick(i, &a, &b)
                .koo_login_as(koo::ACCOUNT, koo::PASSWORD, &[])
                .await,
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_fault_queued_on_a_fires_exactly_its_times_among_racers_over_a_and_b() {
    let redis = redis_or_skip!();
    let (a, b) = replicas(&redis);
    // More than the 32 requests either replica gets: only a shared count fires it exactly 40 times.
    let times = 40;
    a.add_fault(
        json!({ "route": format!("POST {}", enos::LOGIN), "times": times, "error": "31404" }),
        &[],
    )
    .await;

    let answers = join_all(
        (0..RACERS).map(|i| pick(i, &a, &b).enos_login(enos::ACCOUNT, enos::PASSWORD, &[])),
    )
    .await;

    let faulted = answers.iter().filter(|r| r.body["code"] == 31404).count();
    let served = answers.iter().filter(|r| r.body["code"] == 0).count();
    let other: Vec<String> = answers
        .iter()
        .filter(|r| r.body["code"] != 31404 && r.body["code"] != 0)
        .map(|r| format!("{} {}", r.status, r.text))
        .collect();
    assert_eq!(
        (faulted, served),
        (times, RACERS - times),
        "{} other answers (Redis was up all along): {other:#?}",
        other.len()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_clock_advances_over_a_and_b_each_count_once() {
    let redis = redis_or_skip!();
    let (a, b) = replicas(&redis);
    a.freeze_at(JAN_2026, &[]).await;
    let n = RACERS;

    let answers = join_all(
        (0..n).map(|i| pick(i, &a, &b).post("/__admin/clock", &[], json!({ "advance": 60 }))),
    )
    .await;

    for r in &answers {
        assert_status(r, 200);
    }
    let expected = JAN_2026_MS + n as i64 * 60_000;
    assert_eq!(a.get_clock(&[]).await["epochMs"], json!(expected));
    assert_eq!(b.get_clock(&[]).await["epochMs"], json!(expected));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_identity_additions_over_a_and_b_all_land() {
    let redis = redis_or_skip!();
    let (a, b) = replicas(&redis);
    let n = RACERS;
    let user = |i: usize| koo_user(&format!("10086000007099901{i:02}"), &format!("racer_{i}"));

    let answers =
        join_all((0..n).map(|i| pick(i, &a, &b).post("/__admin/koodrive/users", &[], user(i))))
            .await;

    for r in &answers {
        assert_status(r, 201);
    }
    // Each user logs in on the replica that did not add it.
    for i in 0..n {
        let other = pick(i + 1, &a, &b);
        let login = other
            .koo_login_as(&format!("racer_{i}"), "N3w-Koo-Pass", &[])
            .await;
        koo_ok(&login);
    }
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

#[tokio::test]
async fn identities_added_on_a_are_usable_on_b() {
    let redis = redis_or_skip!();
    let (a, b) = replicas(&redis);
    let koo_id = "1008600000709990003";

    a.add_identity("koodrive", "users", koo_user(koo_id, "new_comer"), &[])
        .await;
    a.add_identity(
        "oneaccess",
        "users",
        json!({
            "id": "oa-added-1",
            "userName": "wangwu",
            "password": "Wangwu@12345",
            "name": "wangwu",
            "mobile": "+86-18300000099",
            "email": "wangwu@oneaccess.example",
            "tenantId": oa::TENANT
        }),
        &[],
    )
    .await;
    a.add_identity(
        "enos",
        "orgs",
        json!({ "id": "oAdded", "name": "Added" }),
        &[],
    )
    .await;
    a.add_identity(
        "enos",
        "users",
        json!({
            "id": "uAdded1",
            "account": "new_enos",
            "password": "NewUser1234",
            "name": "new_enos",
            "email": "new_enos@example.com",
            "adminLevel": 0,
            "orgs": ["oAdded"]
        }),
        &[],
    )
    .await;

    let login = b.koo_login_as("new_comer", "N3w-Koo-Pass", &[]).await;
    assert_eq!(koo_ok(&login)["userInfo"]["userId"], json!(koo_id));
    let code = b.mint_auth_code(koo_id, &[]).await;
    let created = a.koo_create_session(&code, &[]).await;
    assert_eq!(koo_ok(&created)["userId"], json!(koo_id));

    let r = b.oa_login("wangwu", "Wangwu@12345", &[]).await;
    assert_status(&r, 200);
    assert_eq!(r.body["status"], json!("SUCCESS"), "{}", r.text);

    let r = b.enos_login("new_enos", "NewUser1234", &[]).await;
    let token = str_of(enos_ok(&r), "accessToken");
    let set = b.enos_set(&token, "oAdded", &[]).await;
    assert_eq!(enos_ok(&set)["currentOrgId"], json!("oAdded"));
}

#[tokio::test]
async fn reset_on_a_resets_what_b_sees() {
    let redis = redis_or_skip!();
    let (a, b) = replicas(&redis);
    let session = b.koo_session(koo::SEED_CODE, &[]).await;
    let enos_login = b.enos_login_token(&[]).await;
    let code = b.mint_auth_code(koo::USER_ID, &[]).await;
    b.add_identity(
        "koodrive",
        "users",
        koo_user("1008600000709990005", "gone_soon"),
        &[],
    )
    .await;
    b.add_fault(
        json!({ "route": format!("POST {}", oa::TOKEN), "times": 0, "status": 503 }),
        &[],
    )
    .await;
    b.freeze_at(JAN_2026, &[]).await;
    for _ in 0..5 {
        b.enos_login(enos::ACCOUNT, "wrong", &[]).await;
    }

    a.reset().await;

    koo_session_invalid(&b.koo_auth(&session, &[]).await);
    enos_error(
        &b.enos_set(&enos_login, enos::ORG, &[]).await,
        31401,
        "Please login first",
    );
    koo_bad_code(&b.koo_create_session(&code, &[]).await);
    koo_wrong_password(&b.koo_login_as("gone_soon", "N3w-Koo-Pass", &[]).await);
    assert_eq!(b.faults(&[]).await, Vec::<Value>::new());
    assert_status(&b.oa_token_request(&[]).await, 200);
    assert_eq!(b.get_clock(&[]).await["mode"], json!("real"));
    enos_ok(&b.enos_login(enos::ACCOUNT, enos::PASSWORD, &[]).await);
    // The fixtures are back.
    koo_ok(&b.koo_create_session(koo::SEED_CODE, &[]).await);
}

#[tokio::test]
async fn a_replica_killed_and_restarted_keeps_every_session_issued_before() {
    let redis = redis_or_skip!();
    let (mut a, b) = replicas(&redis);
    let mut koo_sessions = Vec::new();
    for i in 0..10 {
        koo_sessions.push(pick(i, &a, &b).koo_session(koo::SEED_CODE, &[]).await);
    }
    let info = a.koo_session_info(&[]).await;
    let app = a.oa_app_token(&[]).await;
    let oa_session = a.oa_session_token(&[]).await;
    let (enos_access, enos_refresh) = a.enos_session(&[]).await;
    let logged_off = a.koo_session(koo::SEED_CODE, &[]).await;
    koo_ok(&a.koo_logoff(&logged_off).await);

    a.kill_and_restart();

    for s in &koo_sessions {
        assert_status(&a.koo_auth(s, &[]).await, 200);
    }
    koo_session_invalid(&a.koo_auth(&logged_off, &[]).await);
    koo_ok(
        &a.koo_refresh(
            &str_of(&info, "accessToken"),
            &str_of(&info, "refreshToken"),
        )
        .await,
    );
    let ticket = a.oa_sso_ticket(&app, &oa_session, &[]).await;
    assert_status(&a.oa_verify(&app, &ticket, &[]).await, 200);
    enos_ok(&a.enos_info(&enos_access, &[]).await);
    enos_ok(&a.enos_refresh(&enos_refresh).await);
    let h = a.health().await;
    assert_eq!(
        (h.status, &h.body["store"]),
        (200, &json!("redis")),
        "{}",
        h.text
    );
}

/// Asserts a 503 for a lost store: `Retry-After: 1`, JSON, and the body's keys.
fn store_down(r: &Resp, body_keys: &[&str]) {
    assert_status(r, 503);
    assert_eq!(r.header("retry-after"), "1", "{:?}", r.headers);
    assert!(
        r.header("content-type").starts_with("application/json"),
        "{:?}",
        r.headers
    );
    assert_eq!(keys(&r.body), body_keys, "{}", r.text);
}

fn koo_store_down(r: &Resp) {
    store_down(r, &["code", "msg"]);
    assert_eq!(r.body["code"], json!(503), "{}", r.text);
    assert!(
        r.body["msg"].as_str().is_some_and(|m| !m.is_empty()),
        "{}",
        r.text
    );
}

fn oa_store_down(r: &Resp) {
    store_down(r, &["error_code", "error_msg"]);
    assert_eq!(r.body["error_code"], json!("STORE.0503"), "{}", r.text);
    assert!(
        r.body["error_msg"].as_str().is_some_and(|m| !m.is_empty()),
        "{}",
        r.text
    );
}

fn enos_store_down(r: &Resp) {
    store_down(r, &["code", "data", "message"]);
    assert_eq!(r.body["code"], json!(503), "{}", r.text);
    assert_eq!(r.body["data"], Value::Null, "{}", r.text);
    assert!(
        r.body["message"].as_str().is_some_and(|m| !m.is_empty()),
        "{}",
        r.text
    );
}

#[tokio::test]
async fn redis_lost_mid_run_answers_503_then_serving_resumes_with_nothing_acknowledged_lost() {
    let mut redis = redis_or_skip!();
    let (mut a, mut b) = replicas(&redis);
    let koo_session = a.koo_session(koo::SEED_CODE, &[]).await;
    let info = b.koo_session_info(&[]).await;
    let app = a.oa_app_token(&[]).await;
    let oa_session = b.oa_session_token(&[]).await;
    let (enos_access, enos_refresh) = b.enos_session(&[]).await;
    let logged_off = a.koo_session(koo::SEED_CODE, &[]).await;
    koo_ok(&b.koo_logoff(&logged_off).await);
    let code = a.mint_auth_code(koo::USER_ID, &[]).await;

    redis.stop();

    for node in [&a, &b] {
        koo_store_down(&node.koo_auth(&koo_session, &[]).await);
        koo_store_down(&node.koo_login_as(koo::ACCOUNT, koo::PASSWORD, &[]).await);
        koo_store_down(&node.koo_create_session(koo::SEED_CODE, &[]).await);
        oa_store_down(&node.oa_token_request(&[]).await);
        oa_store_down(&node.oa_ticket(&app, &oa_session, &[]).await);
        enos_store_down(&node.enos_login(enos::ACCOUNT, enos::PASSWORD, &[]).await);
        enos_store_down(&node.enos_info(&enos_access, &[]).await);

        let h = node.health().await;
        assert_status(&h, 503);
        assert_eq!(h.body["store"], json!("down"), "{}", h.text);
        assert_eq!(h.body["status"], json!("unavailable"), "{}", h.text);

        for r in [
            node.get("/__admin/clock", &[]).await,
            node.post(
                "/__admin/koodrive/auth-codes",
                &[],
                json!({ "userId": koo::USER_ID }),
            )
            .await,
        ] {
            assert_status(&r, 503);
            assert!(
                r.header("retry-after").parse::<u64>().is_ok(),
                "{:?}",
                r.headers
            );
            let msg = r.body["error"].as_str().unwrap_or_default();
            assert!(msg.contains("store"), "{}", r.text);
        }
    }

    redis.start();
    wait_until_healthy(&[&a, &b], RESUME_WITHIN).await;

    a.assert_running();
    b.assert_running();
    for node in [&a, &b] {
        assert_status(&node.koo_auth(&koo_session, &[]).await, 200);
        koo_session_invalid(&node.koo_auth(&logged_off, &[]).await);
        assert_status(&node.oa_ticket(&app, &oa_session, &[]).await, 200);
        enos_ok(&node.enos_info(&enos_access, &[]).await);
    }
    koo_ok(
        &a.koo_refresh(
            &str_of(&info, "accessToken"),
            &str_of(&info, "refreshToken"),
        )
        .await,
    );
    enos_ok(&b.enos_refresh(&enos_refresh).await);
    assert_eq!(
        koo_ok(&b.koo_create_session(&code, &[]).await)["userId"],
        json!(koo::USER_ID)
    );
    // And new work is served.
    koo_ok(&a.koo_login_as(koo::ACCOUNT, koo::PASSWORD, &[]).await);
    enos_ok(&b.enos_login(enos::ACCOUNT, enos::PASSWORD, &[]).await);
}

#[tokio::test]
async fn namespaces_are_shared_across_replicas_and_stay_apart() {
    let redis = redis_or_skip!();
    let (a, b) = replicas(&redis);
    let (t1, t2) = (ns("t1"), ns("t2"));

    let session = a.koo_session(koo::SEED_CODE, &t1).await;
    let enos_login = a.enos_login_token(&t1).await;
    a.clock(json!({ "set": JAN_2026, "freeze": true }), &t1)
        .await;

    assert_status(&b.koo_auth(&session, &t1).await, 200);
    koo_session_invalid(&b.koo_auth(&session, &t2).await);
    koo_session_invalid(&b.koo_auth(&session, &[]).await);
    enos_error(
        &b.enos_set(&enos_login, enos::ORG, &t2).await,
        31401,
        "Please login first",
    );
    enos_ok(&b.enos_set(&enos_login, enos::ORG, &t1).await);
    assert_eq!(b.get_clock(&t1).await["epochMs"], json!(JAN_2026_MS));
    assert_eq!(b.get_clock(&t2).await["mode"], json!("real"));

    // A namespace's fixtures load once: B's first use of t3 keeps what A did there before.
    let t3 = ns("t3");
    a.add_identity(
        "koodrive",
        "users",
        koo_user("1008600000709990006", "t3_only"),
        &t3,
    )
    .await;
    let in_t3 = a.koo_session(koo::SEED_CODE, &t3).await;
    koo_ok(&b.koo_login_as("t3_only", "N3w-Koo-Pass", &t3).await);
    assert_status(&b.koo_auth(&in_t3, &t3).await, 200);
    koo_ok(&b.koo_create_session(koo::SEED_CODE, &t3).await);
    koo_wrong_password(&b.koo_login_as("t3_only", "N3w-Koo-Pass", &t2).await);
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

#[tokio::test]
async fn the_request_journal_stays_per_replica() {
    let redis = redis_or_skip!();
    let (a, b) = replicas(&redis);

    koo_ok(&a.koo_login_as(koo::ACCOUNT, koo::PASSWORD, &[]).await);

    let on_a = a.journal().await;
    let on_b = b.journal().await;
    assert!(
        on_a.iter().any(|e| e["path"] == json!(koo::LOGIN)),
        "{on_a:?}"
    );
    assert!(
        !on_b.iter().any(|e| e["path"] == json!(koo::LOGIN)),
        "{on_b:?}"
    );
}
