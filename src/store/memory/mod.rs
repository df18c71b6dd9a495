//! The in-memory store: this process's own maps.

pub mod credentials;
pub mod locks;
