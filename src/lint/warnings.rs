//! Contract-lint warnings as data: what one request did differently from its vendor page
//! ([`Warnings`], rendered as the `X-Mock-Warnings` header and kept in the journal), and a namespace's
//! running [`Summary`] of them.

use axum::http::HeaderValue;
use std::sync::Mutex;

/// The response header that lists a request's deviations.
pub const HEADER: &str = "x-mock-warnings";
/// Separates the entries of [`HEADER`]; messages never contain it.
pub const SEPARATOR: &str = " | ";
/// Most warnings one request keeps; further ones are only counted.
pub const MAX: usize = 16;
/// Longest message kept (echoed request text is cut well before this).
const MAX_MESSAGE: usize = 200;

/// One deviation from the vendor page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Warning {
    /// The rule's stable id (`content-type`, `unknown-field`, …).
    pub id: &'static str,
    /// What differs, in printable ASCII without `|`.
    pub message: String,
    /// The mock accepted what the vendor may refuse (strict mode refuses it); `false` when the mock
    /// refuses the request anyway and the warning only says why.
    pub lenient: bool,
}

/// A request's warnings, and its notes; empty (the common case) holds no allocation.
///
/// A note is conditional advice (a header the page makes mandatory only for some callers, a header
/// its example omits): it goes to the journal and the summary, never into [`HEADER`] or strict mode,
/// since a request that follows its page must get neither.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Warnings {
    list: Vec<Warning>,
    /// Warnings past [`MAX`], counted only.
    more: usize,
    notes: Vec<Warning>,
}

impl Warnings {
    /// No deviation (notes do not count).
    pub fn is_empty(&self) -> bool {
        self.list.is_empty()
    }

    /// Neither a deviation nor a note.
    pub fn is_silent(&self) -> bool {
        self.list.is_empty() && self.notes.is_empty()
    }

    /// Adds a note (at most [`MAX`]; the rules add one or two).
    pub fn note(&mut self, id: &'static str, message: &'static str) {
        if self.notes.len() < MAX {
            self.notes.push(Warning {
                id,
                message: message.to_owned(),
                lenient: true,
            });
        }
    }

    pub fn notes(&self) -> impl Iterator<Item = &Warning> {
        self.notes.iter()
    }

    /// All deviations found, including those past [`MAX`].
    pub fn len(&self) -> usize {
        self.list.len() + self.more
    }

    /// Heap bytes held (0 when empty), for the journal's memory budget.
    pub fn heap_bytes(&self) -> usize {
        (self.list.capacity() + self.notes.capacity()) * std::mem::size_of::<Warning>()
            + self
                .list
                .iter()
                .chain(&self.notes)
                .map(|w| w.message.capacity())
                .sum::<usize>()
    }

    pub fn iter(&self) -> impl Iterator<Item = &Warning> {
        self.list.iter()
    }

    /// Adds one; the message is cleaned to printable ASCII without `|` and cut at 200 characters.
    pub fn push(&mut self, id: &'static str, lenient: bool, message: impl AsRef<str>) {
        if self.list.len() >= MAX {
            self.more += 1;
            return;
        }
        let message = message
            .as_ref()
            .chars()
            .take(MAX_MESSAGE)
            .map(|c| match c {
                '|' => '/',
                ' '..='~' => c,
                _ => '?',
            })
            .collect();
        self.list.push(Warning {
            id,
            message,
            lenient,
        });
    }

    /// Drops the warnings added after the first `n` (a scan that turned out malformed).
    pub fn truncate(&mut self, n: usize) {
        if n < self.list.len() {
            self.list.truncate(n);
            self.more = 0;
        }
    }

    /// The first deviation the mock accepted: what strict mode refuses.
    pub fn first_lenient(&self) -> Option<&Warning> {
        self.list.iter().find(|w| w.lenient)
    }

    /// `id: message | id: message`, plus `more: N more deviations` past [`MAX`]; `None` when empty.
    pub fn header_value(&self) -> Option<HeaderValue> {
        if self.list.is_empty() {
            return None;
        }
        let mut s = String::new();
        for w in &self.list {
            if !s.is_empty() {
                s.push_str(SEPARATOR);
            }
            s.push_str(w.id);
            s.push_str(": ");
            s.push_str(&w.message);
        }
        if self.more > 0 {
            s.push_str(SEPARATOR);
            s.push_str(&format!("more: {} more deviations", self.more));
        }
        // Printable ASCII by construction (ids are constants, messages cleaned in `push`).
        HeaderValue::from_str(&s).ok()
    }

    /// The notes as JSON for the journal: `[{"id","message"}…]`.
    pub fn notes_json(&self) -> serde_json::Value {
        let v = self.notes.iter();
        serde_json::Value::Array(
            v.map(|w| serde_json::json!({ "id": w.id, "message": w.message }))
                .collect(),
        )
    }

    /// The warnings as JSON for the journal: `[{"id","message"}…]`.
    pub fn to_json(&self) -> serde_json::Value {
        let mut v: Vec<serde_json::Value> = self
            .list
            .iter()
            .map(|w| serde_json::json!({ "id": w.id, "message": w.message }))
            .collect();
        if self.more > 0 {
            v.push(serde_json::json!({
                "id": "more",
                "message": format!("{} more deviations", self.more),
            }));
        }
        serde_json::Value::Array(v)
    }
}

/// How often one rule fired on one route.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stat {
    pub id: &'static str,
    /// A note (conditional advice), not a deviation.
    pub note: bool,
    pub route: &'static str,
    pub count: u64,
    pub first_ms: i64,
    pub last_ms: i64,
    /// The message the last time.
    pub last_message: String,
}

/// A namespace's warnings by rule and route. Memory is bounded by the rules × the vendor routes (both
/// fixed tables): keys are static strings, one entry per pair.
#[derive(Debug, Default)]
pub struct Summary(Mutex<Vec<Stat>>);

impl Summary {
    /// Counts a request's warnings against `route` at `now_ms`.
    pub fn record(&self, route: &'static str, warnings: &Warnings, now_ms: i64) {
        if warnings.is_silent() {
            return;
        }
        let mut stats = self.0.lock().unwrap_or_else(|e| e.into_inner());
        let notes = warnings.notes.iter().map(|w| (w, true));
        for (w, note) in warnings.list.iter().map(|w| (w, false)).chain(notes) {
            let same = |s: &&mut Stat| s.id == w.id && s.route == route && s.note == note;
            match stats.iter_mut().find(same) {
                Some(s) => {
                    s.count += 1;
                    s.last_ms = now_ms;
                    if s.last_message != w.message {
                        s.last_message.clone_from(&w.message);
                    }
                }
                None => stats.push(Stat {
                    id: w.id,
                    note,
                    route,
                    count: 1,
                    first_ms: now_ms,
                    last_ms: now_ms,
                    last_message: w.message.clone(),
                }),
            }
        }
    }

    /// Every (rule, route) seen, most frequent first.
    pub fn list(&self) -> Vec<Stat> {
        let mut v = self.0.lock().unwrap_or_else(|e| e.into_inner()).clone();
        v.sort_by(|a, b| b.count.cmp(&a.count).then(a.first_ms.cmp(&b.first_ms)));
        v
    }

    pub fn clear(&self) {
        self.0.lock().unwrap_or_else(|e| e.into_inner()).clear();
    }
}

#[cfg(test)]
mod unit {
    use super::*;

    #[test]
    fn empty_warnings_hold_no_allocation_and_render_nothing() {
        let w = Warnings::default();
        assert_eq!(w.list.capacity(), 0);
        assert!(w.header_value().is_none());
        assert_eq!(w.to_json(), serde_json::json!([]));
        assert!(w.is_silent());
    }

    #[test]
    fn a_note_stays_out_of_the_header_and_strict_mode_but_is_summarised() {
        let mut w = Warnings::default();
        w.note("x-tenant-id", "X-tenant-id missing");
        assert!(w.is_empty() && !w.is_silent());
        assert!(w.header_value().is_none() && w.first_lenient().is_none());
        assert_eq!(w.to_json(), serde_json::json!([]));
        let s = Summary::default();
        s.record("POST /a", &w, 10);
        let l = s.list();
        assert_eq!((l.len(), l[0].id, l[0].note), (1, "x-tenant-id", true));
    }

    #[test]
    fn header_lists_entries_split_by_the_separator_and_cleans_messages() {
        let mut w = Warnings::default();
        w.push(
            "content-type",
            true,
            "expected application/json;charset=utf8",
        );
        w.push("unknown-field", true, "or|gid \u{e9} - did you mean orgId?");
        let h = w.header_value().unwrap();
        let text = h.to_str().unwrap();
        assert_eq!(
            text,
            "content-type: expected application/json;charset=utf8 | unknown-field: or/gid ? - did you mean orgId?"
        );
        assert_eq!(text.split(SEPARATOR).count(), 2);
    }

    #[test]
    fn past_the_maximum_warnings_are_counted_not_kept() {
        let mut w = Warnings::default();
        for _ in 0..MAX + 3 {
            w.push("unknown-field", true, "x");
        }
        assert_eq!(w.len(), MAX + 3);
        assert_eq!(w.iter().count(), MAX);
        let h = w.header_value().unwrap();
        assert!(h.to_str().unwrap().ends_with("more: 3 more deviations"));
    }

    #[test]
    fn summary_counts_per_rule_and_route_with_first_and_last_seen() {
        let s = Summary::default();
        let mut w = Warnings::default();
        w.push("path-slash", true, "a");
        s.record("POST /a", &w, 10);
        s.record("POST /a", &w, 20);
        s.record("POST /b", &w, 30);
        let l = s.list();
        assert_eq!(l.len(), 2);
        assert_eq!(
            (l[0].route, l[0].count, l[0].first_ms, l[0].last_ms),
            ("POST /a", 2, 10, 20)
        );
    }
}
