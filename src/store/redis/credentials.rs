//! Credentials of one namespace epoch (keys under [`super::prefix`]); lockouts are in `logins`.

use super::header::{Check, FRESH_LUA};
use super::{script, Contended, Down, Remote, GC_MARGIN_MS};
use crate::store::credential::{Bindings, Kind, Lookup, Text, TokenRec, NEVER};
use redis::Script;
use serde::{Deserialize, Serialize};
use std::sync::OnceLock;

/// A record as stored: short field names, every field (the state dump's serialisation leaves some out).
#[derive(Serialize, Deserialize)]
struct Wire {
    k: Kind,
    o: Text,
    i: i64,
    e: i64,
    r: i64,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    f: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    b: Option<Box<Bindings>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    l: Option<Text>,
}

/// A record as stored.
pub fn encode(r: &TokenRec) -> String {
    let w = Wire {
        k: r.kind,
        o: r.owner.clone(),
        i: r.issued_ms,
        e: r.expires_ms,
        r: r.retain_ms,
        f: r.fixed,
        b: r.bind.clone(),
        l: r.link.clone(),
    };
    serde_json::to_string(&w).unwrap_or_default()
}

fn decode(s: &str) -> Option<TokenRec> {
    let w: Wire = serde_json::from_str(s).ok()?;
    Some(TokenRec {
        kind: w.k,
        owner: w.o,
        issued_ms: w.i,
        expires_ms: w.e,
        retain_ms: w.r,
        fixed: w.f,
        bind: w.b,
        link: w.l,
    })
}

/// How long Redis keeps a record retained until `retain_ms`, counted from `now` (`None`: for ever).
pub(super) fn gc_ttl(retain_ms: i64, now: i64) -> Option<i64> {
    (retain_ms != NEVER).then(|| retain_ms.saturating_sub(now).max(0) + GC_MARGIN_MS)
}

/// A new record as a script stores it: its JSON and its GC TTL in ms (`""`: none).
pub(super) fn script_args(r: &TokenRec) -> [String; 2] {
    let px = gc_ttl(r.retain_ms, r.issued_ms).map(|p| p.to_string());
    [encode(r), px.unwrap_or_default()]
}

/// What a script that checks the header answers when it found it stale (and did nothing else).
const STALE: i64 = -4;

/// A script checking the header first ([`FRESH_LUA`]), then running `body`.
fn checked(cell: &'static OnceLock<Script>, body: &str) -> &'static Script {
    cell.get_or_init(|| Script::new(&format!("{FRESH_LUA}{body}")))
}

impl Remote {
    pub(super) fn token_key(prefix: &str, token: &str) -> String {
        format!("{prefix}t:{token}")
    }

    /// Stores new credentials (one, or two linked ones) together, or none: an error if they could
    /// not be stored (they must not be handed out). One script, which checks the header first.
    pub async fn put(
        &self,
        check: &Check,
        prefix: &str,
        new: &[(&str, &TokenRec)],
    ) -> Result<(), Down> {
        static SRC: OnceLock<Script> = OnceLock::new();
        let sc = checked(
            &SRC,
            r#"
if not fresh(ARGV[1]) then return -4 end
for i = 2, #KEYS do if redis.call('EXISTS', KEYS[i]) == 1 then return 0 end end
for i = 2, #KEYS do
  local v, px = ARGV[2 * i - 2], ARGV[2 * i - 1]
  if px == '' then redis.call('SET', KEYS[i], v) else redis.call('SET', KEYS[i], v, 'PX', px) end
end
return 1
"#,
        );
        let mut keys = vec![check.key().to_string()];
        let mut args = vec![check.arg()?.to_string()];
        for (token, r) in new {
            keys.push(Self::token_key(prefix, token));
            args.extend(script_args(r));
        }
        let keys: Vec<&str> = keys.iter().map(String::as_str).collect();
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let stored: i64 = self.script(sc, &keys, &args).await?;
        check.verdict(stored != STALE)?;
        if stored == 1 {
            Ok(())
        } else {
            Err(Down::LOST)
        }
    }

    /// Stores a credential, replacing one stored under the same text.
    pub async fn replace(&self, prefix: &str, token: &str, r: &TokenRec) -> Result<(), Down> {
        let mut c = redis::cmd("SET");
        c.arg(Self::token_key(prefix, token)).arg(encode(r));
        if let Some(px) = gc_ttl(r.retain_ms, r.issued_ms) {
            c.arg("PX").arg(px);
        }
        self.query::<()>(&c).await
    }

    /// The record at `key`, as stored and decoded; the first command of a request whose header is
    /// unconfirmed checks it in the same script.
    pub(super) async fn get(
        &self,
        check: &Check,
        key: &str,
    ) -> Result<Option<(String, TokenRec)>, Down> {
        static SRC: OnceLock<Script> = OnceLock::new();
        let raw: Option<String> = match check.pending()? {
            None => self.query(redis::cmd("GET").arg(key)).await?,
            Some(want) => {
                let sc = checked(
                    &SRC,
                    "if not fresh(ARGV[1]) then return {0, false} end return {1, redis.call('GET', KEYS[2])}",
                );
                let (fresh, raw): (i64, Option<String>) =
                    self.script(sc, &[check.key(), key], &[want]).await?;
                check.verdict(fresh == 1)?;
                raw
            }
        };
        Ok(raw.and_then(|s| decode(&s).map(|r| (s, r))))
    }

    /// Finds a credential of one of `kinds` and tells whether it is live at `now`.
    pub async fn lookup(
        &self,
        check: &Check,
        prefix: &str,
        token: &str,
        kinds: &[Kind],
        now: i64,
    ) -> Result<Lookup, Down> {
        Ok(
            match self.get(check, &Self::token_key(prefix, token)).await? {
                Some((_, r)) if kinds.contains(&r.kind) && r.live_at(now) => Lookup::Live(r),
                Some((_, r)) if kinds.contains(&r.kind) => Lookup::Expired,
                _ => Lookup::Missing,
            },
        )
    }

    /// Removes the credential if `pred` holds of it: exactly one of any number of racers on any
    /// replica gets it (a compare-and-delete of the exact record read).
    pub async fn take_if(
        &self,
        check: &Check,
        prefix: &str,
        token: &str,
        pred: impl Fn(&TokenRec) -> bool,
    ) -> Result<Option<TokenRec>, Down> {
        static SRC: OnceLock<Script> = OnceLock::new();
        let sc = script(
            &SRC,
            "if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0",
        );
        let key = Self::token_key(prefix, token);
        let mut contended = Contended::new();
        loop {
            let Some((raw, r)) = self.get(check, &key).await? else {
                return Ok(None);
            };
            if !pred(&r) {
                return Ok(None);
            }
            let gone: i64 = self.script(sc, &[&key], &[&raw]).await?;
            if gone == 1 {
                return Ok(Some(r));
            }
            // Changed since read (a session slid by another request): read it again.
            contended.lost().await?;
        }
    }

    /// Takes the credential if `pred` holds of it (a fixture one stays) and stores `issue`, in one
    /// script: a compare-and-delete of the exact record read, and the successors set only if it
    /// won, so exactly one of any number of racers on any replica gets it, and a credential is
    /// never spent without its successors stored.
    pub async fn exchange(
        &self,
        check: &Check,
        prefix: &str,
        token: &str,
        pred: impl Fn(&TokenRec) -> bool,
        issue: &[(Text, TokenRec)],
    ) -> Result<Option<TokenRec>, Down> {
        static SRC: OnceLock<Script> = OnceLock::new();
        let sc = script(
            &SRC,
            r#"
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
for i = 2, #KEYS do if redis.call('EXISTS', KEYS[i]) == 1 then return -3 end end
if ARGV[2] == '0' then redis.call('DEL', KEYS[1]) end
for i = 2, #KEYS do
  local v, px = ARGV[2 * i - 1], ARGV[2 * i]
  if px == '' then redis.call('SET', KEYS[i], v) else redis.call('SET', KEYS[i], v, 'PX', px) end
end
return 1
"#,
        );
        let key = Self::token_key(prefix, token);
        let mut keys = vec![key.clone()];
        keys.extend(issue.iter().map(|(t, _)| Self::token_key(prefix, t)));
        let keys: Vec<&str> = keys.iter().map(String::as_str).collect();
        let mut rest = Vec::with_capacity(2 * issue.len());
        for (_, r) in issue {
            rest.extend(script_args(r));
        }
        let mut contended = Contended::new();
        loop {
            let Some((raw, r)) = self.get(check, &key).await? else {
                return Ok(None);
            };
            if !pred(&r) {
                return Ok(None);
            }
            let keep = if r.fixed { "1" } else { "0" };
            let mut args: Vec<&str> = vec![&raw, keep];
            args.extend(rest.iter().map(String::as_str));
            match self.script::<i64>(sc, &keys, &args).await? {
                1 => return Ok(Some(r)),
                -3 => return Err(Down::LOST),
                // Changed since read (a session slid by another request): read it again.
                _ => contended.lost().await?,
            }
        }
    }

    /// The live credential of `kind`, its expiry slid to `now + window_ms` (fixture ones keep theirs).
    pub async fn touch(
        &self,
        check: &Check,
        prefix: &str,
        token: &str,
        kind: Kind,
        now: i64,
        window_ms: i64,
    ) -> Result<Option<TokenRec>, Down> {
        static SRC: OnceLock<Script> = OnceLock::new();
        let sc = script(
            &SRC,
            r#"
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
if ARGV[3] == '' then redis.call('SET', KEYS[1], ARGV[2]) else redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3]) end
return 1
"#,
        );
        let key = Self::token_key(prefix, token);
        let mut contended = Contended::new();
        loop {
            let Some((raw, mut r)) = self.get(check, &key).await? else {
                return Ok(None);
            };
            if r.kind != kind || !r.live_at(now) {
                return Ok(None);
            }
            if r.fixed {
                return Ok(Some(r));
            }
            r.expires_ms = now.saturating_add(window_ms);
            r.retain_ms = r.retain_ms.max(r.expires_ms);
            let px = gc_ttl(r.retain_ms, now)
                .map(|p| p.to_string())
                .unwrap_or_default();
            let done: i64 = self.script(sc, &[&key], &[&raw, &encode(&r), &px]).await?;
            if done == 1 {
                return Ok(Some(r));
            }
            contended.lost().await?;
        }
    }

    /// Removes any credential; returns what it was.
    pub async fn revoke(&self, prefix: &str, token: &str) -> Result<Option<TokenRec>, Down> {
        let raw: Option<String> = self
            .query(redis::cmd("GETDEL").arg(Self::token_key(prefix, token)))
            .await?;
        Ok(raw.as_deref().and_then(decode))
    }

    /// Every credential of the epoch, as (token, record).
    pub async fn all(&self, prefix: &str) -> Result<Vec<(String, TokenRec)>, Down> {
        let keys = self.scan(&format!("{prefix}t:*")).await?;
        let head = prefix.len() + 2;
        let mut out = Vec::with_capacity(keys.len());
        for chunk in keys.chunks(500) {
            let vals: Vec<Option<String>> = self.query(redis::cmd("MGET").arg(chunk)).await?;
            for (k, v) in chunk.iter().zip(vals) {
                if let Some(r) = v.as_deref().and_then(decode) {
                    out.push((k[head..].to_string(), r));
                }
            }
        }
        Ok(out)
    }

    /// Removes every credential for which `pred` holds; returns how many.
    pub async fn remove_where(
        &self,
        prefix: &str,
        pred: impl Fn(&TokenRec) -> bool,
    ) -> Result<usize, Down> {
        let doomed: Vec<String> = self
            .all(prefix)
            .await?
            .into_iter()
            .filter(|(_, r)| pred(r))
            .map(|(t, _)| Self::token_key(prefix, &t))
            .collect();
        let mut n = 0;
        for chunk in doomed.chunks(500) {
            n += self.query::<usize>(redis::cmd("DEL").arg(chunk)).await?;
        }
        Ok(n)
    }
}
