//! The vendor families: each module holds its routes, request/response types and error enum.
//!
//! Each family lists its routes once, as `(method, path, operation)`, with one `handle` function that
//! runs an operation; the request pipeline finds the operation in that table ([`find`]).

pub mod enos;
pub mod koodrive;
pub mod oneaccess;

use crate::contract::Op;
use crate::state::Ns;
use axum::body::Bytes;
use axum::http::request::Parts;
use axum::response::Response;

/// Runs one operation on a request whose body has been read.
pub async fn handle(op: Op, ns: Ns, parts: Parts, body: Bytes) -> Response {
    match op {
        Op::KooDrive(op) => koodrive::handle(op, ns, parts, body).await,
        Op::OneAccess(op) => oneaccess::handle(op, ns, parts, body).await,
        Op::Enos(op) => enos::handle(op, ns, parts, body).await,
    }
}
