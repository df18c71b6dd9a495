//! Serving: the accept loops (HTTP/1.1 with header limits and timeouts, graceful shutdown, the `drop`
//! fault; the https listener's handshakes), the background sweeper, and [`MockServer`] for in-process use
//! from Rust tests.

use crate::admin::verify::{Verify, VerifyError};
use crate::fixtures::{FixtureErrors, Fixtures};
use crate::namespace::{AppState, Settings};
use crate::pipeline::edge::MAX_HEAD_BYTES;
use crate::pipeline::Pipeline;
use crate::store::redis::Remote;
use crate::tls::{Tls, TlsError, TlsOptions};
use hyper::body::Incoming;
use hyper::rt::{Read, Write};
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::{GracefulShutdown, Watcher};
use std::future::Future;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::Duration;
use tokio::net::TcpListener;
use tokio::sync::{oneshot, watch, Notify};

/// How often expired credentials are swept.
pub const SWEEP_EVERY: Duration = Duration::from_secs(1);
/// How long a client may take to send its request head.
pub const HEADER_TIMEOUT: Duration = Duration::from_secs(10);
/// How long shutdown waits for requests in flight.
pub const SHUTDOWN_GRACE: Duration = Duration::from_secs(5);

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

/// Sweeps expired credentials every [`SWEEP_EVERY`] until aborted.
fn spawn_sweeper(state: AppState) -> tokio::task::JoinHandle<()> {
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
}

/// Serves one accepted connection (plain TCP, or TLS once its handshake is done) through the
/// pipeline until it closes, shutdown drains it, or a `drop` fault kills it.
pub fn serve_connection<I>(io: I, pipeline: Pipeline, graceful: &GracefulShutdown)
where
    I: Read + Write + Unpin + Send + 'static,
{
    tokio::spawn(run_connection(io, pipeline, graceful.watcher()));
}

/// [`serve_connection`] in the calling task, for a connection whose task is already running (TLS).
async fn run_connection<I>(io: I, pipeline: Pipeline, watcher: Watcher)
where
    I: Read + Write + Unpin + Send + 'static,
{
    let kill = Arc::new(Notify::new());
    let conn_kill = kill.clone();
    let svc = hyper::service::service_fn(move |req: hyper::Request<Incoming>| {
        let pipeline = pipeline.clone();
        let kill = conn_kill.clone();
        async move { Ok::<_, std::convert::Infallible>(pipeline.serve(&kill, req).await) }
    });
    let conn = hyper::server::conn::http1::Builder::new()
        .timer(TokioTimer::new())
        .header_read_timeout(HEADER_TIMEOUT)
        .max_buf_size(MAX_HEAD_BYTES.max(8192))
        // A client that shuts down its write side after sending a request still gets the answer.
        .half_close(true)
        .keep_alive(true)
        .writev(false)
        .serve_connection(io, svc);
    let conn = watcher.watch(conn);
    tokio::select! {
        _ = conn => {}
        // The `drop` fault: dropping the connection closes the socket without an answer.
        _ = kill.notified() => {}
    }
}

/// An https listener and the certificate it serves, beside the plain one.
pub struct TlsListener {
    pub listener: TcpListener,
    pub tls: Tls,
}

/// Accepts https connections until `stop` changes, then lets their requests finish. Each handshake runs
/// in its connection's task, bounded like a request head, so a client that never finishes one holds
/// nothing but its own socket; shutdown ends the handshakes still running at once.
async fn serve_tls(https: TlsListener, pipeline: Pipeline, mut stop: watch::Receiver<()>) {
    let TlsListener { listener, tls } = https;
    let graceful = GracefulShutdown::new();
    loop {
        let (stream, peer) = tokio::select! {
            r = listener.accept() => match r {
                Ok(c) => c,
                Err(e) => {
                    tracing::warn!(error = %e, "accept failed (https)");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            _ = stop.changed() => break,
        };
        let _ = stream.set_nodelay(true);
        let (tls, pipeline, watcher, mut stop) = (
            tls.clone(),
            pipeline.clone(),
            graceful.watcher(),
            stop.clone(),
        );
        tokio::spawn(async move {
            let stream = tokio::select! {
                s = tls.handshake(stream, peer, HEADER_TIMEOUT) => s,
                _ = stop.changed() => None,
            };
            let counts = &pipeline.app.metrics.tls;
            counts.handshakes.fetch_add(1, Ordering::Relaxed);
            match stream {
                Some(s) => run_connection(TokioIo::new(s), pipeline, watcher).await,
                None => {
                    counts.failures.fetch_add(1, Ordering::Relaxed);
                }
            }
        });
    }
    drop(listener);
    let _ = tokio::time::timeout(SHUTDOWN_GRACE, graceful.shutdown()).await;
}

/// Serves `state` on `listener` until `shutdown` resolves, then lets requests in flight finish.
pub async fn serve(listener: TcpListener, state: AppState, shutdown: impl Future<Output = ()>) {
    serve_with_tls(listener, None, state, shutdown).await;
}

/// [`serve`], and https on `https` too when given: same pipeline, same state.
pub async fn serve_with_tls(
    listener: TcpListener,
    https: Option<TlsListener>,
    state: AppState,
    shutdown: impl Future<Output = ()>,
) {
    let sweeper = spawn_sweeper(state.clone());
    let pipeline = Pipeline::new(state);
    let (stop_tls, stopped) = watch::channel(());
    let tls_task = https.map(|h| tokio::spawn(serve_tls(h, pipeline.clone(), stopped)));
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
        serve_connection(TokioIo::new(stream), pipeline.clone(), &graceful);
    }
    drop(listener);
    let _ = stop_tls.send(());
    let plain = tokio::time::timeout(SHUTDOWN_GRACE, graceful.shutdown());
    let secure = async {
        if let Some(t) = tls_task {
            let _ = t.await;
        }
    };
    let (_, ()) = tokio::join!(plain, secure);
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
    /// The https listener's address and CA certificate, with [`MockServerBuilder::tls`].
    https: Option<(SocketAddr, String)>,
    state: AppState,
    stop: Option<oneshot::Sender<()>>,
}

/// Configures a [`MockServer`] before it starts.
#[derive(Default, Debug, Clone)]
pub struct MockServerBuilder {
    fixtures_dir: Option<PathBuf>,
    settings: Settings,
    tls: bool,
    store: Option<String>,
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

    /// The https base URL, e.g. `https://127.0.0.1:41235`; its certificate names 127.0.0.1,
    /// localhost and ::1 and chains to [`ca_pem`](Self::ca_pem).
    ///
    /// # Panics
    /// Without [`MockServerBuilder::tls`]`(true)`.
    pub fn https_uri(&self) -> String {
        format!("https://{}", self.https().0)
    }

    /// The CA certificate (PEM) a client trusts to talk to [`https_uri`](Self::https_uri), as served at
    /// `/__admin/ca.pem`.
    ///
    /// # Panics
    /// Without [`MockServerBuilder::tls`]`(true)`.
    pub fn ca_pem(&self) -> &str {
        &self.https().1
    }

    /// The https listener's address, when there is one.
    pub fn tls_address(&self) -> Option<SocketAddr> {
        self.https.as_ref().map(|h| h.0)
    }

    fn https(&self) -> &(SocketAddr, String) {
        match &self.https {
            Some(h) => h,
            None => panic!(
                "this MockServer serves no https: start it with MockServer::builder().tls(true)"
            ),
        }
    }

    /// Asserts over the `default` namespace's journal, as `POST /__admin/verify` does: the number of
    /// matching requests, or what was expected and the journal entries nearest to it.
    ///
    /// ```no_run
    /// # async fn t(mock: authmock::MockServer) {
    /// use authmock::Verify;
    /// let v = Verify::new("POST", "/koodrive/ose/v1/session/refresh").count(1).no_warnings();
    /// mock.verify(&v).unwrap_or_else(|e| panic!("{e}"));
    /// # }
    /// ```
    pub fn verify(&self, v: &Verify) -> Result<usize, VerifyError> {
        self.verify_in(crate::namespace::DEFAULT_NAMESPACE, v)
    }

    /// [`verify`](Self::verify) in the namespace an `X-Mock-Namespace: <namespace>` request runs in.
    pub fn verify_in(&self, namespace: &str, v: &Verify) -> Result<usize, VerifyError> {
        crate::admin::verify::check(&self.state.namespace(namespace).journal, v)
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

    /// Keeps the state in this Redis (`redis://…`, as `--store`), shared with every server and
    /// process started on it.
    pub fn store(mut self, url: impl Into<String>) -> Self {
        self.store = Some(url.into());
        self
    }

    /// Answers the first deviation from the vendor page with the family's parameter error (as
    /// `--strict`); `X-Mock-Strict` still decides per request.
    pub fn strict(mut self, on: bool) -> Self {
        self.settings.strict = on;
        self
    }

    /// The secret that signs EnOS refresh tokens.
    pub fn jwt_secret(mut self, secret: impl Into<String>) -> Self {
        self.settings.jwt_secret = secret.into();
        self
    }

    /// How long a client may take to send its body before the 408 (30 s): for a test of the 408
    /// that does not wait 30 s.
    pub fn body_timeout(mut self, t: std::time::Duration) -> Self {
        self.settings.body_timeout = t;
        self
    }

    /// Also serves https on another free port of 127.0.0.1, with a CA made for this server
    /// ([`MockServer::https_uri`], [`MockServer::ca_pem`]).
    pub fn tls(mut self, on: bool) -> Self {
        self.tls = on;
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
        let mut settings = self.settings;
        let (https, tls_listener) = if self.tls {
            let tls = Tls::new(&TlsOptions::default())?;
            let listener = TcpListener::bind(("127.0.0.1", 0)).await?;
            settings.tls_ca_pem = Some(tls.ca_pem().to_string());
            let https = (listener.local_addr()?, tls.ca_pem().to_string());
            (Some(https), Some(TlsListener { listener, tls }))
        } else {
            (None, None)
        };
        let remote = match &self.store {
            Some(url) => Some(Remote::connect(url).await.map_err(StartError::Store)?),
            None => None,
        };
        let state = AppState::with_store(settings, fixtures, remote);
        let (tx, rx) = oneshot::channel::<()>();
        let st = state.clone();
        tokio::spawn(async move {
            serve_with_tls(listener, tls_listener, st, async {
                let _ = rx.await;
            })
            .await;
        });
        Ok(MockServer {
            addr,
            https,
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
    #[error("cannot set up TLS: {0}")]
    Tls(#[from] TlsError),
    #[error("{0}")]
    Store(String),
}
