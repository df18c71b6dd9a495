//! Step 7, before the answer: the contract lint ([`crate::lint`]). Its warnings go on the record, which
//! sends them as `X-Mock-Warnings`, journals them and counts them in the namespace's summary. In strict
//! mode the first deviation the mock would have accepted is answered with the family's parameter error
//! instead of the vendor operation.

use crate::contract::envelope;
use crate::contract::json::Body;
use crate::contract::Op;
use crate::lint;
use crate::lint::warnings::Warnings;
use crate::namespace::AppState;
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;

/// The request's warnings, and strict mode's answer when it refuses the request (or the mock's 400
/// when `X-Mock-Strict` is not a switch value).
pub fn run(
    app: &AppState,
    op: Op,
    collapsed: Option<&str>,
    headers: &HeaderMap,
    query: Option<&str>,
    body: &Body<'_>,
) -> (Warnings, Option<Response>) {
    let (warnings, strict_header) = lint::check_request(op, collapsed, headers, query, body);
    let Some(strict) = strict(app, strict_header) else {
        let msg = format!("X-Mock-Strict: expected {}", lint::SWITCH_SPELLINGS);
        return (
            warnings,
            Some(envelope::error(StatusCode::BAD_REQUEST, &msg)),
        );
    };
    let refusal = warnings
        .first_lenient()
        .filter(|_| strict)
        .map(|w| lint::refuse(op, w));
    (warnings, refusal)
}

/// `X-Mock-Strict` decides for one request; without it, `--strict`. `None` for a value that is no
/// switch value: refused rather than read as lenient, which would hide what it asked to catch.
fn strict(app: &AppState, header: Option<&[u8]>) -> Option<bool> {
    match header {
        Some(v) => lint::parse_switch(v),
        None => Some(app.settings.strict),
    }
}
