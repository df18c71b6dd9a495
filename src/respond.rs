//! JSON answers serialised once into a buffer sized for the vendors' bodies.
//!
//! `axum::Json` starts from a 128-byte buffer, so every token-bearing answer (300–700 bytes) is
//! reallocated and copied two or three times on the way out; this writer starts at 1 KiB.

use axum::body::Body;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Serialize;

/// Large enough for every vendor answer but the state dump, which grows past it.
const INITIAL: usize = 1024;

/// A JSON answer (`Content-Type: application/json`).
#[derive(Debug, Clone, Copy)]
pub struct Json<T>(pub T);

impl<T: Serialize> IntoResponse for Json<T> {
    fn into_response(self) -> Response {
        let mut buf = Vec::with_capacity(INITIAL);
        match serde_json::to_writer(&mut buf, &self.0) {
            Ok(()) => {
                let mut r = Response::new(Body::from(buf));
                r.headers_mut().insert(
                    header::CONTENT_TYPE,
                    HeaderValue::from_static("application/json"),
                );
                r
            }
            // Only a map with non-string keys or a failing Serialize impl gets here; none of ours.
            Err(e) => (StatusCode::INTERNAL_SERVER_ERROR, e.to_string()).into_response(),
        }
    }
}
