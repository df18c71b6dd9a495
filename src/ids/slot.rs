//! Slot hints: every credential the token table is keyed by ends in 8 lowercase hex characters that
//! encode the next number of a per-namespace sequence, scrambled so they look as random as the rest.
//!
//! What it buys: the table reads the number back ([`slot_of`]) and places consecutive credentials in
//! adjacent slots, so an insert writes memory a recent insert just touched instead of a random cache line
//! of a large table. Texts that carry no hint (fixtures, foreign strings) are hashed instead.

use std::sync::atomic::{AtomicU32, Ordering};

/// The sequence behind one generator's slot hints.
#[derive(Debug)]
pub(super) struct Sequence(AtomicU32);

impl Sequence {
    /// A sequence starting at `start` (drawn from the generator, so seeded runs repeat).
    pub(super) fn starting_at(start: u32) -> Sequence {
        Sequence(AtomicU32::new(start))
    }

    /// The next hint as the 4 bytes whose lowercase hex ends a credential.
    pub(super) fn next(&self) -> [u8; 4] {
        mix32(self.0.fetch_add(1, Ordering::Relaxed)).to_be_bytes()
    }
}

/// The slot number a credential's text carries: its last 8 characters as lowercase hex, unscrambled.
/// Any text ending so gives a number (a foreign one, an arbitrary number); others give `None`.
pub fn slot_of(text: &str) -> Option<u32> {
    let t = text.as_bytes();
    let tail = t.get(t.len().checked_sub(8)?..)?;
    let mut v = 0u32;
    for &c in tail {
        let d = match c {
            b'0'..=b'9' => c - b'0',
            b'a'..=b'f' => c - b'a' + 10,
            _ => return None,
        };
        v = (v << 4) | u32::from(d);
    }
    Some(unmix32(v))
}

/// The scramble: murmur3's 32-bit finaliser, a bijection.
fn mix32(mut h: u32) -> u32 {
    h ^= h >> 16;
    h = h.wrapping_mul(0x85eb_ca6b);
    h ^= h >> 13;
    h = h.wrapping_mul(0xc2b2_ae35);
    h ^= h >> 16;
    h
}

/// The inverse of [`mix32`].
fn unmix32(mut h: u32) -> u32 {
    h ^= h >> 16;
    h = h.wrapping_mul(inverse(0xc2b2_ae35));
    h ^= (h >> 13) ^ (h >> 26);
    h = h.wrapping_mul(inverse(0x85eb_ca6b));
    h ^= h >> 16;
    h
}

/// The multiplicative inverse of an odd number modulo 2^32 (Newton's iteration doubles the correct
/// bits each step: 5 steps from the 3 that `x = a` starts with).
const fn inverse(a: u32) -> u32 {
    let mut x = a;
    let mut i = 0;
    while i < 5 {
        x = x.wrapping_mul(2u32.wrapping_sub(a.wrapping_mul(x)));
        i += 1;
    }
    x
}

#[cfg(test)]
mod unit {
    use super::*;

    #[test]
    fn the_scramble_round_trips() {
        for x in [
            0u32,
            1,
            2,
            15,
            16,
            0x7fff_ffff,
            0x8000_0000,
            u32::MAX,
            0x1234_5678,
        ] {
            assert_eq!(unmix32(mix32(x)), x);
        }
        assert_eq!(slot_of("short"), None);
        assert_eq!(slot_of("APP_PORTAL_S_XYZ0000000G"), None);
    }
}
