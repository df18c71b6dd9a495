//! Picking and applying a fault: `X-Mock-Error` / `X-Mock-Delay` on the request, or the first fault
//! queued in the namespace for the route.

use crate::contract::extract::names;
use crate::contract::Op;
use crate::namespace::faults::{Action, MAX_DELAY_MS};
use crate::namespace::Ns;
use axum::body::{Body, Bytes};
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use http_body_util::BodyExt;

/// A fault chosen for one request: the queued fault's id (or `header`) and what it does.
pub struct Picked {
    pub id: String,
    pub action: Action,
}

/// Why no fault could be picked.
pub enum Refused {
    /// A malformed `X-Mock-Delay` (the message says why).
    BadDelay(&'static str),
    /// The shared store did not answer.
    Down,
}

/// The fault for this request, if any; a malformed `X-Mock-Delay` is refused.
///
/// A queued fault acts on a request the headers do not already answer: an `X-Mock-Error` request
/// leaves it queued for the next one. `X-Mock-Delay` adds to a queued fault's `delayMs`.
pub async fn pick(
    ns: &Ns,
    headers: &HeaderMap,
    method: &Method,
    pattern: &str,
) -> Result<Option<Picked>, Refused> {
    let err = headers
        .get(names::X_MOCK_ERROR)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let delay = match headers.get(names::X_MOCK_DELAY) {
        None => None,
        Some(v) => Some(
            v.to_str()
                .ok()
                .and_then(parse_delay)
                .ok_or(Refused::BadDelay(
                    "X-Mock-Delay must be milliseconds or a duration such as 250ms, 2s or 1m",
                ))?,
        ),
    };
    let mut picked = None;
    if err.is_none() && ns.faults_queued() {
        let route = format!("{method} {pattern}");
        let taken = ns.faults(|f| f.take(&route)).await;
        if let Some((id, action)) = taken.map_err(|_| Refused::Down)? {
            picked = Some(Picked { id, action });
        }
    }
    if err.is_none() && delay.is_none() {
        return Ok(picked);
    }
    let p = picked.get_or_insert_with(|| Picked {
        id: "header".to_string(),
        action: Action::default(),
    });
    if err.is_some() {
        p.action.error = err;
    }
    if let Some(d) = delay {
        let queued = p.action.delay_ms.unwrap_or(0);
        p.action.delay_ms = Some(queued.saturating_add(d).min(MAX_DELAY_MS));
    }
    Ok(picked)
}

/// Parses `X-Mock-Delay`: `250ms`, `1s`, or a bare number of milliseconds.
fn parse_delay(v: &str) -> Option<u64> {
    let v = v.trim();
    let ms = match v.parse::<u64>() {
        Ok(n) => n as i64,
        Err(_) => crate::clock::parse_duration_ms(v)?,
    };
    u64::try_from(ms).ok().map(|d| d.min(MAX_DELAY_MS))
}

/// The answer a fault gives in place of the handler's, if it gives one (an error code or a raw
/// status); `None` lets the handler answer.
pub fn answer(a: &Action, op: Op, headers: &HeaderMap) -> Option<Response> {
    if let Some(code) = &a.error {
        let token = crate::contract::extract::auth_token(headers, &["Bearer", "AT"]).unwrap_or("");
        return Some(
            op.family()
                .vendor_error(code, op, token)
                .unwrap_or_else(|| {
                    crate::contract::envelope::error(
                        StatusCode::BAD_REQUEST,
                        &format!(
                            "X-Mock-Error: {code} is not a vendor code of this route's family"
                        ),
                    )
                }),
        );
    }
    let status = a.status?;
    let status = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    // A string body is sent as is (raw); any other JSON value as its JSON text.
    let body = match &a.body {
        None => Bytes::new(),
        Some(serde_json::Value::String(s)) => Bytes::from(s.clone()),
        Some(v) => Bytes::from(v.to_string()),
    };
    let mut r = (status, body).into_response();
    r.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    Some(r)
}

/// Cuts a JSON body in half so it no longer parses (the `malformed` fault).
pub async fn truncate(resp: Response) -> Response {
    let (parts, body) = resp.into_parts();
    let bytes = body
        .collect()
        .await
        .map(|c| c.to_bytes())
        .unwrap_or_default();
    let cut = bytes.slice(..bytes.len() / 2);
    let mut r = Response::from_parts(parts, Body::from(cut));
    r.headers_mut().remove(header::CONTENT_LENGTH);
    r
}
