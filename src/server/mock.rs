//! [`MockServer`]: the server started in-process, on 127.0.0.1:0, from Rust tests and harnesses;
//! its builder and why a start fails.

use super::{serve_with_tls, TlsListener};
use crate::admin::verify::{Verify, VerifyError};
use crate::fixtures::{FixtureErrors, Fixtures};
use crate::namespace::{AppState, Settings};
use crate::store::redis::Remote;
use crate::tls::{Tls, TlsError, TlsOptions};
use std::net::SocketAddr;
use std::path::PathBuf;
use tokio::net::TcpListener;
use tokio::sync::oneshot;

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

    /// The OrgID sign-in URL KooDrive's authCodeURL hands a front end on `domain` (`localhost:3000`
    /// comes back to `http://localhost:3000/cloudfile/index.html`), on this server, in the default
    /// namespace; add `&state=…`, `&login_hint=<account>&prompt=none` or `&mock_namespace=<name>`.
    /// Panics if `domain` is not a `host[:port]`.
    pub fn signin_url(&self, domain: &str) -> String {
        use crate::vendors::koodrive::{authorize_uri, landing};
        let back = landing(domain)
            .unwrap_or_else(|| panic!("signin_url: {domain:?} is not a host[:port]"));
        let base = self
            .state
            .settings
            .public_url
            .clone()
            .unwrap_or_else(|| self.uri());
        let client = match &self.state.fixtures.koodrive.org_id_clients {
            Some(c) if !c.is_empty() => c[0].client_id.clone(),
            _ => crate::store::orgid::DEFAULT_CLIENT_ID.to_string(),
        };
        authorize_uri(&base, &client, &back)
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

    /// The base URL browsers reach the server at (as `--public-url`): KooDrive authCodeURL's
    /// `orgIdHost`. Without it, the request's scheme and `Host`.
    pub fn public_url(mut self, url: impl Into<String>) -> Self {
        self.settings.public_url = Some(url.into().trim_end_matches('/').to_string());
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
