//! The vendor families: each module holds its routes, request/response types and error enum.
//!
//! Each family lists its routes once, as `(method, path, operation)`, with one `handle` function that
//! runs an operation; the request pipeline finds the operation in that table ([`find`]).

pub mod enos;
pub mod koodrive;
pub mod oneaccess;

use crate::family::Family;
use crate::state::Ns;
use axum::body::Bytes;
use axum::http::request::Parts;
use axum::http::Method;
use axum::response::{IntoResponse, Response};

/// One operation of any family.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    KooDrive(koodrive::Op),
    OneAccess(oneaccess::Op),
    Enos(enos::Op),
}

impl Op {
    pub fn family(self) -> Family {
        match self {
            Op::KooDrive(_) => Family::KooDrive,
            Op::OneAccess(_) => Family::OneAccess,
            Op::Enos(_) => Family::Enos,
        }
    }
}

/// Every vendor route as `(method, path)`.
pub fn routes() -> impl Iterator<Item = (&'static str, &'static str)> {
    koodrive::ROUTES
        .iter()
        .map(|&(m, p, _)| (m, p))
        .chain(oneaccess::ROUTES.iter().map(|&(m, p, _)| (m, p)))
        .chain(enos::ROUTES.iter().map(|&(m, p, _)| (m, p)))
        .chain(koodrive::ORGID_ROUTES.iter().map(|&(m, p, _)| (m, p)))
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
    let Some(family) = Family::of(path) else {
        // OrgID's sign-in page, which KooDrive's authCodeURL sends a browser to.
        return scan(koodrive::ORGID_ROUTES, method, path, Op::KooDrive);
    };
    match family {
        Family::KooDrive => scan(koodrive::ROUTES, method, path, Op::KooDrive),
        Family::OneAccess => scan(oneaccess::ROUTES, method, path, Op::OneAccess),
        Family::Enos => scan(enos::ROUTES, method, path, Op::Enos),
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

/// What each family answers on its own terms.
impl Family {
    /// The family's answer to a body that cannot be read.
    pub fn bad_body(self) -> Response {
        match self {
            Family::KooDrive => koodrive::KooError::Param.into_response(),
            Family::OneAccess => oneaccess::OaError::BadBody.into_response(),
            Family::Enos => enos::EnosError::Invalid.into_response(),
        }
    }

    /// The family's answer while the shared store cannot be reached: 503 with `Retry-After`.
    pub fn unavailable(self) -> Response {
        match self {
            Family::KooDrive => koodrive::KooError::Unavailable.into_response(),
            Family::OneAccess => oneaccess::OaError::Unavailable.into_response(),
            Family::Enos => enos::EnosError::Unavailable.into_response(),
        }
    }

    /// The family's answer to a body over the limit: 413 with its unparsable-body error.
    pub fn too_large(self) -> Response {
        match self {
            Family::KooDrive => koodrive::KooError::TooLarge.into_response(),
            Family::OneAccess => oneaccess::OaError::TooLarge.into_response(),
            Family::Enos => enos::EnosError::TooLarge.into_response(),
        }
    }

    /// The error a fault or `X-Mock-Error` names, answered as `op` would answer it; `token` is the
    /// credential the request carries (OneAccess quotes it).
    pub fn vendor_error(self, code: &str, op: Op, token: &str) -> Option<Response> {
        match (self, op) {
            (Family::KooDrive, _) => {
                koodrive::KooError::from_code(code).map(IntoResponse::into_response)
            }
            (Family::OneAccess, _) => {
                oneaccess::OaError::from_code(code, token).map(IntoResponse::into_response)
            }
            (Family::Enos, Op::Enos(op)) => {
                enos::EnosError::from_code(code, op).map(IntoResponse::into_response)
            }
            (Family::Enos, _) => None,
        }
    }

    /// The vendor codes this family can answer (for fault validation and the dashboard).
    pub fn codes(self) -> Vec<String> {
        match self {
            Family::KooDrive => koodrive::KooError::ALL
                .iter()
                .map(|e| e.code().to_string())
                .collect(),
            Family::OneAccess => oneaccess::OaError::CODES
                .iter()
                .map(|c| c.to_string())
                .collect(),
            Family::Enos => enos::EnosError::CODES
                .iter()
                .map(|c| c.to_string())
                .collect(),
        }
    }
}
