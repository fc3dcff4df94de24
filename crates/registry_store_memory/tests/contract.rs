//! The shared port contract suite, run against the in-memory store.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use registry_ports::Tenancy;
use registry_store_memory::InMemoryStore;
use std::sync::Arc;

/// A fresh store (holding only the `default` org), serving every org's ports.
async fn store() -> (Arc<dyn Tenancy>, ()) {
    (InMemoryStore::new(), ())
}

registry_contract::contract_suite!(store);
