#![doc = include_str!("../README.md")]

mod agent_list;
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

use registry_domain::CountBound;
use std::sync::Arc;

/// Every port of the registry over PostgreSQL. Cheap to share: it holds only the pool. Each
/// port method checks out one connection inside `spawn_blocking` and does all its work there,
/// in one transaction when it writes more than one statement.
///
/// A list's total is exact where a trigger keeps it (live agents, per status); any other list
/// counts its matches up to `count_bound` and reports the bound, marked capped, past it
/// (docs/adr/0008-bounded-totals.md).
#[derive(Clone)]
pub struct PgStore {
    pool: PgPool,
    count_bound: CountBound,
}

impl PgStore {
    /// A store over `pool` counting up to [`registry_domain::MAX_COUNTED`] rows, shared: the
    /// `Arc` coerces to `Arc<dyn Port>` for every port.
    #[allow(clippy::new_ret_no_self)]
    pub fn new(pool: PgPool) -> Arc<Self> {
        Self::with_count_bound(pool, CountBound::default())
    }

    /// A store over `pool` whose lists without a kept total count at most `count_bound` rows.
    pub fn with_count_bound(pool: PgPool, count_bound: CountBound) -> Arc<Self> {
        Arc::new(Self { pool, count_bound })
    }
}
