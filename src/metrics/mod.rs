//! Per-replica counters for `GET /__admin/metrics`, kept so that counting costs a request a few
//! relaxed atomic adds: no lock, no allocation, no hashing. Every series is indexed by a bounded
//! number — a route's place in the route tables (unknown paths share one), an HTTP status and a
//! vendor code's place in the error enums — so no input can add series without bound.
//!
//! This module is a leaf: it knows slots and indices, not what they name. The pipeline maps a request
//! to its indices (`pipeline/count.rs`), the control plane names them when scraped (`admin/metrics.rs`),
//! and [`text`] writes the Prometheus text with `prometheus-client`.

pub mod text;

use std::sync::atomic::{AtomicU64, Ordering::Relaxed};

/// Room for this many routes (vendor, control plane, and the one label of every unknown path).
pub const MAX_ROUTES: usize = 64;
/// Distinct (status, vendor code) pairs counted per route; past it a route's answers count as `other`.
pub const SLOTS: usize = 32;
/// Latency bucket bounds in microseconds (the exposition says seconds).
pub const BUCKETS_US: [u64; 14] = [
    100, 250, 500, 1_000, 2_500, 5_000, 10_000, 25_000, 50_000, 100_000, 250_000, 1_000_000,
    5_000_000, 30_000_000,
];
/// What a fault can do, in the order `faults_fired` lists it.
pub const FAULT_KINDS: [&str; 5] = ["error", "status", "delay", "drop", "malformed"];
/// Most lint rules counted per route.
pub const MAX_RULES: usize = 32;

/// A latency histogram of fixed buckets: one add to a bucket, the count and the sum per observation.
#[derive(Debug)]
pub struct Histogram {
    /// Non-cumulative counts per bucket; the last is `+Inf`.
    buckets: [AtomicU64; BUCKETS_US.len() + 1],
    count: AtomicU64,
    sum_us: AtomicU64,
}

impl Default for Histogram {
    fn default() -> Self {
        Histogram {
            buckets: std::array::from_fn(|_| AtomicU64::new(0)),
            count: AtomicU64::new(0),
            sum_us: AtomicU64::new(0),
        }
    }
}

impl Histogram {
    pub fn observe_us(&self, us: u64) {
        let i = BUCKETS_US
            .iter()
            .position(|&b| us <= b)
            .unwrap_or(BUCKETS_US.len());
        self.buckets[i].fetch_add(1, Relaxed);
        self.count.fetch_add(1, Relaxed);
        self.sum_us.fetch_add(us, Relaxed);
    }

    /// (sum in seconds, count, buckets as (upper bound in seconds, count in that bucket alone), as
    /// the encoder takes them: it writes them cumulative).
    pub fn read(&self) -> (f64, u64, Vec<(f64, u64)>) {
        let mut out = Vec::with_capacity(BUCKETS_US.len() + 1);
        for (i, b) in self.buckets.iter().enumerate() {
            let le = BUCKETS_US.get(i).map_or(f64::INFINITY, |&u| u as f64 / 1e6);
            out.push((le, b.load(Relaxed)));
        }
        let sum = self.sum_us.load(Relaxed) as f64 / 1e6;
        (sum, self.count.load(Relaxed), out)
    }
}

/// One route's answers by (status, vendor code), in a small open-addressed table whose keys are set
/// once by compare-and-swap, and its latency.
#[derive(Debug)]
struct RouteCounts {
    keys: [AtomicU64; SLOTS],
    counts: [AtomicU64; SLOTS],
    /// Answers past the table's room.
    other: AtomicU64,
    latency: Histogram,
}

impl Default for RouteCounts {
    fn default() -> Self {
        RouteCounts {
            keys: std::array::from_fn(|_| AtomicU64::new(0)),
            counts: std::array::from_fn(|_| AtomicU64::new(0)),
            other: AtomicU64::new(0),
            latency: Histogram::default(),
        }
    }
}

impl RouteCounts {
    fn add(&self, status: u16, code: u16) {
        // Never 0, the empty key.
        let key = 1 | (u64::from(status) << 32) | (u64::from(code) << 1);
        let start = (status as usize ^ (code as usize).wrapping_mul(7)) % SLOTS;
        for i in 0..SLOTS {
            let s = (start + i) % SLOTS;
            let k = self.keys[s].load(Relaxed);
            let taken = k == key
                || (k == 0
                    && match self.keys[s].compare_exchange(0, key, Relaxed, Relaxed) {
                        Ok(_) => true,
                        Err(won) => won == key,
                    });
            if taken {
                self.counts[s].fetch_add(1, Relaxed);
                return;
            }
        }
        self.other.fetch_add(1, Relaxed);
    }
}

/// A TLS listener's handshakes.
#[derive(Debug, Default)]
pub struct TlsCounts {
    pub handshakes: AtomicU64,
    pub failures: AtomicU64,
}

/// The shared store's calls as this replica made them.
#[derive(Debug, Default)]
pub struct StoreCounts {
    pub calls: AtomicU64,
    pub errors: AtomicU64,
    pub latency: Histogram,
}

impl StoreCounts {
    /// Counts one call that took `us` microseconds.
    pub fn call(&self, us: u64, ok: bool) {
        self.calls.fetch_add(1, Relaxed);
        if !ok {
            self.errors.fetch_add(1, Relaxed);
        }
        self.latency.observe_us(us);
    }
}

/// Everything one server counts (per replica: each process its own).
#[derive(Debug)]
pub struct Metrics {
    routes: Box<[RouteCounts]>,
    faults: Box<[[AtomicU64; FAULT_KINDS.len()]]>,
    lint: Box<[[AtomicU64; MAX_RULES]]>,
    strict: Box<[AtomicU64]>,
    /// Lockouts started, by family index.
    pub lockouts: [AtomicU64; 3],
    /// 503s answered because the shared store could not be reached.
    pub store_down: AtomicU64,
    pub tls: TlsCounts,
}

impl Default for Metrics {
    fn default() -> Self {
        fn zeros<const N: usize>() -> [AtomicU64; N] {
            std::array::from_fn(|_| AtomicU64::new(0))
        }
        Metrics {
            routes: (0..MAX_ROUTES).map(|_| RouteCounts::default()).collect(),
            faults: (0..MAX_ROUTES).map(|_| zeros()).collect(),
            lint: (0..MAX_ROUTES).map(|_| zeros()).collect(),
            strict: (0..MAX_ROUTES).map(|_| AtomicU64::new(0)).collect(),
            lockouts: zeros(),
            store_down: AtomicU64::new(0),
            tls: TlsCounts::default(),
        }
    }
}

/// One route's (status, code) counts: `((status, code), count)`, and the answers past the table.
pub type Answers = (Vec<((u16, u16), u64)>, u64);

impl Metrics {
    /// Counts one answer: route index, HTTP status, vendor code index (0: none), latency.
    #[inline]
    pub fn request(&self, route: usize, status: u16, code: u16, us: u64) {
        if let Some(r) = self.routes.get(route) {
            r.add(status, code);
            r.latency.observe_us(us);
        }
    }

    pub fn fault(&self, route: usize, kind: usize) {
        if let Some(k) = self.faults.get(route).and_then(|r| r.get(kind)) {
            k.fetch_add(1, Relaxed);
        }
    }

    pub fn lint(&self, route: usize, rule: usize) {
        if let Some(k) = self.lint.get(route).and_then(|r| r.get(rule)) {
            k.fetch_add(1, Relaxed);
        }
    }

    pub fn strict(&self, route: usize) {
        if let Some(k) = self.strict.get(route) {
            k.fetch_add(1, Relaxed);
        }
    }

    /// A route's answers.
    pub fn answers(&self, route: usize) -> Answers {
        let Some(r) = self.routes.get(route) else {
            return (Vec::new(), 0);
        };
        let mut v: Vec<_> = (0..SLOTS)
            .filter_map(|s| {
                let k = r.keys[s].load(Relaxed);
                (k != 0).then(|| {
                    let key = ((k >> 32) as u16, ((k & 0xffff_ffff) >> 1) as u16);
                    (key, r.counts[s].load(Relaxed))
                })
            })
            .collect();
        v.sort_unstable();
        (v, r.other.load(Relaxed))
    }

    pub fn latency(&self, route: usize) -> Option<&Histogram> {
        self.routes.get(route).map(|r| &r.latency)
    }

    pub fn faults_of(&self, route: usize) -> [u64; FAULT_KINDS.len()] {
        let mut out = [0; FAULT_KINDS.len()];
        if let Some(r) = self.faults.get(route) {
            for (o, c) in out.iter_mut().zip(r) {
                *o = c.load(Relaxed);
            }
        }
        out
    }

    pub fn lint_of(&self, route: usize, rule: usize) -> u64 {
        self.lint
            .get(route)
            .and_then(|r| r.get(rule))
            .map_or(0, |c| c.load(Relaxed))
    }

    pub fn strict_of(&self, route: usize) -> u64 {
        self.strict.get(route).map_or(0, |c| c.load(Relaxed))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_route_table_keeps_each_pair_once_and_overflows_into_other() {
        let m = Metrics::default();
        for status in 200..200 + SLOTS as u16 + 3 {
            m.request(1, status, 0, 10);
            m.request(1, status, 0, 10);
        }
        let (pairs, other) = m.answers(1);
        assert_eq!(pairs.len(), SLOTS);
        assert!(pairs.iter().all(|&(_, n)| n == 2));
        assert_eq!(other, 6);
    }

    #[test]
    fn histogram_buckets_hold_their_own_counts_with_the_bound_inclusive() {
        let h = Histogram::default();
        h.observe_us(100);
        h.observe_us(101);
        h.observe_us(u64::MAX / 4);
        let (_, count, b) = h.read();
        assert_eq!(count, 3);
        assert_eq!(b[0], (0.0001, 1));
        assert_eq!(b[1], (0.00025, 1));
        assert_eq!(b.last().copied(), Some((f64::INFINITY, 1)));
    }
}

/// The vendor error code an answer carries (a response extension the families' error enums set), for
/// the `code` label.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VendorCode {
    Num(i64),
    Text(&'static str),
}
