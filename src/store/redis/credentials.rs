//! Credentials of one namespace epoch (keys under [`super::prefix`]): how a record is stored and
//! tested is in `record`, lockouts are in `logins`.

use super::header::Check;
use super::record::{checked, decode, encode, gc_ttl, script_args, with_records, Fit};
use super::{Down, Remote, GC_MARGIN_MS};
use crate::store::credential::{Kind, Lookup, Must, TokenRec, NEVER};
use redis::Script;
use std::sync::OnceLock;

/// What a script that checks the header answers when it found it stale (and did nothing else).
const STALE: i64 = -4;

impl Remote {
    pub(super) fn token_key(prefix: &str, token: &str) -> String {
        let mut k = String::with_capacity(prefix.len() + token.len() + 2);
        for part in [prefix, "t:", token] {
            k.push_str(part);
        }
        k
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
        let sc = with_records(
            &SRC,
            r#"
if not fresh(ARGV[1]) then return -4 end
if not store_new(2, #KEYS, 2) then return 0 end
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

    /// Removes the credential if it is of one of `kinds`, live at `now` (`None`: whatever its
    /// lifetime), bound as `must` says and, with `spare_fixtures`, not a fixture: one script that
    /// tests and deletes, so exactly one of any number of racers on any replica gets it.
    pub(super) async fn take_if(
        &self,
        check: &Check,
        prefix: &str,
        token: &str,
        fit: Fit<'_>,
        spare_fixtures: bool,
    ) -> Result<Option<TokenRec>, Down> {
        static SRC: OnceLock<Script> = OnceLock::new();
        let sc = with_records(
            &SRC,
            r#"
if not fresh(ARGV[1]) then return {-4, false} end
local raw, t = record(KEYS[2])
if not raw or not fits(t) or (ARGV[9] == '1' and t.f) then return {0, false} end
redis.call('DEL', KEYS[2])
return {1, raw}
"#,
        );
        let key = Self::token_key(prefix, token);
        let fit = fit.args();
        let spare = if spare_fixtures { "1" } else { "0" };
        let mut args = vec![check.arg()?];
        args.extend(fit.iter().map(String::as_str));
        args.push(spare);
        let (code, raw): (i64, Option<String>) =
            self.script(sc, &[check.key(), &key], &args).await?;
        check.verdict(code != STALE)?;
        Ok(raw.as_deref().and_then(decode))
    }

    /// Takes the credential if it fits `fit` (a fixture one stays) and stores `fresh` in its place:
    /// the same record, its lifetime from `fit.now` for `ttl_ms`, neither fixed nor linked. One
    /// script, as [`Remote::redeem`]; the record is patched as in [`Remote::touch`].
    pub(super) async fn renew(
        &self,
        check: &Check,
        prefix: &str,
        token: &str,
        fit: Fit<'_>,
        fresh: &str,
        ttl_ms: i64,
    ) -> Result<Option<TokenRec>, Down> {
        static SRC: OnceLock<Script> = OnceLock::new();
        let sc = with_records(
            &SRC,
            r#"
if not fresh(ARGV[1]) then return {-4, false} end
local raw, t = record(KEYS[2])
if not raw or not fits(t) then return {0, false} end
local head, tail = string.match(raw, '^(.-,)"i":%-?%d+,"e":%-?%d+,"r":%-?%d+(.*)$')
if not head then return {0, false} end
if string.sub(tail, 1, 9) == ',"f":true' then tail = string.sub(tail, 10) end
local l = string.find(tail, ',"l":"', 1, true)
if l then tail = string.sub(tail, 1, l - 1) .. '}' end
local new = head .. '"i":' .. ARGV[3] .. ',"e":' .. ARGV[9] .. ',"r":' .. ARGV[9] .. tail
if not redis.call('SET', KEYS[3], new, 'PX', ARGV[10], 'NX') then return {-3, false} end
if not t.f then redis.call('DEL', KEYS[2]) end
return {1, raw}
"#,
        );
        let Some(now) = fit.now else {
            return Ok(None);
        };
        let keys = [
            check.key(),
            &Self::token_key(prefix, token),
            &Self::token_key(prefix, fresh),
        ];
        let fit = fit.args();
        let e = now.saturating_add(ttl_ms);
        let px = gc_ttl(e, now).unwrap_or(GC_MARGIN_MS).to_string();
        let e = e.to_string();
        let mut args = vec![check.arg()?];
        args.extend(fit.iter().map(String::as_str));
        args.extend([e.as_str(), &px]);
        let (code, raw): (i64, Option<String>) = self.script(sc, &keys, &args).await?;
        check.verdict(code != STALE)?;
        match code {
            -3 => Err(Down::LOST),
            _ => Ok(raw.as_deref().and_then(decode)),
        }
    }

    /// The live credential of `kind`, its expiry slid to `now + window_ms` (fixture ones keep
    /// theirs): one script that tests the record and rewrites its lifetime in place.
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
        // The record's JSON is patched rather than re-encoded: `"e"` and `"r"` follow `"i"` in the
        // order `encode` writes them, and `,"i":` cannot occur in a string before them (a quote in a
        // JSON string is escaped), so the first match is the fields themselves.
        let sc = with_records(
            &SRC,
            r#"
if not fresh(ARGV[1]) then return {-4, false} end
local raw, t = record(KEYS[2])
if not raw or not fits(t) then return {0, false} end
if t.f then return {1, raw} end
local head, r, tail = string.match(raw, '^(.-,"i":%-?%d+,)"e":%-?%d+,"r":(%-?%d+)(.*)$')
if not head then return {0, false} end
local e = ARGV[9]
if tonumber(r) < tonumber(e) then r = e end
local new = head .. '"e":' .. e .. ',"r":' .. r .. tail
if r == ARGV[10] then
  redis.call('SET', KEYS[2], new)
else
  local px = math.max(tonumber(r) - tonumber(ARGV[3]), 0) + tonumber(ARGV[11])
  redis.call('SET', KEYS[2], new, 'PX', string.format('%d', px))
end
return {1, new}
"#,
        );
        let key = Self::token_key(prefix, token);
        let fit = Fit {
            kinds: std::slice::from_ref(&kind),
            now: Some(now),
            must: Must::ANY,
        };
        let fit = fit.args();
        let (e, never, margin) = (
            now.saturating_add(window_ms).to_string(),
            NEVER.to_string(),
            GC_MARGIN_MS.to_string(),
        );
        let mut args = vec![check.arg()?];
        args.extend(fit.iter().map(String::as_str));
        args.extend([e.as_str(), &never, &margin]);
        let (code, raw): (i64, Option<String>) =
            self.script(sc, &[check.key(), &key], &args).await?;
        check.verdict(code != STALE)?;
        Ok(raw.as_deref().and_then(decode))
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
