//! A credential's record as the Redis backend stores it (short JSON, a GC TTL) and as its scripts
//! test it before they take or change it ([`Fit`], [`RECORDS_LUA`]).

use super::header::FRESH_LUA;
use super::GC_MARGIN_MS;
use crate::store::credential::{Bindings, Kind, Must, Text, TokenRec, NEVER};
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

pub(super) fn decode(s: &str) -> Option<TokenRec> {
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

/// A script checking the header first ([`FRESH_LUA`]), then running `body`.
pub(super) fn checked(cell: &'static OnceLock<Script>, body: &str) -> &'static Script {
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
    pub(super) fn args(&self) -> [String; 7] {
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
pub(super) fn kind_list(kinds: &[Kind]) -> String {
    let mut list = String::from(",");
    for k in kinds {
        list.push_str(k.name());
        list.push(',');
    }
    list
}

/// Lua for the scripts that test a record ([`Fit`]) before they take or change it, after
/// [`FRESH_LUA`]: `record(key)` reads and decodes one (nothing if missing or unreadable, as a read
/// from Rust finds it), `fits(t, a)` tests it against `ARGV[a..=a + 6]` (`a`: 2 unless given), and `store_new(k, last, a)`
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
local function fits(t, a)
  a = a or 2
  if not string.find(ARGV[a], ',' .. t.k .. ',', 1, true) then return false end
  if ARGV[a + 1] ~= '' and not (tonumber(ARGV[a + 1]) < (tonumber(t.e) or 0)) then return false end
  local b = type(t.b) == 'table' and t.b or {}
  return bound(ARGV[a + 2], t.o) and bound(ARGV[a + 3], t.l) and bound(ARGV[a + 4], b.session)
    and bound(ARGV[a + 5], b.tenant) and bound(ARGV[a + 6], b.fingerprint)
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
pub(super) fn with_records(cell: &'static OnceLock<Script>, body: &str) -> &'static Script {
    cell.get_or_init(|| Script::new(&format!("{FRESH_LUA}{RECORDS_LUA}{body}")))
}
