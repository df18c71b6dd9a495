//! What the mock does: one folder of handlers per vendor family, each with a `handle` function that runs
//! an operation. Which operation a request is, and everything else a family *is*, lives in
//! [`crate::contract`]; the handlers reach state only through the namespace view.

pub mod enos;
pub mod koodrive;
pub mod oneaccess;

use crate::contract::json::Body;
use crate::contract::Op;
use crate::namespace::Ns;
use axum::http::request::Parts;
use axum::response::Response;

/// Runs one operation on a request whose body has been read (and maybe parsed, by the lint).
pub async fn handle(op: Op, ns: Ns, parts: Parts, body: &Body<'_>) -> Response {
    match op {
        Op::KooDrive(op) => koodrive::handle(op, ns, parts, body).await,
        Op::OneAccess(op) => oneaccess::handle(op, ns, parts, body).await,
        Op::Enos(op) => enos::handle(op, ns, parts, body).await,
    }
}
