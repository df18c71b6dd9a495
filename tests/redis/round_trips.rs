//! What each vendor request sends to Redis once its replica has read the namespace header (the
//! steady state), counted with `MONITOR`: the header is checked inside the request's first command,
//! and every request sends one script, also one that reads a credential to write another. One test per flow, run
//! twice: the first run loads the scripts, the second is counted request by request.

use super::header::Monitor;
use super::*;

/// The commands a flow's requests send, asserted on the counted run only.
struct Count<'a> {
    redis: &'a Redis,
    monitor: Option<Monitor>,
}

impl Count<'_> {
    fn sent(&mut self, want: &[&str], request: &str) {
        if let Some(m) = &mut self.monitor {
            assert_eq!(m.sent(self.redis), want, "{request}");
        }
    }

    /// Forgets what was sent (by a control-plane request, not counted here).
    fn skip(&mut self) {
        if let Some(m) = &mut self.monitor {
            m.sent(self.redis);
        }
    }
}

/// Runs `flow` on a fresh replica, once to load its scripts, then counted.
async fn twice<F>(flow: F)
where
    F: AsyncFn(&Node, &mut Count<'_>),
{
    let redis = redis_or_skip!();
    let b = Node::start(&redis.url());
    let mut count = Count {
        redis: &redis,
        monitor: None,
    };
    flow(&b, &mut count).await;
    count.monitor = Some(Monitor::start(&redis));
    count.sent(&[], "nothing between the runs");
    flow(&b, &mut count).await;
}

/// One script.
const ONE: &[&str] = &["evalsha"];

/// KooDrive sessions: created from a code, checked, refreshed, logged off.
#[tokio::test]
async fn a_koodrive_session_costs_one_script_per_request() {
    twice(async |b: &Node, c: &mut Count<'_>| {
        let code = b.mint_auth_code(koo::USER_ID, &[]).await;
        c.skip();
        let session = b.koo_session(&code, &[]).await;
        c.sent(ONE, "createSession with a minted code");
        let created = b.koo_create_session(koo::SEED_CODE, &[]).await;
        let (seeded, sid) = (
            str_of(koo_ok(&created), "accessToken"),
            str_of(koo_ok(&created), "sessionId"),
        );
        c.sent(ONE, "createSession with a fixture code");
        assert_status(&b.koo_auth(&session, &[]).await, 200);
        c.sent(ONE, "session/auth");
        let auth = [("Authorization", seeded.as_str()), ("x-session-id", &sid)];
        let r = b.post_raw(koo::SESSION_REFRESH, &auth, b"").await;
        assert_status(&r, 200);
        c.sent(ONE, "session/refresh");
        assert_status(&b.koo_logoff(&session).await, 200);
        c.sent(ONE, "session/logoff");
    })
    .await;
}

/// KooDrive logins: by password, by a minted verification code, and the token refresh.
#[tokio::test]
async fn a_koodrive_login_and_a_token_refresh_cost_one_script_each() {
    twice(async |b: &Node, c: &mut Count<'_>| {
        let code = b.mint_verification_code(koo::ACCOUNT).await;
        c.skip();
        let info = koo_ok(&b.koo_login(&[]).await)["sessionInfo"].clone();
        c.sent(ONE, "a password login");
        let body = json!({ "account": koo::ACCOUNT, "authType": "2", "captchaToken": code });
        koo_ok(&b.post(koo::LOGIN, &[koo::AGENT], body).await);
        c.sent(ONE, "a verification-code login");
        let access = str_of(&info, "accessToken");
        koo_ok(&b.koo_refresh(&access, &str_of(&info, "refreshToken")).await);
        c.sent(ONE, "auth/refreshToken");
    })
    .await;
}

/// OneAccess: the app token, a login, a ticket and its verification.
#[tokio::test]
async fn oneaccess_requests_cost_one_script_each() {
    twice(async |b: &Node, c: &mut Count<'_>| {
        let app = b.oa_app_token(&[]).await;
        c.sent(ONE, "tenant/token");
        let session = b.oa_session_token(&[]).await;
        c.sent(ONE, "sdk/login");
        let ticket = b.oa_sso_ticket(&app, &session, &[]).await;
        c.sent(ONE, "sso-ticket");
        assert_status(&b.oa_verify(&app, &ticket, &[]).await, 200);
        c.sent(ONE, "sso-ticket/verify");
    })
    .await;
}

/// EnOS: a login, the organization chosen, the session read, the token refreshed, a logout.
#[tokio::test]
async fn enos_requests_cost_one_script_each() {
    twice(async |b: &Node, c: &mut Count<'_>| {
        let login = b.enos_login_token(&[]).await;
        c.sent(ONE, "login");
        let r = b.enos_set(&login, enos::ORG, &[]).await;
        let data = enos_ok(&r).clone();
        c.sent(ONE, "session/set");
        let (access, refresh) = (str_of(&data, "accessToken"), str_of(&data, "refreshToken"));
        enos_ok(&b.enos_info(&access, &[]).await);
        c.sent(ONE, "session/info");
        let r = b.enos_refresh(&refresh).await;
        let access = str_of(enos_ok(&r), "accessToken");
        c.sent(ONE, "token/refresh");
        enos_ok(&b.enos_logout(&access).await);
        c.sent(ONE, "logout");
    })
    .await;
}

/// A header written before it kept its versions in one field (`v`, what a request's script
/// checks) is stamped by the first request that reads it: the requests after it cost one script
/// again, rather than a stale check, a read and a second run each.
#[tokio::test]
async fn a_header_without_its_versions_field_is_stamped_once_and_requests_cost_one_script_again() {
    let redis = redis_or_skip!();
    let b = Node::start(&redis.url());
    koo_ok(&b.koo_login(&[]).await);
    let meta = "am:n:default:meta";
    let v = redis.text(&["HGET", meta, "v"]).unwrap_or_default();
    assert!(v.contains(':'), "the versions, joined: {v:?}");
    assert_eq!(redis.command(&["HDEL", meta, "v"]).as_deref(), Some(":1"));
    let mut m = Monitor::start(&redis);

    koo_ok(&b.koo_login(&[]).await);
    assert_eq!(
        m.sent(&redis),
        // The stamping script is loaded on its first use (`script`).
        ["evalsha", "hmget", "evalsha", "script", "evalsha", "hmget", "evalsha"],
        "stale, read, stamped, read, run again"
    );
    koo_ok(&b.koo_login(&[]).await);
    assert_eq!(m.sent(&redis), ["evalsha"], "one script again");
    assert_eq!(redis.text(&["HGET", meta, "v"]), Some(v));
}

/// EnOS `session/set` signs a refresh token for the token's user, so it must know that user before
/// its script: the replica that issued the token remembers it (one script); another replica reads
/// the token first (two).
#[tokio::test]
async fn enos_session_set_on_a_replica_that_did_not_issue_the_token_reads_it_first() {
    let redis = redis_or_skip!();
    let (a, b) = replicas(&redis);
    // Loads the scripts on both (B's first request reads the header, its second checks it).
    for _ in 0..2 {
        let warm = a.enos_login_token(&[]).await;
        enos_ok(&b.enos_set(&warm, enos::ORG, &[]).await);
    }
    let here = b.enos_login_token(&[]).await;
    let there = a.enos_login_token(&[]).await;
    let mut m = Monitor::start(&redis);

    enos_ok(&b.enos_set(&here, enos::ORG, &[]).await);
    assert_eq!(m.sent(&redis), ONE, "a token B issued");
    enos_ok(&b.enos_set(&there, enos::ORG, &[]).await);
    assert_eq!(m.sent(&redis), ["evalsha", "evalsha"], "a token A issued");
}
