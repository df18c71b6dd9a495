//! The table's placement and eviction, below the HTTP tests (which cannot see where an entry sits).

use super::*;
use crate::ids::Generator;

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
