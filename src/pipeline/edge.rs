//! The edges of a request: the size of its head, the shape of its path, and reading its body.

use crate::contract::Family;
use axum::body::Bytes;
use axum::http::{header, HeaderMap, HeaderValue, Request, StatusCode, Uri};
use axum::response::Response;
use bytes::BytesMut;
use http_body_util::{BodyExt, Limited};
use std::time::Duration;

/// Largest request head (request line + headers) accepted; larger gets 431.
pub const MAX_HEAD_BYTES: usize = 32 * 1024;
/// Largest request body a route accepts (a gateway's limit; larger gets 413).
pub const BODY_LIMIT: usize = 64 * 1024;

/// The size of a request head as it came on the wire: request line, header lines, blank line.
fn head_len<B>(req: &Request<B>) -> usize {
    let target = req.uri().path_and_query().map_or(1, |pq| pq.as_str().len())
        + req
            .uri()
            .authority()
            .map_or(0, |a| a.as_str().len() + "http://".len());
    let line = req.method().as_str().len() + 1 + target + " HTTP/1.1\r\n".len();
    let headers: usize = req
        .headers()
        .iter()
        .map(|(n, v)| n.as_str().len() + 2 + v.len() + 2)
        .sum();
    line + headers + 2
}

/// 431 for a head over [`MAX_HEAD_BYTES`]. hyper's own buffer limit only trips when the head is still
/// incomplete once the buffer is full, so a head that arrives in large reads can pass it by a read's size.
pub fn head_too_large<B>(req: &Request<B>) -> Option<Response> {
    if head_len(req) <= MAX_HEAD_BYTES {
        return None;
    }
    let mut r = crate::contract::envelope::error(
        StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE,
        "request head over 32 KiB",
    );
    r.headers_mut()
        .insert(header::CONNECTION, HeaderValue::from_static("close"));
    Some(r)
}

/// Rewrites `//a//b` to `/a/b` (a base URL ending in `/` joined with a path starting with one), and
/// returns the path as sent when it did (the contract lint reports it).
pub fn collapse_slashes<B>(req: &mut Request<B>) -> Option<String> {
    let path = req.uri().path();
    if !path.contains("//") {
        return None;
    }
    let raw = path.to_string();
    let mut clean = String::with_capacity(path.len());
    for c in path.chars() {
        if c == '/' && clean.ends_with('/') {
            continue;
        }
        clean.push(c);
    }
    if let Some(q) = req.uri().query() {
        clean.push('?');
        clean.push_str(q);
    }
    let mut parts = req.uri().clone().into_parts();
    if let Ok(pq) = clean.parse() {
        parts.path_and_query = Some(pq);
        if let Ok(u) = Uri::from_parts(parts) {
            *req.uri_mut() = u;
        }
    }
    Some(raw)
}

/// Why a body could not be read.
pub enum ReadError {
    /// Over [`BODY_LIMIT`], declared or sent.
    TooLarge,
    /// Not sent within `Settings::body_timeout` (30 s).
    TimedOut,
    /// The connection failed mid-body.
    Broken,
}

impl ReadError {
    /// The answer: the family's 413 or unparsable-body error (408 for a body too slow), or the
    /// control plane's for other paths.
    pub fn answer(self, family: Option<Family>) -> Response {
        match self {
            ReadError::TooLarge => match family {
                Some(f) => f.too_large(),
                None => crate::contract::envelope::error(
                    StatusCode::PAYLOAD_TOO_LARGE,
                    "request body over 64 KiB",
                ),
            },
            ReadError::Broken | ReadError::TimedOut => {
                let mut r = match family {
                    Some(f) => f.bad_body(),
                    None => crate::contract::envelope::error(
                        StatusCode::BAD_REQUEST,
                        "invalid request body",
                    ),
                };
                if matches!(self, ReadError::TimedOut) {
                    *r.status_mut() = StatusCode::REQUEST_TIMEOUT;
                }
                r
            }
        }
    }
}

/// Reads the whole body within the limit and the timeout. A body declared over the limit is refused
/// before it is read, so that a client sending `Expect: 100-continue` is not invited to upload it
/// (hyper sends the 100 only when the body is read).
pub async fn read_body<B>(
    headers: &HeaderMap,
    body: B,
    timeout: Duration,
) -> Result<Bytes, ReadError>
where
    B: hyper::body::Body<Data = Bytes> + Unpin,
    B::Error: Into<axum::BoxError>,
{
    let declared = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok());
    if declared.is_some_and(|n| n > BODY_LIMIT as u64) {
        return Err(ReadError::TooLarge);
    }
    match tokio::time::timeout(timeout, body_bytes(Limited::new(body, BODY_LIMIT))).await {
        Ok(Ok(b)) => Ok(b),
        Ok(Err(e)) if e.is::<http_body_util::LengthLimitError>() => Err(ReadError::TooLarge),
        Ok(Err(_)) => Err(ReadError::Broken),
        Err(_) => Err(ReadError::TimedOut),
    }
}

/// A whole body as one `Bytes`. A body that arrives as one frame (nearly all of them) is returned as
/// is, without the frame list and copy of `BodyExt::collect`.
pub async fn body_bytes<B>(mut body: B) -> Result<Bytes, B::Error>
where
    B: hyper::body::Body<Data = Bytes> + Unpin,
{
    let mut first: Option<Bytes> = None;
    let mut rest: Option<BytesMut> = None;
    while let Some(frame) = body.frame().await {
        let Ok(data) = frame?.into_data() else {
            continue; // trailers carry nothing the mock reads
        };
        match (&mut first, &mut rest) {
            (None, _) => first = Some(data),
            (Some(f), None) => {
                let mut m = BytesMut::with_capacity(f.len() + data.len());
                m.extend_from_slice(f);
                m.extend_from_slice(&data);
                rest = Some(m);
            }
            (Some(_), Some(m)) => m.extend_from_slice(&data),
        }
    }
    Ok(match rest {
        Some(m) => m.freeze(),
        None => first.unwrap_or_default(),
    })
}

/// A control-plane JSON answer ends with a newline, as a terminal and `jq -c`-style tools expect
/// (curl's prompt would otherwise follow the closing brace). Vendor answers keep the vendors' bytes.
pub async fn json_line(resp: Response) -> Response {
    let json = resp
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"));
    if !json {
        return resp;
    }
    let (mut parts, body) = resp.into_parts();
    let Ok(bytes) = body_bytes(body).await else {
        // A body that failed mid-way has no end to add to.
        return Response::from_parts(parts, axum::body::Body::empty());
    };
    if bytes.ends_with(b"\n") {
        return Response::from_parts(parts, axum::body::Body::from(bytes));
    }
    let mut m = BytesMut::with_capacity(bytes.len() + 1);
    m.extend_from_slice(&bytes);
    m.extend_from_slice(b"\n");
    parts.headers.remove(header::CONTENT_LENGTH);
    Response::from_parts(parts, axum::body::Body::from(m.freeze()))
}
