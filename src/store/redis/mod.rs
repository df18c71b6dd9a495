//! The Redis backend, the shared store (`--store redis://…`): every namespace's state lives in Redis, so that replicas
//! behind a load balancer, and a restarted process, serve one state.
//!
//! Key layout (prefix `am:`):
//!
//! | key | what |
//! |---|---|
//! | `am:seq` | process ordinals (`INCR` at start-up: seeded replicas draw distinct sequences) |
//! | `am:ns` | set of namespace names |
//! | `am:n:{ns}:meta` | hash: `epoch`, `clock`, `ids` (the identity changes, JSON), `faults` (JSON), each with a `:v` version |
//! | `am:n:{ns}:{epoch}:t:{token}` | a credential's record (JSON); TTL: its retention plus [`GC_MARGIN_MS`] |
//! | `am:n:{ns}:{epoch}:l:{family}:{user}` | lockout hash `f` (failures), `u` (locked until) |
//!
//! Every guarantee is one server-side step: a one-time credential is taken by a compare-and-delete
//! script, a lockout counted by one script, a meta field changed by compare-version-and-set. Reset bumps
//! the epoch, so the old epoch's keys are out of reach at once; they are unlinked in the background.

mod credentials;
mod namespace;

pub use credentials::encode;
pub use namespace::{Hub, IdsCache, Session};

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

/// Redis did not answer (down, unreachable, timed out, or refused the command).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("the store is unreachable")]
pub struct Down;

/// A connection to the shared store; cloning is cheap.
#[derive(Clone)]
pub struct Remote(Arc<Inner>);

struct Inner {
    conn: ConnectionManager,
    shown: String,
    up: AtomicBool,
    ordinal: u64,
}

impl std::fmt::Debug for Remote {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Remote")
            .field("url", &self.0.shown)
            .finish()
    }
}

/// The URL with its password (if any) shown as `***`.
pub fn shown_url(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_string();
    };
    match rest.rsplit_once('@') {
        Some((cred, host)) => match cred.split_once(':') {
            Some((user, _)) => format!("{scheme}://{user}:***@{host}"),
            None => format!("{scheme}://***@{host}"),
        },
        None => url.to_string(),
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

    /// Whether the last call reached Redis.
    pub fn is_up(&self) -> bool {
        self.0.up.load(Ordering::Relaxed)
    }

    /// PINGs Redis (for the health route).
    pub async fn ping(&self) -> bool {
        self.query::<String>(&redis::cmd("PING")).await.is_ok()
    }

    fn outcome<T>(&self, r: redis::RedisResult<T>) -> Result<T, Down> {
        let err = match r {
            Ok(v) => {
                if !self.0.up.swap(true, Ordering::Relaxed) {
                    tracing::warn!(store = %self.0.shown, "the store is reachable again");
                }
                return Ok(v);
            }
            Err(e) => e.to_string(),
        };
        if self.0.up.swap(false, Ordering::Relaxed) {
            tracing::error!(store = %self.0.shown, error = %err, "the store is unreachable: answering 503 until it returns");
        }
        Err(Down)
    }

    /// Runs one call. A call that found the connection refused (its last reconnect failed) is tried
    /// once more: nothing was sent, and the retry waits on the fresh reconnect, so that the first
    /// request after Redis returns is served rather than refused.
    async fn call<T, F, Fut>(&self, f: F) -> Result<T, Down>
    where
        F: Fn(ConnectionManager) -> Fut,
        Fut: std::future::Future<Output = redis::RedisResult<T>>,
    {
        let mut r = f(self.0.conn.clone()).await;
        if matches!(&r, Err(e) if e.is_connection_refusal()) {
            r = f(self.0.conn.clone()).await;
        }
        self.outcome(r)
    }

    /// Runs one command.
    pub(crate) async fn query<T: FromRedisValue>(&self, cmd: &redis::Cmd) -> Result<T, Down> {
        self.call(|mut c| async move { cmd.query_async(&mut c).await })
            .await
    }

    /// Runs a script (EVALSHA, loading it again after a Redis restart).
    pub(crate) async fn script<T: FromRedisValue>(
        &self,
        s: &Script,
        keys: &[&str],
        args: &[&str],
    ) -> Result<T, Down> {
        let mut inv = s.prepare_invoke();
        for k in keys {
            inv.key(*k);
        }
        for a in args {
            inv.arg(*a);
        }
        let inv = &inv;
        self.call(|mut c| async move { inv.invoke_async(&mut c).await })
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
            return Err(Down);
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

fn meta_key(ns: &str) -> String {
    format!("am:n:{ns}:meta")
}

/// The key prefix of a namespace's epoch: credentials and lockouts live under it.
pub fn prefix(ns: &str, epoch: u64) -> String {
    format!("am:n:{ns}:{epoch}:")
}

/// A namespace's shared header, read at the start of every request.
#[derive(Debug, Clone, Default)]
pub struct Meta {
    pub epoch: u64,
    /// The clock's state ([`crate::clock::Clock::state`]).
    pub clock: Option<String>,
    /// The identity changes' version; `None` before the namespace was first set up.
    pub ids_version: Option<u64>,
    /// The queued faults (JSON), when any.
    pub faults: Option<String>,
    /// The fingerprint of the fixtures the namespace was set up with.
    pub fixtures: Option<String>,
}

/// What a namespace is set up with the first time any replica uses it.
pub struct Setup<'a> {
    pub clock: &'a str,
    /// The fingerprint of the setting-up replica's fixtures.
    pub fixtures: &'a str,
    /// Credentials the fixtures issue (EnOS static tokens), as (token, record JSON).
    pub tokens: &'a [(String, String)],
}

impl Remote {
    /// The namespace's header: one round trip.
    pub async fn meta(&self, ns: &str) -> Result<Meta, Down> {
        type Row = (
            Option<u64>,
            Option<String>,
            Option<u64>,
            Option<String>,
            Option<String>,
        );
        let (epoch, clock, ids_v, faults, fixtures): Row = self
            .query(
                redis::cmd("HMGET")
                    .arg(meta_key(ns))
                    .arg(&["epoch", "clock", "ids:v", "faults", "fx"]),
            )
            .await?;
        Ok(Meta {
            epoch: epoch.unwrap_or(0),
            clock,
            ids_version: ids_v,
            faults: faults.filter(|f| f != "[]"),
            fixtures,
        })
    }

    /// Sets a namespace up unless a replica already did (one script: exactly one wins).
    pub async fn setup(&self, ns: &str, s: &Setup<'_>) -> Result<(), Down> {
        static SRC: OnceLock<Script> = OnceLock::new();
        let sc = script(
            &SRC,
            r#"
if redis.call('HEXISTS', KEYS[1], 'ids:v') == 1 then return 0 end
local e = redis.call('HGET', KEYS[1], 'epoch') or '0'
redis.call('HSET', KEYS[1], 'epoch', e, 'ids', '[]', 'ids:v', '1', 'clock', ARGV[2], 'clock:v', '1', 'fx', ARGV[3])
redis.call('SADD', KEYS[2], ARGV[1])
local p = 'am:n:' .. ARGV[1] .. ':' .. e .. ':t:'
for i = 4, #ARGV, 2 do redis.call('SET', p .. ARGV[i], ARGV[i + 1]) end
return 1
"#,
        );
        let mut args: Vec<&str> = vec![ns, s.clock, s.fixtures];
        for (t, rec) in s.tokens {
            args.push(t);
            args.push(rec);
        }
        let _: i64 = self.script(sc, &[&meta_key(ns), "am:ns"], &args).await?;
        Ok(())
    }

    /// A meta field and its version (0 when never written).
    pub async fn field(&self, ns: &str, field: &str) -> Result<(Option<String>, u64, u64), Down> {
        let (v, ver, epoch): (Option<String>, Option<u64>, Option<u64>) = self
            .query(
                redis::cmd("HMGET")
                    .arg(meta_key(ns))
                    .arg(field)
                    .arg(format!("{field}:v"))
                    .arg("epoch"),
            )
            .await?;
        Ok((v, ver.unwrap_or(0), epoch.unwrap_or(0)))
    }

    /// Writes a meta field if its version and the epoch are still those read; false if another
    /// replica wrote first (read again and retry).
    pub async fn swap_field(
        &self,
        ns: &str,
        field: &str,
        version: u64,
        epoch: u64,
        value: &str,
    ) -> Result<bool, Down> {
        static SRC: OnceLock<Script> = OnceLock::new();
        let sc = script(
            &SRC,
            r#"
local v = redis.call('HGET', KEYS[1], ARGV[1] .. ':v') or '0'
local e = redis.call('HGET', KEYS[1], 'epoch') or '0'
if v ~= ARGV[2] or e ~= ARGV[3] then return 0 end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[4], ARGV[1] .. ':v', tostring(tonumber(v) + 1))
return 1
"#,
        );
        let (ver, ep) = (version.to_string(), epoch.to_string());
        let done: i64 = self
            .script(sc, &[&meta_key(ns)], &[field, &ver, &ep, value])
            .await?;
        Ok(done == 1)
    }

    /// Resets a namespace everywhere: a new epoch, set up again by the next request.
    pub async fn reset(&self, ns: &str) -> Result<(), Down> {
        static SRC: OnceLock<Script> = OnceLock::new();
        let sc = script(
            &SRC,
            r#"
local e = tonumber(redis.call('HGET', KEYS[1], 'epoch') or '0')
redis.call('DEL', KEYS[1])
redis.call('HSET', KEYS[1], 'epoch', tostring(e + 1))
return e
"#,
        );
        let old: u64 = self.script(sc, &[&meta_key(ns)], &[]).await?;
        let me = self.clone();
        let pattern = format!("{}*", prefix(ns, old));
        tokio::spawn(async move { me.unlink_matching(&pattern).await });
        Ok(())
    }

    /// Resets every namespace; only `default` is set up again on use.
    pub async fn reset_all(&self) -> Result<(), Down> {
        for ns in self.namespaces().await? {
            self.reset(&ns).await?;
        }
        self.query::<i64>(redis::cmd("DEL").arg("am:ns")).await?;
        Ok(())
    }

    /// Every namespace set up in this Redis.
    pub async fn namespaces(&self) -> Result<Vec<String>, Down> {
        self.query(redis::cmd("SMEMBERS").arg("am:ns")).await
    }

    /// Every key matching `pattern` (SCAN, which never blocks Redis for long).
    pub(crate) async fn scan(&self, pattern: &str) -> Result<Vec<String>, Down> {
        let mut cursor: u64 = 0;
        let mut out = Vec::new();
        loop {
            let (next, keys): (u64, Vec<String>) = self
                .query(
                    redis::cmd("SCAN")
                        .arg(cursor)
                        .arg("MATCH")
                        .arg(pattern)
                        .arg("COUNT")
                        .arg(1000),
                )
                .await?;
            out.extend(keys);
            if next == 0 {
                return Ok(out);
            }
            cursor = next;
        }
    }

    /// Unlinks every key matching `pattern` (after a reset; best effort).
    async fn unlink_matching(&self, pattern: &str) {
        let Ok(keys) = self.scan(pattern).await else {
            return;
        };
        for chunk in keys.chunks(500) {
            if self
                .query::<i64>(redis::cmd("UNLINK").arg(chunk))
                .await
                .is_err()
            {
                return;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::shown_url;

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
