//! Serving: the accept loop (HTTP/1.1 with header limits and timeouts, graceful shutdown, the `drop`
//! fault), the background sweeper, and [`MockServer`] for in-process use from Rust tests.

use crate::app::{app, serve_direct, ConnKill};
use crate::fixtures::{FixtureErrors, Fixtures};
use crate::state::{AppState, Settings};
use axum::body::Body;
use axum::http::{header, HeaderValue, Uri};
use axum::Router;
use hyper::body::Incoming;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use std::future::Future;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;
use tokio::net::TcpListener;
use tokio::sync::{oneshot, Notify};
use tower::ServiceExt;

/// How often expired credentials are swept.
pub const SWEEP_EVERY: Duration = Duration::from_secs(1);
/// How long a client may take to send its request head.
pub const HEADER_TIMEOUT: Duration = Duration::from_secs(10);
/// Largest request head (request line + headers) accepted; larger gets 431.
pub const MAX_HEAD_BYTES: usize = 32 * 1024;
/// How long shutdown waits for requests in flight.
pub const SHUTDOWN_GRACE: Duration = Duration::from_secs(5);

/// The `Vary` of every answer: CORS answers differ by these request headers.
pub const VARY: HeaderValue = HeaderValue::from_static(
    "origin, access-control-request-method, access-control-request-headers",
);

/// After a sweep that dropped at least this many credentials, free heap pages go back to the OS.
const RELEASE_AFTER: usize = 10_000;

/// Returns free heap memory to the OS, so RSS falls back after a burst of tokens expires (glibc keeps
/// freed small blocks in its arenas otherwise).
fn release_free_memory() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    {
        extern "C" {
            fn malloc_trim(pad: usize) -> i32;
        }
        // SAFETY: malloc_trim only releases free pages of glibc's own heap; it takes no pointers.
        unsafe {
            malloc_trim(0);
        }
    }
}

/// Tunes glibc's allocator for a process that grows its heap steadily (every issued token is kept):
/// the heap grows in 16 MiB steps instead of one system call per few pages, and with a single CPU
/// every thread allocates from the main heap (another thread's arena grows by an `mprotect` call per
/// few pages, and with one CPU there is no parallelism for a second arena to serve). Growing reserves
/// address space only: untouched pages never count in RSS.
///
/// Blocks up to 32 MiB (the token table's shards as they double) come from the heap, not from a
/// fresh `mmap` each: setting the top pad fixes glibc's mmap threshold at 128 KiB, so every shard
/// growing past it mapped fresh zeroed pages and unmapped the old ones, a page fault per 4 KiB on the
/// request that grew it. From the heap, a grown shard reuses memory the last one freed (about 8 % more
/// logins per second in `bench/run.sh`'s login workload: the median of four alternating 10 s runs
/// against a build without it, 832k against 767k requests; 9 % fewer page faults); the sweeper's
/// `malloc_trim` still hands free heap pages back. Call before any thread starts.
pub fn tune_allocator(one_cpu: bool) {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    {
        extern "C" {
            fn mallopt(param: i32, value: i32) -> i32;
        }
        const M_TOP_PAD: i32 = -2;
        const M_MMAP_THRESHOLD: i32 = -3;
        const M_ARENA_MAX: i32 = -8;
        // SAFETY: mallopt only sets allocator parameters; called before other threads exist.
        unsafe {
            mallopt(M_TOP_PAD, 16 << 20);
            mallopt(M_MMAP_THRESHOLD, 32 << 20);
            if one_cpu {
                mallopt(M_ARENA_MAX, 1);
            }
        }
    }
    #[cfg(not(all(target_os = "linux", target_env = "gnu")))]
    let _ = one_cpu;
}

/// Raises the soft limit on open files to the hard limit, so that a load generator opening thousands of
/// connections is not refused at the default soft limit of 1024 (Go's runtime does the same). Returns
/// the soft limit now in force, when it could be read.
pub fn raise_open_files_limit() -> Option<u64> {
    #[cfg(target_os = "linux")]
    {
        #[repr(C)]
        struct Rlimit {
            cur: u64,
            max: u64,
        }
        extern "C" {
            fn getrlimit(resource: i32, rlim: *mut Rlimit) -> i32;
            fn setrlimit(resource: i32, rlim: *const Rlimit) -> i32;
        }
        const RLIMIT_NOFILE: i32 = 7;
        let mut l = Rlimit { cur: 0, max: 0 };
        // SAFETY: both calls only read or write the struct passed by pointer, which outlives them.
        unsafe {
            if getrlimit(RLIMIT_NOFILE, &mut l) != 0 {
                return None;
            }
            if l.cur < l.max {
                let raised = Rlimit {
                    cur: l.max,
                    max: l.max,
                };
                if setrlimit(RLIMIT_NOFILE, &raised) == 0 {
                    l.cur = l.max;
                }
            }
        }
        Some(l.cur)
    }
    #[cfg(not(target_os = "linux"))]
    None
}

/// Rewrites `//a//b` to `/a/b` (a base URL ending in `/` joined with a path starting with one).
fn collapse_slashes<B>(req: &mut hyper::Request<B>) {
    let path = req.uri().path();
    if !path.contains("//") {
        return;
    }
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
}

/// The size of a request head as it came on the wire: request line, header lines, blank line.
fn head_len(req: &hyper::Request<Incoming>) -> usize {
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
fn head_too_large() -> axum::response::Response {
    let mut r = crate::admin::error(
        axum::http::StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE,
        "request head over 32 KiB",
    );
    r.headers_mut().insert(
        axum::http::header::CONNECTION,
        axum::http::HeaderValue::from_static("close"),
    );
    r
}

/// Serves `router` on `listener` until `shutdown` resolves, then lets requests in flight finish.
pub async fn serve(
    listener: TcpListener,
    state: AppState,
    router: Router,
    shutdown: impl Future<Output = ()>,
) {
    let sweeper = {
        let state = state.clone();
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(SWEEP_EVERY);
            tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                tick.tick().await;
                if state.sweep() >= RELEASE_AFTER {
                    release_free_memory();
                }
            }
        })
    };
    let graceful = GracefulShutdown::new();
    tokio::pin!(shutdown);
    loop {
        let (stream, _peer) = tokio::select! {
            r = listener.accept() => match r {
                Ok(c) => c,
                Err(e) => {
                    // Out of file descriptors and the like: back off briefly instead of spinning.
                    tracing::warn!(error = %e, "accept failed");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            _ = &mut shutdown => break,
        };
        let _ = stream.set_nodelay(true);
        let kill = Arc::new(Notify::new());
        let router = router.clone();
        let st = state.clone();
        let conn_kill = kill.clone();
        let svc = hyper::service::service_fn(move |mut req: hyper::Request<Incoming>| {
            let router = router.clone();
            let st = st.clone();
            let kill = conn_kill.clone();
            async move {
                if head_len(&req) > MAX_HEAD_BYTES {
                    return Ok::<_, std::convert::Infallible>(head_too_large());
                }
                collapse_slashes(&mut req);
                // Only an OPTIONS request that asks for a method is a CORS preflight; a plain one gets
                // the route's 405 (or the 404) like any other method the route does not take.
                if req.method() == axum::http::Method::OPTIONS
                    && !req
                        .headers()
                        .contains_key(header::ACCESS_CONTROL_REQUEST_METHOD)
                {
                    let mut resp = crate::app::not_served(req.method(), req.uri());
                    resp.headers_mut().insert(header::VARY, VARY);
                    return Ok(resp);
                }
                // An exact vendor route is dispatched directly; everything else (admin, unknown paths,
                // other methods, CORS requests) goes through the router.
                let direct = if req.headers().contains_key(header::ORIGIN) {
                    None
                } else {
                    crate::vendors::find(req.method(), req.uri().path())
                };
                let mut resp = match direct {
                    Some((op, route)) => serve_direct(&st, &kill, op, route, req).await,
                    None => {
                        req.extensions_mut().insert(ConnKill(kill.clone()));
                        router.oneshot(req.map(Body::new)).await?
                    }
                };
                resp.headers_mut().insert(header::VARY, VARY);
                Ok(resp)
            }
        });
        let conn = hyper::server::conn::http1::Builder::new()
            .timer(TokioTimer::new())
            .header_read_timeout(HEADER_TIMEOUT)
            .max_buf_size(MAX_HEAD_BYTES.max(8192))
            // A client that shuts down its write side after sending a request still gets the answer.
            .half_close(true)
            .keep_alive(true)
            .writev(false)
            .serve_connection(TokioIo::new(stream), svc);
        let conn = graceful.watch(conn);
        tokio::spawn(async move {
            tokio::select! {
                _ = conn => {}
                // The `drop` fault: dropping the connection closes the socket without an answer.
                _ = kill.notified() => {}
            }
        });
    }
    drop(listener);
    let _ = tokio::time::timeout(SHUTDOWN_GRACE, graceful.shutdown()).await;
    sweeper.abort();
}

/// A running authmock server bound to 127.0.0.1:0; dropping it stops the server gracefully.
///
/// ```
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() {
/// let server = authmock::MockServer::start().await;
/// let url = format!("{}/__admin/health", server.uri());
/// # let _ = url;
/// # }
/// ```
pub struct MockServer {
    addr: SocketAddr,
    state: AppState,
    stop: Option<oneshot::Sender<()>>,
}

/// Configures a [`MockServer`] before it starts.
#[derive(Default, Debug, Clone)]
pub struct MockServerBuilder {
    fixtures_dir: Option<PathBuf>,
    settings: Settings,
}

impl MockServer {
    /// Starts a server on the embedded default fixtures.
    pub async fn start() -> MockServer {
        MockServer::builder().start().await
    }

    /// A builder for fixtures dir, seed, frozen clock, admin token and journal size.
    pub fn builder() -> MockServerBuilder {
        MockServerBuilder::default()
    }

    /// Base URL, e.g. `http://127.0.0.1:41234`.
    pub fn uri(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The bound address.
    pub fn address(&self) -> SocketAddr {
        self.addr
    }

    /// The server's state (to inspect or drive it directly from Rust).
    pub fn state(&self) -> &AppState {
        &self.state
    }
}

impl Drop for MockServer {
    fn drop(&mut self) {
        if let Some(s) = self.stop.take() {
            let _ = s.send(());
        }
    }
}

impl MockServerBuilder {
    /// Loads fixtures from this directory instead of the embedded defaults.
    pub fn fixtures_dir(mut self, dir: impl Into<PathBuf>) -> Self {
        self.fixtures_dir = Some(dir.into());
        self
    }

    /// Draws every token from a generator seeded with `seed` (per namespace).
    pub fn seed(mut self, seed: u64) -> Self {
        self.settings.seed = Some(seed);
        self
    }

    /// Starts with the clock of every namespace frozen at this instant (epoch milliseconds).
    pub fn frozen_at_ms(mut self, epoch_ms: i64) -> Self {
        self.settings.frozen_at_ms = Some(epoch_ms);
        self
    }

    /// Requires `Authorization: Bearer <token>` on the control plane.
    pub fn admin_token(mut self, token: impl Into<String>) -> Self {
        self.settings.admin_token = Some(token.into());
        self
    }

    /// Entries kept in each namespace's request journal (0 disables it).
    pub fn journal_size(mut self, n: usize) -> Self {
        self.settings.journal_size = n;
        self
    }

    /// Most credentials one namespace keeps (0: no limit; else at least 1000): past it the least
    /// recently used are evicted.
    pub fn max_tokens(mut self, n: usize) -> Self {
        self.settings.max_tokens = n;
        self
    }

    /// The secret that signs EnOS refresh tokens.
    pub fn jwt_secret(mut self, secret: impl Into<String>) -> Self {
        self.settings.jwt_secret = secret.into();
        self
    }

    /// Starts the server; panics with every fixture problem if the fixtures are invalid.
    pub async fn start(self) -> MockServer {
        match self.try_start().await {
            Ok(s) => s,
            Err(e) => panic!("authmock could not start:\n{e}"),
        }
    }

    /// Starts the server, or says why it cannot.
    pub async fn try_start(self) -> Result<MockServer, StartError> {
        let fixtures = match &self.fixtures_dir {
            Some(d) => Fixtures::from_dir(d)?,
            None => Fixtures::embedded(),
        };
        let listener = TcpListener::bind(("127.0.0.1", 0)).await?;
        let addr = listener.local_addr()?;
        let state = AppState::new(self.settings, fixtures);
        let router = app(state.clone());
        let (tx, rx) = oneshot::channel::<()>();
        let st = state.clone();
        tokio::spawn(async move {
            serve(listener, st, router, async {
                let _ = rx.await;
            })
            .await;
        });
        Ok(MockServer {
            addr,
            state,
            stop: Some(tx),
        })
    }
}

/// Why a server could not start.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error("invalid fixtures:\n{0}")]
    Fixtures(#[from] FixtureErrors),
    #[error("cannot bind: {0}")]
    Bind(#[from] std::io::Error),
}
