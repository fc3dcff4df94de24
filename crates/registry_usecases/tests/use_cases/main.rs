//! Use-case behaviour, asserted against the in-memory store (one test binary).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod access;
mod common;
mod deployments;
mod keys;
mod orgs;
mod register;
