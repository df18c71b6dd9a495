//! The command line. Every serving flag is also an `AUTHMOCK_*` environment variable; the doc comments
//! below are the `--help` text.

use clap::{Args, Parser, Subcommand, ValueEnum};
use std::path::PathBuf;

/// authmock — a fast, stateful mock of the Huawei KooDrive, Huawei Cloud OneAccess and EnOS Application
/// Portal authentication APIs, with a control plane under /__admin.
#[derive(Debug, Parser)]
#[command(name = "authmock", version, args_conflicts_with_subcommands = true)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
    #[command(flatten)]
    pub serve: ServeArgs,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Serve (the default when no subcommand is given).
    Serve(Box<ServeArgs>),
    /// Exit 0 when a server answers GET /__admin/health (with --ready: /__admin/health/ready) with
    /// 200, else 1 (for container HEALTHCHECKs).
    Healthcheck {
        /// Health URL, or the server's base URL (then the health route is probed); default: the
        /// port and host of the authmock server that is process --pid (its command line), else
        /// http://127.0.0.1:$AUTHMOCK_PORT (port 8080 if unset).
        #[arg(long, env = "AUTHMOCK_HEALTH_URL")]
        url: Option<String>,
        /// Without --url: the process whose command line gives the port (1: a container's entrypoint).
        #[arg(long, default_value_t = 1)]
        pid: u32,
        /// Probe readiness (/__admin/health/ready: fixtures loaded and the store answering) instead.
        #[arg(long)]
        ready: bool,
    },
    /// Validate the fixture files in DIR: which are read, which keep their default, which *.json are not
    /// read, every problem (file, JSON path, message). Exit 0; 1 when none is there or one is misnamed; 2 on a problem.
    CheckFixtures {
        /// Directory holding koodrive.json, oneaccess.json and/or enos.json.
        dir: PathBuf,
    },
    /// Print the OpenAPI 3.1 document of every route (the one served at GET /__admin/openapi.json).
    Openapi,
    /// Print the CA certificate (PEM) that the https listener's certificate chains to, without serving.
    /// With --tls-dir, the CA kept there (made now if the directory has none); without, a fresh one.
    Ca {
        /// Directory that keeps the CA certificate and key (ca.pem, ca-key.pem) across starts.
        #[arg(long, env = "AUTHMOCK_TLS_DIR")]
        tls_dir: Option<PathBuf>,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LogFormat {
    Text,
    Json,
}

#[derive(Debug, Clone, Args)]
pub struct ServeArgs {
    /// Address to listen on.
    #[arg(long, env = "AUTHMOCK_HOST", default_value = "127.0.0.1")]
    pub host: String,
    /// Port to listen on; 0 picks a free one (read it from the first stdout line).
    #[arg(long, env = "AUTHMOCK_PORT", default_value_t = 8080)]
    pub port: u16,
    /// Directory of fixture files replacing the embedded defaults (a file not there keeps its default).
    #[arg(long, env = "AUTHMOCK_FIXTURES")]
    pub fixtures: Option<PathBuf>,
    /// Log format: one line of text or one JSON object per request (to stderr; RUST_LOG filters).
    #[arg(long, env = "AUTHMOCK_LOG_FORMAT", value_enum, default_value = "text")]
    pub log_format: LogFormat,
    /// Seed for reproducible tokens and ids (per namespace); without it tokens come from a CSPRNG.
    #[arg(long, env = "AUTHMOCK_SEED")]
    pub seed: Option<u64>,
    /// Require `Authorization: Bearer <token>` on every /__admin route except health
    /// (/__admin/health), the dashboard page (/__admin/) and the CA (/__admin/ca.pem), which stay open.
    #[arg(long, env = "AUTHMOCK_ADMIN_TOKEN", hide_env_values = true)]
    pub admin_token: Option<String>,
    /// Request journal entries kept per namespace; 0 disables the journal.
    #[arg(long, env = "AUTHMOCK_JOURNAL_SIZE", default_value_t = 1000)]
    pub journal_size: usize,
    /// Secret that signs EnOS refresh tokens (HS256).
    #[arg(
        long,
        env = "AUTHMOCK_JWT_SECRET",
        hide_env_values = true,
        default_value = "authmock-enos-refresh-secret"
    )]
    pub jwt_secret: String,
    /// Allowed CORS origins, comma-separated, or * for any.
    #[arg(long, env = "AUTHMOCK_CORS_ORIGINS", default_value = "*")]
    pub cors_origins: String,
    /// Most credentials (tokens, codes, tickets) one namespace keeps; past it the least recently used
    /// are evicted (their next use is refused as unknown). 0 = no limit; else at least 1000.
    #[arg(long, env = "AUTHMOCK_MAX_TOKENS", default_value_t = crate::namespace::DEFAULT_MAX_TOKENS, value_parser = parse_max_tokens)]
    pub max_tokens: usize,
    /// Answer the first deviation from the vendor page (see X-Mock-Warnings) with the family's
    /// parameter error instead of serving the request; `X-Mock-Strict: false` overrides it per request.
    /// `--strict` alone is `--strict=true`; the value (and AUTHMOCK_STRICT) is true, false, 1, 0, yes,
    /// no, on or off, any case.
    #[arg(
        long,
        env = "AUTHMOCK_STRICT",
        num_args = 0..=1,
        require_equals = true,
        default_value = "false",
        default_missing_value = "true",
        value_parser = parse_strict
    )]
    pub strict: bool,
    /// Where the state lives: `memory` (this process), or a Redis server shared by replicas and
    /// restarts: `redis://[user:pass@]host:port[/db]` (`rediss://` for TLS).
    #[arg(long, env = "AUTHMOCK_STORE", default_value = "memory", value_parser = StoreParser, hide_env_values = true)]
    pub store: String,
    /// The base URL browsers reach this server at (`https://mock.example:8443`), as KooDrive
    /// authCodeURL's orgIdHost; without it, the request's scheme and Host (or X-Forwarded-*).
    #[arg(long, env = "AUTHMOCK_PUBLIC_URL", value_parser = parse_public_url)]
    pub public_url: Option<String>,
    #[command(flatten)]
    pub tls: TlsArgs,
}

/// The https listener: off unless `--tls-port` is given.
#[derive(Debug, Clone, Default, Args)]
pub struct TlsArgs {
    /// Also serve HTTPS on this port (same app and state as the plain port); 0 picks a free one (read
    /// it from the second stdout line).
    #[arg(long, env = "AUTHMOCK_TLS_PORT")]
    pub tls_port: Option<u16>,
    /// Directory that keeps the generated CA certificate and key (ca.pem, ca-key.pem), made on first
    /// start and reused after, so that a client that trusted the CA once keeps trusting it. Without
    /// it a fresh CA is made at every start.
    #[arg(long, env = "AUTHMOCK_TLS_DIR")]
    pub tls_dir: Option<PathBuf>,
    /// Extra name (DNS name, `*.wildcard` or IP address) of the generated server certificate, besides
    /// localhost, 127.0.0.1 and ::1; repeatable (the env var takes a comma-separated list).
    #[arg(long = "tls-san", env = "AUTHMOCK_TLS_SAN", value_delimiter = ',', value_parser = parse_san)]
    pub tls_sans: Vec<String>,
    /// Serve this certificate chain (PEM, leaf first) instead of a generated one; needs --tls-key.
    #[arg(long, env = "AUTHMOCK_TLS_CERT", requires = "tls_key")]
    pub tls_cert: Option<PathBuf>,
    /// Private key (PEM: PKCS#8, PKCS#1 or SEC1) of --tls-cert.
    #[arg(long, env = "AUTHMOCK_TLS_KEY", requires = "tls_cert")]
    pub tls_key: Option<PathBuf>,
}

/// `--store`: clap's own "invalid value" error would echo the value, password and all, so this parser
/// writes its error itself with the password masked.
#[derive(Clone)]
struct StoreParser;

impl clap::builder::TypedValueParser for StoreParser {
    type Value = String;

    fn parse_ref(
        &self,
        _cmd: &clap::Command,
        _arg: Option<&clap::Arg>,
        value: &std::ffi::OsStr,
    ) -> Result<String, clap::Error> {
        let v = value.to_string_lossy();
        let v = v.trim();
        if v == "memory" || crate::store::redis::is_redis_url(v) {
            return Ok(v.to_string());
        }
        Err(clap::Error::raw(
            clap::error::ErrorKind::ValueValidation,
            format!(
                "invalid value '{}' for '--store': expected memory, \
                 redis://[user:pass@]host:port[/db] or rediss://…\n",
                crate::store::redis::shown_url(v)
            ),
        ))
    }
}

fn parse_strict(v: &str) -> Result<bool, String> {
    crate::lint::parse_switch(v.as_bytes())
        .ok_or_else(|| format!("expected {}", crate::lint::SWITCH_SPELLINGS))
}

fn parse_public_url(v: &str) -> Result<String, String> {
    let v = v.trim().trim_end_matches('/');
    let rest = v
        .strip_prefix("http://")
        .or_else(|| v.strip_prefix("https://"))
        .ok_or("expected http://host[:port][/path] or https://…")?;
    let authority = rest.split('/').next().unwrap_or("");
    let clean = !rest.contains(['?', '#', '"', '<', '>', '\\', ' ']) && rest.is_ascii();
    match crate::store::orgid::split_authority(authority) {
        Some(_) if clean => Ok(v.to_string()),
        _ => Err(format!("{v:?} is not http(s)://host[:port][/path]")),
    }
}

fn parse_san(v: &str) -> Result<String, String> {
    let v = v.trim();
    let name = v.strip_prefix("*.").unwrap_or(v);
    match rustls::pki_types::ServerName::try_from(name) {
        Ok(_) => Ok(v.to_string()),
        Err(_) => Err(format!("{v:?} is not a DNS name or an IP address")),
    }
}

fn parse_max_tokens(v: &str) -> Result<usize, String> {
    use crate::store::memory::credentials::{MAX_LIMIT, MIN_LIMIT};
    let n: usize = v
        .trim()
        .parse()
        .map_err(|_| format!("{v:?} is not a whole number"))?;
    if n == 0 || (MIN_LIMIT..=MAX_LIMIT).contains(&n) {
        Ok(n)
    } else {
        Err(format!("must be 0 (no limit) or {MIN_LIMIT}..={MAX_LIMIT}"))
    }
}
