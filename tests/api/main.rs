//! One test binary: black-box tests over HTTP against a real server on 127.0.0.1:0.
mod admin;
mod audit_admin;
mod audit_parsing;
mod audit_pipeline;
#[path = "../support/docs.rs"]
mod docs;
mod enos;
#[path = "../support/expect.rs"]
mod expect;
#[path = "../support/fixtures.rs"]
mod fixtures;
mod guarantees;
mod hardening;
mod harness;
mod helpers;
#[path = "../support/http.rs"]
mod http;
mod koodrive;
mod lint;
mod oneaccess;
mod openapi;
mod rules;
mod signin;
#[path = "../support/tempdir.rs"]
mod tempdir;
mod tls;
mod tls_dir;
mod tls_docs;
mod tls_process;
