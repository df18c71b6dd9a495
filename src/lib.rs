//! # authmock
//!
//! A fast, stateful mock of four vendor authentication/session APIs — Huawei KooDrive (create session,
//! login), Huawei Cloud OneAccess (sso_ticket from a session_token) and the EnOS Application Portal
//! (choose organization) — with a control plane under `/__admin` (clock, faults, journal, namespaces).
//!
//! Start it in-process from a Rust test:
//!
//! ```
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() {
//! let server = authmock::MockServer::builder().seed(7).start().await;
//! let base = server.uri(); // e.g. http://127.0.0.1:41234
//! assert!(base.starts_with("http://127.0.0.1:"));
//! // … point the client under test at `base`; dropping `server` stops it.
//! # }
//! ```

pub mod admin;
pub mod clock;
pub mod config;
pub mod contract;
pub mod fixtures;
pub mod healthcheck;
pub mod ids;
pub mod lint;
pub mod logging;
pub mod metrics;
pub use admin::openapi;
pub mod namespace;
pub mod pipeline;
pub mod server;
pub mod store;
pub mod tls;
pub mod vendors;

pub use admin::verify::{Mismatch, Verify, VerifyError};
pub use fixtures::Fixtures;
pub use namespace::{AppState, Settings};
pub use server::{serve, serve_with_tls, MockServer, MockServerBuilder, StartError, TlsListener};
