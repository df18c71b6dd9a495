//! One test binary: black-box tests over HTTP against a real server on 127.0.0.1:0.
mod admin;
mod enos;
mod guarantees;
mod hardening;
mod harness;
mod helpers;
mod koodrive;
mod lint;
mod oneaccess;
mod openapi;
mod rules;
#[path = "../support/tempdir.rs"]
mod tempdir;
