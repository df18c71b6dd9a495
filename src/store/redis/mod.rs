//! The Redis backend, the shared store (`--store redis://…`): every namespace's state lives in Redis, so that replicas
//! behind a load balancer, and a restarted process, serve one state.
//!
//! Key layout (prefix `am:`):
//!
//! | key | what |
//! |---|---|
//! | `am:seq` | process ordinals (`INCR` at start-up: seeded replicas draw distinct sequences) |
//! | `am:ns` | set of namespace names |
//! | `am:n:{ns}:meta` | hash: `epoch`, `clock`, `ids` (the identity changes, JSON), `faults` (JSON), each with a `:v` version; `v`: those versions in one text, which requests check |
//! | `am:n:{ns}:{epoch}:t:{token}` | a credential's record (JSON); TTL: its retention plus [`GC_MARGIN_MS`] |
//! | `am:n:{ns}:{epoch}:l:{family}:{user}` | lockout hash `f` (failures), `u` (locked until) |
//!
//! Every guarantee is one server-side step: a one-time credential is taken by a compare-and-delete
//! script, a lockout counted by one script, a meta field changed by compare-version-and-set. Reset bumps
//! the epoch, so the old epoch's keys are out of reach at once; they are unlinked in the background. A
//! restored snapshot is written under a new epoch in one script, the same way.

mod credentials;
mod header;
mod hub;
mod logins;
mod namespace;
mod record;
mod redeem;
mod restore;

pub use header::{prefix, Meta, Setup};
pub use hub::{Hub, IdsCache};
pub use namespace::Session;
pub use record::encode;

use redis::aio::{ConnectionManager, ConnectionManagerConfig};
use redis::{FromRedisValue, Script};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, OnceLock};
use std::time::Duration;

/// How long a key outlives its mock expiry: Redis TTLs follow real time and only collect garbage, so
/// a mock clock that runs slower (frozen, set back) is covered for this long.
pub const GC_MARGIN_MS: i64 = 7 * 24 * 3600 * 1000;
/// Longest a command waits for its answer, or for a connection, before the request answers 503
/// (the connection manager enforces both: no timer of our own per call).
const CALL_TIMEOUT: Duration = Duration::from_secs(1);

/// A verb's failure on the shared store: Redis did not answer (down, unreachable, timed out:
/// [`Down::LOST`], answered 503), or it answered with an error reply, such as a key of the wrong
/// type under a namespace ([`Down::broken`], answered 500 naming the key: waiting will not fix it).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}", .0.as_deref().unwrap_or("the store is unreachable"))]
pub struct Down(Option<Arc<str>>);

impl Down {
    /// The store did not answer.
    pub const LOST: Down = Down(None);

    /// What Redis refused, when it answered with an error rather than not at all.
    pub fn broken(&self) -> Option<&Arc<str>> {
        self.0.as_ref()
    }
}

/// Whether an error means Redis was not reached (or not ready), rather than an answer refusing the
/// command: only these answer 503 and mark the store down.
fn is_unreachable(e: &redis::RedisError) -> bool {
    use redis::{ErrorKind as K, ServerErrorKind as S};
    e.is_io_error()
        || e.is_timeout()
        || e.is_connection_dropped()
        || e.is_connection_refusal()
        || matches!(
            e.kind(),
            K::AuthenticationFailed
                | K::Server(S::BusyLoading | S::TryAgain | S::ClusterDown | S::MasterDown)
        )
}

/// The type of value authmock keeps under `key`, by its shape (see the key layout above).
fn expected_type(key: &str) -> Option<&'static str> {
    let rest = key.strip_prefix("am:")?;
    if rest == "ns" {
        return Some("set");
    }
    let Some(rest) = rest.strip_prefix("n:") else {
        return Some("string");
    };
    if rest.ends_with(":meta") {
        return Some("hash");
    }
    // `{ns}:{epoch}:t:…` or `{ns}:{epoch}:l:…`; a namespace name has no `:`.
    match rest.split(':').nth(2) {
        Some("t") => Some("string"),
        Some("l") => Some("hash"),
        _ => None,
    }
}

/// A connection to the shared store; cloning is cheap.
#[derive(Clone)]
pub struct Remote(Arc<Inner>);

struct Inner {
    conn: ConnectionManager,
    shown: String,
    up: AtomicBool,
    ordinal: u64,
    stats: crate::metrics::StoreCounts,
}

impl std::fmt::Debug for Remote {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Remote")
            .field("url", &self.0.shown)
            .finish()
    }
}

/// The URL with its password (if any) shown as `***`; also a malformed one (`redis:/…`, `reddis://…`),
/// since the text of a start-up error must not carry a secret either.
pub fn shown_url(url: &str) -> String {
    let Some((cred, host)) = url.rsplit_once('@') else {
        return url.to_string();
    };
    let (before, userinfo) = match cred.rfind('/') {
        Some(i) => cred.split_at(i + 1),
        None => ("", cred),
    };
    match userinfo.split_once(':') {
        Some((user, _)) => format!("{before}{user}:***@{host}"),
        None => format!("{before}***@{host}"),
    }
}

/// Whether `s` names the shared store (`redis://…` or `rediss://…`).
pub fn is_redis_url(s: &str) -> bool {
    s.starts_with("redis://") || s.starts_with("rediss://")
}

impl Remote {
    /// Connects, or says why not in one line naming the URL (password hidden).
    pub async fn connect(url: &str) -> Result<Remote, String> {
        let shown = shown_url(url);
        let fail = |e: &dyn std::fmt::Display| format!("cannot reach the store at {shown}: {e}");
        let client = redis::Client::open(url).map_err(|e| fail(&e))?;
        let cfg = ConnectionManagerConfig::new()
            .set_connection_timeout(Some(CALL_TIMEOUT))
            .set_response_timeout(Some(CALL_TIMEOUT))
            .set_number_of_retries(1)
            .set_max_delay(Duration::from_millis(500));
        let conn = tokio::time::timeout(
            Duration::from_secs(5),
            ConnectionManager::new_with_config(client, cfg),
        )
        .await
        .map_err(|_| fail(&"timed out"))?
        .map_err(|e| fail(&e))?;
        let mut c = conn.clone();
        let ordinal: u64 = redis::cmd("INCR")
            .arg("am:seq")
            .query_async(&mut c)
            .await
            .map_err(|e| fail(&e))?;
        Ok(Remote(Arc::new(Inner {
            conn,
            shown,
            up: AtomicBool::new(true),
            ordinal,
            stats: Default::default(),
        })))
    }

    /// The URL, password hidden.
    pub fn shown(&self) -> &str {
        &self.0.shown
    }

    /// This process's ordinal among those that connected to this Redis (1 for the first).
    pub fn ordinal(&self) -> u64 {
        self.0.ordinal
    }

    /// This process's calls to the store (for `GET /__admin/metrics`).
    pub fn stats(&self) -> &crate::metrics::StoreCounts {
        &self.0.stats
    }

    /// Whether the last call reached Redis.
    pub fn is_up(&self) -> bool {
        self.0.up.load(Ordering::Relaxed)
    }

    /// PINGs Redis (for the health route).
    pub async fn ping(&self) -> bool {
        self.query::<String>(&redis::cmd("PING")).await.is_ok()
    }

    async fn outcome<T>(&self, r: redis::RedisResult<T>, keys: &[&str]) -> Result<T, Down> {
        let err = match r {
            Ok(v) => {
                if !self.0.up.swap(true, Ordering::Relaxed) {
                    tracing::warn!(store = %self.0.shown, "the store is reachable again");
                }
                return Ok(v);
            }
            Err(e) if !is_unreachable(&e) => return Err(self.diagnose(&e, keys).await),
            Err(e) => e.to_string(),
        };
        if self.0.up.swap(false, Ordering::Relaxed) {
            tracing::error!(store = %self.0.shown, error = %err, "the store is unreachable: answering 503 until it returns");
        }
        Err(Down::LOST)
    }

    /// The error for a reply refusing a command on `keys`: names the key whose type is not the one
    /// authmock keeps there (one `TYPE` per key, only on this path), else the keys and the reply.
    async fn diagnose(&self, e: &redis::RedisError, keys: &[&str]) -> Down {
        let mut what = None;
        for k in keys {
            let Some(want) = expected_type(k) else {
                continue;
            };
            let mut c = self.0.conn.clone();
            let found: Option<String> = redis::cmd("TYPE").arg(*k).query_async(&mut c).await.ok();
            if let Some(found) = found.filter(|f| f != want && f != "none") {
                what = Some(format!(
                    "the key {k} holds a {found}, not the {want} authmock keeps there"
                ));
                break;
            }
        }
        let what = what.unwrap_or_else(|| format!("Redis refused a command on {keys:?}: {e}"));
        tracing::error!(store = %self.0.shown, "{what}");
        Down(Some(Arc::from(format!(
            "the shared store holds data authmock cannot use: {what}; \
             POST /__admin/reset clears the namespace"
        ))))
    }

    /// Runs one call. A call that found the connection refused (its last reconnect failed) is tried
    /// once more: nothing was sent, and the retry waits on the fresh reconnect, so that the first
    /// request after Redis returns is served rather than refused.
    async fn call<T, F, Fut>(&self, keys: &[&str], f: F) -> Result<T, Down>
    where
        F: Fn(ConnectionManager) -> Fut,
        Fut: std::future::Future<Output = redis::RedisResult<T>>,
    {
        let start = std::time::Instant::now();
        let mut r = f(self.0.conn.clone()).await;
        if matches!(&r, Err(e) if e.is_connection_refusal()) {
            r = f(self.0.conn.clone()).await;
        }
        let us = start.elapsed().as_micros() as u64;
        self.0.stats.call(us, r.is_ok());
        self.outcome(r, keys).await
    }

    /// Runs one command.
    pub(crate) async fn query<T: FromRedisValue>(&self, cmd: &redis::Cmd) -> Result<T, Down> {
        // The key a command names is its first argument (the commands used here: GET, SET, HMGET, …).
        let key = match cmd.args_iter().nth(1) {
            Some(redis::Arg::Simple(k)) => std::str::from_utf8(k).ok(),
            _ => None,
        };
        let keys: &[&str] = match &key {
            Some(k) => std::slice::from_ref(k),
            None => &[],
        };
        self.call(keys, |mut c| async move { cmd.query_async(&mut c).await })
            .await
    }

    /// Runs a script (EVALSHA, loading it again after a Redis restart).
    pub(crate) async fn script<T: FromRedisValue>(
        &self,
        s: &Script,
        keys: &[&str],
        args: &[&str],
    ) -> Result<T, Down> {
        // The EVALSHA is built here, once, rather than by `Script::invoke_async`, which copies every
        // key and argument into a buffer of its own before it builds the command.
        let len = keys.iter().chain(args).map(|a| a.len()).sum::<usize>() + 64;
        let mut cmd = redis::Cmd::with_capacity(3 + keys.len() + args.len(), len);
        cmd.arg("EVALSHA")
            .arg(s.get_hash())
            .arg(keys.len())
            .arg(keys)
            .arg(args);
        let cmd = &cmd;
        self.call(keys, |mut c| async move {
            match cmd.query_async(&mut c).await {
                Err(e)
                    if e.kind() == redis::ErrorKind::Server(redis::ServerErrorKind::NoScript) =>
                {
                    // Not loaded yet, or Redis restarted since: load it, and run it once more.
                    s.prepare_invoke().load_async(&mut c).await?;
                    cmd.query_async(&mut c).await
                }
                r => r,
            }
        })
        .await
    }
}

/// Rounds of a compare-and-swap that lost to another writer. Each round one writer wins, so n racers
/// need n rounds: a random pause spreads them out, and a deadline bounds the whole (then 503).
pub(crate) struct Contended {
    deadline: tokio::time::Instant,
    round: u64,
}

impl Contended {
    pub(crate) fn new() -> Contended {
        Contended {
            deadline: tokio::time::Instant::now() + Duration::from_secs(10),
            round: 0,
        }
    }

    /// After a lost round: pauses, or says the time is up.
    pub(crate) async fn lost(&mut self) -> Result<(), Down> {
        if tokio::time::Instant::now() >= self.deadline {
            return Err(Down::LOST);
        }
        let ms = rand::random_range(0..=self.round.min(8));
        self.round += 1;
        tokio::time::sleep(Duration::from_millis(ms)).await;
        Ok(())
    }
}

/// One script, built on first use.
fn script(cell: &'static OnceLock<Script>, src: &str) -> &'static Script {
    cell.get_or_init(|| Script::new(src))
}

#[cfg(test)]
mod tests {
    use super::{shown_url, Contended, Down};

    /// Losing every round for 10 s takes a writer that wins each GET-to-compare gap: a race no
    /// HTTP test can hold for 10 s, so the deadline is checked here, on a `Contended` already due.
    #[tokio::test]
    async fn a_compare_and_swap_that_keeps_losing_gives_up_at_its_deadline() {
        let now = tokio::time::Instant::now();
        let mut due = Contended {
            deadline: now,
            round: 0,
        };
        assert_eq!(due.lost().await, Err(Down::LOST));
        let mut early = Contended::new();
        assert_eq!(early.lost().await, Ok(()));
        assert_eq!(early.round, 1);
    }

    #[test]
    fn a_password_in_the_url_is_never_shown() {
        assert_eq!(
            shown_url("redis://127.0.0.1:6379/2"),
            "redis://127.0.0.1:6379/2"
        );
        assert_eq!(shown_url("redis://u:secret@h:1"), "redis://u:***@h:1");
        assert_eq!(shown_url("rediss://:secret@h:1/0"), "rediss://:***@h:1/0");
        assert_eq!(shown_url("redis://secret@h:1"), "redis://***@h:1");
    }
}
