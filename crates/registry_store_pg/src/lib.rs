#![doc = include_str!("../README.md")]

mod agent_list;
mod agents;
mod authorization;
mod card_search;
mod cards;
mod create_agent;
mod credentials;
mod deployments;
mod error;
mod event_rows;
mod events;
mod feed;
mod feed_listener;
mod fragments;
mod heartbeats;
mod history;
mod keys;
mod migrate;
mod orgs;
mod paging;
mod pool;
mod quota;
mod rows;
#[doc(hidden)]
#[allow(missing_docs)]
pub mod schema;
mod stored_json;
mod tokens;
mod webhooks;

pub use feed_listener::{spawn_feed_listener, FeedNotifier, FEED_CHANNEL};
pub use migrate::{run_migrations, MIGRATIONS, MIGRATION_LOCK_KEY};
pub use pool::{build_pool, PgPool, PoolSettings, IDLE_BEFORE_PING};

use registry_domain::{CountBound, OrgId};
use registry_ports::{Ports, Tenancy};
use std::sync::Arc;
use uuid::Uuid;

/// Every port of the registry over PostgreSQL. Cheap to share: it holds only the pool. Each
/// port method checks out one connection inside `spawn_blocking` and does all its work there,
/// in one transaction when it writes more than one statement.
///
/// A list's total is exact where a trigger keeps it (live agents, per status); any other list
/// counts its matches up to `count_bound` and reports the bound, marked capped, past it
/// (docs/adr/0008-bounded-totals.md).
///
/// A store value is bound to one org (contract §9, docs/adr/0006-organizations.md): every
/// statement of its tenant ports filters by (or writes) that org's id, so another org's rows
/// are simply absent to it. `OrgRepository`, `CredentialStore`,
/// `AgentRepository::expire_heartbeats` and `ping` are not scoped.
#[derive(Clone)]
pub struct PgStore {
    pool: PgPool,
    count_bound: CountBound,
    org: OrgId,
}

impl PgStore {
    /// A store over `pool` counting up to [`registry_domain::MAX_COUNTED`] rows, shared: the
    /// `Arc` coerces to `Arc<dyn Port>` for every port.
    #[allow(clippy::new_ret_no_self)]
    pub fn new(pool: PgPool) -> Arc<Self> {
        Self::with_count_bound(pool, CountBound::default())
    }

    /// A store over `pool` whose lists without a kept total count at most `count_bound` rows,
    /// bound to the `default` org.
    pub fn with_count_bound(pool: PgPool, count_bound: CountBound) -> Arc<Self> {
        Arc::new(Self {
            pool,
            count_bound,
            org: OrgId::DEFAULT,
        })
    }

    /// The same pool, bound to `org`.
    pub fn in_org(&self, org: OrgId) -> Arc<Self> {
        Arc::new(Self {
            org,
            ..self.clone()
        })
    }

    /// The id of the org this value is bound to, as stored.
    fn org(&self) -> Uuid {
        self.org.as_uuid()
    }
}

impl Tenancy for PgStore {
    fn ports(&self, org: OrgId) -> Ports {
        Ports::from_store(self.in_org(org))
    }
}
