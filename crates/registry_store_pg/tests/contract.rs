//! The shared port contract suite, run against PostgreSQL (a fresh database per test).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use registry_contract::Stores;
use registry_store_pg::PgStore;
use registry_test_db::TestDatabase;

async fn stores() -> Stores {
    let db = tokio::task::spawn_blocking(TestDatabase::new)
        .await
        .unwrap();
    let store = PgStore::new(db.pool_of(12));
    Stores {
        agents: store.clone(),
        deployments: store.clone(),
        history: store.clone(),
        keys: store.clone(),
        tokens: store.clone(),
        events: store.clone(),
        authorizer: store,
        guard: Some(Box::new(db)),
    }
}

registry_contract::contract_suite!(stores);
