//! [`crate::store::Verbs::redeem`] on the shared store: one script that tests the guard and the
//! credential, fills in what the successors take from the record it read, stores them, takes the
//! credential and retires what the step retires — one round trip for a request that reads one
//! credential to write another.

use super::header::Check;
use super::record::{decode, kind_list, script_args, with_records, Fit};
use super::{Down, Remote};
use crate::store::credential::{Lookup, Text, TokenRec};
use crate::store::{Bind, Redeem, Redeemed};
use redis::Script;
use std::sync::OnceLock;

/// `ARGV`: 1 the header's versions; 2..=8 the credential's [`Fit`]; 9..=15 the guard's (kinds `''`:
/// none; its lifetime is tested here, its instant is the credential's); 16 flags (`l` the guard
/// must be live, `s` the credential's tenant must be the guard's, `k` keep the credential, `o`
/// the successors take its owner, `g` retire the guard); 17 what the first successor's bindings
/// take (`''`, `org`, `all`); 18 that successor's own bindings (JSON, `''`: none); 19 the kinds of
/// the credential's link to retire (`''`: none); 20 the key prefix; then (JSON, TTL) per successor.
/// `KEYS`: the header, the credential, the guard (the credential again when none), the successors.
/// Answers {code, the credential's record, the guard's}: 1 done (the record only if taken), 0
/// refused (the guard's record if live), -3 a successor's key taken, -4 stale header, -5 no guard,
/// -6 the guard expired.
const REDEEM_LUA: &str = r#"
if not fresh(ARGV[1]) then return {-4, false, false} end
local function has(f) return string.find(ARGV[16], f, 1, true) ~= nil end
local function kind_in(list, k) return string.find(list, ',' .. k .. ',', 1, true) ~= nil end
local now = tonumber(ARGV[3])
local graw, g, gany = false, nil, nil
if ARGV[9] ~= '' then
  local raw, rec = record(KEYS[3])
  if not raw or not kind_in(ARGV[9], rec.k) then return {-5, false, false} end
  gany = rec
  if now < (tonumber(rec.e) or 0) then
    graw, g = raw, rec
    if not fits(g, 9) then return {0, false, graw} end
  elseif has('l') then
    return {-6, false, false}
  end
end
local raw, t = record(KEYS[2])
if not raw or not kind_in(ARGV[2], t.k) or not (now < (tonumber(t.e) or 0)) then return {0, false, graw} end
local function tenant(x)
  if x and type(x.b) == 'table' and type(x.b.tenant) == 'string' then return x.b.tenant end
  return nil
end
if not fits(t, 2) or (has('s') and tenant(t) ~= tenant(g)) then return {0, raw, graw} end
if has('o') then
  local o = cjson.encode(t.o)
  for i = 21, 21 + 2 * (#KEYS - 4), 2 do
    local at = string.find(ARGV[i], ',"o":""', 1, true)
    if at then ARGV[i] = string.sub(ARGV[i], 1, at + 4) .. o .. string.sub(ARGV[i], at + 7) end
  end
end
if ARGV[17] ~= '' and #KEYS >= 4 then
  local tb = type(t.b) == 'table' and t.b or {}
  local b = {}
  if ARGV[17] == 'all' then for k, v in pairs(tb) do b[k] = v end else b.org = tb.org end
  local own = ARGV[18] ~= '' and cjson.decode(ARGV[18]) or {}
  for k, v in pairs(own) do b[k] = v end
  if ARGV[17] == 'all' then b.client = own.client or (g and g.o) or nil end
  if next(b) ~= nil then
    local v = ARGV[21]
    local at = string.find(v, ',"l":"', 1, true) or #v
    ARGV[21] = string.sub(v, 1, at - 1) .. ',"b":' .. cjson.encode(b) .. string.sub(v, at)
  end
end
if not store_new(4, #KEYS, 21) then return {-3, false, false} end
if not has('k') and not t.f then redis.call('DEL', KEYS[2]) end
if has('g') and gany and not gany.f then redis.call('DEL', KEYS[3]) end
if ARGV[19] ~= '' and type(t.l) == 'string' then
  local lk = ARGV[20] .. 't:' .. t.l
  local lraw, l = record(lk)
  if lraw and not l.f and kind_in(ARGV[19], l.k) then redis.call('DEL', lk) end
end
if has('k') then return {1, false, false} end
return {1, raw, false}
"#;

impl Remote {
    /// [`crate::store::Verbs::redeem`]: one script ([`REDEEM_LUA`]).
    pub(super) async fn redeem(
        &self,
        check: &Check,
        prefix: &str,
        r: &Redeem<'_>,
        issue: &[(Text, TokenRec)],
    ) -> Result<Redeemed, Down> {
        static SRC: OnceLock<Script> = OnceLock::new();
        let sc = with_records(&SRC, REDEEM_LUA);
        let token_key = Self::token_key(prefix, r.token);
        let guard_key = match &r.guard {
            Some(g) => Self::token_key(prefix, g.token),
            None => token_key.clone(),
        };
        let mut keys = vec![check.key().to_string(), token_key, guard_key];
        keys.extend(issue.iter().map(|(t, _)| Self::token_key(prefix, t)));
        let fit = Fit {
            kinds: r.kinds,
            now: Some(r.now),
            must: r.must,
        };
        let mut args = vec![check.arg()?.to_string()];
        args.extend(fit.args());
        match &r.guard {
            Some(g) => {
                let fit = Fit {
                    kinds: g.kinds,
                    now: None,
                    must: g.must,
                };
                args.extend(fit.args());
            }
            None => args.extend(std::iter::repeat_n(String::new(), 7)),
        }
        let mut flags = String::new();
        for (on, f) in [
            (r.guard.is_some_and(|g| g.live), 'l'),
            (r.guard_tenant, 's'),
            (r.keep, 'k'),
            (r.inherit.owner, 'o'),
            (r.retire_guard && r.guard.is_some(), 'g'),
        ] {
            if on {
                flags.push(f);
            }
        }
        args.push(flags);
        let bind = match r.inherit.bind {
            Bind::Own => "",
            Bind::Org => "org",
            Bind::AllClientOfGuard => "all",
        };
        args.push(bind.to_string());
        let mut own = String::new();
        let mut records = Vec::with_capacity(2 * issue.len());
        for (i, (_, rec)) in issue.iter().enumerate() {
            // A template: the owner, and the first successor's bindings, are the script's to fill.
            let mut tpl = rec.clone();
            if r.inherit.owner {
                tpl.owner = crate::store::unowned();
            }
            if i == 0 && !bind.is_empty() {
                if let Some(b) = tpl.bind.take() {
                    own = serde_json::to_string(&b).unwrap_or_default();
                }
            }
            let [json, px] = script_args(&tpl);
            records.push(json);
            records.push(px);
        }
        args.push(own);
        args.push(if r.retire_link.is_empty() {
            String::new()
        } else {
            kind_list(r.retire_link)
        });
        args.push(prefix.to_string());
        args.extend(records);
        let keys: Vec<&str> = keys.iter().map(String::as_str).collect();
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let (code, raw, graw): (i64, Option<String>, Option<String>) =
            self.script(sc, &keys, &args).await?;
        check.verdict(code != -4)?;
        Ok(match code {
            -3 => return Err(Down::LOST),
            -5 => Redeemed::Guard(Lookup::Missing),
            -6 => Redeemed::Guard(Lookup::Expired),
            1 if r.keep => Redeemed::Done { taken: None },
            1 => match raw.as_deref().and_then(decode) {
                Some(t) => Redeemed::Done { taken: Some(t) },
                None => return Err(Down::LOST),
            },
            _ => {
                let guard = graw.as_deref().and_then(decode);
                let seen = raw.as_deref().and_then(decode);
                Redeemed::Refused { guard, seen }
            }
        })
    }
}
