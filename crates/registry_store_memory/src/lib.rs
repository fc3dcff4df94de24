#![doc = include_str!("../README.md")]

mod agents;
mod authorization;
mod deployments;
mod events;
mod history;
mod json;
mod keys;
mod state;
mod tokens;

use registry_domain::CountBound;
use registry_ports::{RepoError, RepoResult};
use state::State;
use std::sync::{Arc, Mutex, MutexGuard};

/// Every port of the registry, in memory. All tables live in one [`State`] behind one mutex, and
/// every port method runs under that lock from start to end: a method is a transaction, and
/// concurrent callers are serialised exactly as the database's constraints would serialise them.
/// The lock is never held across an `.await`.
///
/// List totals are reported as the PostgreSQL store reports them: exact where it keeps them,
/// else counted up to `count_bound` and marked capped past it (docs/adr/0008-bounded-totals.md).
#[derive(Default)]
pub struct InMemoryStore {
    state: Mutex<State>,
    count_bound: CountBound,
}

impl InMemoryStore {
    /// A fresh, empty store, shared: the `Arc` coerces to `Arc<dyn Port>` for every port, so one
    /// store can fill every port field of the registry (or of a contract-suite `Stores`).
    #[allow(clippy::new_ret_no_self)]
    pub fn new() -> Arc<Self> {
        Arc::new(Self::default())
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
