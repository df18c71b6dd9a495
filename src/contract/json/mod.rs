//! A JSON request body, read once: the contract lint and the handler share one parse of it.
//!
//! [`Body`] holds the body's bytes and parses them the first time anyone asks ([`Body::members`]): the
//! lint when the route's page documents a JSON body, the handler when it reads one ([`Body::json`]). The
//! parse ([`parse`]) validates the whole text and keeps its top-level members borrowed from it; the
//! typed request is built from those members by its serde derive ([`de`]), reading its fields with
//! [`lenient_string`].

mod de;
#[cfg(test)]
mod parity;
pub mod parse;
#[cfg(test)]
mod unit;

pub use de::lenient_string;
pub use parse::{JsonKind, Malformed, Member, Members};

use crate::contract::extract::JsonError;
use serde::Deserialize;
use std::sync::OnceLock;

/// A request body and, once asked for, its one parse as a JSON object. Handlers of form or raw bodies
/// read [`Body::bytes`].
#[derive(Debug)]
pub struct Body<'a> {
    bytes: &'a [u8],
    // A lock, not a cell: the handler's future borrows the body and must stay `Send`.
    parsed: OnceLock<Result<Members<'a>, Malformed>>,
}

impl<'a> Body<'a> {
    pub fn new(bytes: &'a [u8]) -> Body<'a> {
        Body {
            bytes,
            parsed: OnceLock::new(),
        }
    }

    /// The body as read.
    pub fn bytes(&self) -> &'a [u8] {
        self.bytes
    }

    /// The body's top-level members, parsed on the first call.
    pub fn members(&self) -> Result<&Members<'a>, Malformed> {
        match self.parsed.get_or_init(|| parse::parse(self.bytes)) {
            Ok(m) => Ok(m),
            Err(e) => Err(*e),
        }
    }

    /// The body as a JSON object of type `T`; unknown fields are ignored. A body that is not an object
    /// (`[]`, `"x"`, empty) is malformed, whatever `T` would accept.
    ///
    /// Like the vendors' Java servers (Jackson), a leading UTF-8 byte-order mark is skipped (.NET and
    /// PowerShell clients send one) and a repeated key takes its last value.
    pub fn json<T: Deserialize<'a>>(&self) -> Result<T, JsonError> {
        let members = self.members().map_err(|_| JsonError::Malformed)?;
        de::from_members(members.as_slice()).map_err(|_| JsonError::Malformed)
    }
}
