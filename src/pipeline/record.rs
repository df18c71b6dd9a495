//! The last step: the request's log line, its contract-lint warnings (`X-Mock-Warnings` and the
//! namespace's summary) and its journal entry.

use crate::lint::warnings::{self, Warnings};
use crate::logging::TraceIds;
use crate::namespace::journal::Trace;
use crate::namespace::journal::{Outcome, Recording};
use crate::namespace::{Ns, DEFAULT_NAMESPACE};
use axum::body::Body;
use axum::http::request::Parts;
use axum::http::{HeaderName, Method, Uri};
use axum::response::Response;
use std::time::Instant;

/// What is remembered of a request while it is answered.
pub struct Record {
    pub start: Instant,
    pub method: Method,
    pub uri: Uri,
    /// The route pattern it matched, if any.
    pub route: Option<&'static str>,
    /// The request half of its journal entry, when the journal records it.
    pub journal: Option<Recording>,
    /// The fault that shaped the answer, if any.
    pub fault: Option<String>,
    /// Where the request deviated from its vendor page.
    pub warnings: Warnings,
    /// Its `traceparent` / `X-Traceid`, when well formed.
    pub trace: Option<Box<Trace>>,
}

impl Record {
    /// Starts the record; the journal copies the request now (the handler consumes it).
    pub fn begin(
        ns: &Ns,
        parts: &Parts,
        body: &[u8],
        route: Option<&'static str>,
        journaled: bool,
        start: Instant,
    ) -> Record {
        let journal = (journaled && ns.journal.enabled()).then(|| {
            let target = parts.uri.path_and_query().map_or("", |p| p.as_str());
            ns.journal.begin(target, &parts.headers, body)
        });
        Record {
            start,
            method: parts.method.clone(),
            uri: parts.uri.clone(),
            route,
            journal,
            fault: None,
            warnings: Warnings::default(),
            trace: Trace::of(&parts.headers),
        }
    }

    /// Journals a connection dropped by a fault: status 0 and no answer.
    pub fn dropped(&mut self, ns: &Ns) {
        if let Some(rec) = self.journal.take() {
            let us = self.start.elapsed().as_micros() as u64;
            ns.journal.finish(rec, &[], self.outcome(ns, 0, us));
        }
    }

    /// The journal's half of the outcome; it takes the warnings (the record ends here).
    fn outcome(&mut self, ns: &Ns, status: u16, duration_us: u64) -> Outcome {
        Outcome {
            time_ms: ns.now(),
            method: self.method.clone(),
            route: self.route,
            status,
            duration_us,
            fault: self.fault.clone(),
            warnings: std::mem::take(&mut self.warnings),
            trace: self.trace.take(),
        }
    }

    /// Writes the log line and completes the journal entry with the answer.
    pub async fn finish(mut self, ns: &Ns, mut resp: Response) -> Response {
        if let Some(v) = self.warnings.header_value() {
            resp.headers_mut()
                .insert(HeaderName::from_static(warnings::HEADER), v);
        }
        if let (Some(route), false) = (self.route, self.warnings.is_silent()) {
            ns.warnings.record(route, &self.warnings, ns.now());
        }
        let status = resp.status().as_u16();
        let us = self.start.elapsed().as_micros() as u64;
        crate::logging::request(
            &self.method,
            self.uri.path(),
            status,
            us,
            (ns.name != DEFAULT_NAMESPACE).then_some(ns.name.as_str()),
            self.trace
                .as_deref()
                .map_or(TraceIds::default(), |t| TraceIds {
                    trace_id: t.trace_id(),
                    x_traceid: t.x_traceid.as_deref(),
                }),
        );
        let Some(rec) = self.journal.take() else {
            return resp;
        };
        let outcome = self.outcome(ns, status, us);
        let (parts, body) = resp.into_parts();
        let bytes = super::edge::body_bytes(body).await.unwrap_or_default();
        ns.journal.finish(rec, &bytes, outcome);
        Response::from_parts(parts, Body::from(bytes))
    }
}
