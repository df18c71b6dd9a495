//! One shard of the credential table: a hash table of entries that keep their placement number and
//! a use stamp beside the key, and the least-recently-used eviction that bounds it.

use crate::store::credential::{Text, TokenRec};
use hashbrown::HashTable;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{RwLock, RwLockReadGuard, RwLockWriteGuard};

/// One shard: its part of the table and the stamps it hands out.
#[derive(Debug, Default)]
pub(super) struct Shard {
    pub(super) table: HashTable<Entry>,
    /// The next stamp (wraps): an entry's age is the difference. Atomic so that a lookup under the read
    /// lock can stamp the entry it found; ages are only compared under the write lock.
    stamp: AtomicU32,
}

impl Shard {
    pub(super) fn next_stamp(&self) -> u32 {
        self.stamp.fetch_add(1, Ordering::Relaxed)
    }

    /// Marks `e` as just used.
    pub(super) fn used(&self, e: &Entry) {
        e.stamp.store(self.next_stamp(), Ordering::Relaxed);
    }

    /// Drops the least recently stamped entries (fixture credentials stay) until `keep` are left;
    /// returns how many went. Stamps within a shard are distinct, so the cut is exact.
    pub(super) fn evict_to(&mut self, keep: usize) -> usize {
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
pub(super) struct Entry {
    /// The key's number: where [`Placement`] puts it.
    pub(super) num: u32,
    pub(super) stamp: AtomicU32,
    pub(super) key: Text,
    pub(super) rec: Box<TokenRec>,
}

const _: () = assert!(std::mem::size_of::<Entry>() <= 32);

/// Where a credential's number puts it: its shard and its table hash.
///
/// The number is the slot hint of a credential this server issued (consecutive credentials,
/// consecutive numbers: see `crate::ids::slot`) or 32 bits of the text's hash. Runs of 16
/// consecutive numbers share a shard and fill adjacent slots of it (the low 4 bits and the bits above
/// the shard index give the position); the table's 7-bit tag, its top bits, is a multiplicative hash of
/// the whole number, so neighbours still differ there.
#[derive(Debug, Clone, Copy)]
pub(super) struct Placement {
    /// `log2` of the shard count.
    pub(super) bits: u32,
}

impl Placement {
    pub(super) fn shard(self, x: u32) -> usize {
        ((x >> 4) as usize) & ((1usize << self.bits) - 1)
    }

    pub(super) fn hash(self, x: u32) -> u64 {
        let tag = u64::from(x.wrapping_mul(0x9E37_79B9) >> 25);
        let pos = ((x >> (4 + self.bits)) << 4) | (x & 15);
        (tag << 57) | u64::from(pos)
    }
}

pub(super) fn read(shard: &RwLock<Shard>) -> RwLockReadGuard<'_, Shard> {
    shard.read().unwrap_or_else(|e| e.into_inner())
}

pub(super) fn write(shard: &RwLock<Shard>) -> RwLockWriteGuard<'_, Shard> {
    shard.write().unwrap_or_else(|e| e.into_inner())
}
