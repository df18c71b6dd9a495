//! The vendor families: each module holds its routes, request/response types and error enum.
//!
//! Each family lists its routes once, as `(method, path, operation)`, with one `handle` function that
//! runs an operation. The axum router is built from that table, and the server uses the same table to
//! call `handle` directly for an exact match (see `app::serve_direct`): both paths run the same code.

pub mod enos;
pub mod koodrive;
pub mod oneaccess;

use crate::state::{AppState, Ns};
use axum::body::Bytes;
use axum::extract::Request;
use axum::http::request::Parts;
use axum::http::Method;
use axum::response::Response;
use axum::routing::{on, MethodFilter};
use axum::Router;
use std::future::Future;

/// One operation of any family.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    KooDrive(koodrive::Op),
    OneAccess(oneaccess::Op),
    Enos(enos::Op),
}

/// Every vendor route as `(method, path)`.
pub fn routes() -> impl Iterator<Item = (&'static str, &'static str)> {
    koodrive::ROUTES
        .iter()
        .map(|&(m, p, _)| (m, p))
        .chain(oneaccess::ROUTES.iter().map(|&(m, p, _)| (m, p)))
        .chain(enos::ROUTES.iter().map(|&(m, p, _)| (m, p)))
}

/// The operation and route pattern of exactly `method path`, if a vendor route is that.
pub fn find(method: &Method, path: &str) -> Option<(Op, &'static str)> {
    fn scan<O: Copy>(
        table: &'static [(&'static str, &'static str, O)],
        method: &Method,
        path: &str,
        wrap: fn(O) -> Op,
    ) -> Option<(Op, &'static str)> {
        table
            .iter()
            .find(|(m, p, _)| *p == path && *m == method.as_str())
            .map(|&(_, p, op)| (wrap(op), p))
    }
    if path.starts_with("/koodrive/") {
        scan(koodrive::ROUTES, method, path, Op::KooDrive)
    } else if path.starts_with("/api/v2/") {
        scan(oneaccess::ROUTES, method, path, Op::OneAccess)
    } else if path.starts_with("/app-portal-service/") {
        scan(enos::ROUTES, method, path, Op::Enos)
    } else {
        None
    }
}

/// Runs one operation on a request whose body has been read.
pub async fn handle(op: Op, ns: Ns, parts: Parts, body: Bytes) -> Response {
    match op {
        Op::KooDrive(op) => koodrive::handle(op, ns, parts, body).await,
        Op::OneAccess(op) => oneaccess::handle(op, ns, parts, body).await,
        Op::Enos(op) => enos::handle(op, ns, parts, body).await,
    }
}

/// The axum router of one family's route table.
fn router<O, F, Fut>(
    table: &'static [(&'static str, &'static str, O)],
    handle: F,
) -> Router<AppState>
where
    O: Copy + Send + Sync + 'static,
    F: Fn(O, Ns, Parts, Bytes) -> Fut + Copy + Send + Sync + 'static,
    Fut: Future<Output = Response> + Send + 'static,
{
    let mut r = Router::new();
    for &(method, path, op) in table {
        let filter = if method == "GET" {
            MethodFilter::GET
        } else {
            MethodFilter::POST
        };
        r = r.route(
            path,
            on(filter, move |ns: Ns, req: Request| async move {
                let (parts, body) = req.into_parts();
                // The request layer has read and checked the body already: this is one frame.
                match axum::body::to_bytes(body, usize::MAX).await {
                    Ok(bytes) => handle(op, ns, parts, bytes).await,
                    Err(_) => crate::app::Family::of(parts.uri.path()).bad_body(),
                }
            }),
        );
    }
    r
}
