//! The router: every vendor family and the control plane on one port, behind one middleware that picks
//! the namespace, enforces the body limit, applies faults, journals and logs each request.

use crate::admin;
use crate::admin::faults::{Action, MAX_DELAY_MS};
use crate::extract::names;
use crate::state::{AppState, Ns, DEFAULT_NAMESPACE};
use crate::vendors::{enos, koodrive, oneaccess};
use axum::body::{Body, Bytes};
use axum::extract::{FromRequestParts, MatchedPath, Request, State};
use axum::http::request::Parts;
use axum::http::{header, HeaderValue, Method, StatusCode, Uri};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::{Json, Router};
use bytes::BytesMut;
use http_body_util::{BodyExt, Limited};
use serde_json::json;
use std::convert::Infallible;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::Notify;
use tower_http::cors::{AllowHeaders, AllowMethods, AllowOrigin, CorsLayer, ExposeHeaders};

/// Largest request body a vendor route accepts (a gateway's limit; larger gets 413).
pub const BODY_LIMIT: usize = 64 * 1024;
/// How long a client may take to send its body.
pub const BODY_TIMEOUT: Duration = Duration::from_secs(30);

/// The vendor family a path belongs to, which decides the error envelope.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Family {
    KooDrive,
    OneAccess,
    Enos,
    Admin,
    Other,
}

impl Family {
    pub fn of(path: &str) -> Family {
        if path.starts_with("/koodrive/") {
            Family::KooDrive
        } else if path.starts_with("/api/v2/") {
            Family::OneAccess
        } else if path.starts_with("/app-portal-service/") {
            Family::Enos
        } else if path.starts_with("/__admin") {
            Family::Admin
        } else {
            Family::Other
        }
    }

    /// The family's answer to a body that cannot be read.
    pub fn bad_body(self) -> Response {
        match self {
            Family::KooDrive => koodrive::KooError::Param.into_response(),
            Family::OneAccess => oneaccess::OaError::BadBody.into_response(),
            Family::Enos => enos::EnosError::Invalid.into_response(),
            _ => admin::error(StatusCode::BAD_REQUEST, "invalid request body"),
        }
    }

    /// The family's answer to a body over [`BODY_LIMIT`]: 413 with its unparsable-body error.
    pub fn too_large(self) -> Response {
        match self {
            Family::KooDrive => koodrive::KooError::TooLarge.into_response(),
            Family::OneAccess => oneaccess::OaError::TooLarge.into_response(),
            Family::Enos => enos::EnosError::TooLarge.into_response(),
            _ => admin::error(StatusCode::PAYLOAD_TOO_LARGE, "request body over 64 KiB"),
        }
    }

    /// The error a fault or `X-Mock-Error` names, answered as `route` would answer it.
    pub fn vendor_error(self, code: &str, route: &str, token: &str) -> Option<Response> {
        match self {
            Family::KooDrive => {
                koodrive::KooError::from_code(code).map(IntoResponse::into_response)
            }
            Family::OneAccess => {
                oneaccess::OaError::from_code(code, token).map(IntoResponse::into_response)
            }
            Family::Enos => {
                enos::EnosError::from_code(code, route).map(IntoResponse::into_response)
            }
            _ => None,
        }
    }

    /// The vendor codes this family can answer (for fault validation and the dashboard).
    pub fn codes(self) -> Vec<String> {
        match self {
            Family::KooDrive => koodrive::KooError::ALL
                .iter()
                .map(|e| e.code().to_string())
                .collect(),
            Family::OneAccess => oneaccess::OaError::CODES
                .iter()
                .map(|c| c.to_string())
                .collect(),
            Family::Enos => enos::EnosError::CODES
                .iter()
                .map(|c| c.to_string())
                .collect(),
            _ => Vec::new(),
        }
    }
}

/// Every vendor route as `(method, path)`.
pub fn vendor_routes() -> impl Iterator<Item = (&'static str, &'static str)> {
    crate::vendors::routes()
}

/// Every route, vendor and admin, as `"METHOD /path"` (the 404 body lists them).
pub fn all_routes() -> Vec<String> {
    vendor_routes()
        .chain(admin::ROUTES.iter().copied())
        .map(|(m, p)| format!("{m} {p}"))
        .collect()
}

/// The connection a request came on: notifying it closes the connection without an answer (the `drop`
/// fault). The server hands it to [`serve_direct`] and puts it in the extensions of requests it passes
/// to the router (a task-local scope would be entered and left on every poll of every connection).
#[derive(Debug, Clone)]
pub struct ConnKill(pub Arc<Notify>);

/// The route pattern a request matched, for fault keys and the journal.
#[derive(Debug, Clone)]
pub enum RouteName {
    /// A vendor route the server dispatched itself.
    Static(&'static str),
    /// A route the axum router matched.
    Matched(MatchedPath),
}

impl RouteName {
    pub fn as_str(&self) -> &str {
        match self {
            RouteName::Static(s) => s,
            RouteName::Matched(m) => m.as_str(),
        }
    }
}

impl FromRequestParts<AppState> for Ns {
    type Rejection = Infallible;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        Ok(match parts.extensions.get::<Ns>() {
            Some(ns) => ns.clone(),
            None => Ns(state.namespace(DEFAULT_NAMESPACE)),
        })
    }
}

/// The whole application.
pub fn app(state: AppState) -> Router {
    Router::new()
        .merge(koodrive::router())
        .merge(oneaccess::router())
        .merge(enos::router())
        .merge(admin::router(state.clone()))
        .fallback(no_route)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(middleware::from_fn_with_state(state.clone(), mock_layer))
        .layer(cors(&state))
        .with_state(state)
}

/// CORS for browser apps calling the mock directly: preflights are answered for every route, with any
/// request headers the vendors' clients send (mirrored back).
fn cors(state: &AppState) -> CorsLayer {
    let origins = state.settings.cors_origins.trim();
    let allow = if state.cors_any_origin() {
        AllowOrigin::any()
    } else {
        AllowOrigin::list(
            origins
                .split(',')
                .filter_map(|o| HeaderValue::from_str(o.trim()).ok()),
        )
    };
    CorsLayer::new()
        .allow_origin(allow)
        .allow_methods(AllowMethods::mirror_request())
        .allow_headers(AllowHeaders::mirror_request())
        .expose_headers(ExposeHeaders::any())
        .max_age(Duration::from_secs(600))
        // tower-http joins its Vary list into a new header value on every request; the server adds the
        // same value from a static instead (`server::VARY`), to every answer the router gives.
        .vary([])
}

async fn no_route(method: Method, uri: Uri) -> Response {
    no_route_response(&method, &uri)
}

fn no_route_response(method: &Method, uri: &Uri) -> Response {
    let body = json!({
        "error": "no route",
        "method": method.as_str(),
        "path": uri.path(),
        "routes": all_routes(),
    });
    (StatusCode::NOT_FOUND, Json(body)).into_response()
}

/// The methods a known path accepts.
fn allowed(path: &str) -> Vec<&'static str> {
    let mut v: Vec<&'static str> = vendor_routes()
        .chain(admin::ROUTES.iter().copied())
        .filter(|(_, p)| admin::path_matches(p, path))
        .map(|(m, _)| m)
        .collect();
    v.dedup();
    v
}

/// The answer to a method no route of this path takes: 405 with `Allow` on a known path, else 404.
pub fn not_served(method: &Method, uri: &Uri) -> Response {
    if allowed(uri.path()).is_empty() {
        no_route_response(method, uri)
    } else {
        method_not_allowed_response(method, uri)
    }
}

async fn method_not_allowed(method: Method, uri: Uri) -> Response {
    method_not_allowed_response(&method, &uri)
}

fn method_not_allowed_response(method: &Method, uri: &Uri) -> Response {
    let allow = allowed(uri.path());
    let body = json!({
        "error": "method not allowed",
        "method": method.as_str(),
        "path": uri.path(),
        "allow": allow,
    });
    let mut r = (StatusCode::METHOD_NOT_ALLOWED, Json(body)).into_response();
    if let Ok(v) = HeaderValue::from_str(&allow.join(", ")) {
        r.headers_mut().insert(header::ALLOW, v);
    }
    r
}

/// A namespace name: 1–64 of `[A-Za-z0-9._-]`.
fn valid_namespace(n: &str) -> bool {
    !n.is_empty()
        && n.len() <= 64
        && n.bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'))
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

/// Cuts a JSON body in half so it no longer parses (the `malformed` fault).
async fn truncate(resp: Response) -> Response {
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

/// A whole body as one `Bytes`. A body that arrives as one frame (nearly all of them) is returned as
/// is, without the frame list and copy of `BodyExt::collect`.
async fn body_bytes<B>(mut body: B) -> Result<Bytes, B::Error>
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

/// The per-request middleware of the router: see [`process`].
async fn mock_layer(State(app): State<AppState>, req: Request, next: Next) -> Response {
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .cloned()
        .map(RouteName::Matched);
    let kill = req.extensions().get::<ConnKill>().cloned();
    let (parts, body) = req.into_parts();
    process(&app, kill, parts, body, route, |ns, mut parts, bytes| {
        parts.extensions.insert(ns);
        next.run(Request::from_parts(parts, Body::from(bytes)))
    })
    .await
}

/// Answers an exact vendor route without the router: the same [`process`] and handler as the router
/// path, minus its per-request boxing. For requests without `Origin` (a CORS request goes through the
/// router's CORS layer); the CORS headers that layer gives such a request are added here.
pub async fn serve_direct<B>(
    app: &AppState,
    kill: &Arc<Notify>,
    op: crate::vendors::Op,
    route: &'static str,
    req: axum::http::Request<B>,
) -> Response
where
    B: hyper::body::Body<Data = Bytes> + Unpin,
    B::Error: Into<axum::BoxError>,
{
    let (parts, body) = req.into_parts();
    let mut resp = process(
        app,
        Some(ConnKill(kill.clone())),
        parts,
        body,
        Some(RouteName::Static(route)),
        move |ns, parts, bytes| crate::vendors::handle(op, ns, parts, bytes),
    )
    .await;
    let h = resp.headers_mut();
    if app.cors_any_origin() {
        h.insert(
            header::ACCESS_CONTROL_ALLOW_ORIGIN,
            HeaderValue::from_static("*"),
        );
    }
    h.insert(
        header::ACCESS_CONTROL_EXPOSE_HEADERS,
        HeaderValue::from_static("*"),
    );
    resp
}

/// The work around every handler: namespace, body limit, faults, journal, log line. `inner` gets the
/// namespace, the request head and the whole body, and answers.
async fn process<B, F, Fut>(
    app: &AppState,
    kill: Option<ConnKill>,
    parts: Parts,
    body: B,
    route: Option<RouteName>,
    inner: F,
) -> Response
where
    B: hyper::body::Body<Data = Bytes> + Unpin,
    B::Error: Into<axum::BoxError>,
    F: FnOnce(Ns, Parts, Bytes) -> Fut,
    Fut: std::future::Future<Output = Response>,
{
    let start = Instant::now();
    let family = Family::of(parts.uri.path());
    let ns = match parts.headers.get(names::X_MOCK_NAMESPACE) {
        None => app.namespace(DEFAULT_NAMESPACE),
        Some(v) => match v.to_str().map(str::trim) {
            // A control-plane request the admin token guard refuses must not create a namespace.
            Ok(_)
                if family == Family::Admin
                    && admin::denied(app, &parts.headers, parts.uri.path()) =>
            {
                app.namespace(DEFAULT_NAMESPACE)
            }
            Ok(n) if valid_namespace(n) => app.namespace(n),
            _ => {
                return admin::error(
                    StatusCode::BAD_REQUEST,
                    "X-Mock-Namespace must be 1-64 characters of A-Z a-z 0-9 . _ -",
                )
            }
        },
    };
    let ns = Ns(ns);

    // A body declared over the limit is refused before it is read, so that a client sending
    // `Expect: 100-continue` is not invited to upload it (hyper sends the 100 only when the body is read).
    let declared = parts
        .headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok());
    if declared.is_some_and(|n| n > BODY_LIMIT as u64) {
        return family.too_large();
    }
    // Read the whole body up front, within the limit: handlers then parse it with their family's errors.
    let bytes = match tokio::time::timeout(BODY_TIMEOUT, body_bytes(Limited::new(body, BODY_LIMIT)))
        .await
    {
        Ok(Ok(b)) => b,
        Ok(Err(e)) if e.is::<http_body_util::LengthLimitError>() => return family.too_large(),
        Ok(Err(_)) => return family.bad_body(),
        // A body that never arrives is unparsable: the family's parameter error, with a gateway's 408.
        Err(_) => {
            let mut r = family.bad_body();
            *r.status_mut() = StatusCode::REQUEST_TIMEOUT;
            return r;
        }
    };
    let is_vendor = matches!(family, Family::KooDrive | Family::OneAccess | Family::Enos);
    let mut fault_id = None;
    let mut action = None;
    if is_vendor {
        // Per-request faults through headers.
        let err = parts
            .headers
            .get(names::X_MOCK_ERROR)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        let delay =
            match parts.headers.get(names::X_MOCK_DELAY) {
                None => None,
                Some(v) => match v.to_str().ok().and_then(parse_delay) {
                    Some(d) => Some(d),
                    None => return admin::error(
                        StatusCode::BAD_REQUEST,
                        "X-Mock-Delay must be milliseconds or a duration such as 250ms, 2s or 1m",
                    ),
                },
            };
        // A queued fault acts on a request the headers do not already answer: an `X-Mock-Error`
        // request leaves it queued for the next one.
        if let Some(r) = route
            .as_ref()
            .filter(|_| err.is_none() && ns.faults.armed())
        {
            let key = format!("{} {}", parts.method, r.as_str());
            if let Some((id, a)) = ns.faults.take(&key) {
                fault_id = Some(id);
                action = Some(a);
            }
        }
        if err.is_some() || delay.is_some() {
            let a = action.get_or_insert_with(Action::default);
            if err.is_some() {
                a.error = err;
            }
            if delay.is_some() {
                a.delay_ms = delay;
            }
            fault_id.get_or_insert_with(|| "header".to_string());
        }
    }

    let journal_on = ns.journal.enabled() && family != Family::Admin;
    let mut recording = if journal_on {
        let target = parts.uri.path_and_query().map(|p| p.as_str()).unwrap_or("");
        Some(ns.journal.begin(target, &parts.headers, &bytes))
    } else {
        None
    };
    let method = parts.method.clone();
    let uri = parts.uri.clone();

    let resp = match action {
        None => inner(ns.clone(), parts, bytes).await,
        Some(a) => {
            if let Some(d) = a.delay_ms {
                tokio::time::sleep(Duration::from_millis(d.min(MAX_DELAY_MS))).await;
            }
            if let Some(ConnKill(k)) = kill.filter(|_| a.drop) {
                k.notify_one();
                // Journaled with status 0 and no answer, then the connection task drops this request
                // with its connection.
                if let Some(rec) = recording.take() {
                    let outcome = admin::journal::Outcome {
                        time_ms: ns.now(),
                        method: method.clone(),
                        route: route.clone(),
                        status: 0,
                        duration_us: start.elapsed().as_micros() as u64,
                        fault: fault_id.clone(),
                    };
                    ns.journal.finish(rec, &[], outcome);
                }
                std::future::pending::<()>().await;
            }
            let token = crate::extract::auth_token(&parts.headers, &["Bearer", "AT"])
                .unwrap_or("")
                .to_string();
            let route_s = route.as_ref().map(RouteName::as_str).unwrap_or_default();
            let mut r = if let Some(code) = &a.error {
                match family.vendor_error(code, route_s, &token) {
                    Some(r) => r,
                    None => admin::error(
                        StatusCode::BAD_REQUEST,
                        &format!(
                            "X-Mock-Error: {code} is not a vendor code of this route's family"
                        ),
                    ),
                }
            } else if let Some(status) = a.status {
                let status =
                    StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
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
                r
            } else {
                inner(ns.clone(), parts, bytes).await
            };
            if a.malformed {
                r = truncate(r).await;
            }
            r
        }
    };

    let status = resp.status().as_u16();
    let elapsed = start.elapsed();
    crate::logging::request(
        &method,
        uri.path(),
        status,
        elapsed.as_micros() as u64,
        (ns.name != DEFAULT_NAMESPACE).then_some(ns.name.as_str()),
    );
    let Some(recording) = recording else {
        return resp;
    };
    let (rparts, rbody) = resp.into_parts();
    let rbytes = body_bytes(rbody).await.unwrap_or_default();
    let outcome = admin::journal::Outcome {
        time_ms: ns.now(),
        method,
        route,
        status,
        duration_us: elapsed.as_micros() as u64,
        fault: fault_id,
    };
    ns.journal.finish(recording, &rbytes, outcome);
    Response::from_parts(rparts, Body::from(rbytes))
}
