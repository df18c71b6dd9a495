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
#[path = "redis/control.rs"]
mod control;
#[path = "redis/credentials.rs"]
mod credentials;
#[path = "redis/lockout.rs"]
mod lockout;
#[path = "redis/outage.rs"]
mod outage;
#[path = "redis/startup.rs"]
mod startup;

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

    /// A successful seed 001 login's `sessionInfo`.
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

/// The documented bound (docs/redis.md) is about 2 s; asserted generously, as an upper bound only,
/// so that a loaded machine does not fail it.
const HUNG_REDIS_ANSWERED_WITHIN: Duration = Duration::from_secs(8);
