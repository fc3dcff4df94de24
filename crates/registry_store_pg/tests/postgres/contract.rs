//! The shared port contract suite, run against PostgreSQL (a fresh database per test).

use registry_domain::CountBound;
use registry_ports::{Ports, Tenancy};
use registry_store_pg::PgStore;
use registry_test_db::TestDatabase;
use std::sync::Arc;

/// The store over a fresh database (serving every org's ports), which lives as long as the
/// returned guard.
async fn store() -> (Arc<dyn Tenancy>, TestDatabase) {
    let db = crate::database().await;
    (PgStore::new(db.pool_of(12)), db)
}

/// The ports over a fresh database, counting lists up to `bound`.
async fn bounded_store(bound: CountBound) -> (Ports, TestDatabase) {
    let db = crate::database().await;
    let store = PgStore::with_count_bound(db.pool_of(12), bound);
    (Ports::from_store(store), db)
}

registry_contract::contract_suite!(store);
registry_contract::bounded_totals_suite!(bounded_store);
