//! The request journal: a ring buffer per namespace of what clients sent and what they got.
//!
//! Recording is cheap and leaves no scattered memory behind: an entry's request target, headers and
//! bodies are copied into one buffer, and evicted entries (their allocation and their buffer) are
//! reused in place, so once the ring is full recording allocates nothing. Masking of secrets happens
//! only when the journal is read.
//!
//! Memory is bounded twice: an entry keeps at most the first 4 KiB of each body (and 8 KiB of the target
//! and of the headers), and all namespaces' journals together hold at most [`JOURNAL_BUDGET`] bytes: a
//! journal recording past that drops its own oldest entries first.

mod mask;
mod trace;

pub use mask::{body_view, mask, uri_view};
pub use trace::{valid_traceparent, Trace};

use crate::lint::warnings::Warnings;
use axum::http::{HeaderMap, Method};
use std::collections::VecDeque;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

/// Evicted entries kept for reuse (more than the requests in flight at once is never needed).
const SPARE_ENTRIES: usize = 64;
/// An evicted entry whose buffer is larger than this (a big body once) is dropped rather than kept.
const MAX_KEPT_BUFFER: usize = 32 * 1024;
/// Bytes of a request or response body an entry keeps (`bodyBytes` tells the whole size).
pub const MAX_BODY_KEPT: usize = 4 * 1024;
/// Bytes of the request target, and of the packed headers, an entry keeps.
const MAX_HEAD_KEPT: usize = 8 * 1024;
/// Bytes all namespaces' journals hold together, at most (plus one entry per journal).
pub const JOURNAL_BUDGET: usize = 64 << 20;

/// The bytes held by every journal of a server, shared by its namespaces.
#[derive(Debug, Default)]
pub struct JournalBytes(AtomicUsize, AtomicU64);

impl JournalBytes {
    pub fn get(&self) -> usize {
        self.0.load(Ordering::Relaxed)
    }

    /// Entries dropped to make room (the ring full, or the budget spent), by every journal.
    pub fn dropped(&self) -> u64 {
        self.1.load(Ordering::Relaxed)
    }
}

/// The first `max` bytes of `b`.
fn kept(b: &[u8], max: usize) -> &[u8] {
    &b[..b.len().min(max)]
}

/// One journaled exchange.
#[derive(Debug)]
pub struct Entry {
    pub id: u64,
    /// Method, route, status, timing, fault and warnings.
    pub outcome: Outcome,
    /// Request target, packed headers (`name: value\n`), request body, response body — back to back,
    /// each cut at its limit.
    buf: Vec<u8>,
    ends: [usize; 3],
    /// Whole sizes of the request and response bodies.
    sizes: [usize; 2],
}

impl Entry {
    /// Heap bytes the entry holds, as counted against the journals' budget.
    fn bytes(&self) -> usize {
        self.buf.capacity() + self.outcome.warnings.heap_bytes()
    }

    /// Path and query as received.
    pub fn uri(&self) -> &str {
        std::str::from_utf8(&self.buf[..self.ends[0]]).unwrap_or("")
    }
    pub(super) fn headers(&self) -> &[u8] {
        &self.buf[self.ends[0]..self.ends[1]]
    }
    pub fn body(&self) -> &[u8] {
        &self.buf[self.ends[1]..self.ends[2]]
    }
    pub fn response_body(&self) -> &[u8] {
        &self.buf[self.ends[2]..]
    }
}

/// The request half of an entry, captured before the handler runs (it consumes the request): an
/// entry not yet in the ring, so held only here.
#[derive(Debug)]
pub struct Recording(Arc<Entry>);

impl Recording {
    /// The entry, which nothing else holds yet.
    fn entry(&mut self) -> &mut Entry {
        Arc::get_mut(&mut self.0).expect("a recording's entry is not shared before it is finished")
    }
}

/// What is known once the answer is ready.
#[derive(Debug, Default)]
pub struct Outcome {
    pub time_ms: i64,
    pub method: Method,
    /// The route pattern it matched, if any.
    pub route: Option<&'static str>,
    pub status: u16,
    pub duration_us: u64,
    /// A fault that shaped the answer, if any.
    pub fault: Option<String>,
    /// Where the request deviated from its vendor page (the contract lint).
    pub warnings: Warnings,
    /// Its trace context, if it carried one.
    pub trace: Option<Box<Trace>>,
}

/// Bounded journal; capacity 0 disables it.
#[derive(Debug)]
pub struct Journal {
    cap: usize,
    ring: Mutex<VecDeque<Arc<Entry>>>,
    /// Evicted entries that no reader held, for the next recordings.
    spare: Mutex<Vec<Arc<Entry>>>,
    seq: AtomicU64,
    /// Bytes of this journal's entries (changed under the ring's lock).
    held: AtomicUsize,
    /// Bytes of every journal of the server.
    total: Arc<JournalBytes>,
}

impl Drop for Journal {
    fn drop(&mut self) {
        self.total
            .0
            .fetch_sub(self.held.load(Ordering::Relaxed), Ordering::Relaxed);
    }
}

/// Filters of `GET /__admin/requests`.
#[derive(Debug, Default)]
pub struct Filter {
    pub limit: Option<usize>,
    pub method: Option<String>,
    pub path: Option<String>,
    pub status: Option<u16>,
    /// Only entries with contract-lint warnings.
    pub warnings: bool,
    /// Only entries of this W3C trace-id or `X-Traceid`.
    pub trace_id: Option<String>,
}

impl Journal {
    /// A journal of at most `cap` entries, counting its bytes into `total`.
    pub fn new(cap: usize, total: Arc<JournalBytes>) -> Journal {
        Journal {
            cap,
            ring: Mutex::new(VecDeque::new()),
            spare: Mutex::new(Vec::new()),
            seq: AtomicU64::new(1),
            held: AtomicUsize::new(0),
            total,
        }
    }

    pub fn enabled(&self) -> bool {
        self.cap > 0
    }

    pub fn capacity(&self) -> usize {
        self.cap
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, VecDeque<Arc<Entry>>> {
        self.ring.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn spare(&self) -> std::sync::MutexGuard<'_, Vec<Arc<Entry>>> {
        self.spare.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Copies the request half into a (reused) entry.
    pub fn begin(&self, uri: &str, headers: &HeaderMap, body: &[u8]) -> Recording {
        let spare = self.spare().pop();
        let mut rec = Recording(spare.unwrap_or_else(|| {
            Arc::new(Entry {
                id: 0,
                outcome: Outcome::default(),
                buf: Vec::new(),
                ends: [0; 3],
                sizes: [0; 2],
            })
        }));
        let e = rec.entry();
        let buf = &mut e.buf;
        buf.clear();
        // The target is ASCII (hyper checks it), so any cut is a character boundary.
        buf.extend_from_slice(kept(uri.as_bytes(), MAX_HEAD_KEPT));
        let uri_end = buf.len();
        for (k, v) in headers {
            if buf.len() - uri_end + k.as_str().len() + v.len() + 3 > MAX_HEAD_KEPT {
                break;
            }
            buf.extend_from_slice(k.as_str().as_bytes());
            buf.extend_from_slice(b": ");
            buf.extend_from_slice(v.as_bytes());
            buf.push(b'\n');
        }
        let headers_end = buf.len();
        buf.extend_from_slice(kept(body, MAX_BODY_KEPT));
        e.ends[..2].copy_from_slice(&[uri_end, headers_end]);
        e.sizes[0] = body.len();
        rec
    }

    /// Completes the entry with the answer and pushes it, evicting the oldest when full.
    pub fn finish(&self, mut rec: Recording, response: &[u8], o: Outcome) {
        let e = rec.entry();
        e.ends[2] = e.buf.len();
        e.buf.extend_from_slice(kept(response, MAX_BODY_KEPT));
        e.sizes[1] = response.len();
        e.id = self.seq.fetch_add(1, Ordering::Relaxed);
        e.outcome = o;
        let size = e.bytes();
        // A full ring evicts one entry per request: kept apart from the rare budget evictions so that
        // the common case allocates no list.
        let mut evicted = None;
        let mut old = Vec::new();
        {
            let mut r = self.lock();
            if r.len() >= self.cap {
                if let Some(o) = r.pop_front() {
                    self.release(o.bytes());
                    self.total.1.fetch_add(1, Ordering::Relaxed);
                    evicted = Some(o);
                }
            }
            r.push_back(rec.0);
            self.held.fetch_add(size, Ordering::Relaxed);
            self.total.0.fetch_add(size, Ordering::Relaxed);
            // Over the server-wide budget: this journal gives up its oldest entries (never the new one).
            while self.total.get() > JOURNAL_BUDGET && r.len() > 1 {
                if let Some(o) = r.pop_front() {
                    self.release(o.bytes());
                    self.total.1.fetch_add(1, Ordering::Relaxed);
                    old.push(o);
                }
            }
        }
        // Keep an evicted entry for the next recording, unless a reader still holds it.
        for mut entry in evicted.into_iter().chain(old) {
            if Arc::get_mut(&mut entry).is_some() && entry.buf.capacity() <= MAX_KEPT_BUFFER {
                let mut spare = self.spare();
                if spare.len() < SPARE_ENTRIES {
                    spare.push(entry);
                }
            }
        }
    }

    /// Counts `n` bytes of entries as gone from this journal (call under the ring's lock).
    fn release(&self, n: usize) {
        self.held.fetch_sub(n, Ordering::Relaxed);
        self.total.0.fetch_sub(n, Ordering::Relaxed);
    }

    pub fn len(&self) -> usize {
        self.lock().len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    pub fn clear(&self) {
        let old = {
            let mut r = self.lock();
            self.release(self.held.load(Ordering::Relaxed));
            std::mem::take(&mut *r)
        };
        drop(old);
        self.spare().clear();
    }

    /// Matching entries, newest first, at most `f.limit` of them.
    pub fn list(&self, f: &Filter) -> Vec<Arc<Entry>> {
        let mut all = self.matching(f);
        all.truncate(f.limit.unwrap_or(usize::MAX));
        all
    }

    /// Every entry the filter matches, newest first, whatever `f.limit` says.
    pub fn matching(&self, f: &Filter) -> Vec<Arc<Entry>> {
        let snapshot: Vec<Arc<Entry>> = self.lock().iter().rev().cloned().collect();
        snapshot
            .into_iter()
            .filter(|e| {
                f.method
                    .as_deref()
                    .is_none_or(|m| e.outcome.method.as_str().eq_ignore_ascii_case(m))
                    && f.path.as_deref().is_none_or(|p| {
                        let path = e.uri().split('?').next().unwrap_or("");
                        path.contains(p) || e.outcome.route == Some(p)
                    })
                    && f.status.is_none_or(|s| e.outcome.status == s)
                    && (!f.warnings || !e.outcome.warnings.is_empty())
                    && f.trace_id
                        .as_deref()
                        .is_none_or(|id| e.outcome.trace.as_ref().is_some_and(|t| t.matches(id)))
            })
            .collect()
    }
}

#[cfg(test)]
mod unit {
    use super::*;

    #[test]
    fn ring_buffer_stays_bounded() {
        let j = Journal::new(3, Arc::default());
        for i in 0..10u16 {
            let rec = j.begin("/x?a=1", &HeaderMap::new(), b"{}");
            let o = Outcome {
                time_ms: 0,
                method: Method::GET,
                route: None,
                status: 200 + i,
                duration_us: 0,
                fault: None,
                warnings: Warnings::default(),
                trace: None,
            };
            j.finish(rec, b"{\"ok\":true}", o);
        }
        assert_eq!(j.len(), 3);
        let newest = &j.list(&Filter::default())[0];
        assert_eq!(
            (newest.outcome.status, newest.uri(), newest.body()),
            (209, "/x?a=1", &b"{}"[..])
        );
        assert_eq!(newest.response_body(), b"{\"ok\":true}");
    }
}
