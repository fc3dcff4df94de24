//! The shared port contract suite, run against PostgreSQL (a fresh database per test).

use registry_ports::Ports;
use registry_store_pg::PgStore;
use registry_test_db::TestDatabase;

/// The ports over a fresh database, which lives as long as the returned guard.
async fn store() -> (Ports, TestDatabase) {
    let db = crate::database().await;
    (Ports::from_store(PgStore::new(db.pool_of(12))), db)
}

registry_contract::contract_suite!(store);
