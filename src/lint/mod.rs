//! The contract lint: where a request deviates from what its vendor page documents, although the mock
//! answers it (contract §0 is lenient on purpose). [`check`] returns the deviations as [`Warnings`];
//! the request pipeline sends them as `X-Mock-Warnings`, journals them, and in strict mode answers the
//! first one the mock would have accepted with the family's parameter error ([`refuse`]).
//!
//! The rules and the page lines they come from are in [`RULES`]; what each route documents is in
//! [`spec::spec`]. A request that follows its page costs one pass over its headers and one borrowed
//! scan of the body's top-level keys, and allocates nothing.

mod rules;
pub mod scan;
pub mod spec;
mod strict;
#[cfg(test)]
mod unit;

pub use crate::warnings::{Rule, RULES};
pub use crate::warnings::{Warning, Warnings};
pub use strict::{parse_switch, refuse, SPELLINGS as SWITCH_SPELLINGS};

use crate::vendors::Op;
use axum::http::HeaderMap;

/// The deviations of one request to `op` from its vendor page. `collapsed` is the path as the client
/// sent it when the server collapsed repeated slashes in it (`None` when the path had none); `body` is
/// the whole request body.
pub fn check(op: Op, collapsed: Option<&str>, headers: &HeaderMap, body: &[u8]) -> Warnings {
    let spec = spec::spec(op);
    let heads = rules::Heads::of(&spec, headers);
    let mut w = Warnings::default();
    rules::path(collapsed, &mut w);
    if let Some(auth) = &spec.auth {
        rules::auth(auth, heads.authorization, &mut w);
    }
    rules::content_type(spec.content_type, heads.content_type, &mut w);
    rules::headers(&spec, &heads, &mut w);
    if let Some(fields) = spec.body {
        rules::body(fields, body, &mut w);
    }
    w
}
