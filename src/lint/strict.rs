//! Strict mode's answer: the first deviation the mock would have accepted, refused with the family's
//! parameter error, as the vendor's own validation would.

use crate::contract::enos::EnosError;
use crate::contract::koodrive::KooError;
use crate::contract::oneaccess::OaError;
use crate::contract::Op;
use crate::lint::warnings::Warning;
use axum::response::{IntoResponse, Response};

/// KooDrive 13000102 "Verify parameters failed.", OneAccess PARAM.0001 with the deviation as its
/// message, EnOS 31400 "Invalid request parameters".
pub fn refuse(op: Op, w: &Warning) -> Response {
    match op {
        Op::KooDrive(_) => KooError::Param.into_response(),
        Op::OneAccess(_) => OaError::Deviation(format!("{}: {}", w.id, w.message)).into_response(),
        Op::Enos(_) => EnosError::Invalid.into_response(),
    }
}

/// The spellings `X-Mock-Strict` and `AUTHMOCK_STRICT` / `--strict=` both take, case-insensitive.
pub const SPELLINGS: &str = "true, false, 1, 0, yes, no, on or off";

/// `true/1/yes/on` or `false/0/no/off` (any case, surrounding spaces ignored); anything else is `None`,
/// so a typo is refused, never read as lenient.
pub fn parse_switch(v: &[u8]) -> Option<bool> {
    let v = v.trim_ascii();
    let is = |w: &str| v.eq_ignore_ascii_case(w.as_bytes());
    if ["true", "1", "yes", "on"].into_iter().any(is) {
        Some(true)
    } else if ["false", "0", "no", "off"].into_iter().any(is) {
        Some(false)
    } else {
        None
    }
}
