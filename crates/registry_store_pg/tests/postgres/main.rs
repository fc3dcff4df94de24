//! The PostgreSQL adapters' tests, one test binary (one compile and one link): `contract` runs
//! the shared port contract suite on a fresh database per test, `concurrency` the races only
//! separate connections can run, `isolation` every statement a tenant workload sends,
//! `org_races` quotas across replicas and per-org counts under parallel writes, `migrations`
//! up/down/up and the CHECK sets, `prepared_statements` what the server itself has prepared,
//! and `timeouts` the statement timeout.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod concurrency;
mod contract;
mod feed;
mod isolation;
mod migrations;
mod org_races;
mod prepared_statements;
mod timeouts;

use registry_test_db::TestDatabase;

/// A fresh database, created off the async runtime (creating one blocks).
async fn database() -> TestDatabase {
    tokio::task::spawn_blocking(TestDatabase::new)
        .await
        .unwrap()
}
