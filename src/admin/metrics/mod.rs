//! `GET /__admin/metrics`: this replica's counters in the Prometheus text format. Counters are
//! counted on the request path (`pipeline/count.rs`); gauges (credentials, namespaces) are computed
//! here, at scrape time. Every label value comes from a bounded set: routes from the route tables
//! (`route="unknown"` for every path no route takes), codes from the families' error enums.

mod labels;

pub use labels::{Labels as LabelTables, RouteLabel, LABELS};

use crate::contract::Family;
use crate::metrics::text::{Exposition, Labels};
use crate::metrics::{Histogram, FAULT_KINDS};
use crate::namespace::{AppState, Ns};
use crate::store::Verbs;
use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use std::sync::atomic::Ordering::Relaxed;

/// The content type of the exposition (OpenMetrics text, which Prometheus reads).
const CONTENT_TYPE: &str = "application/openmetrics-text; version=1.0.0; charset=utf-8";

/// `GET /__admin/metrics`.
#[utoipa::path(
    get,
    path = "/__admin/metrics",
    operation_id = "admin_metrics",
    tag = "control plane",
    summary = "This replica's metrics, Prometheus text format (docs/operations.md)",
    security((), ("adminToken" = [])),
    responses((status = 200, description = "OpenMetrics text: `authmock_requests_total{family,route,status,code}`, `authmock_request_duration_seconds{family,route}`, faults, lint warnings, strict refusals, credentials, evictions, lockouts, namespaces, journal drops, TLS handshakes, store calls. Counted per replica.", body = String, content_type = "application/openmetrics-text"))
)]
pub async fn metrics(State(app): State<AppState>) -> Response {
    let mut e = Exposition::default();
    requests(&app, &mut e);
    events(&app, &mut e);
    state(&app, &mut e).await;
    ([(header::CONTENT_TYPE, CONTENT_TYPE)], e.render()).into_response()
}

fn route_labels(r: &RouteLabel) -> Labels {
    let route = match r.method {
        "" => r.pattern.to_string(),
        m => format!("{m} {}", r.pattern),
    };
    vec![("family", r.family.to_string()), ("route", route)]
}

fn histogram(h: &Histogram) -> (f64, u64, Vec<(f64, u64)>) {
    h.read()
}

/// Requests by family, route, status and vendor code; latency by route.
fn requests(app: &AppState, e: &mut Exposition) {
    const REQUESTS: &str = "Answers by family, route, HTTP status and vendor code (`none`: no vendor code; status and code `other` past 32 pairs of one route).";
    const LATENCY: &str = "Time from the request's route being known to its answer, by route.";
    let m = &app.metrics;
    for (i, r) in LABELS.routes.iter().enumerate() {
        let (pairs, other) = m.answers(i);
        for ((status, code), n) in pairs {
            let mut l = route_labels(r);
            l.push(("status", status.to_string()));
            let code = LABELS.codes.get(code as usize).map_or("none", |c| c.0);
            l.push(("code", code.to_string()));
            e.counter("authmock_requests", REQUESTS, l, n);
        }
        if other > 0 {
            let mut l = route_labels(r);
            l.push(("status", "other".into()));
            l.push(("code", "other".into()));
            e.counter("authmock_requests", REQUESTS, l, other);
        }
        if let Some(h) = m.latency(i).filter(|h| h.read().1 > 0) {
            let help = LATENCY;
            e.histogram(
                "authmock_request_duration_seconds",
                help,
                route_labels(r),
                histogram(h),
            );
        }
    }
}

/// Faults, lint warnings, strict refusals, lockouts, TLS, the store's calls.
fn events(app: &AppState, e: &mut Exposition) {
    let m = &app.metrics;
    for (i, r) in LABELS.routes.iter().enumerate() {
        for (kind, n) in FAULT_KINDS.iter().zip(m.faults_of(i)) {
            if n > 0 {
                let mut l = route_labels(r);
                l.push(("kind", kind.to_string()));
                e.counter(
                    "authmock_faults_fired",
                    "Fault actions fired, by route and kind.",
                    l,
                    n,
                );
            }
        }
        for (j, rule) in crate::lint::RULES.iter().enumerate() {
            let n = m.lint_of(i, j);
            if n > 0 {
                let mut l = route_labels(r);
                l.push(("rule", rule.id.to_string()));
                e.counter(
                    "authmock_lint_warnings",
                    "Contract-lint warnings, by rule and route.",
                    l,
                    n,
                );
            }
        }
        let n = m.strict_of(i);
        if n > 0 {
            let help = "Requests strict mode refused, by route.";
            e.counter("authmock_strict_refusals", help, route_labels(r), n);
        }
    }
    for (f, c) in Family::ALL.iter().zip(&m.lockouts) {
        let l = vec![("family", f.name().to_string())];
        let help = "Accounts locked by failed logins.";
        e.counter("authmock_lockouts_started", help, l, c.load(Relaxed));
    }
    let dropped = app.journal_bytes.dropped();
    let help = "Journal entries dropped to make room (ring full or 64 MiB budget spent).";
    e.counter("authmock_journal_dropped", help, vec![], dropped);
    if app.settings.tls_ca_pem.is_some() {
        let help = "TLS handshakes started on the https listener.";
        e.counter(
            "authmock_tls_handshakes",
            help,
            vec![],
            m.tls.handshakes.load(Relaxed),
        );
        let help = "TLS handshakes that failed or did not finish.";
        e.counter(
            "authmock_tls_handshake_failures",
            help,
            vec![],
            m.tls.failures.load(Relaxed),
        );
    }
    if let Some(hub) = &app.hub {
        let s = hub.remote.stats();
        e.counter(
            "authmock_store_calls",
            "Calls to the shared store.",
            vec![],
            s.calls.load(Relaxed),
        );
        let help = "Calls to the shared store that failed.";
        e.counter(
            "authmock_store_errors",
            help,
            vec![],
            s.errors.load(Relaxed),
        );
        let help = "Latency of calls to the shared store.";
        e.histogram(
            "authmock_store_call_duration_seconds",
            help,
            vec![],
            histogram(&s.latency),
        );
        let help = "503s answered because the shared store could not be reached.";
        e.counter(
            "authmock_store_unavailable_answers",
            help,
            vec![],
            m.store_down.load(Relaxed),
        );
    }
}

/// Gauges computed now: credentials by family and kind, evictions, namespaces.
async fn state(app: &AppState, e: &mut Exposition) {
    let namespaces = app.namespaces();
    let mut by_kind: Vec<(crate::store::Kind, usize)> = Vec::new();
    let mut evicted = 0u64;
    for ns in namespaces.iter().cloned() {
        let Ok(ns) = Ns::open(ns, false).await else {
            continue;
        };
        let store = ns.store();
        evicted += store.evicted();
        let Ok((_, kinds, _)) = store.newest(0).await else {
            continue;
        };
        for (k, n) in kinds {
            match by_kind.iter_mut().find(|(x, _)| *x == k) {
                Some(e) => e.1 += n,
                None => by_kind.push((k, n)),
            }
        }
    }
    for (k, n) in by_kind {
        let kind = serde_json::to_value(k).ok();
        let kind = kind
            .as_ref()
            .and_then(|v| v.as_str())
            .unwrap_or("unknown")
            .to_string();
        let l = vec![("family", k.family().name().to_string()), ("kind", kind)];
        let help = "Credentials held in this replica's namespaces, by family and kind.";
        e.gauge("authmock_credentials", help, l, n as i64);
    }
    let help = "Credentials evicted by --max-tokens in the namespaces held now.";
    e.gauge("authmock_credentials_evicted", help, vec![], evicted as i64);
    let help = "Namespaces this replica holds.";
    e.gauge(
        "authmock_namespaces",
        help,
        vec![],
        app.namespace_count() as i64,
    );
}
