//! Every issued credential of a namespace — tokens, one-time codes, tickets — in one sharded map keyed by
//! the credential's text, with its kind, owner, lifetime and bindings.
//!
//! One table keeps revocation, the state dump and the sweeper uniform across the vendor families; the
//! `kind` check on every lookup is what keeps a token of one family or use from being accepted by another.

mod shard;
#[cfg(test)]
mod tests;
mod tombs;

pub use crate::store::credential::{Bindings, Kind, Lookup, Text, TokenRec, NEVER};

use hashbrown::hash_table::Entry as Slot;
use shard::{read, write, Entry, Placement, Shard};
use std::hash::BuildHasher;
use std::sync::atomic::{AtomicI64, AtomicU32, AtomicU64, Ordering};
use std::sync::{Mutex, RwLock};
use tombs::{tomb_hash, Tombstones, TOMBSTONES};

/// Shards of an unbounded credential table: 2^MAX_SHARD_BITS.
const MAX_SHARD_BITS: u32 = 8;

/// Smallest credential limit a table takes (besides 0, no limit).
pub const MIN_LIMIT: usize = 1000;
/// Largest credential limit: keeps every entry's age far below the wrap of its shard's 32-bit stamps.
pub const MAX_LIMIT: usize = 1 << 30;
/// A bounded table has at most as many shards as leave each this many credentials, so that eviction
/// order within a shard stays close to the order over the whole table.
const MIN_PER_SHARD: usize = 64;

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
    /// Entries are small (placement number, stamp, key, boxed record): a shard that doubles copies
    /// little and touches few fresh pages, so a resize stalls the requests behind it only briefly.
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

impl Default for Tokens {
    /// An unbounded table.
    fn default() -> Self {
        Tokens::with_limit(0)
    }
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
        let x = crate::ids::slot_of(token)
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
        self.lookup_with(token, kinds, now, TokenRec::clone)
    }

    /// [`Tokens::lookup`], reading a live record with `f` under its shard's read lock rather than
    /// copying it out (`f` must not touch the table).
    pub fn lookup_with<R>(
        &self,
        token: &str,
        kinds: &[Kind],
        now: i64,
        f: impl FnOnce(&TokenRec) -> R,
    ) -> Lookup<R> {
        let (_, hash, shard) = self.locate(token);
        let s = read(shard);
        let found = s.table.find(hash, |e| &*e.key == token).map(|e| {
            if !kinds.contains(&e.rec.kind) {
                Err(())
            } else if e.rec.live_at(now) {
                s.used(e);
                Ok(Some(f(&e.rec)))
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
    pub fn of_kind(&self, kind: Kind) -> Vec<(String, TokenRec)> {
        let mut out = Vec::new();
        for shard in self.shards.iter() {
            let s = read(shard);
            let found = s.table.iter().filter(|e| e.rec.kind == kind);
            out.extend(found.map(|e| (e.key.to_string(), TokenRec::clone(&e.rec))));
        }
        out
    }

    /// Every credential, as (text, record).
    pub fn all(&self) -> Vec<(String, TokenRec)> {
        let mut out = Vec::new();
        for shard in self.shards.iter() {
            let s = read(shard);
            out.extend(
                s.table
                    .iter()
                    .map(|e| (e.key.to_string(), TokenRec::clone(&e.rec))),
            );
        }
        out
    }

    /// For the state dump, without copying the table: how many listed credentials ([`Kind::listed`])
    /// there are, how many of each kind, and the `n` newest (ties by token text) with their records.
    pub fn newest(&self, n: usize) -> crate::store::Newest {
        use std::cmp::Reverse;
        use std::collections::BinaryHeap;
        // A max-heap whose top is the worst kept candidate (oldest, then greatest text).
        let mut heap: BinaryHeap<(Reverse<i64>, Text)> = BinaryHeap::new();
        let mut kinds: Vec<(Kind, usize)> = Vec::new();
        let mut total = 0;
        for shard in self.shards.iter() {
            let s = read(shard);
            for e in s.table.iter().filter(|e| e.rec.kind.listed()) {
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
