//! A namespace's header (`am:n:{ns}:meta`: epoch, clock, identity changes, faults) and its life:
//! set up on first use, changed field by field, reset to a new epoch, evicted past the namespace
//! limit, removed by `reset?all=true`.

use super::{script, Down, Remote};
use redis::Script;
use std::sync::atomic::{AtomicU8, Ordering};
use std::sync::OnceLock;

/// Lua: `new_epoch(meta, counter)` deletes a namespace's header (whatever its type) and draws its next
/// epoch from the counter of all epochs, above the one it held, so no epoch number is used twice.
/// Shared by reset and snapshot restore (`concat!`ed before each script's own body).
macro_rules! new_epoch_lua {
    () => {
        r#"
local function new_epoch(meta, counter)
  local old = 0
  if redis.call('TYPE', meta).ok == 'hash' then old = tonumber(redis.call('HGET', meta, 'epoch') or '0') or 0 end
  redis.call('DEL', meta)
  local e = redis.call('INCR', counter)
  if e <= old then e = old + 1; redis.call('SET', counter, e) end
  return e
end
"#
    };
}
pub(super) use new_epoch_lua;

/// Lua: `stamp(meta)` writes the header's field `v`, its versions ([`Meta::versions`]) in one text,
/// after any change to the header: every script that writes a header ends with it, so that a
/// request's check ([`FRESH_LUA`]) reads one field rather than four (an `HMGET` of four costs Redis
/// more than the rest of that check).
macro_rules! stamp_lua {
    () => {
        r#"
local function stamp(meta)
  local h = redis.call('HMGET', meta, 'epoch', 'ids:v', 'clock:v', 'faults:v')
  redis.call('HSET', meta, 'v', (h[1] or '0') .. ':' .. (h[2] or '0') .. ':' .. (h[3] or '0') .. ':' .. (h[4] or '0'))
end
"#
    };
}
pub(super) use stamp_lua;

/// The counter every new epoch is drawn from, so that no epoch number is ever used twice.
pub(super) const EPOCHS: &str = "am:epochs";
/// Sorted set: namespace name → when it was last used (seconds), for the namespace limit.
pub(super) const USED: &str = "am:used";

/// The key of namespace `ns`'s header.
pub(super) fn meta_key(ns: &str) -> String {
    // Concatenated, not `format!`ed: built for every request.
    let mut k = String::with_capacity(ns.len() + 10);
    for part in ["am:n:", ns, ":meta"] {
        k.push_str(part);
    }
    k
}

/// The key prefix of a namespace's epoch: credentials and lockouts live under it.
pub fn prefix(ns: &str, epoch: u64) -> String {
    let mut p = String::with_capacity(ns.len() + 28);
    for part in ["am:n:", ns, ":", itoa::Buffer::new().format(epoch), ":"] {
        p.push_str(part);
    }
    p
}

/// A namespace's shared header: read at the start of a request, or taken from the replica's last
/// read and checked by the request's first command (see [`Meta::versions`]).
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
    /// The epoch and the versions of the identities, the clock and the faults, as stored, joined
    /// by `:` (a missing one is `0`): equal texts mean an equal header.
    pub versions: String,
    /// Whether the header's field `v` holds [`Meta::versions`] (one written before `v` existed
    /// does not, until [`Remote::stamp`]).
    pub stamped: bool,
}

/// Lua that defines `fresh(want)`: whether the header at `KEYS[1]` still has the versions `want`
/// ([`Meta::versions`], kept in its field `v` by [`stamp_lua`]); `want` is `''` when the request
/// already confirmed its header.
pub(super) const FRESH_LUA: &str = r#"
local function fresh(want)
  return want == '' or redis.call('HGET', KEYS[1], 'v') == want
end
"#;

/// A confirmed header.
const CONFIRMED: u8 = 0;
/// A header taken from the replica's last read, not yet checked by a command of this request.
const UNCONFIRMED: u8 = 1;
/// A header found stale: the request sends nothing more, and runs again on a fresh read.
const STALE: u8 = 2;

/// What a request's first command checks of its namespace's header when the request runs on the
/// header its replica last read: that command's script compares the header's versions with those
/// read ([`FRESH_LUA`]) and, when they moved, does nothing else. So a vendor request costs the
/// round trips of its verbs alone, not one more for the header.
#[derive(Debug)]
pub struct Check {
    /// The header's key ([`meta_key`]).
    meta: String,
    /// [`Meta::versions`] of the header the request runs on.
    want: String,
    /// [`CONFIRMED`], [`UNCONFIRMED`] or [`STALE`].
    state: AtomicU8,
}

impl Check {
    /// The check of namespace `ns`'s header `meta`, read by this request (`confirmed`) or not.
    pub fn new(ns: &str, meta: &Meta, confirmed: bool) -> Check {
        Check {
            meta: meta_key(ns),
            want: meta.versions.clone(),
            state: AtomicU8::new(if confirmed { CONFIRMED } else { UNCONFIRMED }),
        }
    }

    /// The header's key, `KEYS[1]` of every script that checks it.
    pub fn key(&self) -> &str {
        &self.meta
    }

    /// The versions the next command must check (`None`: confirmed already). A stale header
    /// answers [`Down::LOST`]: nothing more is sent.
    pub fn pending(&self) -> Result<Option<&str>, Down> {
        match self.state.load(Ordering::Acquire) {
            CONFIRMED => Ok(None),
            STALE => Err(Down::LOST),
            _ => Ok(Some(&self.want)),
        }
    }

    /// [`Check::pending`] as a script argument: `''` once confirmed.
    pub fn arg(&self) -> Result<&str, Down> {
        Ok(self.pending()?.unwrap_or_default())
    }

    /// Records what a command that checked the header found: fresh, or stale ([`Down::LOST`]).
    pub fn verdict(&self, fresh: bool) -> Result<(), Down> {
        if fresh {
            self.state.store(CONFIRMED, Ordering::Release);
            return Ok(());
        }
        self.state.store(STALE, Ordering::Release);
        Err(Down::LOST)
    }

    pub fn unconfirmed(&self) -> bool {
        self.state.load(Ordering::Acquire) == UNCONFIRMED
    }

    pub fn stale(&self) -> bool {
        self.state.load(Ordering::Acquire) == STALE
    }
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
        type S = Option<String>;
        let (epoch, clock, ids_v, clock_v, faults, faults_v, fixtures, stamp): (
            S,
            S,
            S,
            S,
            S,
            S,
            S,
            S,
        ) = self
            .query(redis::cmd("HMGET").arg(meta_key(ns)).arg(&[
                "epoch", "clock", "ids:v", "clock:v", "faults", "faults:v", "fx", "v",
            ]))
            .await?;
        let v = |x: &Option<String>| x.clone().unwrap_or_else(|| "0".into());
        let versions = format!(
            "{}:{}:{}:{}",
            v(&epoch),
            v(&ids_v),
            v(&clock_v),
            v(&faults_v)
        );
        Ok(Meta {
            epoch: epoch.and_then(|e| e.parse().ok()).unwrap_or(0),
            clock,
            ids_version: ids_v.and_then(|v| v.parse().ok()),
            faults: faults.filter(|f| f != "[]"),
            fixtures,
            stamped: stamp.as_ref() == Some(&versions),
            versions,
        })
    }

    /// Writes a header's field `v` from its versions, if the header exists: for one written
    /// before `v` existed, whose requests would otherwise find it stale every time.
    pub async fn stamp(&self, ns: &str) -> Result<(), Down> {
        static SRC: OnceLock<Script> = OnceLock::new();
        let sc = script(
            &SRC,
            concat!(
                stamp_lua!(),
                "if redis.call('EXISTS', KEYS[1]) == 1 then stamp(KEYS[1]) end return 1"
            ),
        );
        self.script::<i64>(sc, &[&meta_key(ns)], &[]).await?;
        Ok(())
    }

    /// Sets a namespace up unless a replica already did (one script: exactly one wins).
    pub async fn setup(&self, ns: &str, s: &Setup<'_>) -> Result<(), Down> {
        static SRC: OnceLock<Script> = OnceLock::new();
        let sc = script(
            &SRC,
            concat!(
                stamp_lua!(),
                r#"
if redis.call('HEXISTS', KEYS[1], 'ids:v') == 1 then return 0 end
local e = redis.call('HGET', KEYS[1], 'epoch') or tostring(redis.call('INCR', KEYS[3]))
redis.call('HSET', KEYS[1], 'epoch', e, 'ids', '[]', 'ids:v', '1', 'clock', ARGV[2], 'clock:v', '1', 'fx', ARGV[3])
stamp(KEYS[1])
redis.call('SADD', KEYS[2], ARGV[1])
if ARGV[1] ~= 'default' then redis.call('ZADD', KEYS[4], redis.call('TIME')[1], ARGV[1]) end
local p = 'am:n:' .. ARGV[1] .. ':' .. e .. ':t:'
for i = 4, #ARGV, 2 do redis.call('SET', p .. ARGV[i], ARGV[i + 1]) end
return 1
"#
            ),
        );
        let mut args: Vec<&str> = vec![ns, s.clock, s.fixtures];
        for (t, rec) in s.tokens {
            args.push(t);
            args.push(rec);
        }
        let keys = [meta_key(ns), "am:ns".into(), EPOCHS.into(), USED.into()];
        let keys: Vec<&str> = keys.iter().map(String::as_str).collect();
        let new: i64 = self.script(sc, &keys, &args).await?;
        if new == 1 {
            self.make_room().await?;
        }
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
            concat!(
                stamp_lua!(),
                r#"
local v = redis.call('HGET', KEYS[1], ARGV[1] .. ':v') or '0'
local e = redis.call('HGET', KEYS[1], 'epoch') or '0'
if v ~= ARGV[2] or e ~= ARGV[3] then return 0 end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[4], ARGV[1] .. ':v', tostring(tonumber(v) + 1))
stamp(KEYS[1])
return 1
"#
            ),
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
            concat!(
                new_epoch_lua!(),
                stamp_lua!(),
                r#"
local e = new_epoch(KEYS[1], KEYS[2])
redis.call('HSET', KEYS[1], 'epoch', tostring(e))
stamp(KEYS[1])
return e
"#
            ),
        );
        // Whatever the header held (even a key of another type) goes; the new epoch comes from a
        // counter of all epochs, so it is one no earlier reset used.
        let epoch: u64 = self.script(sc, &[&meta_key(ns), EPOCHS], &[]).await?;
        let me = self.clone();
        let (ns, keep) = (ns.to_string(), prefix(ns, epoch));
        tokio::spawn(async move { me.unlink_namespace(&ns, Some(&keep)).await });
        Ok(())
    }

    /// Resets every namespace: removes every namespace's keys (headers included), so each is set
    /// up again, at a new epoch, on its next use; only `default` is listed again.
    pub async fn reset_all(&self) -> Result<(), Down> {
        let keys = self.scan("am:n:*").await?;
        self.unlink(&keys).await?;
        self.query::<i64>(redis::cmd("DEL").arg("am:ns").arg(USED))
            .await?;
        Ok(())
    }

    /// Past [`crate::store::MAX_NAMESPACES`] namespaces (`default` included), removes the least
    /// recently used ones (never `default`, which is not listed in [`USED`]) with all their keys, as
    /// memory mode drops them.
    pub(super) async fn make_room(&self) -> Result<(), Down> {
        let max = crate::store::MAX_NAMESPACES - 1;
        let n: usize = self.query(redis::cmd("ZCARD").arg(USED)).await?;
        if n <= max {
            return Ok(());
        }
        let oldest: Vec<String> = self
            .query(redis::cmd("ZRANGE").arg(USED).arg(0).arg(n - max - 1))
            .await?;
        for ns in oldest {
            self.query::<i64>(redis::cmd("ZREM").arg(USED).arg(&ns))
                .await?;
            self.query::<i64>(redis::cmd("SREM").arg("am:ns").arg(&ns))
                .await?;
            // Without its header the namespace is gone at once (its next use sets it up afresh, at
            // a new epoch); the rest is found by a SCAN of the whole database, so off this request.
            self.query::<i64>(redis::cmd("DEL").arg(meta_key(&ns)))
                .await?;
            let me = self.clone();
            tokio::spawn(async move { me.unlink_namespace(&ns, None).await });
        }
        Ok(())
    }

    /// Marks namespace `ns` used now (for [`Remote::make_room`]).
    pub async fn touch_namespace(&self, ns: &str) -> Result<(), Down> {
        if ns == "default" {
            return Ok(());
        }
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs());
        self.query::<i64>(redis::cmd("ZADD").arg(USED).arg(now).arg(ns))
            .await?;
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

    /// Unlinks `keys`.
    async fn unlink(&self, keys: &[String]) -> Result<(), Down> {
        for chunk in keys.chunks(500) {
            self.query::<i64>(redis::cmd("UNLINK").arg(chunk)).await?;
        }
        Ok(())
    }

    /// Unlinks namespace `ns`'s keys, but for those under `keep` (a live epoch's prefix) and its
    /// header when there is one to keep (best effort: after a reset or an eviction).
    pub(super) async fn unlink_namespace(&self, ns: &str, keep: Option<&str>) {
        let Ok(keys) = self.scan(&format!("am:n:{ns}:*")).await else {
            return;
        };
        let meta = meta_key(ns);
        let doomed: Vec<String> = match keep {
            Some(k) => keys
                .into_iter()
                .filter(|key| !key.starts_with(k) && *key != meta)
                .collect(),
            None => keys,
        };
        let _ = self.unlink(&doomed).await;
    }
}
