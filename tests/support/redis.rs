//! A real `redis-server` for the Redis store tests: one per test, on a free loopback port, in a fresh
//! temp dir, append-only with an fsync per write so that a server stopped (killed) and started again
//! on the same port and dir still holds every write it acknowledged. Killed on drop.
//!
//! Without `redis-server` installed, [`Redis::start_or_skip`] prints a SKIP line and returns `None`,
//! so `cargo test` alone still passes; with `AUTHMOCK_REQUIRE_REDIS=1` (CI) it panics instead.
//! `AUTHMOCK_REDIS_SERVER=<path>` names another binary (e.g. Valkey's, or a missing path to see the skip).
// Each binary uses a different part of it.
#![allow(dead_code)]

use crate::tempdir::TempDir;
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, Instant};

/// How long a started redis-server may take to answer PING (loading its append-only file included).
const READY_WITHIN: Duration = Duration::from_secs(15);

pub struct Redis {
    bin: PathBuf,
    port: u16,
    dir: TempDir,
    child: Option<Child>,
}

impl Redis {
    /// A running redis-server, or `None` (after printing why) when none is installed and the
    /// environment does not require one.
    pub fn start_or_skip() -> Option<Redis> {
        let mut r = Redis::unstarted_or_skip()?;
        // A port picked as free can be taken before redis-server binds it: try a few.
        let mut last_error = String::new();
        for _ in 0..5 {
            r.port = free_port_outside_ephemeral_range();
            match r.try_start() {
                Ok(()) => return Some(r),
                Err(e) => last_error = e,
            }
        }
        panic!("redis-server did not start: {last_error}");
    }

    /// A redis-server not running yet, on a port picked free ([`start`](Self::start) starts it), or
    /// `None` as [`start_or_skip`](Self::start_or_skip) says.
    pub fn unstarted_or_skip() -> Option<Redis> {
        let Some(bin) = redis_server_binary() else {
            if std::env::var("AUTHMOCK_REQUIRE_REDIS").as_deref() == Ok("1") {
                panic!(
                    "AUTHMOCK_REQUIRE_REDIS=1 but redis-server was not found (AUTHMOCK_REDIS_SERVER, \
                     PATH, /usr/bin/redis-server); install Debian's redis-server"
                );
            }
            // Straight to the process's stderr: the test harness captures `eprintln!`, and a skip that
            // nobody sees would pass for a run.
            let _ = writeln!(
                std::io::stderr(),
                "SKIP: redis-server not found; install Debian's redis-server to run the Redis store tests"
            );
            return None;
        };
        Some(Redis {
            bin,
            port: free_port_outside_ephemeral_range(),
            dir: TempDir::new("redis"),
            child: None,
        })
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// `redis://127.0.0.1:PORT`, the value for `--store`.
    pub fn url(&self) -> String {
        format!("redis://127.0.0.1:{}", self.port)
    }

    pub fn dir(&self) -> &Path {
        self.dir.path()
    }

    pub fn is_running(&mut self) -> bool {
        matches!(self.child.as_mut().map(|c| c.try_wait()), Some(Ok(None)))
    }

    /// Kills the server (SIGKILL: no shutdown save, only what the append-only file already holds
    /// survives) and waits until it is gone and its port refuses connections.
    pub fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
        let deadline = Instant::now() + READY_WITHIN;
        while TcpStream::connect_timeout(&self.addr(), Duration::from_millis(200)).is_ok() {
            assert!(
                Instant::now() < deadline,
                "port {} still accepts connections after redis-server was killed",
                self.port
            );
            std::thread::sleep(Duration::from_millis(10));
        }
    }

    /// Hangs the server (SIGSTOP): its port still accepts connections, nothing answers. Hanging a
    /// server is not stopping it: a client waits on a live socket instead of failing to connect.
    pub fn hang(&mut self) {
        self.signal("-STOP");
    }

    /// Lets a hung server run on (SIGCONT).
    pub fn unhang(&mut self) {
        self.signal("-CONT");
    }

    fn signal(&mut self, sig: &str) {
        let pid = self.child.as_ref().expect("redis-server is running").id();
        let st = Command::new("kill")
            .args([sig, &pid.to_string()])
            .status()
            .expect("kill runs");
        assert!(st.success(), "kill {sig} {pid}: {st}");
    }

    /// Starts the server again on the same port and dir (so it reloads its append-only file) and waits
    /// until it answers PING.
    pub fn start(&mut self) {
        assert!(self.child.is_none(), "redis-server is already running");
        if let Err(e) = self.try_start() {
            panic!(
                "redis-server did not start again on port {}: {e}",
                self.port
            );
        }
    }

    /// One raw command to this server, its reply's text (see [`text`]).
    pub fn text(&self, args: &[&str]) -> Option<String> {
        text(self.addr(), args)
    }

    /// One raw command to this server (see [`command`]).
    pub fn command(&self, args: &[&str]) -> Option<String> {
        command(self.addr(), args)
    }

    fn addr(&self) -> SocketAddr {
        SocketAddr::from(([127, 0, 0, 1], self.port))
    }

    fn log_path(&self) -> PathBuf {
        self.dir.path().join("redis.log")
    }

    fn try_start(&mut self) -> Result<(), String> {
        let port = self.port.to_string();
        let dir = self.dir.path().to_str().expect("utf-8 temp dir").to_owned();
        let log = self.log_path().to_str().expect("utf-8 log path").to_owned();
        let child = Command::new(&self.bin)
            .args(["--port", &port, "--bind", "127.0.0.1", "--daemonize", "no"])
            .args([
                "--save",
                "",
                "--appendonly",
                "yes",
                "--appendfsync",
                "always",
            ])
            .args(["--dir", &dir, "--logfile", &log])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|e| format!("spawn {}: {e}", self.bin.display()))?;
        self.child = Some(child);
        let deadline = Instant::now() + READY_WITHIN;
        loop {
            if ping(self.addr()) {
                return Ok(());
            }
            let exited = self
                .child
                .as_mut()
                .map(|c| c.try_wait())
                .and_then(Result::ok)
                .flatten();
            if let Some(status) = exited {
                self.child = None;
                return Err(format!("it exited with {status}; log:\n{}", self.log()));
            }
            if Instant::now() >= deadline {
                self.stop();
                return Err(format!(
                    "no PONG on port {} within {READY_WITHIN:?}; log:\n{}",
                    self.port,
                    self.log()
                ));
            }
            std::thread::sleep(Duration::from_millis(10));
        }
    }

    /// redis-server's own log, for failure messages.
    pub fn log(&self) -> String {
        std::fs::read_to_string(self.log_path()).unwrap_or_default()
    }
}

impl Drop for Redis {
    fn drop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

/// `AUTHMOCK_REDIS_SERVER` when set (a path that is not a file counts as none: that is how the skip is
/// tried out), else `redis-server` on PATH, else Debian's `/usr/bin/redis-server`.
fn redis_server_binary() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("AUTHMOCK_REDIS_SERVER") {
        return Some(PathBuf::from(p)).filter(|p| p.is_file());
    }
    let on_path = std::env::var_os("PATH")
        .map(|p| std::env::split_paths(&p).collect::<Vec<_>>())
        .unwrap_or_default()
        .into_iter()
        .map(|d| d.join("redis-server"));
    on_path
        .chain([PathBuf::from("/usr/bin/redis-server")])
        .find(|p| p.is_file())
}

/// One RESP `PING`, answered `+PONG` (a server still loading its append-only file answers `-LOADING`).
pub fn ping(addr: SocketAddr) -> bool {
    command(addr, &["PING"]).as_deref() == Some("+PONG")
}

/// Sends one command and returns the first line of the reply (`+OK`, `$5`, `:1`, `-ERR …`), or `None`
/// when the server cannot be reached or does not answer in time. Enough for PING and for the helper's
/// own test; not a client.
pub fn command(addr: SocketAddr, args: &[&str]) -> Option<String> {
    let mut s = TcpStream::connect_timeout(&addr, Duration::from_millis(200)).ok()?;
    s.set_read_timeout(Some(Duration::from_millis(500))).ok()?;
    s.set_write_timeout(Some(Duration::from_millis(500))).ok()?;
    let mut req = format!("*{}\r\n", args.len());
    for a in args {
        req.push_str(&format!("${}\r\n{a}\r\n", a.len()));
    }
    s.write_all(req.as_bytes()).ok()?;
    let mut buf = [0u8; 256];
    let mut got = Vec::new();
    while !got.windows(2).any(|w| w == b"\r\n") {
        match s.read(&mut buf) {
            Ok(0) | Err(_) => return None,
            Ok(n) => got.extend_from_slice(&buf[..n]),
        }
    }
    let text = String::from_utf8_lossy(&got);
    text.split("\r\n").next().map(str::to_owned)
}

/// Sends one command and returns its reply's bulk string (`GET`, `HGET`, `TYPE`'s `+status`), or
/// `None` for a nil, an error or no answer.
pub fn text(addr: SocketAddr, args: &[&str]) -> Option<String> {
    let mut s = TcpStream::connect_timeout(&addr, Duration::from_millis(200)).ok()?;
    s.set_read_timeout(Some(Duration::from_millis(500))).ok()?;
    let mut req = format!("*{}\r\n", args.len());
    for a in args {
        req.push_str(&format!("${}\r\n{a}\r\n", a.len()));
    }
    s.write_all(req.as_bytes()).ok()?;
    let mut got = Vec::new();
    let mut buf = [0u8; 4096];
    loop {
        let text = String::from_utf8_lossy(&got).into_owned();
        if let Some((head, rest)) = text.split_once("\r\n") {
            if let Some(status) = head.strip_prefix('+') {
                return Some(status.to_owned());
            }
            let n: i64 = head.strip_prefix('$')?.parse().ok()?;
            if n < 0 {
                return None;
            }
            if rest.len() >= n as usize {
                return Some(rest[..n as usize].to_owned());
            }
        }
        match s.read(&mut buf) {
            Ok(0) | Err(_) => return None,
            Ok(n) => got.extend_from_slice(&buf[..n]),
        }
    }
}

/// A loopback port that is free now and lies below the kernel's ephemeral range. Below that range no
/// outgoing connection gets it as its local port, so while the server is stopped a client reconnecting
/// to it cannot connect to itself (TCP simultaneous open) or take it, and the server can have it back.
pub fn free_port_outside_ephemeral_range() -> u16 {
    static N: AtomicU32 = AtomicU32::new(0);
    let low = std::fs::read_to_string("/proc/sys/net/ipv4/ip_local_port_range")
        .ok()
        .and_then(|s| s.split_whitespace().next()?.parse::<u32>().ok())
        .unwrap_or(32768)
        .clamp(12_000, 65_535);
    let (from, span) = (10_000u32, low - 10_000);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or(0);
    let mut x = nanos ^ std::process::id().wrapping_mul(2_654_435_761);
    for _ in 0..1000 {
        // A small LCG spread over the range, different per process, call and instant.
        x = x
            .wrapping_mul(1_664_525)
            .wrapping_add(1_013_904_223)
            .wrapping_add(N.fetch_add(1, Ordering::SeqCst));
        let port = (from + (x >> 8) % span) as u16;
        if TcpListener::bind(("127.0.0.1", port)).is_ok() {
            return port;
        }
    }
    panic!("no free port in {from}..{low}");
}
