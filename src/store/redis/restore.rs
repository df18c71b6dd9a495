//! Restoring a namespace from a snapshot on the shared store: one script replaces the namespace's
//! header with a new epoch holding the snapshot's clock, identity changes and faults, and writes its
//! credentials and lockouts under that epoch — all or nothing. Every replica sees the new epoch at
//! its next request (its identities are rebuilt, as after a reset); the old epoch's keys are
//! unlinked in the background.

use super::header::{meta_key, new_epoch_lua, prefix, stamp_lua, EPOCHS, USED};
use super::record::{encode, gc_ttl};
use super::{script, Down, Remote, GC_MARGIN_MS};
use crate::store::Restore;
use redis::Script;
use std::sync::OnceLock;

impl Remote {
    /// Replaces namespace `ns` by `state` (its fault queue `faults`, JSON) in one script; `fixtures`
    /// is the fingerprint of this replica's fixtures, which the identity changes were checked on.
    pub async fn restore(
        &self,
        ns: &str,
        state: &Restore,
        faults: &str,
        fixtures: &str,
    ) -> Result<(), Down> {
        // The new epoch is drawn as `reset` draws it; the rest writes the snapshot under it.
        static SRC: OnceLock<Script> = OnceLock::new();
        let sc = script(
            &SRC,
            concat!(
                new_epoch_lua!(),
                stamp_lua!(),
                r#"
local e = new_epoch(KEYS[1], KEYS[3])
redis.call('HSET', KEYS[1], 'epoch', tostring(e), 'ids', ARGV[3], 'ids:v', '1', 'clock', ARGV[2], 'clock:v', '1',
  'faults', ARGV[4], 'faults:v', '1', 'fx', ARGV[5])
stamp(KEYS[1])
redis.call('SADD', KEYS[2], ARGV[1])
if ARGV[1] ~= 'default' then redis.call('ZADD', KEYS[4], redis.call('TIME')[1], ARGV[1]) end
local p = 'am:n:' .. ARGV[1] .. ':' .. e .. ':'
local i = 7
for _ = 1, tonumber(ARGV[6]) do
  local k = p .. 't:' .. ARGV[i]
  if ARGV[i + 2] == '' then redis.call('SET', k, ARGV[i + 1]) else redis.call('SET', k, ARGV[i + 1], 'PX', ARGV[i + 2]) end
  i = i + 3
end
while i <= #ARGV do
  local k = p .. 'l:' .. ARGV[i]
  redis.call('HSET', k, 'f', ARGV[i + 1])
  if ARGV[i + 2] ~= '0' then redis.call('HSET', k, 'u', ARGV[i + 2]) end
  redis.call('PEXPIRE', k, ARGV[i + 3])
  i = i + 4
end
return e
"#
            ),
        );
        let now = state.clock.now_ms();
        let changes = serde_json::to_string(&state.changes).unwrap_or_else(|_| "[]".into());
        let mut args: Vec<String> = vec![
            ns.to_string(),
            state.clock.state(),
            changes,
            faults.to_string(),
            fixtures.to_string(),
            state.credentials.len().to_string(),
        ];
        for (t, r) in &state.credentials {
            // Kept (by Redis) from the restored clock's now: the mock-clock lifetime left, plus the margin.
            let px = gc_ttl(r.retain_ms, now).map(|p| p.to_string());
            args.extend([t.to_string(), encode(r), px.unwrap_or_default()]);
        }
        for (family, user, st) in &state.lockouts {
            let ttl = gc_ttl(st.locked_until_ms.max(now), now).unwrap_or(GC_MARGIN_MS);
            args.extend([
                format!("{family}:{user}"),
                st.failures.to_string(),
                st.locked_until_ms.to_string(),
                ttl.to_string(),
            ]);
        }
        let keys = [meta_key(ns), "am:ns".into(), EPOCHS.into(), USED.into()];
        let keys: Vec<&str> = keys.iter().map(String::as_str).collect();
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let epoch: u64 = self.script(sc, &keys, &args).await?;
        self.make_room().await?;
        let me = self.clone();
        let (ns, keep) = (ns.to_string(), prefix(ns, epoch));
        tokio::spawn(async move { me.unlink_namespace(&ns, Some(&keep)).await });
        Ok(())
    }
}
