//! The one request pipeline. Every request the server reads runs these steps, in this order:
//!
//! 1. [`edge`]: a head over 32 KiB is refused (431, before the [`layers`]); `//` in the path collapses
//!    to `/`.
//! 2. [`cors`]: a preflight is answered at once, for any path (around the pipeline, in [`layers`],
//!    with tower-http's panic catcher). Until the server is ready, [`starting`] answers instead of
//!    steps 3 to 9.
//! 3. [`route`] (and [`count`]'s route index, under which the answer is counted): the vendor route table names the operation; `/__admin` goes to the control plane's
//!    router; anything else is a 404, or a 405 on a known path.
//! 4. namespace: `X-Mock-Namespace` picks the isolated state the request runs in.
//! 5. body: read whole, within 64 KiB and 30 s ([`edge::read_body`]).
//! 6. [`fault`]: `X-Mock-Error` / `X-Mock-Delay` or a queued fault may shape a vendor answer.
//! 7. [`lint`]: where a vendor request deviates from its vendor page; strict mode refuses it.
//! 8. answer: the vendor operation (or strict mode's refusal), the fault, or the control plane. On
//!    the shared store, a vendor request that ran on a namespace header found stale by its first
//!    command (nothing written) runs steps 6 to 8 once more on a fresh read.
//! 9. [`record`]: the log line, `X-Mock-Warnings`, and the journal entry (vendor and unknown paths; not
//!    the control plane).
//!
//! Every answer then gets its CORS headers ([`cors::finish`], in [`layers`]).

pub mod cors;
pub mod count;
pub mod edge;
pub mod fault;
pub mod layers;
pub mod lint;
pub mod record;
pub mod route;
pub mod starting;

use crate::admin;
use crate::contract::envelope;
use crate::contract::extract::names;
use crate::contract::family::Internal;
use crate::contract::json;
use crate::contract::{Family, Op};
use crate::namespace::{AppState, Namespace, Ns, DEFAULT_NAMESPACE};
use crate::vendors;
use axum::body::{Body, Bytes};
use axum::extract::Request;
use axum::http::request::Parts;
use axum::http::{Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::Router;
use record::Record;
use route::Route;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant};
use tower::ServiceExt;

/// What the pipeline needs: the state and the control plane's router. Cloning is cheap.
#[derive(Clone)]
pub struct Pipeline {
    pub app: AppState,
    /// Built at the first control-plane request that is not a probe ([`admin::probe`]): building it
    /// runs the code of every control-plane handler, which a server that only answers vendor routes
    /// and probes never needs (bench/RESULTS.md, idle RSS).
    admin: Arc<OnceLock<Router>>,
}

impl Pipeline {
    pub fn new(app: AppState) -> Pipeline {
        Pipeline {
            app,
            admin: Arc::default(),
        }
    }

    /// The control plane's router, built on first use.
    fn admin_router(&self) -> Router {
        let build = || {
            admin::router(self.app.clone())
                .fallback(not_served)
                .method_not_allowed_fallback(not_served)
                .with_state(self.app.clone())
        };
        self.admin.get_or_init(build).clone()
    }

    /// Answers one request. `drop_conn` closes the request's connection without an answer (the
    /// `drop` fault).
    pub async fn serve<B>(
        &self,
        drop_conn: &Arc<AtomicBool>,
        mut req: axum::http::Request<B>,
    ) -> Response
    where
        B: hyper::body::Body<Data = Bytes> + Unpin,
        B::Error: Into<axum::BoxError>,
    {
        let raw_path = edge::collapse_slashes(&mut req);
        let admin = route::is_admin(req.uri().path());
        let start = Instant::now();
        let (route, family) = Route::of(req.method(), req.uri().path());
        let index = count::route_index(&route, req.method(), req.uri().path());
        let routed = Routed {
            route,
            family,
            index,
            start,
        };
        let mut resp = self.answer(drop_conn, req, raw_path, routed).await;
        if admin {
            resp = edge::json_line(resp).await;
        }
        count::answer(&self.app, index, &resp, start.elapsed().as_micros() as u64);
        resp
    }

    /// Steps 4 to 9. `raw_path` is the path as sent, when step 1 collapsed its slashes.
    async fn answer<B>(
        &self,
        drop_conn: &Arc<AtomicBool>,
        req: axum::http::Request<B>,
        raw_path: Option<String>,
        routed: Routed,
    ) -> Response
    where
        B: hyper::body::Body<Data = Bytes> + Unpin,
        B::Error: Into<axum::BoxError>,
    {
        let Routed {
            route,
            family,
            index,
            start,
        } = routed;
        let (parts, body) = req.into_parts();
        // The admin token is checked here, once: a refused request must not create the namespace
        // it names, and the control plane's guard reads the verdict.
        let denied = matches!(route, Route::Admin)
            && admin::denied(&self.app, &parts.headers, parts.uri.path());
        let local = match self.namespace(&parts, denied) {
            Ok(ns) => ns,
            Err(msg) => return envelope::error(StatusCode::BAD_REQUEST, msg),
        };
        // A vendor request no fault header shapes may run on the header this replica last read:
        // its first command confirms it (see `store/redis/namespace.rs`).
        let cached = local.shared()
            && matches!(route, Route::Vendor(..))
            && !parts.headers.contains_key(names::X_MOCK_ERROR)
            && !parts.headers.contains_key(names::X_MOCK_DELAY);
        // Kept for a second run, which only a cached header may need.
        let home = cached.then(|| local.clone());
        let ns = match Ns::open(local, cached).await {
            Ok(ns) => ns,
            Err(unsynced) => match (&route, unsynced.broken()) {
                (Route::Vendor(op, _), Some(what)) => return broken(op.family(), &what),
                (Route::Vendor(op, _), None) => return op.family().unavailable(),
                // Health and the probes report the store down or broken; reset clears a broken namespace; a path
                // nobody serves is still a 404.
                (Route::Admin, _) if admin::health::is_probe(parts.uri.path()) => unsynced,
                (Route::Admin, Some(_)) if parts.uri.path() == admin::RESET => unsynced,
                (Route::Admin, Some(what)) => {
                    return envelope::error(StatusCode::INTERNAL_SERVER_ERROR, &what)
                }
                (Route::Admin, None) => return admin::AdminError::Unavailable.into_response(),
                _ => unsynced,
            },
        };
        let limit = edge::body_limit(&parts.method, parts.uri.path());
        let bytes = match edge::read_body(
            &parts.headers,
            body,
            self.app.settings.body_timeout,
            limit,
        )
        .await
        {
            Ok(b) => b,
            Err(e) => return e.answer(family),
        };
        if self.app.settings.panic_when_asked && parts.headers.contains_key(PANIC_HEADER) {
            panic!("{PANIC_HEADER} asked for a panic (MockServerBuilder::panic_when_asked)");
        }
        let (op, pattern) = match route {
            Route::Admin => return Box::pin(self.admin(ns, parts, bytes, denied, start)).await,
            Route::Vendor(op, pattern) => (op, pattern),
            Route::None => {
                let rec = Record::begin(&ns, &parts, &bytes, None, true, start);
                let resp = route::not_served(&parts.method, &parts.uri);
                return rec.finish(&ns, resp).await;
            }
        };
        // Only on an unconfirmed header: the namespace and the request's parts, for a second run.
        let again = match home {
            Some(local) if ns.unconfirmed() => Some((local, copy(&parts))),
            _ => None,
        };
        let picked = match fault::pick(&ns, &parts.headers, &parts.method, pattern).await {
            Ok(f) => f,
            Err(fault::Refused::BadDelay(msg)) => {
                return envelope::error(StatusCode::BAD_REQUEST, msg)
            }
            Err(fault::Refused::Down) => return op.family().unavailable(),
        };
        let mut rec = Record::begin(&ns, &parts, &bytes, Some(pattern), true, start);
        // Parsed at most once, by the lint or the handler, whichever asks first, over both runs.
        let body = json::Body::new(&bytes);
        let run = Run {
            op,
            index,
            raw_path: raw_path.as_deref(),
            drop_conn,
        };
        // Boxed: inline, the vendor step's future (about 5 KB) made the whole request's future
        // cross glibc's threshold for `rep movsb` (8 KiB), which hyper's moves of it then paid on
        // every request (bench/RESULTS.md, session 11).
        let (resp, strict) = Box::pin(self.vendor(&run, &ns, picked, parts, &body, &mut rec)).await;
        let Some((local, parts)) = again else {
            self.tally(index, &rec, strict);
            return rec.finish(&ns, resp).await;
        };
        // A request that ran no verb confirms its header now: what it answered may hang on it.
        match ns.confirm().await {
            Ok(()) => {
                self.tally(index, &rec, strict);
                return rec.finish(&ns, resp).await;
            }
            Err(_) if !ns.stale() => {
                self.tally(index, &rec, strict);
                let resp = or_broken(&ns, op.family().unavailable(), |w| broken(op.family(), w));
                return rec.finish(&ns, resp).await;
            }
            Err(_) => {}
        }
        // The header moved (a reset, a fault queued, the clock or the identities changed on some
        // replica) and nothing was written: once more, from the fault, on the header as it is.
        let ns = match Ns::open(local, false).await {
            Ok(ns) => ns,
            Err(unsynced) => {
                let resp = match unsynced.broken() {
                    Some(what) => broken(op.family(), &what),
                    None => op.family().unavailable(),
                };
                return rec.finish(&unsynced, resp).await;
            }
        };
        let picked = match fault::pick(&ns, &parts.headers, &parts.method, pattern).await {
            Ok(f) => f,
            Err(_) => return rec.finish(&ns, op.family().unavailable()).await,
        };
        let (resp, strict) = Box::pin(self.vendor(&run, &ns, picked, parts, &body, &mut rec)).await;
        self.tally(index, &rec, strict);
        rec.finish(&ns, resp).await
    }

    /// Counts the lint's warnings, and a strict refusal, of the run that answered (a run found
    /// stale is not counted).
    fn tally(&self, index: usize, rec: &Record, strict: bool) {
        if !rec.warnings.is_empty() {
            count::lint(&self.app.metrics, index, &rec.warnings);
        }
        if strict {
            self.app.metrics.strict(index);
        }
    }

    /// Steps 7 and 8 of a vendor request, once its fault is `picked`: the lint, then the answer, and
    /// whether strict mode refused it. A fault acts first; strict mode's refusal replaces the vendor
    /// operation, not the fault plane.
    async fn vendor(
        &self,
        run: &Run<'_>,
        ns: &Ns,
        picked: Option<fault::Picked>,
        parts: Parts,
        body: &json::Body<'_>,
        rec: &mut Record,
    ) -> (Response, bool) {
        let (op, index) = (run.op, run.index);
        // The lint reads the request only: a second run finds the same warnings.
        let (warnings, refusal) = lint::run(
            &self.app,
            op,
            run.raw_path,
            &parts.headers,
            parts.uri.query(),
            body,
        );
        rec.warnings = warnings;
        let strict = refusal.is_some();
        let Some(fault::Picked { id, action }) = picked else {
            let resp = match refusal {
                Some(r) => r,
                None => vendors::handle(op, ns.clone(), parts, body).await,
            };
            return (
                or_broken(ns, resp, |what| broken(op.family(), what)),
                strict,
            );
        };
        rec.fault = Some(id);
        count::fault(&self.app.metrics, index, &action);
        if let Some(ms) = action.delay_ms {
            tokio::time::sleep(Duration::from_millis(ms)).await;
        }
        if action.drop {
            rec.dropped(ns);
            run.drop_conn.store(true, Ordering::Relaxed);
            // The connection task drops this request with its connection, right after this poll.
            std::future::pending::<()>().await;
        }
        let (resp, strict) = match (fault::answer(&action, op, &parts.headers), refusal) {
            (Some(r), _) => (r, false),
            (None, Some(r)) => (r, true),
            (None, None) => (vendors::handle(op, ns.clone(), parts, body).await, false),
        };
        let mut resp = or_broken(ns, resp, |what| broken(op.family(), what));
        if action.malformed {
            resp = fault::truncate(resp).await;
        }
        (resp, strict)
    }

    /// Step 4: the namespace `X-Mock-Namespace` names, created on first use (then opened: with the
    /// shared store, its header is read, or for a vendor request taken from this replica's last read).
    fn namespace(&self, parts: &Parts, denied: bool) -> Result<Arc<Namespace>, &'static str> {
        // A browser on the sign-in page cannot send the header: the URL carries the namespace.
        if let Some(n) = vendors::koodrive::namespace_param(parts.uri.path(), parts.uri.query()) {
            if !valid_namespace(&n) {
                return Err("mock_namespace must be 1-64 characters of A-Z a-z 0-9 . _ -");
            }
            return Ok(self.app.namespace(&n));
        }
        let Some(v) = parts.headers.get(names::X_MOCK_NAMESPACE) else {
            return Ok(self.app.namespace(DEFAULT_NAMESPACE));
        };
        match v.to_str().map(str::trim) {
            // A control-plane request the admin token guard refuses must not create a namespace.
            Ok(_) if denied => Ok(self.app.namespace(DEFAULT_NAMESPACE)),
            Ok(n) if valid_namespace(n) => Ok(self.app.namespace(n)),
            _ => Err("X-Mock-Namespace must be 1-64 characters of A-Z a-z 0-9 . _ -"),
        }
    }

    /// The control plane: its router, with the namespace and the read body. Logged, not journaled.
    async fn admin(
        &self,
        ns: Ns,
        mut parts: Parts,
        bytes: Bytes,
        denied: bool,
        start: Instant,
    ) -> Response {
        let rec = Record::begin(&ns, &parts, &[], None, false, start);
        if parts.method == Method::GET {
            if let Some(resp) = admin::probe(&self.app, &ns, parts.uri.path()).await {
                let resp = or_broken(&ns, resp, |what| {
                    envelope::error(StatusCode::INTERNAL_SERVER_ERROR, what)
                });
                return rec.finish(&ns, resp).await;
            }
        }
        parts.extensions.insert(ns.clone());
        parts.extensions.insert(admin::Access { denied });
        let req = Request::from_parts(parts, Body::from(bytes));
        let resp = match self.admin_router().oneshot(req).await {
            Ok(r) => r,
            Err(never) => match never {},
        };
        let resp = or_broken(&ns, resp, |what| {
            envelope::error(StatusCode::INTERNAL_SERVER_ERROR, what)
        });
        rec.finish(&ns, resp).await
    }
}

/// Step 3's verdict, reached before the answer so that the answer is counted under its route.
struct Routed {
    route: Route,
    family: Option<crate::contract::Family>,
    /// The route's index in the metrics' route table.
    index: usize,
    start: Instant,
}

/// What a vendor request's steps 6 to 8 keep across a second run.
struct Run<'a> {
    op: Op,
    /// The route's index in the metrics' route table.
    index: usize,
    /// The path as sent, when step 1 collapsed its slashes.
    raw_path: Option<&'a str>,
    drop_conn: &'a Arc<AtomicBool>,
}

/// A copy of a request's parts (extensions included), for a second run.
fn copy(parts: &Parts) -> Parts {
    let mut req = Request::new(());
    *req.method_mut() = parts.method.clone();
    *req.uri_mut() = parts.uri.clone();
    *req.version_mut() = parts.version;
    *req.headers_mut() = parts.headers.clone();
    *req.extensions_mut() = parts.extensions.clone();
    req.into_parts().0
}

async fn not_served(method: Method, uri: Uri) -> Response {
    route::not_served(&method, &uri)
}

/// A namespace name: 1–64 of `[A-Za-z0-9._-]`.
fn valid_namespace(n: &str) -> bool {
    !n.is_empty()
        && n.len() <= 64
        && n.bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'))
}

/// `resp`, unless it is the 503 of a store verb that failed because Redis answered with an error
/// (a key of the wrong type): then `answer` names what is wrong, as a 500. Waiting will not fix it,
/// so it must not read as "retry later".
fn or_broken(ns: &Ns, resp: Response, answer: impl FnOnce(&str) -> Response) -> Response {
    match ns.broken() {
        Some(what) if resp.status() == StatusCode::SERVICE_UNAVAILABLE => answer(&what),
        _ => resp,
    }
}

/// The family's 500 for a store that holds what authmock cannot use.
fn broken(family: Family, what: &str) -> Response {
    family.internal(Internal::Store, what)
}

/// With [`Settings::panic_when_asked`](crate::Settings), a request carrying this header panics where
/// its handler would run (tests of the panic catcher, [`layers`]).
pub const PANIC_HEADER: &str = "x-mock-panic";
