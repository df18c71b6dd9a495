//! Serving: the accept loops (HTTP/1.1 with header limits and timeouts, graceful shutdown, the `drop`
//! fault; the https listener's handshakes) and the background sweeper; [`MockServer`] (mock.rs) starts
//! them in-process for Rust tests.

mod mock;

pub use mock::{MockServer, MockServerBuilder, StartError};

use crate::namespace::AppState;
use crate::pipeline::edge::MAX_HEAD_BYTES;
use crate::pipeline::starting::Gate;
use crate::pipeline::Pipeline;
use crate::tls::Tls;
use hyper::rt::{Read, Write};
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::{GracefulShutdown, Watcher};
use std::future::Future;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::task::Poll;
use std::time::Duration;
use tokio::net::TcpListener;
use tokio::sync::watch;

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

/// Sweeps expired credentials every [`SWEEP_EVERY`] (once the server is ready) until aborted.
fn spawn_sweeper(gate: Gate) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(SWEEP_EVERY);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tick.tick().await;
            let swept = gate.pipeline().map_or(0, |p| p.app.sweep());
            if swept >= RELEASE_AFTER {
                release_free_memory();
            }
        }
    })
}

/// Serves one accepted connection (plain TCP, or TLS once its handshake is done) through the
/// pipeline until it closes, shutdown drains it, or a `drop` fault kills it.
pub fn serve_connection<I>(io: I, gate: Gate, graceful: &GracefulShutdown)
where
    I: Read + Write + Unpin + Send + 'static,
{
    tokio::spawn(run_connection(io, gate, graceful.watcher(), false));
}

/// [`serve_connection`] in the calling task, for a connection whose task is already running (TLS).
async fn run_connection<I>(io: I, gate: Gate, watcher: Watcher, tls: bool)
where
    I: Read + Write + Unpin + Send + 'static,
{
    let kill = Arc::new(AtomicBool::new(false));
    let svc = crate::pipeline::layers::service(gate, kill.clone(), tls);
    let conn = hyper::server::conn::http1::Builder::new()
        .timer(TokioTimer::new())
        .header_read_timeout(HEADER_TIMEOUT)
        .max_buf_size(MAX_HEAD_BYTES.max(8192))
        // A client that shuts down its write side after sending a request still gets the answer.
        .half_close(true)
        .keep_alive(true)
        .writev(false)
        .serve_connection(io, svc);
    let mut conn = std::pin::pin!(watcher.watch(conn));
    // The `drop` fault: the request that asks for it raises `kill` while this task polls it, and
    // the connection is dropped right after that poll, which closes the socket without an answer.
    std::future::poll_fn(|cx| {
        let done = conn.as_mut().poll(cx).map(drop);
        if kill.load(Ordering::Relaxed) {
            return Poll::Ready(());
        }
        done
    })
    .await;
}

/// An https listener and the certificate it serves, beside the plain one.
pub struct TlsListener {
    pub listener: TcpListener,
    pub tls: Tls,
}

/// Accepts https connections until `stop` changes, then lets their requests finish. Each handshake runs
/// in its connection's task, bounded like a request head, so a client that never finishes one holds
/// nothing but its own socket; shutdown ends the handshakes still running at once.
async fn serve_tls(https: TlsListener, gate: Gate, mut stop: watch::Receiver<()>) {
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
        let (tls, gate, watcher, mut stop) =
            (tls.clone(), gate.clone(), graceful.watcher(), stop.clone());
        tokio::spawn(async move {
            let stream = tokio::select! {
                s = tls.handshake(stream, peer, HEADER_TIMEOUT) => s,
                _ = stop.changed() => None,
            };
            // Counted once the server is ready (the counters are the state's).
            let counts = gate.pipeline().map(|p| p.app.metrics.clone());
            if let Some(c) = &counts {
                c.tls.handshakes.fetch_add(1, Ordering::Relaxed);
            }
            match stream {
                Some(s) => run_connection(TokioIo::new(s), gate, watcher, true).await,
                None => {
                    if let Some(c) = &counts {
                        c.tls.failures.fetch_add(1, Ordering::Relaxed);
                    }
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
    let gate = Gate::open_with(Pipeline::new(state));
    serve_gated(listener, https, gate, shutdown).await;
}

/// [`serve_with_tls`] from before the server is ready: `gate` answers as [`Gate`] says until its
/// pipeline is in.
pub async fn serve_gated(
    listener: TcpListener,
    https: Option<TlsListener>,
    gate: Gate,
    shutdown: impl Future<Output = ()>,
) {
    let sweeper = spawn_sweeper(gate.clone());
    let (stop_tls, stopped) = watch::channel(());
    let tls_task = https.map(|h| tokio::spawn(serve_tls(h, gate.clone(), stopped)));
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
        serve_connection(TokioIo::new(stream), gate.clone(), &graceful);
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
