//! The shared port contract suite, run against the in-memory store.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use registry_ports::Ports;
use registry_store_memory::InMemoryStore;

async fn store() -> (Ports, ()) {
    (Ports::from_store(InMemoryStore::new()), ())
}

registry_contract::contract_suite!(store);
