//! The layers around the pipeline, as one service a connection runs: the head-size edge, CORS
//! ([`super::cors`]), tower-http's `CatchPanicLayer`, then the pipeline (or, while the server starts,
//! the start-up answers of [`super::starting`]). A panic anywhere
//! in the pipeline answers 500 in the family's envelope (the mock's own `{"error"}` on the control plane
//! and on paths no vendor route takes), with the CORS headers, is logged and counted under its route,
//! and the connection goes on serving. Its journal entry is lost with the request it unwound.

use super::route::Route;
use super::starting::Gate;
use super::{cors, count, edge};
use crate::contract::envelope;
use crate::contract::extract::OverTls;
use crate::contract::family::Internal;
use axum::body::{Body, Bytes};
use axum::http::{Method, Request, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use futures_util::future::{self, FutureExt};
use http_body_util::Either;
use hyper::body::Incoming;
use std::any::Any;
use std::cell::RefCell;
use std::convert::Infallible;
use std::future::Future;
use std::sync::atomic::AtomicBool;
use std::sync::Arc;
use std::task::{Context, Waker};
use std::time::Instant;
use tower::{Service, ServiceBuilder};
use tower_http::body::UnsyncBoxBody;
use tower_http::catch_panic::CatchPanicLayer;

/// The body of every answer: the layers' (the panic catcher boxes each one), or one written here.
pub type AnswerBody = Either<UnsyncBoxBody<Bytes, axum::BoxError>, Body>;

/// The message of a 500 answered for a panic.
pub const PANIC_MESSAGE: &str =
    "internal error: authmock failed while answering this request (a bug; its log has the details)";

/// What the panic catcher's 500 carries out to [`in_family`]: the panic's message.
#[derive(Clone)]
struct Panicked(String);

/// The service one connection runs: every request through the layers and the pipeline. `kill` closes
/// the connection without an answer (the `drop` fault); `tls` marks its requests as come over https.
pub fn service(
    gate: Gate,
    kill: Arc<AtomicBool>,
    tls: bool,
) -> impl hyper::service::Service<
    Request<Incoming>,
    Response = Response<AnswerBody>,
    Error = Infallible,
    Future = impl Future<Output = Result<Response<AnswerBody>, Infallible>> + Send,
> + Send {
    let outer = gate.clone();
    let inner = tower::service_fn(move |req: Request<Incoming>| {
        let (gate, kill) = (gate.clone(), kill.clone());
        async move {
            let resp = match gate.pipeline() {
                Some(p) => p.serve(&kill, req).await,
                None => gate.answer(req.method(), req.uri().path()),
            };
            Ok::<_, Infallible>(resp)
        }
    });
    let stack = ServiceBuilder::new()
        .layer(CatchPanicLayer::custom(on_panic))
        .service(inner);
    // hyper lends its service as `&self`, tower's wants `&mut self`: the cell lends it for each call
    // (never across an await: the future owns what it needs).
    let stack = RefCell::new(stack);
    hyper::service::service_fn(move |mut req: Request<Incoming>| {
        let start = Instant::now();
        if tls {
            req.extensions_mut().insert(OverTls);
        }
        let at_once = match edge::head_too_large(&req) {
            Some(r) => Some(r),
            None if cors::is_preflight(req.method(), req.headers()) => {
                Some(cors::preflight(outer.settings(), req.headers()))
            }
            None => None,
        };
        let origin = cors::allow_origin(outer.settings(), req.headers());
        if let Some(at_once) = at_once {
            return future::Either::Left(future::ready(Ok(at_once.map(Either::Right))));
        }
        let (method, uri) = (req.method().clone(), req.uri().clone());
        let mut stack = stack.borrow_mut();
        // Every layer here is always ready; asked anyway, as tower's contract wants.
        let _ = stack.poll_ready(&mut Context::from_waker(Waker::noop()));
        let gate = outer.clone();
        // A combinator, not an `async` block: a block would hold the layers' future twice (as what it
        // captured and as what it awaits), and hyper moves this future whole.
        future::Either::Right(stack.call(req).map(move |answer| {
            let Ok(resp) = answer;
            let mut resp = in_family(&gate, resp, &method, &uri, start);
            cors::finish(origin, &mut resp);
            Ok(resp)
        }))
    })
}

/// The panic catcher's answer: a bare 500 that [`in_family`] rewrites; the panic's message kept for
/// the log.
fn on_panic(payload: Box<dyn Any + Send + 'static>) -> Response {
    let msg = match payload.downcast::<String>() {
        Ok(s) => *s,
        Err(payload) => match payload.downcast::<&'static str>() {
            Ok(s) => s.to_string(),
            Err(_) => "(a panic without a message)".to_string(),
        },
    };
    let mut r = StatusCode::INTERNAL_SERVER_ERROR.into_response();
    r.extensions_mut().insert(Panicked(msg));
    r
}

/// `resp`, unless it is the panic catcher's 500: then the same answer with the envelope of the request's family, logged and counted.
fn in_family(
    gate: &Gate,
    mut resp: Response<UnsyncBoxBody<Bytes, axum::BoxError>>,
    method: &Method,
    uri: &Uri,
    start: Instant,
) -> Response<AnswerBody> {
    let panicked = match resp.status() {
        StatusCode::INTERNAL_SERVER_ERROR => resp.extensions_mut().remove::<Panicked>(),
        _ => None,
    };
    let Some(Panicked(msg)) = panicked else {
        return resp.map(Either::Left);
    };
    tracing::error!(%method, path = uri.path(), panic = %msg, "a request panicked: answered 500");
    let (route, _) = Route::of(method, uri.path());
    let answer = match &route {
        Route::Vendor(op, _) => op.family().internal(Internal::Bug, PANIC_MESSAGE),
        _ => envelope::error(StatusCode::INTERNAL_SERVER_ERROR, PANIC_MESSAGE),
    };
    let index = count::route_index(&route, method, uri.path());
    if let Some(p) = gate.pipeline() {
        count::answer(&p.app, index, &answer, start.elapsed().as_micros() as u64);
    }
    let (mut parts, _) = resp.into_parts();
    let (fresh, body) = answer.into_parts();
    parts.headers.extend(fresh.headers);
    parts.extensions = fresh.extensions;
    Response::from_parts(parts, Either::Right(body))
}
