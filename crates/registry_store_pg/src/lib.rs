#![doc = include_str!("../README.md")]

mod agents;
mod authorization;
mod create_agent;
mod deployments;
mod error;
mod event_rows;
mod events;
mod fragments;
mod heartbeats;
mod history;
mod keys;
mod migrate;
mod paging;
mod pool;
mod rows;
#[doc(hidden)]
#[allow(missing_docs)]
pub mod schema;
mod stored_json;
mod tokens;

pub use migrate::{run_migrations, MIGRATIONS, MIGRATION_LOCK_KEY};
pub use pool::{build_pool, PgPool, PoolSettings};

use std::sync::Arc;

/// Every port of the registry over PostgreSQL. Cheap to share: it holds only the pool. Each
/// port method checks out one connection inside `spawn_blocking` and does all its work there,
/// in one transaction when it writes more than one statement.
#[derive(Clone)]
pub struct PgStore {
    pool: PgPool,
}

impl PgStore {
    /// A store over `pool`, shared: the `Arc` coerces to `Arc<dyn Port>` for every port.
    #[allow(clippy::new_ret_no_self)]
    pub fn new(pool: PgPool) -> Arc<Self> {
        Arc::new(Self { pool })
    }
}
