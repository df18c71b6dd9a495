//! Recently swept credentials, remembered so that an expired one is still reported as expired.

use crate::store::credential::Kind;
use std::hash::BuildHasher;

/// How many swept credentials are remembered as "expired" (rather than unknown), per namespace.
pub(super) const TOMBSTONES: usize = 4096;

/// Recently swept credentials, remembered by a 64-bit hash in a fixed ring: no per-credential
/// allocation, so sweeping a burst of expired tokens leaves no small blocks scattered over freed memory
/// (which would keep that memory from going back to the OS).
#[derive(Debug, Default)]
pub(super) struct Tombstones {
    ring: Vec<(u64, Kind)>,
    next: usize,
}

pub(super) fn tomb_hash(token: &str) -> u64 {
    // A fixed seed: the ring outlives no process, and a collision only reports "expired" for "unknown".
    foldhash::quality::FixedState::with_seed(0x6175_7468_6d6f_636b).hash_one(token)
}

impl Tombstones {
    pub(super) fn push(&mut self, h: u64, kind: Kind) {
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

    pub(super) fn kind_of(&self, token: &str) -> Option<Kind> {
        if self.ring.is_empty() {
            return None;
        }
        let h = tomb_hash(token);
        self.ring.iter().find(|(x, _)| *x == h).map(|(_, k)| *k)
    }
}
