//! The vendor families: each module holds its routes, request/response types and error enum.

pub mod enos;
pub mod koodrive;
pub mod oneaccess;
