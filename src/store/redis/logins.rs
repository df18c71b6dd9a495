//! Login attempts of one namespace epoch: lockout counters (keys `{prefix}l:{family}:{user}`) and
//! the script that settles an attempt, counting a failure or storing what a success issues.

use super::header::{Check, FRESH_LUA};
use super::record::{gc_ttl, script_args};
use super::{Down, Remote, GC_MARGIN_MS};
use crate::store::credential::{verification_code_key, Text, TokenRec};
use crate::store::{LockState, LoginAttempt, Settled};
use redis::Script;
use std::sync::OnceLock;

impl Remote {
    fn lock_key(prefix: &str, family: &str, user: &str) -> String {
        let mut k = String::with_capacity(prefix.len() + family.len() + user.len() + 3);
        for part in [prefix, "l:", family, ":", user] {
            k.push_str(part);
        }
        k
    }

    /// Whether the account is locked at `now` (an elapsed lock is cleared).
    pub async fn is_locked(
        &self,
        check: &Check,
        prefix: &str,
        family: &str,
        user: &str,
        now: i64,
    ) -> Result<bool, Down> {
        static SRC: OnceLock<Script> = OnceLock::new();
        static BODY: &str = r#"
if not fresh(ARGV[2]) then return -4 end
local u = tonumber(redis.call('HGET', KEYS[2], 'u') or '0')
if u == 0 then return 0 end
if tonumber(ARGV[1]) < u then return 1 end
redis.call('DEL', KEYS[2])
return 0
"#;
        let sc = SRC.get_or_init(|| Script::new(&format!("{FRESH_LUA}{BODY}")));
        let key = Self::lock_key(prefix, family, user);
        let args = [&now.to_string(), check.arg()?];
        let locked: i64 = self.script(sc, &[check.key(), &key], &args).await?;
        check.verdict(locked != -4)?;
        Ok(locked == 1)
    }

    /// Settles one login attempt: refused if the account is locked at `now` (an elapsed lock is
    /// cleared), else a success clears the count and stores the credentials the login issues, and a
    /// failure counts once, whichever replica counts it, locking the account for `window_ms` at `max`.
    /// One script: a login costs one round trip here (with a verification code too), and that
    /// script checks the header when no command of the request did yet ([`Check`]).
    pub async fn settle(
        &self,
        check: &Check,
        prefix: &str,
        a: LoginAttempt<'_>,
        issue: &[(Text, TokenRec)],
    ) -> Result<Settled, Down> {
        let (family, user, now, ok, max) = (a.family.name(), a.user, a.now, a.ok, a.max);
        let locked_until = now.saturating_add(a.window_ms);
        static SRC: OnceLock<Script> = OnceLock::new();
        // Four commands in the steady state (the header's check, the lock, the two credentials):
        // a credential is stored with `SET … NX` (taken back if the next one collides) rather than
        // tested first, and the lock is cleared only when there was one.
        static BODY: &str = r#"
if not fresh(ARGV[7]) then return -4 end
local lock = redis.call('HMGET', KEYS[2], 'f', 'u')
local u = tonumber(lock[2] or '0')
if u ~= 0 and tonumber(ARGV[1]) < u then return -1 end
local n, ok, used = #KEYS, ARGV[2] == '1', false
if ARGV[6] ~= '' then
  n = n - 1
  local raw = redis.call('GET', KEYS[#KEYS])
  local good, t = pcall(cjson.decode, raw or '')
  used = good and type(t) == 'table' and t.k == 'kooVerificationCode' and type(t.b) == 'table'
    and t.b.code == ARGV[6] and tonumber(ARGV[1]) < (tonumber(t.e) or 0)
  ok = used
end
if ok then
  for i = 3, n do
    local v, px = ARGV[2 * i + 2], ARGV[2 * i + 3]
    local set
    if px == '' then set = redis.call('SET', KEYS[i], v, 'NX') else set = redis.call('SET', KEYS[i], v, 'PX', px, 'NX') end
    if not set then
      for j = 3, i - 1 do redis.call('DEL', KEYS[j]) end
      return -3
    end
  end
  if used then redis.call('DEL', KEYS[#KEYS]) end
  if lock[1] or lock[2] then redis.call('DEL', KEYS[2]) end
  return -2
end
if u ~= 0 then redis.call('DEL', KEYS[2]) end
local f = redis.call('HINCRBY', KEYS[2], 'f', 1)
local max = tonumber(ARGV[3])
if f >= max then redis.call('HSET', KEYS[2], 'u', ARGV[4]) end
redis.call('PEXPIRE', KEYS[2], ARGV[5])
if f >= max then return 0 end
return max - f
"#;
        let sc = SRC.get_or_init(|| Script::new(&format!("{FRESH_LUA}{BODY}")));

        // Keys and arguments borrow from as few owned texts as the call needs (this is the hot path).
        let lock = Self::lock_key(prefix, family, user);
        let tokens: Vec<String> = issue
            .iter()
            .map(|(t, _)| Self::token_key(prefix, t))
            .collect();
        let records: Vec<[String; 2]> = issue.iter().map(|(_, r)| script_args(r)).collect();
        let mut keys: Vec<&str> = Vec::with_capacity(3 + issue.len());
        keys.push(check.key());
        keys.push(&lock);
        keys.extend(tokens.iter().map(String::as_str));
        // A presented verification code is tested and used up by the script itself (its kind, its
        // lifetime, its digits), only if the account is not locked: one round trip, one winner.
        let code_key;
        let code = match (ok, a.code) {
            (false, Some(code)) => {
                code_key = Self::token_key(prefix, &verification_code_key(user));
                keys.push(&code_key);
                code
            }
            _ => "",
        };
        let ttl = gc_ttl(locked_until, now).unwrap_or(GC_MARGIN_MS);
        let mut nums = [itoa::Buffer::new(); 4];
        let [b_now, b_max, b_until, b_ttl] = &mut nums;
        let mut args: Vec<&str> = Vec::with_capacity(7 + 2 * issue.len());
        args.extend([
            b_now.format(now),
            if ok { "1" } else { "0" },
            b_max.format(max),
            b_until.format(locked_until),
            b_ttl.format(ttl),
            code,
            check.arg()?,
        ]);
        for [record, px] in &records {
            args.extend([record.as_str(), px.as_str()]);
        }
        let r: i64 = self.script(sc, &keys, &args).await?;
        check.verdict(r != -4)?;
        match r {
            -1 => Ok(Settled::Locked),
            -2 => Ok(Settled::Passed),
            -3 => Err(Down::LOST),
            left => Ok(Settled::Failed(left.max(0) as u32)),
        }
    }

    /// Every account with failures or a lock, as (family, user id, state).
    pub async fn lockouts(&self, prefix: &str) -> Result<Vec<(String, String, LockState)>, Down> {
        let keys = self.scan(&format!("{prefix}l:*")).await?;
        let head = prefix.len() + 2;
        let mut out = Vec::with_capacity(keys.len());
        for k in keys {
            let (f, u): (Option<u32>, Option<i64>) = self
                .query(redis::cmd("HMGET").arg(&k).arg("f").arg("u"))
                .await?;
            let Some((family, user)) = k[head..].split_once(':') else {
                continue;
            };
            let state = LockState {
                failures: f.unwrap_or(0),
                locked_until_ms: u.unwrap_or(0),
            };
            out.push((family.to_string(), user.to_string(), state));
        }
        Ok(out)
    }
}
