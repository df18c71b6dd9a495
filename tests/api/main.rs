//! One test binary: black-box tests over HTTP against a real server on 127.0.0.1:0.
mod admin;
#[path = "../support/docs.rs"]
mod docs;
mod enos;
#[path = "../support/expect.rs"]
mod expect;
#[path = "../support/fixtures.rs"]
mod fixtures;
#[path = "../support/flows.rs"]
mod flows;
mod guarantees;
mod harness;
mod helpers;
#[path = "../support/http.rs"]
mod http;
mod koodrive;
mod lint;
mod oneaccess;
mod pipeline;
mod signin;
#[path = "../support/tempdir.rs"]
mod tempdir;
mod tls;
mod tls_dir;
mod tls_docs;
mod tls_process;
