//! Every issued credential of a namespace — tokens, one-time codes, tickets — in one sharded map keyed by
//! the credential's text, with its kind, owner, lifetime and bindings.
//!
//! One table keeps revocation, the state dump and the sweeper uniform across the vendor families; the
//! `kind` check on every lookup is what keeps a token of one family or use from being accepted by another.

use dashmap::DashMap;
use serde::Serialize;
use std::collections::VecDeque;
use std::sync::Mutex;

/// What a credential is, and so which routes accept it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum Kind {
    /// KooDrive enterprise session token (`Bearer <48 hex>`), sliding 20 minutes.
    KooSession,
    /// KooDrive login access token (`AT <48 hex>`).
    KooAccess,
    /// KooDrive login refresh token (48 hex), 30 days.
    KooRefresh,
    /// KooDrive one-time authorization code minted by the admin API.
    KooAuthCode,
    /// OneAccess app access credential (uuid).
    OaAppToken,
    /// OneAccess user session token (`bts…`).
    OaSession,
    /// OneAccess one-time sso_ticket.
    OaTicket,
    /// EnOS token from login: good for session/set and logout only.
    EnosLogin,
    /// EnOS org-bound access token from session/set or token/refresh.
    EnosAccess,
    /// EnOS refresh token (HS256 JWT).
    EnosRefresh,
}

impl Kind {
    pub fn family(self) -> &'static str {
        match self {
            Kind::KooSession | Kind::KooAccess | Kind::KooRefresh | Kind::KooAuthCode => "koodrive",
            Kind::OaAppToken | Kind::OaSession | Kind::OaTicket => "oneaccess",
            Kind::EnosLogin | Kind::EnosAccess | Kind::EnosRefresh => "enos",
        }
    }
}

/// Sentinel expiry of fixture credentials: they never expire.
pub const NEVER: i64 = i64::MAX;

/// One credential and what it is bound to.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TokenRec {
    pub kind: Kind,
    /// User id (client id for a OneAccess app token).
    pub owner: String,
    pub issued_ms: i64,
    /// When the credential stops being accepted.
    pub expires_ms: i64,
    /// When the sweeper may drop it (≥ `expires_ms`: a KooDrive access token is kept while its refresh
    /// token lives, because refreshing needs the expired access token).
    #[serde(skip)]
    pub retain_ms: i64,
    /// A fixture credential: never expires, never retired by use.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub fixed: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub org: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub session: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fingerprint: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub client: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tenant: Option<String>,
    /// The paired credential (access ↔ refresh).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub link: Option<String>,
}

impl TokenRec {
    /// A credential of `kind` for `owner`, issued at `now` and accepted for `ttl_ms`.
    pub fn new(kind: Kind, owner: impl Into<String>, now: i64, ttl_ms: i64) -> TokenRec {
        let expires = now.saturating_add(ttl_ms);
        TokenRec {
            kind,
            owner: owner.into(),
            issued_ms: now,
            expires_ms: expires,
            retain_ms: expires,
            fixed: false,
            org: None,
            session: None,
            fingerprint: None,
            client: None,
            tenant: None,
            link: None,
        }
    }

    pub fn live_at(&self, now: i64) -> bool {
        now < self.expires_ms
    }
}

/// What a lookup found.
#[derive(Debug)]
pub enum Lookup {
    Live(TokenRec),
    /// Known but past its lifetime (still stored, or recently swept).
    Expired,
    Missing,
}

/// How many swept credentials are remembered as "expired" (rather than unknown), per namespace.
const TOMBSTONES: usize = 4096;

/// The credential table of one namespace.
#[derive(Debug, Default)]
pub struct Tokens {
    map: DashMap<String, TokenRec>,
    /// Recently swept credentials, so an expired one is still reported as expired (OneAccess says so).
    tombs: DashMap<String, Kind>,
    tomb_order: Mutex<VecDeque<String>>,
}

impl Tokens {
    pub fn len(&self) -> usize {
        self.map.len()
    }

    pub fn is_empty(&self) -> bool {
        self.map.is_empty()
    }

    pub fn insert(&self, token: String, rec: TokenRec) {
        self.map.insert(token, rec);
    }

    /// The credential if it is of one of `kinds`, live or not.
    pub fn get_any(&self, token: &str, kinds: &[Kind]) -> Option<TokenRec> {
        self.map
            .get(token)
            .filter(|r| kinds.contains(&r.kind))
            .map(|r| r.clone())
    }

    /// Finds a credential of one of `kinds` and tells whether it is live at `now`.
    pub fn lookup(&self, token: &str, kinds: &[Kind], now: i64) -> Lookup {
        match self.map.get(token) {
            Some(r) if kinds.contains(&r.kind) => {
                if r.live_at(now) {
                    Lookup::Live(r.clone())
                } else {
                    Lookup::Expired
                }
            }
            Some(_) => Lookup::Missing,
            None => match self.tombs.get(token) {
                Some(k) if kinds.contains(&k) => Lookup::Expired,
                _ => Lookup::Missing,
            },
        }
    }

    /// The live credential of one of `kinds`, if any.
    pub fn live(&self, token: &str, kinds: &[Kind], now: i64) -> Option<TokenRec> {
        match self.lookup(token, kinds, now) {
            Lookup::Live(r) => Some(r),
            _ => None,
        }
    }

    /// Like [`Tokens::live`], and slides its expiry to `now + window_ms` (fixture credentials keep theirs).
    pub fn touch(&self, token: &str, kind: Kind, now: i64, window_ms: i64) -> Option<TokenRec> {
        let mut r = self.map.get_mut(token)?;
        if r.kind != kind || !r.live_at(now) {
            return None;
        }
        if !r.fixed {
            r.expires_ms = now.saturating_add(window_ms);
            r.retain_ms = r.retain_ms.max(r.expires_ms);
        }
        Some(r.clone())
    }

    /// Removes and returns the credential if it is of `kind`, live, and `pred` holds: exactly one of any
    /// number of concurrent callers gets it (the map's shard lock makes the check and removal atomic).
    pub fn take_if(
        &self,
        token: &str,
        kind: Kind,
        now: i64,
        pred: impl FnOnce(&TokenRec) -> bool,
    ) -> Option<TokenRec> {
        self.map
            .remove_if(token, |_, r| r.kind == kind && r.live_at(now) && pred(r))
            .map(|(_, r)| r)
    }

    /// Retires a credential of one of `kinds` unless it is a fixture; true if it was there.
    pub fn retire(&self, token: &str, kinds: &[Kind]) -> bool {
        self.map
            .remove_if(token, |_, r| kinds.contains(&r.kind) && !r.fixed)
            .is_some()
    }

    /// Removes any credential, fixture or not (admin revocation); returns what it was.
    pub fn revoke(&self, token: &str) -> Option<TokenRec> {
        self.map.remove(token).map(|(_, r)| r)
    }

    /// Removes every credential for which `pred` holds; returns how many.
    pub fn remove_where(&self, pred: impl Fn(&TokenRec) -> bool) -> usize {
        let before = self.map.len();
        self.map.retain(|_, r| !pred(r));
        before.saturating_sub(self.map.len())
    }

    /// Drops credentials past their retention, remembering the most recent ones as expired.
    pub fn sweep(&self, now: i64) -> usize {
        let before = self.map.len();
        let mut gone = Vec::new();
        self.map.retain(|k, r| {
            if now >= r.retain_ms {
                if gone.len() < TOMBSTONES {
                    gone.push((k.clone(), r.kind));
                }
                false
            } else {
                true
            }
        });
        let removed = before.saturating_sub(self.map.len());
        // A table that emptied after a burst gives its memory back instead of keeping the peak.
        if removed > 0 && self.map.capacity() > 4 * (self.map.len() + 1024) {
            self.map.shrink_to_fit();
        }
        if !gone.is_empty() {
            let mut order = self.tomb_order.lock().unwrap_or_else(|e| e.into_inner());
            for (k, kind) in gone {
                self.tombs.insert(k.clone(), kind);
                order.push_back(k);
                if order.len() > TOMBSTONES {
                    if let Some(old) = order.pop_front() {
                        self.tombs.remove(&old);
                    }
                }
            }
        }
        removed
    }

    /// A snapshot of every credential (for the state dump).
    pub fn snapshot(&self) -> Vec<(String, TokenRec)> {
        self.map
            .iter()
            .map(|e| (e.key().clone(), e.value().clone()))
            .collect()
    }

    pub fn clear(&self) {
        self.map.clear();
        self.tombs.clear();
        self.tomb_order
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clear();
    }
}
