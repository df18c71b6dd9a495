//! The `authmock` binary as a child process, for the binaries that run it for real (`cli`, `redis`):
//! a command without the caller's AUTHMOCK_* environment, a child whose output is drained by threads,
//! how it ended, and a server found by its first stdout line. Every wait is bounded; a child left
//! running is killed on drop.
// Each binary uses a different part of it.
#![allow(dead_code)]

use std::io::{BufRead, BufReader, Read};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::mpsc;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

pub const BIN: &str = env!("CARGO_BIN_EXE_authmock");
/// How long a process may take to print its first line or to exit on its own (a subcommand, a
/// refused start).
pub const WAIT: Duration = Duration::from_secs(15);

/// `authmock <args>` with no AUTHMOCK_* or RUST_LOG inherited from the environment running the tests.
pub fn authmock(args: &[&str]) -> Command {
    let mut c = Command::new(BIN);
    c.args(args);
    without_authmock_env(&mut c);
    c
}

/// Removes every AUTHMOCK_* variable and RUST_LOG from what `c` inherits.
pub fn without_authmock_env(c: &mut Command) {
    for (k, _) in std::env::vars_os() {
        if k.to_string_lossy().starts_with("AUTHMOCK_") {
            c.env_remove(k);
        }
    }
    c.env_remove("RUST_LOG");
}

/// What a finished process printed and how it ended.
pub struct Exited {
    pub status: ExitStatus,
    pub stdout: String,
    pub stderr: String,
}

impl Exited {
    pub fn all_output(&self) -> String {
        format!("{}{}", self.stdout, self.stderr)
    }
}

/// A child process whose stdout and stderr are drained by threads (so it never blocks on a full pipe).
pub struct Proc {
    pub child: Child,
    pub first_line: mpsc::Receiver<String>,
    stdout: Option<JoinHandle<String>>,
    stderr: Option<JoinHandle<String>>,
}

impl Proc {
    pub fn spawn(mut cmd: Command) -> Proc {
        cmd.stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let mut child = cmd.spawn().expect("spawn authmock");
        let out = child.stdout.take().expect("stdout pipe");
        let err = child.stderr.take().expect("stderr pipe");
        let (tx, first_line) = mpsc::channel();
        let stdout = std::thread::spawn(move || {
            let mut r = BufReader::new(out);
            let mut first = String::new();
            let _ = r.read_line(&mut first);
            let _ = tx.send(first.clone());
            let mut rest = String::new();
            let _ = r.read_to_string(&mut rest);
            first + &rest
        });
        let stderr = std::thread::spawn(move || {
            let mut s = String::new();
            let _ = BufReader::new(err).read_to_string(&mut s);
            s
        });
        Proc {
            child,
            first_line,
            stdout: Some(stdout),
            stderr: Some(stderr),
        }
    }

    /// Sends a signal by name (`TERM`, `INT`) with kill(1).
    pub fn signal(&self, name: &str) {
        let ok = Command::new("kill")
            .args(["-s", name, &self.child.id().to_string()])
            .status()
            .expect("run kill")
            .success();
        assert!(ok, "kill -s {name} failed");
    }

    /// SIGKILL and reap: no shutdown of any kind.
    pub fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    /// Everything the process printed on stdout and stderr; waits for both pipes to close.
    pub fn collect(&mut self) -> (String, String) {
        let join = |h: Option<JoinHandle<String>>| {
            h.map(|h| h.join().unwrap_or_default()).unwrap_or_default()
        };
        (join(self.stdout.take()), join(self.stderr.take()))
    }

    /// Waits (at most `within`) for the process to exit; kills it and fails the test otherwise.
    pub fn finish(&mut self, within: Duration) -> Exited {
        let deadline = Instant::now() + within;
        let status = loop {
            if let Some(s) = self.child.try_wait().expect("try_wait") {
                break s;
            }
            if Instant::now() >= deadline {
                self.kill();
                let (out, err) = self.collect();
                panic!("authmock did not exit within {within:?}\nstdout:\n{out}\nstderr:\n{err}");
            }
            std::thread::sleep(Duration::from_millis(10));
        };
        let (stdout, stderr) = self.collect();
        Exited {
            status,
            stdout,
            stderr,
        }
    }
}

impl Drop for Proc {
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            self.kill();
        }
    }
}

/// Runs a command that is expected to finish on its own (a subcommand, or a refused start).
pub fn run(cmd: Command) -> Exited {
    Proc::spawn(cmd).finish(WAIT)
}

/// Parses `authmock listening on http://127.0.0.1:PORT` into the port.
pub fn listening_port(line: &str) -> Option<u16> {
    line.trim_end_matches(['\r', '\n'])
        .strip_prefix("authmock listening on http://127.0.0.1:")?
        .parse()
        .ok()
        .filter(|p| *p != 0)
}

/// A running `authmock` server process.
pub struct Server {
    pub proc: Proc,
    pub port: u16,
}

impl Server {
    /// `authmock --port 0 <args>`.
    pub fn start(args: &[&str]) -> Server {
        let mut all = vec!["--port", "0"];
        all.extend_from_slice(args);
        Server::spawn(authmock(&all))
    }

    /// Spawns `cmd` and waits for its first stdout line, which must announce the URL.
    pub fn spawn(cmd: Command) -> Server {
        // The command line, for the failure message: `cmd` is gone once spawned.
        let what = format!("{cmd:?}");
        let mut proc = Proc::spawn(cmd);
        let line = proc.first_line.recv_timeout(WAIT).unwrap_or_default();
        match listening_port(&line) {
            Some(port) => Server { proc, port },
            None => {
                proc.kill();
                let out = proc.finish(WAIT);
                panic!(
                    "{what}: first stdout line is not `authmock listening on \
                     http://127.0.0.1:PORT`: {line:?}\nstdout:\n{}\nstderr:\n{}",
                    out.stdout, out.stderr
                );
            }
        }
    }

    pub fn base(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base())
    }
}
