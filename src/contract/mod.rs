//! What each vendor API *is*, independent of what the mock does with it: the [`Family`] enum and the
//! envelopes each family answers; per family its operations, their routes and what each route's vendor
//! page documents (`routes`, read by the lint through [`spec`]), request and response bodies (`types`),
//! and error enum and envelope (`error`); the pages cited ([`pages`]); the mock's own `{"error"}`
//! envelope, for what no vendor page covers ([`envelope`]); beside them the lenient request reader
//! ([`extract`]), the hand-written JSON writer ([`respond`]) and the OpenAPI schema helpers ([`schema`]).
//!
//! This layer knows nothing of state: it names no module above it.

pub mod enos;
pub mod envelope;
pub mod extract;
pub mod family;
pub mod json;
pub mod koodrive;
pub mod oneaccess;
pub mod pages;
pub mod respond;
pub mod schema;
pub mod spec;

pub use family::Family;

use axum::http::Method;

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

/// The operation and route pattern of exactly `method path` among `family`'s routes (the caller
/// resolved the family from the path once; `None`: outside every family's prefix, where only OrgID's
/// sign-in page is), if a vendor route is that.
pub fn find(family: Option<Family>, method: &Method, path: &str) -> Option<(Op, &'static str)> {
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
    match family {
        Some(Family::KooDrive) => scan(koodrive::ROUTES, method, path, Op::KooDrive),
        Some(Family::OneAccess) => scan(oneaccess::ROUTES, method, path, Op::OneAccess),
        Some(Family::Enos) => scan(enos::ROUTES, method, path, Op::Enos),
        None => scan(koodrive::ORGID_ROUTES, method, path, Op::KooDrive),
    }
}

/// The family whose operation answers the route `method path` (OrgID's sign-in page: KooDrive), if
/// a vendor route is that.
pub fn route_family(method: &str, path: &str) -> Option<Family> {
    let method = Method::from_bytes(method.as_bytes()).ok()?;
    find(Family::of(path), &method, path).map(|(op, _)| op.family())
}
