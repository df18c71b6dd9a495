//! Every issued credential of a namespace — tokens, one-time codes, tickets — in one sharded map keyed by
//! the credential's text, with its kind, owner, lifetime and bindings.
//!
//! One table keeps revocation, the state dump and the sweeper uniform across the vendor families; the
//! `kind` check on every lookup is what keeps a token of one family or use from being accepted by another.

use hashbrown::hash_table::Entry as Slot;
use hashbrown::HashTable;
use serde::Serialize;
use std::hash::BuildHasher;
use std::sync::atomic::{AtomicI64, AtomicU32, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, RwLock, RwLockReadGuard, RwLockWriteGuard};

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

/// Shared immutable text (token text, ids): cloning a record or linking two credentials bumps a count
/// instead of copying a string.
pub type Text = Arc<str>;

/// One credential and what it is bound to.
///
/// 72 bytes: the bindings only some credentials carry sit behind one pointer, so a login's pair of
/// records (the bulk of a busy table) stays small.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TokenRec {
    pub kind: Kind,
    /// User id (client id for a OneAccess app token).
    pub owner: Text,
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
    /// Org, session, device and client bindings, when the credential has any.
    #[serde(flatten)]
    pub bind: Option<Box<Bindings>>,
    /// The paired credential (access ↔ refresh).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub link: Option<Text>,
}

const _: () = assert!(std::mem::size_of::<TokenRec>() <= 72);

/// What a credential is bound to besides its owner.
#[derive(Debug, Clone, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Bindings {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub org: Option<Text>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub session: Option<Text>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fingerprint: Option<Text>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub client: Option<Text>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tenant: Option<Text>,
}

impl TokenRec {
    /// A credential of `kind` for `owner`, issued at `now` and accepted for `ttl_ms`.
    pub fn new(kind: Kind, owner: impl Into<Text>, now: i64, ttl_ms: i64) -> TokenRec {
        let expires = now.saturating_add(ttl_ms);
        TokenRec {
            kind,
            owner: owner.into(),
            issued_ms: now,
            expires_ms: expires,
            retain_ms: expires,
            fixed: false,
            bind: None,
            link: None,
        }
    }

    pub fn live_at(&self, now: i64) -> bool {
        now < self.expires_ms
    }

    /// The bindings, created empty on first use.
    pub fn bind(&mut self) -> &mut Bindings {
        self.bind.get_or_insert_with(Box::default)
    }

    fn bound(&self, f: impl FnOnce(&Bindings) -> &Option<Text>) -> Option<&str> {
        self.bind.as_deref().and_then(|b| f(b).as_deref())
    }

    pub fn org(&self) -> Option<&str> {
        self.bound(|b| &b.org)
    }

    pub fn session(&self) -> Option<&str> {
        self.bound(|b| &b.session)
    }

    pub fn fingerprint(&self) -> Option<&str> {
        self.bound(|b| &b.fingerprint)
    }

    pub fn client(&self) -> Option<&str> {
        self.bound(|b| &b.client)
    }

    pub fn tenant(&self) -> Option<&str> {
        self.bound(|b| &b.tenant)
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

/// Shards of an unbounded credential table: 2^MAX_SHARD_BITS.
const MAX_SHARD_BITS: u32 = 8;

/// Smallest credential limit a table takes (besides 0, no limit).
pub const MIN_LIMIT: usize = 1000;
/// Largest credential limit: keeps every entry's age far below the wrap of its shard's 32-bit stamps.
pub const MAX_LIMIT: usize = 1 << 30;
/// A bounded table has at most as many shards as leave each this many credentials, so that eviction
/// order within a shard stays close to the order over the whole table.
const MIN_PER_SHARD: usize = 64;

/// How many swept credentials are remembered as "expired" (rather than unknown), per namespace.
const TOMBSTONES: usize = 4096;

/// The credential table of one namespace.
///
/// Sharded hash tables that keep each key's hash beside it: growing a shard moves entries without
/// hashing their text again (which would chase every key's pointer through a table of millions).
///
/// The table is bounded (`--max-tokens`), so that a load test issuing credentials for hours holds a
/// flat amount of memory instead of growing until the sweeper's 30-day horizon: each shard keeps at most
/// its share of the limit, and an insert that takes a shard past it drops that shard's least recently
/// stamped sixteenth (stamped when issued and whenever a lookup finds it live, so a credential in use
/// is never the one to go: least recently used first). Evicting per shard, under
/// the lock the insert holds anyway, spreads the cost over the inserts instead of stalling one request
/// behind a pass over the whole table.
#[derive(Debug)]
pub struct Tokens {
    /// Keys are our own random tokens, so a fast hasher is safe here (lookups of foreign strings never
    /// insert, so they cannot flood a bucket).
    hasher: foldhash::fast::RandomState,
    /// Entries are 32 bytes (hash, stamp, key, boxed record): a shard that doubles copies little and
    /// touches few fresh pages, so a resize stalls the requests behind it for tens of microseconds, not
    /// hundreds (records inline made entries ~180 bytes and the p99 latency twice as long).
    shards: Box<[RwLock<Shard>]>,
    place: Placement,
    /// Most credentials one shard keeps (0: no limit).
    shard_cap: usize,
    /// The limit asked for (0: none).
    limit: usize,
    /// Credentials evicted by the limit since the table was made.
    evicted: AtomicU64,
    /// No credential may be swept before this instant: lets the sweeper skip a large table in O(1).
    next_due: AtomicI64,
    /// Recently swept credentials, so an expired one is still reported as expired (OneAccess says so).
    tombs: Mutex<Tombstones>,
}

/// One shard: its part of the table and the stamps it hands out.
#[derive(Debug, Default)]
struct Shard {
    table: HashTable<Entry>,
    /// The next stamp (wraps): an entry's age is the difference. Atomic so that a lookup under the read
    /// lock can stamp the entry it found; ages are only compared under the write lock.
    stamp: AtomicU32,
}

impl Shard {
    fn next_stamp(&self) -> u32 {
        self.stamp.fetch_add(1, Ordering::Relaxed)
    }

    /// Marks `e` as just used.
    fn used(&self, e: &Entry) {
        e.stamp.store(self.next_stamp(), Ordering::Relaxed);
    }

    /// Drops the least recently stamped entries (fixture credentials stay) until `keep` are left;
    /// returns how many went. Stamps within a shard are distinct, so the cut is exact.
    fn evict_to(&mut self, keep: usize) -> usize {
        let n = self.table.len();
        if n <= keep {
            return 0;
        }
        let now = self.stamp.load(Ordering::Relaxed);
        let age = |e: &Entry| now.wrapping_sub(e.stamp.load(Ordering::Relaxed));
        let cut = AGES.with_borrow_mut(|ages| {
            ages.clear();
            ages.extend(self.table.iter().map(age));
            let (_, cut, _) = ages.select_nth_unstable_by(n - keep - 1, |a, b| b.cmp(a));
            *cut
        });
        self.table.retain(|e| age(e) < cut || e.rec.fixed);
        n - self.table.len()
    }
}

thread_local! {
    /// Scratch space for eviction, kept per thread: a fresh vector per pass would be a large
    /// allocation each time, and in glibc a large allocation first consolidates every small block the
    /// pass just freed.
    static AGES: std::cell::RefCell<Vec<u32>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// 32 bytes: the key's number (see [`Placement`]) beside the entry's stamp, so that growing a shard
/// moves entries without hashing their text again, and eviction reads ages from the table's own slots
/// without following a pointer per entry.
#[derive(Debug)]
struct Entry {
    /// The key's number: where [`Placement`] puts it.
    num: u32,
    stamp: AtomicU32,
    key: Text,
    rec: Box<TokenRec>,
}

const _: () = assert!(std::mem::size_of::<Entry>() <= 32);

/// Where a credential's number puts it: its shard and its table hash.
///
/// The number is the slot hint of a credential this server issued (consecutive credentials,
/// consecutive numbers: see [`crate::tokens::Generator`]) or 32 bits of the text's hash. Runs of 16
/// consecutive numbers share a shard and fill adjacent slots of it (the low 4 bits and the bits above
/// the shard index give the position); the table's 7-bit tag, its top bits, is a multiplicative hash of
/// the whole number, so neighbours still differ there.
#[derive(Debug, Clone, Copy)]
struct Placement {
    /// `log2` of the shard count.
    bits: u32,
}

impl Placement {
    fn shard(self, x: u32) -> usize {
        ((x >> 4) as usize) & ((1usize << self.bits) - 1)
    }

    fn hash(self, x: u32) -> u64 {
        let tag = u64::from(x.wrapping_mul(0x9E37_79B9) >> 25);
        let pos = ((x >> (4 + self.bits)) << 4) | (x & 15);
        (tag << 57) | u64::from(pos)
    }
}

/// Recently swept credentials, remembered by a 64-bit hash in a fixed ring: no per-credential
/// allocation, so sweeping a burst of expired tokens leaves no small blocks scattered over freed memory
/// (which would keep that memory from going back to the OS).
#[derive(Debug, Default)]
struct Tombstones {
    ring: Vec<(u64, Kind)>,
    next: usize,
}

fn tomb_hash(token: &str) -> u64 {
    // A fixed seed: the ring outlives no process, and a collision only reports "expired" for "unknown".
    foldhash::quality::FixedState::with_seed(0x6175_7468_6d6f_636b).hash_one(token)
}

impl Tombstones {
    fn push(&mut self, h: u64, kind: Kind) {
        if self.ring.len() < TOMBSTONES {
            if self.ring.is_empty() {
                self.ring.reserve_exact(TOMBSTONES);
            }
            self.ring.push((h, kind));
        } else {
            self.ring[self.next] = (h, kind);
            self.next = (self.next + 1) % TOMBSTONES;
        }
    }

    fn kind_of(&self, token: &str) -> Option<Kind> {
        if self.ring.is_empty() {
            return None;
        }
        let h = tomb_hash(token);
        self.ring.iter().find(|(x, _)| *x == h).map(|(_, k)| *k)
    }
}

impl Default for Tokens {
    /// An unbounded table.
    fn default() -> Self {
        Tokens::with_limit(0)
    }
}

fn read(shard: &RwLock<Shard>) -> RwLockReadGuard<'_, Shard> {
    shard.read().unwrap_or_else(|e| e.into_inner())
}

fn write(shard: &RwLock<Shard>) -> RwLockWriteGuard<'_, Shard> {
    shard.write().unwrap_or_else(|e| e.into_inner())
}

impl Tokens {
    /// A table that keeps at most `limit` credentials (0: no limit; otherwise clamped to
    /// [`MIN_LIMIT`]..=[`MAX_LIMIT`]).
    pub fn with_limit(limit: usize) -> Self {
        let limit = if limit == 0 {
            0
        } else {
            limit.clamp(MIN_LIMIT, MAX_LIMIT)
        };
        // Many small shards: a shard that grows rehashes only its own part of the table, so a table of
        // millions of tokens never stalls requests for long behind one resize.
        let bits = if limit == 0 {
            MAX_SHARD_BITS
        } else {
            (limit / MIN_PER_SHARD).ilog2().min(MAX_SHARD_BITS)
        };
        let n = 1usize << bits;
        Tokens {
            hasher: foldhash::fast::RandomState::default(),
            shards: (0..n).map(|_| RwLock::default()).collect(),
            place: Placement { bits },
            shard_cap: limit / n,
            limit,
            evicted: AtomicU64::new(0),
            next_due: AtomicI64::new(NEVER),
            tombs: Mutex::new(Tombstones::default()),
        }
    }

    fn tombs(&self) -> std::sync::MutexGuard<'_, Tombstones> {
        self.tombs.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The token's number (its slot hint, or 32 bits of its hash), its table hash and its shard.
    fn locate(&self, token: &str) -> (u32, u64, &RwLock<Shard>) {
        let x = crate::tokens::slot_of(token)
            .unwrap_or_else(|| (self.hasher.hash_one(token) >> 32) as u32);
        (x, self.place.hash(x), &self.shards[self.place.shard(x)])
    }

    /// The most credentials this table keeps (0: no limit).
    pub fn limit(&self) -> usize {
        self.limit
    }

    /// Credentials evicted by the limit so far.
    pub fn evicted(&self) -> u64 {
        self.evicted.load(Ordering::Relaxed)
    }

    pub fn len(&self) -> usize {
        self.shards.iter().map(|s| read(s).table.len()).sum()
    }

    pub fn is_empty(&self) -> bool {
        self.shards.iter().all(|s| read(s).table.is_empty())
    }

    pub fn insert(&self, token: impl Into<Text>, rec: TokenRec) {
        // Insert first, then lower `next_due`: a sweep that misses this entry in its scan started its
        // scan before the insert, so it reset `next_due` before this `fetch_min`.
        let due = rec.retain_ms;
        let key: Text = token.into();
        let (x, h, shard) = self.locate(&key);
        let place = self.place;
        let evicted = {
            let mut s = write(shard);
            let stamp = s.next_stamp();
            // One probe finds the key or the slot for it.
            match s.table.entry(h, |e| e.key == key, |e| place.hash(e.num)) {
                Slot::Occupied(mut o) => {
                    let e = o.get_mut();
                    *e.rec = rec;
                    *e.stamp.get_mut() = stamp;
                    0
                }
                Slot::Vacant(v) => {
                    v.insert(Entry {
                        num: x,
                        stamp: AtomicU32::new(stamp),
                        key,
                        rec: Box::new(rec),
                    });
                    if self.shard_cap > 0 && s.table.len() > self.shard_cap {
                        s.evict_to(self.shard_cap - self.shard_cap / 16)
                    } else {
                        0
                    }
                }
            }
        };
        // Most credentials are due after the earliest one: a plain load spares the locked update.
        if due < self.next_due.load(Ordering::Acquire) {
            self.next_due.fetch_min(due, Ordering::AcqRel);
        }
        if evicted > 0 && self.evicted.fetch_add(evicted as u64, Ordering::Relaxed) == 0 {
            tracing::warn!(
                limit = self.limit,
                "a namespace holds --max-tokens credentials: the least recently used are being evicted"
            );
        }
    }

    /// The credential if it is of one of `kinds`, live or not.
    pub fn get_any(&self, token: &str, kinds: &[Kind]) -> Option<TokenRec> {
        let (_, hash, shard) = self.locate(token);
        let s = read(shard);
        s.table
            .find(hash, |e| &*e.key == token)
            .filter(|e| kinds.contains(&e.rec.kind))
            .map(|e| {
                s.used(e);
                TokenRec::clone(&e.rec)
            })
    }

    /// Finds a credential of one of `kinds` and tells whether it is live at `now`; a live one counts
    /// as just used for eviction.
    pub fn lookup(&self, token: &str, kinds: &[Kind], now: i64) -> Lookup {
        let (_, hash, shard) = self.locate(token);
        let s = read(shard);
        let found = s.table.find(hash, |e| &*e.key == token).map(|e| {
            if !kinds.contains(&e.rec.kind) {
                Err(())
            } else if e.rec.live_at(now) {
                s.used(e);
                Ok(Some(TokenRec::clone(&e.rec)))
            } else {
                Ok(None)
            }
        });
        drop(s);
        match found {
            Some(Ok(Some(r))) => Lookup::Live(r),
            Some(Ok(None)) => Lookup::Expired,
            Some(Err(())) => Lookup::Missing,
            None => match self.tombs().kind_of(token) {
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

    /// Like [`Tokens::live`], and slides its expiry to `now + window_ms` (fixture credentials keep
    /// theirs). A session in use counts as just issued for eviction.
    pub fn touch(&self, token: &str, kind: Kind, now: i64, window_ms: i64) -> Option<TokenRec> {
        let (_, hash, shard) = self.locate(token);
        let mut s = write(shard);
        let stamp = s.next_stamp();
        let e = s.table.find_mut(hash, |e| &*e.key == token)?;
        if e.rec.kind != kind || !e.rec.live_at(now) {
            return None;
        }
        if !e.rec.fixed {
            *e.stamp.get_mut() = stamp;
            let r = &mut e.rec;
            r.expires_ms = now.saturating_add(window_ms);
            r.retain_ms = r.retain_ms.max(r.expires_ms);
        }
        Some(TokenRec::clone(&e.rec))
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
        self.remove_if(token, |r| r.kind == kind && r.live_at(now) && pred(r))
    }

    /// Retires a credential of one of `kinds` unless it is a fixture; true if it was there.
    pub fn retire(&self, token: &str, kinds: &[Kind]) -> bool {
        self.remove_if(token, |r| kinds.contains(&r.kind) && !r.fixed)
            .is_some()
    }

    /// Removes any credential, fixture or not (admin revocation); returns what it was.
    pub fn revoke(&self, token: &str) -> Option<TokenRec> {
        self.remove_if(token, |_| true)
    }

    /// Removes the credential if `pred` holds, atomically under its shard's lock.
    fn remove_if(&self, token: &str, pred: impl FnOnce(&TokenRec) -> bool) -> Option<TokenRec> {
        let (_, hash, shard) = self.locate(token);
        let mut s = write(shard);
        match s.table.find_entry(hash, |e| &*e.key == token) {
            Ok(e) if pred(&e.get().rec) => Some(*e.remove().0.rec),
            _ => None,
        }
    }

    /// Removes every credential for which `pred` holds; returns how many.
    pub fn remove_where(&self, pred: impl Fn(&TokenRec) -> bool) -> usize {
        let mut removed = 0;
        for shard in self.shards.iter() {
            let mut s = write(shard);
            let before = s.table.len();
            s.table.retain(|e| !pred(&e.rec));
            removed += before - s.table.len();
        }
        removed
    }

    /// Drops credentials past their retention, remembering the most recent ones as expired.
    pub fn sweep(&self, now: i64) -> usize {
        if now < self.next_due.load(Ordering::Acquire) {
            return 0;
        }
        // Reset before scanning: an insert racing with the scan lowers it again, so nothing is missed.
        self.next_due.store(NEVER, Ordering::Release);
        let mut gone: Vec<(u64, Kind)> = Vec::new();
        let mut due = NEVER;
        let mut removed = 0;
        for shard in self.shards.iter() {
            let mut s = write(shard);
            let t = &mut s.table;
            let before = t.len();
            t.retain(|e| {
                if now < e.rec.retain_ms {
                    due = due.min(e.rec.retain_ms);
                    return true;
                }
                if gone.len() < TOMBSTONES {
                    gone.push((tomb_hash(&e.key), e.rec.kind));
                }
                false
            });
            let went = before - t.len();
            removed += went;
            // A shard that emptied after a burst gives its memory back instead of keeping the peak.
            if went > 0 && t.capacity() > 4 * (t.len() + 16) {
                t.shrink_to_fit(|e| self.place.hash(e.num));
            }
        }
        self.next_due.fetch_min(due, Ordering::AcqRel);
        if !gone.is_empty() {
            let mut t = self.tombs();
            for (h, kind) in gone {
                t.push(h, kind);
            }
        }
        removed
    }

    /// For the state dump, without copying the table: how many credentials there are, how many of each
    /// kind, and the `n` newest (ties by token text) with their records.
    #[allow(clippy::type_complexity)]
    pub fn newest(&self, n: usize) -> (usize, Vec<(Kind, usize)>, Vec<(String, TokenRec)>) {
        use std::cmp::Reverse;
        use std::collections::BinaryHeap;
        // A max-heap whose top is the worst kept candidate (oldest, then greatest text).
        let mut heap: BinaryHeap<(Reverse<i64>, Text)> = BinaryHeap::new();
        let mut kinds: Vec<(Kind, usize)> = Vec::new();
        let mut total = 0;
        for shard in self.shards.iter() {
            let s = read(shard);
            for e in s.table.iter() {
                total += 1;
                match kinds.iter_mut().find(|(k, _)| *k == e.rec.kind) {
                    Some(c) => c.1 += 1,
                    None => kinds.push((e.rec.kind, 1)),
                }
                if n == 0 {
                    continue;
                }
                let better = heap.len() < n
                    || heap.peek().is_some_and(|(Reverse(t), k)| {
                        (Reverse(e.rec.issued_ms), &*e.key) < (Reverse(*t), &**k)
                    });
                if better {
                    heap.push((Reverse(e.rec.issued_ms), e.key.clone()));
                    if heap.len() > n {
                        heap.pop();
                    }
                }
            }
        }
        let listed = heap
            .into_sorted_vec()
            .into_iter()
            .filter_map(|(_, k)| {
                let (_, hash, shard) = self.locate(&k);
                let r = TokenRec::clone(&read(shard).table.find(hash, |e| e.key == k)?.rec);
                Some((k.to_string(), r))
            })
            .collect();
        (total, kinds, listed)
    }

    pub fn clear(&self) {
        for shard in self.shards.iter() {
            *write(shard) = Shard::default();
        }
        self.next_due.store(NEVER, Ordering::Release);
        *self.tombs() = Tombstones::default();
    }
}

#[cfg(test)]
mod unit {
    use super::*;
    use crate::tokens::Generator;

    fn rec(n: i64) -> TokenRec {
        TokenRec::new(Kind::KooAccess, "u", n, 60_000)
    }

    /// Issued credentials (consecutive slot hints), foreign texts, and texts that share one slot
    /// number all land, are found, and go: placement changes where an entry sits, never what is found.
    #[test]
    fn placement_keeps_every_key_findable() {
        for limit in [0, 1000, 5000] {
            let t = Tokens::with_limit(limit);
            let g = Generator::seeded(1, "placement");
            let issued: Vec<Text> = (0..20_000).map(|_| g.hex_key(24)).collect();
            for (i, k) in issued.iter().enumerate() {
                t.insert(k.clone(), rec(i as i64));
            }
            // Same last 8 characters (one slot number, so one shard: fewer than a shard keeps),
            // different texts; and texts with no hint.
            let same: Vec<String> = (0..50).map(|i| format!("custom-{i}-0000abcd")).collect();
            let foreign: Vec<String> = (0..100).map(|i| format!("fixture token {i}")).collect();
            for k in same.iter().chain(&foreign) {
                t.insert(k.as_str(), rec(-1));
            }
            let found = |k: &str| t.get_any(k, &[Kind::KooAccess]).is_some();
            assert!(
                same.iter().chain(&foreign).all(|k| found(k)),
                "limit {limit}"
            );
            let kept = issued.iter().filter(|k| found(k)).count();
            if limit == 0 {
                assert_eq!(kept, issued.len());
                assert_eq!(t.len(), issued.len() + 150);
            } else {
                // The newest are kept, the oldest evicted, within the limit.
                assert!(t.len() <= limit, "limit {limit}: {} kept", t.len());
                assert!(issued[issued.len() - 100..].iter().all(|k| found(k)));
                assert!(!found(&issued[0]));
                assert!(kept > limit / 2, "limit {limit}: {kept} kept");
            }
            for k in issued.iter().take(10).chain(issued.iter().rev().take(10)) {
                t.revoke(k);
                assert!(!found(k));
            }
            assert!(t.revoke(&same[25]).is_some());
            assert!(!found(&same[25]) && found(&same[24]) && found(&same[26]));
        }
    }

    /// Consecutive credentials share a shard in runs of 16, at adjacent positions.
    #[test]
    fn consecutive_slots_are_adjacent() {
        let p = Placement { bits: 8 };
        let base = 0x1234_5670u32;
        for i in 0..16 {
            assert_eq!(p.shard(base + i), p.shard(base));
            assert_eq!(
                p.hash(base + i) & 0xffff_ffff,
                (p.hash(base) & 0xffff_ffff) + u64::from(i)
            );
        }
        assert_ne!(p.shard(base + 16), p.shard(base));
        assert_eq!(
            p.hash(base + 16 * 256) & 0xffff_ffff,
            (p.hash(base) & 0xffff_ffff) + 16
        );
    }
}
