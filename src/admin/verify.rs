//! `POST /__admin/verify`: assert over the namespace's journal that a client sent a request so many
//! times (exactly, at least, at most), optionally with a status and without contract-lint warnings.
//! The same check backs [`MockServer::verify`](crate::MockServer::verify) for in-process Rust tests.

use super::{parse, AdminError};
use crate::contract::envelope::ErrorBody;
use crate::namespace::journal::{Entry, Filter, Journal};
use crate::namespace::Ns;
use axum::body::Bytes;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Deserialize;
use serde_json::{json, Value};
use std::fmt;
use std::sync::Arc;
use utoipa::ToSchema;

/// Entries a failed verification shows.
const NEAREST: usize = 5;

/// What to verify: requests of `method` (any when absent) to `path`, counted against `count`, or
/// `atLeast`/`atMost` (neither: at least one).
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[schema(as = VerifyRequest)]
pub struct Verify {
    /// Only requests of this method (any case); every method when absent.
    #[schema(example = "POST", pattern = "^[A-Za-z]+$")]
    pub method: Option<String>,
    /// The request path exactly (query left out), or a route pattern as in the route table.
    #[schema(example = "/koodrive/ose/v1/session/refresh", pattern = "^/")]
    pub path: String,
    /// Exactly this many matching requests (not with `atLeast`/`atMost`).
    pub count: Option<u64>,
    /// At least this many.
    pub at_least: Option<u64>,
    /// At most this many.
    pub at_most: Option<u64>,
    /// Only requests answered with this HTTP status (0: ended by a `drop` fault).
    #[schema(maximum = 599)]
    pub status: Option<u16>,
    /// `true`: every matching request followed its vendor page (no contract-lint warnings).
    #[serde(default)]
    pub no_warnings: bool,
}

impl Verify {
    /// Requests of `method` to `path` (at least one unless a count is set).
    pub fn new(method: &str, path: &str) -> Verify {
        Verify {
            method: Some(method.to_string()),
            path: path.to_string(),
            ..Verify::default()
        }
    }
    /// Exactly `n` of them.
    pub fn count(mut self, n: u64) -> Verify {
        self.count = Some(n);
        self
    }
    /// At least `n`.
    pub fn at_least(mut self, n: u64) -> Verify {
        self.at_least = Some(n);
        self
    }
    /// At most `n`.
    pub fn at_most(mut self, n: u64) -> Verify {
        self.at_most = Some(n);
        self
    }
    /// Only those answered with `status`.
    pub fn status(mut self, status: u16) -> Verify {
        self.status = Some(status);
        self
    }
    /// And none of them deviated from its vendor page.
    pub fn no_warnings(mut self) -> Verify {
        self.no_warnings = true;
        self
    }

    /// The inclusive range of matches expected, or why the request makes no sense.
    fn range(&self) -> Result<(u64, u64), String> {
        if !self.path.starts_with('/') {
            return Err(format!("\"path\" must start with /, got {:?}", self.path));
        }
        if let Some(m) = &self.method {
            if m.is_empty() || !m.bytes().all(|b| b.is_ascii_alphabetic()) {
                return Err(format!("\"method\" must be an HTTP method, got {m:?}"));
            }
        }
        if self.status.is_some_and(|s| s > 599) {
            return Err("\"status\" must be at most 599".into());
        }
        match (self.count, self.at_least, self.at_most) {
            (Some(_), Some(_), _) | (Some(_), _, Some(_)) => {
                Err("\"count\" cannot be combined with \"atLeast\"/\"atMost\"".into())
            }
            (Some(n), None, None) => Ok((n, n)),
            (None, Some(lo), Some(hi)) if lo > hi => Err(format!(
                "\"atLeast\" ({lo}) is greater than \"atMost\" ({hi})"
            )),
            (None, None, None) => Ok((1, u64::MAX)),
            (None, lo, hi) => Ok((lo.unwrap_or(0), hi.unwrap_or(u64::MAX))),
        }
    }

    fn describe(&self, (lo, hi): (u64, u64)) -> String {
        let times = match (lo, hi) {
            (lo, hi) if lo == hi => format!("exactly {lo}"),
            (lo, u64::MAX) => format!("at least {lo}"),
            (0, hi) => format!("at most {hi}"),
            (lo, hi) => format!("{lo} to {hi}"),
        };
        let method = self.method.as_deref().unwrap_or("*").to_ascii_uppercase();
        let status = self
            .status
            .map(|s| format!(" answered {s}"))
            .unwrap_or_default();
        format!("{times} {method} {}{status}", self.path)
    }

    fn path_of(&self, e: &Entry) -> bool {
        let path = e.uri().split('?').next().unwrap_or("");
        path == self.path || e.outcome.route == Some(self.path.as_str())
    }

    fn method_of(&self, e: &Entry) -> bool {
        self.method
            .as_deref()
            .is_none_or(|m| e.outcome.method.as_str().eq_ignore_ascii_case(m))
    }

    fn matches(&self, e: &Entry) -> bool {
        self.path_of(e) && self.method_of(e) && self.status.is_none_or(|s| e.outcome.status == s)
    }

    /// How close an entry comes: path, then method, then status, then the length of the shared path
    /// prefix (so a typo in the path still finds its request).
    fn closeness(&self, e: &Entry) -> (bool, bool, bool, usize) {
        let path = e.uri().split('?').next().unwrap_or("");
        let prefix = path
            .bytes()
            .zip(self.path.bytes())
            .take_while(|(a, b)| a == b)
            .count();
        let status = self.status.is_none_or(|s| e.outcome.status == s);
        (self.path_of(e), self.method_of(e), status, prefix)
    }
}

/// Why a verification failed: what was expected, what matched, and the journal entries closest to it
/// (as `GET /__admin/requests` shows them).
#[derive(Debug, Clone)]
pub struct Mismatch {
    pub message: String,
    pub matched: usize,
    pub nearest: Vec<Value>,
}

impl fmt::Display for Mismatch {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.message)?;
        if self.nearest.is_empty() {
            return write!(f, "; the journal holds no request near it");
        }
        write!(f, "; nearest:")?;
        for e in &self.nearest {
            let warnings = e["warnings"].as_array().map_or(0, Vec::len);
            write!(
                f,
                "\n  {} {} -> {} ({warnings} warnings)",
                e["method"].as_str().unwrap_or(""),
                e["uri"].as_str().unwrap_or(""),
                e["status"]
            )?;
        }
        Ok(())
    }
}

/// Why [`check`] did not pass.
#[derive(Debug, Clone, thiserror::Error)]
pub enum VerifyError {
    /// The expectation itself is wrong (400 over HTTP).
    #[error("{0}")]
    Invalid(String),
    /// The journal does not hold what was expected (417 over HTTP).
    #[error("{0}")]
    Mismatch(Mismatch),
}

/// Checks `v` against `journal`; the number of matching requests when it holds.
pub fn check(journal: &Journal, v: &Verify) -> Result<usize, VerifyError> {
    let (lo, hi) = v.range().map_err(VerifyError::Invalid)?;
    if !journal.enabled() {
        return Err(VerifyError::Invalid(
            "the journal is off (--journal-size 0): nothing to verify".into(),
        ));
    }
    let all = journal.list(&Filter::default());
    let matched: Vec<&Arc<Entry>> = all.iter().filter(|e| v.matches(e)).collect();
    let n = matched.len();
    let expected = v.describe((lo, hi));
    let views = |it: &mut dyn Iterator<Item = &Arc<Entry>>| -> Vec<Value> {
        it.take(NEAREST).map(|e| e.view()).collect()
    };
    let (message, nearest) = if (n as u64) < lo {
        let mut ranked: Vec<&Arc<Entry>> = all.iter().collect();
        // Stable: among equally close entries the newest stays first.
        ranked.sort_by_key(|e| std::cmp::Reverse(v.closeness(e)));
        let msg = format!("expected {expected}, found {n}");
        (msg, views(&mut ranked.into_iter()))
    } else if n as u64 > hi {
        let msg = format!("expected {expected}, found {n}");
        (msg, views(&mut matched.iter().copied()))
    } else if v.no_warnings && matched.iter().any(|e| !e.outcome.warnings.is_empty()) {
        let deviating: Vec<&Arc<Entry>> = matched
            .iter()
            .copied()
            .filter(|e| !e.outcome.warnings.is_empty())
            .collect();
        let msg = format!(
            "{} of {n} requests ({expected}) deviate from their vendor page; expected none",
            deviating.len()
        );
        (msg, views(&mut deviating.into_iter()))
    } else {
        return Ok(n);
    };
    Err(VerifyError::Mismatch(Mismatch {
        message,
        matched: n,
        nearest,
    }))
}

/// `POST /__admin/verify` — did the namespace's clients send this request so many times?
#[utoipa::path(
    post,
    path = "/__admin/verify",
    operation_id = "admin_verify",
    tag = "control plane",
    summary = "Assert over the journal: a request was sent so many times (with a status, without warnings)",
    security((), ("adminToken" = [])),
    request_body(content = Verify, content_type = "application/json"),
    responses(
        (status = 200, description = "It holds: `{\"matched\":<n>}`.", body = Object),
        (status = 400, description = "Not JSON of the shape (an unknown field too), a path not starting with /, a method that is not one, `count` with `atLeast`/`atMost`, `atLeast` over `atMost`, a status over 599, or the journal is off (`--journal-size 0`).", body = ErrorBody),
        (status = 417, description = "It does not hold: `{\"error\":\"expected exactly 1 POST /… , found 0\",\"matched\":<n>,\"nearest\":[entry]}` — the journal entries closest to the expectation (as `GET /__admin/requests` shows them), at most 5: by path, method, status and shared path prefix when too few matched; the matches when too many; those with warnings under `noWarnings`.", body = Object),
    )
)]
pub async fn verify(ns: Ns, body: Bytes) -> Result<Response, AdminError> {
    let v: Verify = parse(&body)?;
    match check(&ns.journal, &v) {
        Ok(n) => Ok(Json(json!({ "matched": n })).into_response()),
        Err(VerifyError::Invalid(m)) => Err(AdminError::BadRequest(m)),
        Err(VerifyError::Mismatch(m)) => Ok((
            StatusCode::EXPECTATION_FAILED,
            Json(json!({ "error": m.message, "matched": m.matched, "nearest": m.nearest })),
        )
            .into_response()),
    }
}
