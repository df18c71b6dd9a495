//! Step 7, before the answer: the contract lint ([`crate::lint`]). Its warnings go on the record, which
//! sends them as `X-Mock-Warnings`, journals them and counts them in the namespace's summary. In strict
//! mode the first deviation the mock would have accepted is answered with the family's parameter error
//! instead of the vendor operation.

use crate::contract::extract::names;
use crate::contract::Op;
use crate::lint;
use crate::lint::warnings::Warnings;
use crate::namespace::AppState;
use axum::http::HeaderMap;
use axum::response::Response;

/// The request's warnings, and strict mode's answer when it refuses the request.
pub fn run(
    app: &AppState,
    op: Op,
    collapsed: Option<&str>,
    headers: &HeaderMap,
    query: Option<&str>,
    body: &[u8],
) -> (Warnings, Option<Response>) {
    let warnings = lint::check_with_query(op, collapsed, headers, query, body);
    let refusal = warnings
        .first_lenient()
        .filter(|_| strict(app, headers))
        .map(|w| lint::refuse(op, w));
    (warnings, refusal)
}

/// `X-Mock-Strict: true|false` decides for one request; without it, `--strict`.
fn strict(app: &AppState, headers: &HeaderMap) -> bool {
    match headers
        .get(names::X_MOCK_STRICT)
        .map(|v| v.as_bytes().trim_ascii())
    {
        Some(v) if v.eq_ignore_ascii_case(b"true") => true,
        Some(v) if v.eq_ignore_ascii_case(b"false") => false,
        _ => app.settings.strict,
    }
}
