//! The shared port contract suite, run against PostgreSQL (a fresh database per test).

use registry_ports::Tenancy;
use registry_store_pg::PgStore;
use registry_test_db::TestDatabase;
use std::sync::Arc;

/// The store over a fresh database (serving every org's ports), which lives as long as the
/// returned guard.
async fn store() -> (Arc<dyn Tenancy>, TestDatabase) {
    let db = crate::database().await;
    (PgStore::new(db.pool_of(12)), db)
}

registry_contract::contract_suite!(store);
