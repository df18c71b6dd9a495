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
