//! What every handler shares: the registry, the authenticator, metrics, and pool state.

use crate::fair::FairSlots;
use crate::inflight::InFlight;
use crate::metrics::Metrics;
use registry_ports::Authenticator;
use registry_usecases::Registry;
use std::sync::Arc;
use std::time::Duration;

/// Bounds on what one request or one caller may hold (docs/operations.md).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// How long a request body may take to arrive once its handler reads it (→ 408).
    pub body_read_timeout: Duration,
    /// Requests one authenticated principal may have in flight at once (→ 429).
    pub max_inflight_per_principal: usize,
    /// Authenticated requests whose handlers run at once, shared fairly between principals
    /// ([`crate::fair`]); the server sizes it to the database pool.
    pub execution_slots: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            body_read_timeout: Duration::from_secs(10),
            max_inflight_per_principal: 32,
            execution_slots: 8,
        }
    }
}

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
    /// Request and caller bounds.
    pub limits: Limits,
    /// In-flight requests per principal (shared by every worker).
    pub inflight: Arc<InFlight>,
    /// Execution slots shared fairly between principals (shared by every worker).
    pub slots: Arc<FairSlots>,
}

impl AppState {
    /// State over `registry`, authenticating with `authenticator`.
    pub fn new(registry: Registry, authenticator: Arc<dyn Authenticator>) -> Self {
        Self {
            registry,
            authenticator,
            metrics: Arc::new(Metrics::new()),
            pool_stats: None,
            limits: Limits::default(),
            inflight: Arc::new(InFlight::new(Limits::default().max_inflight_per_principal)),
            slots: FairSlots::new(Limits::default().execution_slots),
        }
    }

    /// Replaces the default [`Limits`].
    pub fn with_limits(mut self, limits: Limits) -> Self {
        self.limits = limits;
        self.inflight = Arc::new(InFlight::new(limits.max_inflight_per_principal));
        self.slots = FairSlots::new(limits.execution_slots);
        self
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
