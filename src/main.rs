//! The `authmock` binary: parse the command line, set up logging, serve until SIGINT/SIGTERM.

use authmock::config::{Cli, Command, LogFormat, ServeArgs, TlsArgs};
use authmock::pipeline::starting::Gate;
use authmock::pipeline::Pipeline;
use authmock::server::serve_gated;
use authmock::store::redis::{shown_url, Remote};
use authmock::tls::{Tls, TlsOptions};
use authmock::{logging, AppState, Fixtures, Settings, TlsListener};
use clap::Parser;
use std::io::Write;
use std::process::ExitCode;
use tracing_subscriber::EnvFilter;

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Some(Command::Healthcheck { url, pid, ready }) => {
            authmock::healthcheck::run(url, pid, ready)
        }
        Some(Command::CheckFixtures { dir }) => check_fixtures(&dir),
        Some(Command::Openapi) => {
            let mut out = std::io::stdout().lock();
            match writeln!(out, "{}", authmock::openapi::json()).and_then(|()| out.flush()) {
                Ok(()) => ExitCode::SUCCESS,
                Err(_) => ExitCode::FAILURE,
            }
        }
        Some(Command::Ca { tls_dir }) => print_ca(tls_dir.as_deref()),
        Some(Command::Serve(args)) => run(*args),
        None => run(cli.serve),
    }
}

/// `authmock check-fixtures DIR`: which files were read, which keep their default, which `*.json`
/// files are not read, and every problem. Exit 2 when the server would refuse DIR; 1 when it would
/// start but not on what DIR looks like it means (none of the three files, or a file it ignores); else 0.
fn check_fixtures(dir: &std::path::Path) -> ExitCode {
    use authmock::fixtures::{meant, FileSource};
    let (report, fixtures) = Fixtures::inspect_dir(dir);
    let shown = dir.display();
    let mut suspect = None;
    if let Some(r) = &report {
        for (name, source) in &r.files {
            match source {
                FileSource::Read(p) => println!("read: {}", p.display()),
                FileSource::Default => println!("default: {name} (not in {shown})"),
            }
        }
        for p in &r.unrecognised {
            let hint = meant(p)
                .map(|m| format!(" (did you mean {m}?)"))
                .unwrap_or_default();
            println!(
                "not read: {}: authmock reads only koodrive.json, oneaccess.json and enos.json{hint}",
                p.display()
            );
        }
        if !r.unrecognised.is_empty() {
            suspect = Some(format!("{} file(s) not read", r.unrecognised.len()));
        } else if r.none_read() {
            suspect = Some("none of the three files is there: the defaults would be used".into());
        }
    }
    match (fixtures, suspect) {
        (Err(errs), _) => {
            for e in &errs.0 {
                println!("{e}");
            }
            println!(
                "{shown}: {} problem(s): authmock would not start",
                errs.0.len()
            );
            ExitCode::from(2)
        }
        (Ok(_), Some(why)) => {
            println!("{shown}: {why}");
            ExitCode::from(1)
        }
        (Ok(_), None) => {
            println!("{shown}: fixtures are valid");
            ExitCode::SUCCESS
        }
    }
}

fn run(args: ServeArgs) -> ExitCode {
    let one_cpu = std::thread::available_parallelism().is_ok_and(|n| n.get() == 1);
    tune_allocator(one_cpu);
    raise_open_files_limit();
    let _log_guard = init_logging(args.log_format);
    // Certificates before anything is bound or printed: a bad --tls-cert/--tls-key stops the start.
    let tls = match tls_setup(&args.tls) {
        Ok(t) => t,
        Err(code) => return code,
    };
    let store = match args.store.as_str() {
        "memory" => None,
        // A URL Redis cannot parse will not get better: refused now (a Redis not up yet is waited for).
        url => match redis::Client::open(url) {
            Ok(_) => Some(url.to_string()),
            Err(e) => {
                eprintln!(
                    "authmock: cannot reach the store at {}: {e}",
                    shown_url(url)
                );
                return ExitCode::from(2);
            }
        },
    };
    let settings = Settings {
        seed: args.seed,
        jwt_secret: args.jwt_secret.clone(),
        journal_size: args.journal_size,
        admin_token: args.admin_token.clone().filter(|t| !t.is_empty()),
        frozen_at_ms: None,
        cors_origins: args.cors_origins.clone(),
        max_tokens: args.max_tokens,
        strict: args.strict,
        tls_ca_pem: tls.as_ref().map(|t| t.ca_pem().to_string()),
        public_url: args.public_url.clone(),
        ..Settings::default()
    };
    // On one CPU, one thread: a worker pool of one only adds handoffs, and its LIFO slot runs the
    // Redis connection's writer as soon as each request queues a command (one write per command);
    // run after every ready request instead, it writes all they queued at once.
    let mut rt = match one_cpu {
        true => tokio::runtime::Builder::new_current_thread(),
        false => tokio::runtime::Builder::new_multi_thread(),
    };
    let rt = match rt.enable_all().build() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("authmock: cannot start the runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    rt.block_on(async move {
        let Some((listener, url)) = bind(&args.host, args.port, "http").await else {
            return ExitCode::FAILURE;
        };
        let https = match (tls, args.tls.tls_port) {
            (Some(tls), Some(port)) => match bind(&args.host, port, "https").await {
                Some((listener, url)) => Some((TlsListener { listener, tls }, url)),
                None => return ExitCode::FAILURE,
            },
            _ => None,
        };
        // Handlers go in before the URL is printed: a signal sent as soon as that line is read must
        // stop the server gracefully, not kill it with the default disposition.
        let shutdown = match shutdown_signal() {
            Ok(s) => s,
            Err(e) => {
                eprintln!("authmock: cannot install the signal handlers: {e}");
                return ExitCode::FAILURE;
            }
        };
        // The port opens first, so that probes see the start (live 200, ready 503); the listening
        // lines come once the server is ready, since harnesses and people use the URL as soon as
        // they read it.
        let gate = Gate::starting(settings.clone(), store.is_some());
        if let Some(url) = &store {
            tracing::info!("connecting to the store at {}", shown_url(url));
        }
        let https_url = https.as_ref().map(|(_, url)| url.clone());
        let mut server = tokio::spawn(serve_gated(
            listener,
            https.map(|h| h.0),
            gate.clone(),
            shutdown,
        ));
        let loaded = tokio::select! {
            loaded = load(args.fixtures.clone(), store, &gate) => loaded,
            _ = &mut server => {
                tracing::info!("authmock stopped while starting");
                return ExitCode::SUCCESS;
            }
        };
        let (fixtures, remote) = match loaded {
            Ok(l) => l,
            Err(code) => return code,
        };
        gate.open(Pipeline::new(AppState::with_store(
            settings, fixtures, remote,
        )));
        let mut out = std::io::stdout().lock();
        let _ = writeln!(out, "authmock listening on {url}");
        if let Some(url) = &https_url {
            let _ = writeln!(out, "authmock listening on {url}");
        }
        let _ = out.flush();
        drop(out);
        let _ = server.await;
        tracing::info!("authmock stopped");
        ExitCode::SUCCESS
    })
}

/// The fixtures (from `dir`, else the embedded ones) and the store, each reported to `gate` as it
/// arrives; exit code 2, with every problem, when the fixtures are invalid.
async fn load(
    dir: Option<std::path::PathBuf>,
    store: Option<String>,
    gate: &Gate,
) -> Result<(Fixtures, Option<Remote>), ExitCode> {
    let fixtures = async {
        let fixtures = match dir {
            Some(dir) => {
                let (tx, rx) = tokio::sync::oneshot::channel();
                // A thread of its own: a read that blocks (a FIFO, a stalled mount) must not hold up
                // the exit, as a runtime's blocking task would.
                std::thread::spawn(move || {
                    let _ = tx.send(Fixtures::from_dir(&dir));
                });
                match rx.await {
                    Ok(Ok(f)) => f,
                    Ok(Err(errs)) => {
                        eprintln!("authmock: invalid fixtures, not starting:");
                        for e in &errs.0 {
                            eprintln!("  {e}");
                        }
                        return Err(ExitCode::from(2));
                    }
                    Err(_) => return Err(ExitCode::FAILURE),
                }
            }
            None => Fixtures::embedded(),
        };
        gate.fixtures_loaded();
        Ok(fixtures)
    };
    let remote = async {
        match store {
            None => Ok(None),
            Some(url) => Ok(Some(reach(&url, gate).await)),
        }
    };
    tokio::try_join!(fixtures, remote)
}

/// Connects to the store at `url`, retrying until it answers: a Redis started after authmock (compose,
/// Kubernetes) is waited for, with readiness 503 meanwhile.
async fn reach(url: &str, gate: &Gate) -> Remote {
    let mut wait = std::time::Duration::from_millis(100);
    let mut warned = false;
    loop {
        match Remote::connect(url).await {
            Ok(r) => {
                if warned {
                    tracing::info!(store = %r.shown(), "the store answers");
                }
                gate.store_reached();
                return r;
            }
            Err(e) => {
                if !warned {
                    tracing::warn!(
                        "{e}; waiting for it (GET /__admin/health/ready answers 503 until then)"
                    );
                    warned = true;
                }
                tokio::time::sleep(wait).await;
                wait = (wait * 2).min(std::time::Duration::from_secs(1));
            }
        }
    }
}

/// The https side when `--tls-port` is given; exit code 2 and one line naming the file when its
/// certificate or key cannot be used.
fn tls_setup(args: &TlsArgs) -> Result<Option<Tls>, ExitCode> {
    if args.tls_port.is_none() {
        return Ok(None);
    }
    let opts = TlsOptions {
        dir: args.tls_dir.clone(),
        sans: args.tls_sans.clone(),
        cert: args.tls_cert.clone(),
        key: args.tls_key.clone(),
    };
    Tls::new(&opts).map(Some).map_err(|e| {
        eprintln!("authmock: {e}");
        ExitCode::from(2)
    })
}

/// Binds `host:port` and returns the listener with its URL (`scheme://HOST:PORT`), or says why not.
async fn bind(host: &str, port: u16, scheme: &str) -> Option<(tokio::net::TcpListener, String)> {
    let listener = match tokio::net::TcpListener::bind((host, port)).await {
        Ok(l) => l,
        Err(e) => {
            eprintln!("authmock: cannot listen on {host}:{port}: {e}");
            return None;
        }
    };
    let addr = match listener.local_addr() {
        Ok(a) => a,
        Err(e) => {
            eprintln!("authmock: {e}");
            return None;
        }
    };
    let ip = if addr.is_ipv6() {
        format!("[{}]", addr.ip())
    } else {
        addr.ip().to_string()
    };
    Some((listener, format!("{scheme}://{ip}:{}", addr.port())))
}

/// Logs go to stderr in batches (see `authmock::logging`); [`LogFlush`] writes the rest out at exit.
fn init_logging(format: LogFormat) -> LogFlush {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    logging::start_flusher();
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(logging::BatchedStderr);
    match format {
        LogFormat::Json => builder
            .json()
            .flatten_event(true)
            .with_current_span(false)
            .init(),
        LogFormat::Text => builder.with_ansi(false).compact().init(),
    }
    // Request lines skip the fmt subscriber (same shape, a fraction of the cost) unless RUST_LOG
    // filters them out.
    let mode = if !tracing::enabled!(target: "authmock::request", tracing::Level::INFO) {
        logging::RequestLog::Off
    } else if format == LogFormat::Json {
        logging::RequestLog::Json
    } else {
        logging::RequestLog::Text
    };
    logging::set_request_log(mode);
    LogFlush
}

/// Flushes the pending log lines when dropped (every way out of `run`).
struct LogFlush;

impl Drop for LogFlush {
    fn drop(&mut self) {
        logging::flush();
    }
}

/// Installs the SIGINT/SIGTERM handlers now and returns the future that resolves on the first of them.
fn shutdown_signal() -> std::io::Result<impl std::future::Future<Output = ()>> {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        let mut int = signal(SignalKind::interrupt())?;
        let mut term = signal(SignalKind::terminate())?;
        Ok(async move {
            tokio::select! {
                _ = int.recv() => {},
                _ = term.recv() => {},
            }
        })
    }
    #[cfg(not(unix))]
    {
        Ok(async {
            let _ = tokio::signal::ctrl_c().await;
        })
    }
}

/// `authmock ca`: the CA certificate on stdout; exit 2 when the kept one cannot be read or made.
fn print_ca(dir: Option<&std::path::Path>) -> ExitCode {
    match authmock::tls::ca_pem(dir) {
        Ok(pem) => {
            if dir.is_none() {
                eprintln!(
                    "authmock: a fresh CA, kept nowhere: pass --tls-dir DIR to keep and reuse it"
                );
            }
            let mut out = std::io::stdout().lock();
            match out.write_all(pem.as_bytes()).and_then(|()| out.flush()) {
                Ok(()) => ExitCode::SUCCESS,
                Err(_) => ExitCode::FAILURE,
            }
        }
        Err(e) => {
            eprintln!("authmock: {e}");
            ExitCode::from(2)
        }
    }
}

/// Tunes glibc's allocator for a process whose heap grows steadily (every issued token is kept): the
/// heap grows in 16 MiB steps; blocks up to 32 MiB (token-table shards as they double) come from the
/// heap, where a grown shard reuses what the last one freed, instead of fresh zeroed mappings; with
/// one CPU, one arena. Kept because it pays (bench/RESULTS.md, "Performance devices"). Call before any
/// thread starts.
fn tune_allocator(one_cpu: bool) {
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
/// connections is not refused at the default soft limit of 1024 (Go's runtime does the same).
fn raise_open_files_limit() {
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
            if getrlimit(RLIMIT_NOFILE, &mut l) == 0 && l.cur < l.max {
                let raised = Rlimit {
                    cur: l.max,
                    max: l.max,
                };
                setrlimit(RLIMIT_NOFILE, &raised);
            }
        }
    }
}
