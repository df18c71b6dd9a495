//! Credentials of one namespace epoch (keys under [`super::prefix`]); lockouts are in `logins`.

use super::header::{Check, FRESH_LUA};
use super::{Down, Remote, GC_MARGIN_MS};
use crate::store::credential::{Bindings, Kind, Lookup, Must, Text, TokenRec, NEVER};
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
    // Borrowed fields, written into a buffer sized for a record: no clone of the bindings.
    #[derive(Serialize)]
    struct WireRef<'a> {
        k: Kind,
        o: &'a str,
        i: i64,
        e: i64,
        r: i64,
        #[serde(skip_serializing_if = "std::ops::Not::not")]
        f: bool,
        #[serde(skip_serializing_if = "Option::is_none")]
        b: Option<&'a Bindings>,
        #[serde(skip_serializing_if = "Option::is_none")]
        l: Option<&'a str>,
    }
    let w = WireRef {
        k: r.kind,
        o: &r.owner,
        i: r.issued_ms,
        e: r.expires_ms,
        r: r.retain_ms,
        f: r.fixed,
        b: r.bind.as_deref(),
        l: r.link.as_deref(),
    };
    let mut out = Vec::with_capacity(256);
    if serde_json::to_writer(&mut out, &w).is_err() {
        return String::new();
    }
    String::from_utf8(out).unwrap_or_default()
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

/// What a script tests of a record before it takes or changes it: the kind, the lifetime, the
/// bindings. Passed to the script as [`Fit::args`], tested there by `fits` ([`RECORDS_LUA`]).
pub(super) struct Fit<'a> {
    pub kinds: &'a [Kind],
    /// Live at this instant (`None`: whatever its lifetime).
    pub now: Option<i64>,
    pub must: Must<'a>,
}

impl Fit<'_> {
    /// `ARGV[2..=8]` of a script that tests a record: the kinds as `,a,b,`, the instant (`''`: any),
    /// and each binding as `=text` (`''`: any).
    fn args(&self) -> [String; 7] {
        let kinds = kind_list(self.kinds);
        let now = self.now.map(|n| n.to_string()).unwrap_or_default();
        let must = |m: Option<&str>| m.map(|v| format!("={v}")).unwrap_or_default();
        let m = &self.must;
        [
            kinds,
            now,
            must(m.owner),
            must(m.link),
            must(m.session),
            must(m.tenant),
            must(m.fingerprint),
        ]
    }
}

/// Kinds as a script tests them: `,a,b,`.
fn kind_list(kinds: &[Kind]) -> String {
    let mut list = String::from(",");
    for k in kinds {
        list.push_str(k.name());
        list.push(',');
    }
    list
}

/// Lua for the scripts that test a record ([`Fit`]) before they take or change it, after
/// [`FRESH_LUA`]: `record(key)` reads and decodes one (nothing if missing or unreadable, as a read
/// from Rust finds it), `fits(t)` tests it against `ARGV[2..=8]`, and `store_new(k, last, a)`
/// stores `KEYS[k..=last]` with (JSON, TTL) pairs from `ARGV[a..]`, none if one of them exists.
const RECORDS_LUA: &str = r#"
local function record(key)
  local raw = redis.call('GET', key)
  if not raw then return nil end
  local ok, t = pcall(cjson.decode, raw)
  if not ok or type(t) ~= 'table' or type(t.k) ~= 'string' then return nil end
  return raw, t
end
local function bound(want, have)
  return want == '' or (type(have) == 'string' and want == '=' .. have)
end
local function fits(t)
  if not string.find(ARGV[2], ',' .. t.k .. ',', 1, true) then return false end
  if ARGV[3] ~= '' and not (tonumber(ARGV[3]) < (tonumber(t.e) or 0)) then return false end
  local b = type(t.b) == 'table' and t.b or {}
  return bound(ARGV[4], t.o) and bound(ARGV[5], t.l) and bound(ARGV[6], b.session)
    and bound(ARGV[7], b.tenant) and bound(ARGV[8], b.fingerprint)
end
local function store_new(k, last, a)
  for i = k, last do
    local v, px = ARGV[a + 2 * (i - k)], ARGV[a + 2 * (i - k) + 1]
    local set
    if px == '' then set = redis.call('SET', KEYS[i], v, 'NX') else set = redis.call('SET', KEYS[i], v, 'PX', px, 'NX') end
    if not set then
      for j = k, i - 1 do redis.call('DEL', KEYS[j]) end
      return false
    end
  end
  return true
end
"#;

/// A script checking the header and testing records ([`RECORDS_LUA`]), then running `body`.
fn with_records(cell: &'static OnceLock<Script>, body: &str) -> &'static Script {
    cell.get_or_init(|| Script::new(&format!("{FRESH_LUA}{RECORDS_LUA}{body}")))
}

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

    /// Takes the credential if it fits `fit` (a fixture one stays) and stores `issue`, in one
    /// script: the successors are stored only if it was taken, so exactly one of any number of
    /// racers on any replica gets it, and a credential is never spent without its successors
    /// stored. `retire` (a linked credential, retired unless a fixture) goes in the same script.
    pub(super) async fn exchange(
        &self,
        check: &Check,
        prefix: &str,
        token: &str,
        fit: Fit<'_>,
        issue: &[(Text, TokenRec)],
        retire: Option<(&str, &[Kind])>,
    ) -> Result<Option<TokenRec>, Down> {
        static SRC: OnceLock<Script> = OnceLock::new();
        let sc = with_records(
            &SRC,
            r#"
if not fresh(ARGV[1]) then return {-4, false} end
local raw, t = record(KEYS[2])
if not raw or not fits(t) then return {0, false} end
local last = #KEYS
if ARGV[9] ~= '' then last = last - 1 end
if not store_new(3, last, 10) then return {-3, false} end
if not t.f then redis.call('DEL', KEYS[2]) end
if ARGV[9] ~= '' then
  local linked, l = record(KEYS[#KEYS])
  if linked and not l.f and string.find(ARGV[9], ',' .. l.k .. ',', 1, true) then redis.call('DEL', KEYS[#KEYS]) end
end
return {1, raw}
"#,
        );
        let key = Self::token_key(prefix, token);
        let mut keys = vec![check.key().to_string(), key];
        keys.extend(issue.iter().map(|(t, _)| Self::token_key(prefix, t)));
        let mut args = vec![check.arg()?.to_string()];
        args.extend(fit.args());
        match retire {
            Some((t, kinds)) => {
                keys.push(Self::token_key(prefix, t));
                args.push(kind_list(kinds));
            }
            None => args.push(String::new()),
        }
        for (_, r) in issue {
            args.extend(script_args(r));
        }
        let keys: Vec<&str> = keys.iter().map(String::as_str).collect();
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let (code, raw): (i64, Option<String>) = self.script(sc, &keys, &args).await?;
        check.verdict(code != STALE)?;
        match code {
            -3 => Err(Down::LOST),
            _ => Ok(raw.as_deref().and_then(decode)),
        }
    }

    /// Takes the credential if it fits `fit` (a fixture one stays) and stores `fresh` in its place:
    /// the same record, its lifetime from `fit.now` for `ttl_ms`, neither fixed nor linked. One
    /// script, as [`Remote::exchange`]; the record is patched as in [`Remote::touch`].
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
