//! The shared port contract suite, run against the in-memory store.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use registry_contract::Stores;
use registry_store_memory::InMemoryStore;

async fn stores() -> Stores {
    let store = InMemoryStore::new();
    Stores {
        agents: store.clone(),
        deployments: store.clone(),
        history: store.clone(),
        keys: store.clone(),
        tokens: store.clone(),
        events: store.clone(),
        authorizer: store,
        guard: None,
    }
}

registry_contract::contract_suite!(stores);
