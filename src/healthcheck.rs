//! `authmock healthcheck`: a minimal HTTP/1.0 GET of `/__admin/health` (or `/health/ready`; a
//! `scratch` image has no curl).
//!
//! Without `--url` it finds the server itself: process `--pid` (1, the container's entrypoint, unless
//! given) is read from `/proc/<pid>/cmdline` and, when it is an authmock server, its arguments are
//! parsed as the server parsed them, so `docker run authmock --port 9090` is probed on 9090 (a flag is
//! invisible to the HEALTHCHECK's environment). Otherwise `AUTHMOCK_PORT` (default 8080) on loopback.

use crate::config::{Cli, Command};
use clap::Parser;
use std::io::{Read, Write};
use std::net::{IpAddr, TcpStream, ToSocketAddrs};
use std::path::Path;
use std::process::ExitCode;
use std::time::Duration;

/// Probes `url`, or the server found as the module header says; exit 0 when it answers 200. `ready`
/// probes `/__admin/health/ready` instead of `/__admin/health`.
pub fn run(url: Option<String>, pid: u32, ready: bool) -> ExitCode {
    let route = if ready {
        "__admin/health/ready"
    } else {
        "__admin/health"
    };
    let url = match url {
        Some(url) => health_url(url, route),
        None => format!("{}/{route}", server_url(pid).unwrap_or_else(env_url)),
    };
    match probe(&url) {
        Ok(200) => {
            println!("healthy: {url}");
            ExitCode::SUCCESS
        }
        Ok(status) => {
            eprintln!("unhealthy: {url} answered {status}");
            ExitCode::FAILURE
        }
        Err(e) => {
            eprintln!("unhealthy: {url}: {e}");
            ExitCode::FAILURE
        }
    }
}

fn env_url() -> String {
    let port = std::env::var("AUTHMOCK_PORT")
        .ok()
        .filter(|p| !p.is_empty())
        .unwrap_or_else(|| "8080".into());
    format!("http://127.0.0.1:{port}")
}

/// The http base URL of the authmock server that is process `pid`, from its command line (with this
/// process's environment, which in a container is the server's). `None` when `pid` is not an authmock
/// server, or serves on port 0 (a free port, which only its stdout tells).
fn server_url(pid: u32) -> Option<String> {
    let raw = std::fs::read(format!("/proc/{pid}/cmdline")).ok()?;
    let args: Vec<String> = raw
        .split(|b| *b == 0)
        .filter(|a| !a.is_empty())
        .map(|a| String::from_utf8_lossy(a).into_owned())
        .collect();
    let name = Path::new(args.first()?).file_name()?.to_str()?;
    if name != "authmock" {
        return None;
    }
    let serve = match Cli::try_parse_from(&args).ok()? {
        Cli {
            command: None,
            serve,
        } => serve,
        Cli {
            command: Some(Command::Serve(serve)),
            ..
        } => *serve,
        _ => return None,
    };
    if serve.port == 0 {
        return None;
    }
    // A server on every address answers on loopback; a named host is probed as named.
    let host = match serve.host.trim().parse::<IpAddr>() {
        Ok(ip) if ip.is_unspecified() && ip.is_ipv4() => "127.0.0.1".to_string(),
        Ok(ip) if ip.is_unspecified() => "[::1]".to_string(),
        Ok(IpAddr::V6(v6)) => format!("[{v6}]"),
        _ => serve.host.trim().to_string(),
    };
    Some(format!("http://{host}:{}", serve.port))
}

/// The URL to probe: a base URL as the server prints it (no path, or just `/`) means its `route`.
fn health_url(url: String, route: &str) -> String {
    let after_scheme = url.find("://").map_or(0, |i| i + 3);
    match url[after_scheme..].find('/') {
        None => format!("{url}/{route}"),
        Some(i) if after_scheme + i + 1 == url.len() => format!("{url}{route}"),
        Some(_) => url,
    }
}

fn probe(url: &str) -> Result<u16, String> {
    let rest = url
        .strip_prefix("http://")
        .ok_or("only http:// URLs are supported")?;
    let (authority, path) = match rest.find('/') {
        Some(i) => (&rest[..i], &rest[i..]),
        None => (rest, "/"),
    };
    let addr = authority
        .to_socket_addrs()
        .map_err(|e| e.to_string())?
        .next()
        .ok_or("no address")?;
    let timeout = Duration::from_secs(3);
    let mut s = TcpStream::connect_timeout(&addr, timeout).map_err(|e| e.to_string())?;
    s.set_read_timeout(Some(timeout))
        .map_err(|e| e.to_string())?;
    s.set_write_timeout(Some(timeout))
        .map_err(|e| e.to_string())?;
    write!(
        s,
        "GET {path} HTTP/1.0\r\nHost: {authority}\r\nConnection: close\r\n\r\n"
    )
    .map_err(|e| e.to_string())?;
    let mut head = [0u8; 64];
    let n = s.read(&mut head).map_err(|e| e.to_string())?;
    let line = std::str::from_utf8(&head[..n]).map_err(|e| e.to_string())?;
    line.split_whitespace()
        .nth(1)
        .and_then(|c| c.parse().ok())
        .ok_or_else(|| "not an HTTP answer".to_string())
}
