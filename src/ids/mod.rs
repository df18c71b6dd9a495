//! Token text: the random generator (CSPRNG, or seeded for reproducible runs) and every token shape the
//! vendors use — `Bearer <48 hex>`, `AT <48 hex>`, `APP_PORTAL_S_<32 base62>`, uuid v4, HS256 JWTs.

use rand::rngs::StdRng;
use rand::{RngCore, SeedableRng};
use std::sync::Mutex;

mod jwt;
mod slot;
pub use jwt::{sign_hs256, verify_hs256};
pub use slot::slot_of;

const HEX: &[u8; 16] = b"0123456789abcdef";
const BASE62: &[u8; 62] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

/// Where random bytes come from, and the sequence behind credentials' slot hints (module `slot`):
/// [`Generator::hex_key`], [`Generator::push_base62_key`] and [`Generator::uuid_key`] end in one.
#[derive(Debug)]
pub struct Generator {
    source: Source,
    seq: slot::Sequence,
}

#[derive(Debug)]
enum Source {
    /// The thread-local CSPRNG (ChaCha, reseeded from the OS).
    Secure,
    /// A generator seeded per namespace (`--seed`), so runs are reproducible.
    Seeded(Box<Mutex<StdRng>>),
}

/// Writes `raw` as lowercase hex into `out` (twice its length).
pub(crate) fn encode_hex(raw: &[u8], out: &mut [u8]) {
    for (pair, b) in out.chunks_exact_mut(2).zip(raw) {
        pair[0] = HEX[(b >> 4) as usize];
        pair[1] = HEX[(b & 15) as usize];
    }
}

fn fill(source: &Source, buf: &mut [u8]) {
    match source {
        Source::Secure => rand::rng().fill_bytes(buf),
        Source::Seeded(m) => m.lock().unwrap_or_else(|e| e.into_inner()).fill_bytes(buf),
    }
}

impl Generator {
    /// The thread-local CSPRNG, its slot sequence starting at a random number.
    pub fn secure() -> Generator {
        Generator::from_source(Source::Secure)
    }

    /// A seeded generator for one namespace: the same seed and namespace name always give the same stream.
    pub fn seeded(seed: u64, namespace: &str) -> Generator {
        // FNV-1a of the namespace name keeps namespaces apart under one seed.
        let mut h: u64 = 0xcbf2_9ce4_8422_2325;
        for b in namespace.bytes() {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
        Generator::from_source(Source::Seeded(Box::new(Mutex::new(StdRng::seed_from_u64(
            seed ^ h,
        )))))
    }

    fn from_source(source: Source) -> Generator {
        let mut start = [0u8; 4];
        fill(&source, &mut start);
        Generator {
            source,
            seq: slot::Sequence::starting_at(u32::from_le_bytes(start)),
        }
    }

    pub fn fill(&self, buf: &mut [u8]) {
        fill(&self.source, buf);
    }

    /// The next slot hint as 8 lowercase hex characters.
    fn slot_hex(&self) -> [u8; 8] {
        let mut out = [0u8; 8];
        encode_hex(&self.seq.next(), &mut out);
        out
    }

    /// `n` random bytes (at most 64) as lowercase hex in `out`; returns the 2n characters. With `key`
    /// (and n ≥ 8) the last 4 bytes are the next slot hint instead, as a [`Generator::uuid_key`]'s.
    fn hex_into<'a>(&self, n: usize, key: bool, out: &'a mut [u8; 128]) -> &'a str {
        let mut raw = [0u8; 64];
        let raw = &mut raw[..n.min(64)];
        self.fill(raw);
        if key && raw.len() >= 8 {
            let k = raw.len();
            raw[k - 4..].copy_from_slice(&self.seq.next());
        }
        let out = &mut out[..2 * raw.len()];
        encode_hex(raw, out);
        // Only hex digits were written.
        std::str::from_utf8(out).unwrap_or_default()
    }

    /// `n` random bytes as lowercase hex (2n characters).
    pub fn hex(&self, n: usize) -> String {
        self.hex_into(n, false, &mut [0; 128]).to_owned()
    }

    /// A credential of 2n lowercase hex characters ending in a slot hint, straight into shared text
    /// (no intermediate `String`).
    pub fn hex_key(&self, n: usize) -> std::sync::Arc<str> {
        self.hex_into(n, true, &mut [0; 128]).into()
    }

    /// 48 lowercase hex characters (192 random bits), the KooDrive token body.
    pub fn hex48(&self) -> String {
        self.hex(24)
    }

    /// `n` base62 characters, drawn without modulo bias.
    pub fn base62(&self, n: usize) -> String {
        let mut out = String::with_capacity(n);
        self.push_base62(&mut out, n);
        out
    }

    /// A credential of `n` base62 characters, the last 8 a slot hint (hex digits are base62 too).
    pub fn base62_key(&self, n: usize) -> String {
        let mut out = String::with_capacity(n);
        self.push_base62_key(&mut out, n);
        out
    }

    /// Appends a credential of `n` base62 characters to `out`, the last 8 a slot hint (for n ≥ 16).
    pub fn push_base62_key(&self, out: &mut String, n: usize) {
        if n < 16 {
            return self.push_base62(out, n);
        }
        self.push_base62(out, n - 8);
        // Hex digits only.
        out.push_str(std::str::from_utf8(&self.slot_hex()).unwrap_or_default());
    }

    /// Appends `n` base62 characters to `out`.
    pub fn push_base62(&self, out: &mut String, n: usize) {
        let mut buf = [0u8; 64];
        let mut left = n;
        while left > 0 {
            self.fill(&mut buf);
            for &b in buf.iter() {
                // 248 = 4 × 62: rejecting the top values keeps every character equally likely.
                if b < 248 {
                    out.push(BASE62[(b % 62) as usize] as char);
                    left -= 1;
                    if left == 0 {
                        break;
                    }
                }
            }
        }
    }

    /// A random (version 4) UUID in its canonical text form.
    pub fn uuid_v4(&self) -> String {
        self.uuid(false)
    }

    /// A version 4 UUID whose last 8 hex digits are a slot hint, as a credential.
    pub fn uuid_key(&self) -> String {
        self.uuid(true)
    }

    fn uuid(&self, key: bool) -> String {
        let mut b = [0u8; 16];
        self.fill(&mut b);
        b[6] = (b[6] & 0x0f) | 0x40;
        b[8] = (b[8] & 0x3f) | 0x80;
        if key {
            b[12..].copy_from_slice(&self.seq.next());
        }
        let mut out = String::with_capacity(36);
        for (i, byte) in b.iter().enumerate() {
            if matches!(i, 4 | 6 | 8 | 10) {
                out.push('-');
            }
            out.push(HEX[(byte >> 4) as usize] as char);
            out.push(HEX[(byte & 15) as usize] as char);
        }
        out
    }
}

/// Compares two secrets in constant time (for equal lengths; the length itself is not secret here).
pub fn secret_eq(a: &str, b: &str) -> bool {
    use subtle::ConstantTimeEq;
    a.len() == b.len() && bool::from(a.as_bytes().ct_eq(b.as_bytes()))
}

#[cfg(test)]
mod unit {
    use super::*;

    #[test]
    fn shapes() {
        let g = Generator::secure();
        let h = g.hex48();
        assert_eq!(h.len(), 48);
        assert!(h
            .bytes()
            .all(|c| c.is_ascii_hexdigit() && !c.is_ascii_uppercase()));
        let b = g.base62(32);
        assert_eq!(b.len(), 32);
        assert!(b.bytes().all(|c| c.is_ascii_alphanumeric()));
        let u = g.uuid_v4();
        assert_eq!(u.len(), 36);
        assert_eq!(&u[14..15], "4");
    }

    #[test]
    fn slot_hints_round_trip() {
        let g = Generator::secure();
        let keys = [
            g.hex_key(24).to_string(),
            g.base62_key(32),
            g.uuid_key(),
            g.hex_key(24).to_string(),
        ];
        let slots: Vec<u32> = keys.iter().map(|k| slot_of(k).unwrap()).collect();
        for w in slots.windows(2) {
            assert_eq!(w[1], w[0].wrapping_add(1), "{keys:?}");
        }
        assert_eq!(keys[0].len(), 48);
        assert!(keys[1].bytes().all(|c| c.is_ascii_alphanumeric()));
        assert_eq!(&keys[2][14..15], "4");
        // Plain random text takes no number from the sequence.
        let before = slot_of(&g.hex_key(24)).unwrap();
        g.hex48();
        g.uuid_v4();
        assert_eq!(slot_of(&g.hex_key(24)).unwrap(), before.wrapping_add(1));
    }

    #[test]
    fn seeded_generators_repeat() {
        let a = Generator::seeded(7, "default");
        let b = Generator::seeded(7, "default");
        let c = Generator::seeded(7, "other");
        let (x, y, z) = (a.hex48(), b.hex48(), c.hex48());
        assert_eq!(x, y);
        assert_ne!(x, z);
    }
}
