//! HTTPS beside HTTP: the rustls server configuration (HTTP/1.1 only, ALPN `http/1.1`, the `ring`
//! provider), the certificate it serves (see [`certs`]) and the handshake of one accepted connection.
//! The plain listener never goes through here.

pub mod certs;
mod kept;
mod sni;

use rustls::crypto::CryptoProvider;
use rustls::server::{ClientHello, ResolvesServerCert};
use rustls::sign::CertifiedKey;
use rustls::ServerConfig;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;
use tokio::io::{AsyncRead, AsyncWrite};
use tokio_rustls::server::TlsStream;
use tokio_rustls::TlsAcceptor;

/// Where the certificate comes from (`--tls-dir`, `--tls-san`, `--tls-cert`, `--tls-key`).
#[derive(Debug, Clone, Default)]
pub struct TlsOptions {
    /// Keeps the generated CA (ca.pem, ca-key.pem) and reuses it on the next start.
    pub dir: Option<PathBuf>,
    /// Names the generated leaf carries besides localhost, 127.0.0.1 and ::1.
    pub sans: Vec<String>,
    /// The user's certificate chain (PEM, leaf first) instead of a generated one.
    pub cert: Option<PathBuf>,
    /// The user's private key (PEM) of `cert`.
    pub key: Option<PathBuf>,
}

/// Why TLS cannot be set up; the text is one line naming the file and the problem.
#[derive(Debug, thiserror::Error)]
pub enum TlsError {
    #[error("{}: {problem}", path.display())]
    File { path: PathBuf, problem: String },
    #[error("{0}")]
    Other(String),
}

impl TlsError {
    fn file(path: &Path, problem: impl Into<String>) -> TlsError {
        TlsError::File {
            path: path.to_path_buf(),
            problem: problem.into(),
        }
    }
}

/// The https side of a server: its acceptor and the CA certificate clients trust. Cloning is cheap.
#[derive(Clone)]
pub struct Tls {
    acceptor: TlsAcceptor,
    ca_pem: Arc<str>,
}

impl std::fmt::Debug for Tls {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Tls").finish_non_exhaustive()
    }
}

impl Tls {
    /// Loads or makes the certificate and builds the server configuration.
    pub fn new(opts: &TlsOptions) -> Result<Tls, TlsError> {
        let provider = provider()?;
        let (key, ca_pem) = certs::load(opts, &provider)?;
        let mut config = ServerConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .map_err(|e| TlsError::Other(format!("TLS configuration: {e}")))?
            .with_no_client_auth()
            .with_cert_resolver(Arc::new(KnownNames(Arc::new(key))));
        config.alpn_protocols = vec![b"http/1.1".to_vec()];
        Ok(Tls {
            acceptor: TlsAcceptor::from(Arc::new(config)),
            ca_pem: ca_pem.into(),
        })
    }

    /// The CA certificate (PEM) that the served certificate chains to.
    pub fn ca_pem(&self) -> &str {
        &self.ca_pem
    }

    /// Runs the server side of the handshake on one accepted connection, for at most `limit`. A failed
    /// or unfinished handshake (plain HTTP, garbage, an unknown server name, a silent client) is logged
    /// at debug and gives `None`: dropping the stream closes that connection and nothing else.
    pub async fn handshake<IO>(
        &self,
        io: IO,
        peer: SocketAddr,
        limit: Duration,
    ) -> Option<TlsStream<IO>>
    where
        IO: AsyncRead + AsyncWrite + Unpin,
    {
        match tokio::time::timeout(limit, self.acceptor.accept(io)).await {
            Ok(Ok(stream)) => Some(stream),
            Ok(Err(e)) => {
                tracing::debug!(%peer, error = %e, "TLS handshake failed; connection closed");
                None
            }
            Err(_) => {
                tracing::debug!(%peer, limit_ms = limit.as_millis() as u64, "TLS handshake unfinished; connection closed");
                None
            }
        }
    }
}

/// The CA certificate that `authmock ca` prints: the one kept in `dir` (made there if absent), or a
/// fresh one.
pub fn ca_pem(dir: Option<&Path>) -> Result<String, TlsError> {
    let ca = match dir {
        Some(d) => certs::Ca::in_dir(d)?,
        None => certs::Ca::generate()?,
    };
    // Signing a leaf checks a kept pair as a server start does: a ca.pem that is not the one of
    // ca-key.pem is refused here too, rather than printed for clients to trust in vain.
    let provider = provider()?;
    ca.leaf(&[], &provider)?;
    if let Some(problem) = ca.validity_problem() {
        eprintln!("authmock: warning: {problem}");
    }
    Ok(ca.pem().to_string())
}

/// The process's rustls provider: the one the embedding program installed, else the one rustls's crate
/// features name (ring here). rustls deprecated naming ring's provider directly; this is the supported
/// route, and a program that compiles in both ring and aws-lc-rs must install one, which rustls says.
fn provider() -> Result<Arc<CryptoProvider>, TlsError> {
    if let Some(p) = CryptoProvider::get_default() {
        return Ok(p.clone());
    }
    std::panic::catch_unwind(|| ServerConfig::builder().crypto_provider().clone()).map_err(|_| {
        TlsError::Other(
            "rustls has more than one crypto provider compiled in: call \
             rustls::crypto::CryptoProvider::install_default() before starting authmock"
                .into(),
        )
    })
}

/// Serves the one certificate to a client that names no server (an IP address) or a name the
/// certificate holds; a name it does not hold ends the handshake, as a server with no such virtual
/// host would.
#[derive(Debug)]
struct KnownNames(Arc<CertifiedKey>);

impl ResolvesServerCert for KnownNames {
    fn resolve(&self, hello: ClientHello<'_>) -> Option<Arc<CertifiedKey>> {
        let Some(name) = hello.server_name() else {
            return Some(self.0.clone());
        };
        let known = self.0.end_entity_cert().ok().is_some_and(|der| {
            let parsed = rustls::server::ParsedCertificate::try_from(der);
            let server_name = rustls::pki_types::ServerName::try_from(name);
            matches!((parsed, server_name), (Ok(c), Ok(n)) if rustls::client::verify_server_name(&c, &n).is_ok())
        });
        if known {
            Some(self.0.clone())
        } else {
            sni::refused(name);
            None
        }
    }
}

#[cfg(test)]
mod tests;
