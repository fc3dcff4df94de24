//! What every handler shares: the registry, the authenticator, metrics, pool state and the
//! per-process bounds on callers.

use crate::auth::Caller;
use crate::fair::FairSlots;
use crate::feed_wake::FeedWake;
use crate::inflight::InFlight;
use crate::metrics::{Metrics, PoolStatsFn};
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
    /// Authenticated requests whose handlers run at once, shared fairly between principals;
    /// the server sizes it to the database pool.
    pub execution_slots: usize,
    /// How long a request may take from its arrival to its answer (→ 503).
    pub request_timeout: Duration,
    /// The longest an event stream stays silent: a keep-alive comment is sent after this
    /// (contract §10: at most 15 s).
    pub sse_keep_alive: Duration,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            body_read_timeout: Duration::from_secs(10),
            max_inflight_per_principal: 32,
            execution_slots: 8,
            request_timeout: Duration::from_secs(30),
            sse_keep_alive: Duration::from_secs(15),
        }
    }
}

/// Application state, cloned into every worker.
#[derive(Clone)]
pub struct AppState {
    pub(crate) registry: Registry,
    pub(crate) authenticator: Arc<dyn Authenticator>,
    pub(crate) metrics: Arc<Metrics>,
    /// Pool state for the gauges, when there is a pool.
    pub(crate) pool_stats: Option<PoolStatsFn>,
    pub(crate) limits: Limits,
    /// Shared by every worker, as is `slots`.
    pub(crate) inflight: Arc<InFlight>,
    pub(crate) slots: Arc<FairSlots>,
    /// Browser origins allowed by CORS (none: no CORS headers).
    pub(crate) cors_origins: Arc<[String]>,
    /// When set, `/metrics` needs `Authorization: Bearer <this>`.
    pub(crate) metrics_token: Option<Arc<str>>,
    /// Wakes the event streams.
    pub(crate) feed_wake: FeedWake,
}

impl AppState {
    /// State over `registry`, authenticating with `authenticator`, with the default [`Limits`].
    pub fn new(registry: Registry, authenticator: Arc<dyn Authenticator>) -> Self {
        Self {
            registry,
            authenticator,
            metrics: Arc::new(Metrics::new()),
            pool_stats: None,
            limits: Limits::default(),
            inflight: Arc::new(InFlight::new(Limits::default().max_inflight_per_principal)),
            slots: FairSlots::new(Limits::default().execution_slots),
            cors_origins: Arc::from(Vec::new()),
            metrics_token: None,
            feed_wake: FeedWake::new(),
        }
    }

    /// Uses `wake` for the event streams (the server's, fed by the database as well).
    pub fn with_feed_wake(mut self, wake: FeedWake) -> Self {
        self.feed_wake = wake;
        self
    }

    /// Allows these browser origins (CORS).
    pub fn with_cors_origins(mut self, origins: Vec<String>) -> Self {
        self.cors_origins = Arc::from(origins);
        self
    }

    /// Protects `/metrics` with a bearer token.
    pub fn with_metrics_token(mut self, token: Option<String>) -> Self {
        self.metrics_token = token.map(Arc::from);
        self
    }

    /// Replaces the default [`Limits`].
    pub fn with_limits(mut self, limits: Limits) -> Self {
        self.limits = limits;
        self.inflight = Arc::new(InFlight::new(limits.max_inflight_per_principal));
        self.slots = FairSlots::new(limits.execution_slots);
        self
    }

    /// Adds collectors of another part of the server (the webhook worker's) to what
    /// `/metrics` renders. `Err` when a name is already registered.
    pub fn register_metrics(
        &self,
        collector: Box<dyn prometheus::core::Collector>,
    ) -> Result<(), prometheus::Error> {
        self.metrics.register(collector)
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

    /// The registry acting in the caller's org: every tenant port it reaches is bound to it.
    pub(crate) fn registry_for(&self, caller: &Caller) -> Registry {
        self.registry
            .in_org(&caller.1)
            .with_prefetched(caller.2.clone())
    }
}
