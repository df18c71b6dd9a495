//! The api binary's server: a real authmock on 127.0.0.1:0 and a client of it, which derefs to the
//! shared vendor flows and control-plane calls of `support/flows.rs`.

pub use crate::flows::{cat, keys, ns, Flows};
pub use crate::http::Resp;
use authmock::MockServer;
use std::ops::Deref;

/// A running server plus a client that talks to it.
pub struct Api {
    pub server: MockServer,
    flows: Flows,
}

impl Deref for Api {
    type Target = Flows;

    fn deref(&self) -> &Flows {
        &self.flows
    }
}

impl Api {
    /// Starts a server on the embedded default fixtures.
    pub async fn new() -> Api {
        Api::with(MockServer::start().await)
    }

    /// Wraps a server started by a builder.
    pub fn with(server: MockServer) -> Api {
        let client = reqwest::Client::builder()
            .pool_max_idle_per_host(64)
            .build()
            .expect("client");
        let flows = Flows::new(server.uri(), client);
        Api { server, flows }
    }
}
