//! What every handler shares: the registry, the authenticator, metrics, and pool state.

use crate::metrics::Metrics;
use registry_ports::Authenticator;
use registry_usecases::Registry;
use std::sync::Arc;

/// A snapshot of the database pool, for the `/metrics` gauges.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct PoolStats {
    /// Open connections (busy + idle).
    pub connections: u32,
    /// Idle connections.
    pub idle_connections: u32,
    /// Configured maximum.
    pub max_size: u32,
}

/// Reads the pool state; supplied by the server so this crate does not depend on the pool type.
pub type PoolStatsFn = Arc<dyn Fn() -> PoolStats + Send + Sync>;

/// Application state, cloned into every worker.
#[derive(Clone)]
pub struct AppState {
    /// Every use case.
    pub registry: Registry,
    /// Turns credentials into principals.
    pub authenticator: Arc<dyn Authenticator>,
    /// Prometheus registry and collectors.
    pub metrics: Arc<Metrics>,
    /// Pool state for the gauges, when there is a pool.
    pub pool_stats: Option<PoolStatsFn>,
}

impl AppState {
    /// State over `registry`, authenticating with `authenticator`.
    pub fn new(registry: Registry, authenticator: Arc<dyn Authenticator>) -> Self {
        Self {
            registry,
            authenticator,
            metrics: Arc::new(Metrics::new()),
            pool_stats: None,
        }
    }

    /// Adds a pool-state reader for the `/metrics` gauges.
    pub fn with_pool_stats(mut self, stats: PoolStatsFn) -> Self {
        self.pool_stats = Some(stats);
        self
    }

    /// Whether authorization is on (off only with the explicit insecure flag).
    pub fn authorization_enabled(&self) -> bool {
        self.registry.authorization_enabled()
    }
}
