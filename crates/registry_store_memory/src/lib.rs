#![doc = include_str!("../README.md")]

mod agents;
mod authorization;
mod cards;
mod credentials;
mod deployments;
mod events;
mod history;
mod json;
mod keys;
mod orgs;
mod state;
mod tokens;
mod webhooks;

use registry_domain::{CountBound, OrgId};
use registry_ports::{Ports, RepoError, RepoResult, Tenancy};
use state::State;
use std::sync::{Arc, Mutex, MutexGuard};

/// Every port of the registry, in memory, bound to one org. All tables of every org live in
/// one `State` behind one mutex shared by the store's org-bound values ([`Self::in_org`]), and
/// every port method runs under that lock from start to end: a method is a transaction, and
/// concurrent callers are serialised exactly as the database's constraints would serialise them.
/// The lock is never held across an `.await`.
///
/// The tenant ports read and write only the rows of the store's org; another org's rows are
/// absent to them. `OrgRepository`, `CredentialStore`, `AgentRepository::expire_heartbeats`
/// and `ping` are not scoped. List totals are reported as the PostgreSQL store reports them:
/// exact where it keeps them, else counted up to `count_bound` and marked capped past it
/// (docs/adr/0008-bounded-totals.md).
pub struct InMemoryStore {
    state: Arc<Mutex<State>>,
    org: OrgId,
    count_bound: CountBound,
}

impl Default for InMemoryStore {
    /// A fresh store holding only the `default` org, bound to it.
    fn default() -> Self {
        Self {
            state: Arc::new(Mutex::new(State::new())),
            org: OrgId::DEFAULT,
            count_bound: CountBound::default(),
        }
    }
}

impl InMemoryStore {
    /// A fresh store holding only the `default` org, bound to it, shared: the `Arc` coerces to
    /// `Arc<dyn Port>` for every port (and to `Arc<dyn Tenancy>`), so one store can fill every
    /// port field of the registry.
    #[allow(clippy::new_ret_no_self)]
    pub fn new() -> Arc<Self> {
        Arc::new(Self::default())
    }

    /// The same tables, bound to `org`: its tenant ports see only that org's rows.
    pub fn in_org(&self, org: OrgId) -> Arc<Self> {
        Arc::new(Self {
            state: Arc::clone(&self.state),
            org,
            count_bound: self.count_bound,
        })
    }

    /// The org this value is bound to.
    pub fn org(&self) -> OrgId {
        self.org
    }

    /// [`new`](Self::new), with lists whose total is not kept counted up to `count_bound`.
    pub fn with_count_bound(count_bound: CountBound) -> Arc<Self> {
        Arc::new(Self {
            count_bound,
            ..Self::default()
        })
    }

    /// Runs `f` as one transaction over the whole state.
    fn with_state<T>(&self, f: impl FnOnce(&mut State) -> RepoResult<T>) -> RepoResult<T> {
        let mut guard: MutexGuard<'_, State> = self
            .state
            .lock()
            .map_err(|_| RepoError::Unexpected("in-memory store lock poisoned".into()))?;
        f(&mut guard)
    }
}

impl Tenancy for InMemoryStore {
    fn ports(&self, org: OrgId) -> Ports {
        Ports::from_store(self.in_org(org))
    }
}
