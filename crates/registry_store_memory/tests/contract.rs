//! The shared port contract suite, run against the in-memory store.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use registry_domain::CountBound;
use registry_ports::Ports;
use registry_store_memory::InMemoryStore;

async fn store() -> (Ports, ()) {
    (Ports::from_store(InMemoryStore::new()), ())
}

async fn bounded_store(bound: CountBound) -> (Ports, ()) {
    (
        Ports::from_store(InMemoryStore::with_count_bound(bound)),
        (),
    )
}

registry_contract::contract_suite!(store);
registry_contract::bounded_totals_suite!(bounded_store);
