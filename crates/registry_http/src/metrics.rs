//! Prometheus collectors: requests by route template, method and status; latency by route
//! template; pool gauges.

use prometheus::{
    Encoder, HistogramOpts, HistogramVec, IntCounterVec, IntGauge, Opts, TextEncoder,
};
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

/// The collectors of one app (each app has its own registry, so tests do not interfere).
pub struct Metrics {
    registry: prometheus::Registry,
    requests: IntCounterVec,
    latency: HistogramVec,
    pool_connections: IntGauge,
    pool_idle: IntGauge,
    pool_max: IntGauge,
}

impl Default for Metrics {
    fn default() -> Self {
        Self::new()
    }
}

impl Metrics {
    // The constructors fail only on invalid metric names or label sets, which are constants
    // here: a failure is a programming error caught by every test.
    #[allow(clippy::expect_used)]
    pub fn new() -> Self {
        let registry = prometheus::Registry::new();
        let requests = IntCounterVec::new(
            Opts::new(
                "http_requests_total",
                "HTTP requests by route template, method and status.",
            ),
            &["route", "method", "status"],
        )
        .expect("valid counter definition");
        let latency = HistogramVec::new(
            HistogramOpts::new(
                "http_request_duration_seconds",
                "HTTP request latency by route template and status.",
            )
            .buckets(vec![
                0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0,
            ]),
            &["route", "status"],
        )
        .expect("valid histogram definition");
        let gauge =
            |name: &str, help: &str| IntGauge::new(name, help).expect("valid gauge definition");
        let pool_connections = gauge("db_pool_connections", "Open database connections.");
        let pool_idle = gauge("db_pool_idle_connections", "Idle database connections.");
        let pool_max = gauge("db_pool_max_connections", "Configured pool size.");
        for c in [
            Box::new(requests.clone()) as Box<dyn prometheus::core::Collector>,
            Box::new(latency.clone()),
            Box::new(pool_connections.clone()),
            Box::new(pool_idle.clone()),
            Box::new(pool_max.clone()),
        ] {
            registry.register(c).expect("distinct metric names");
        }
        Self {
            registry,
            requests,
            latency,
            pool_connections,
            pool_idle,
            pool_max,
        }
    }

    /// Adds collectors of another part of the server to what `/metrics` renders.
    pub fn register(
        &self,
        collector: Box<dyn prometheus::core::Collector>,
    ) -> Result<(), prometheus::Error> {
        self.registry.register(collector)
    }

    pub fn observe(&self, route: &str, method: &str, status: u16, seconds: f64) {
        let status = &status.to_string();
        self.requests
            .with_label_values(&[route, method, status])
            .inc();
        self.latency
            .with_label_values(&[route, status])
            .observe(seconds);
    }

    /// The text exposition, with the pool gauges refreshed from `pool`.
    pub fn render(&self, pool: Option<PoolStats>) -> String {
        if let Some(p) = pool {
            self.pool_connections.set(i64::from(p.connections));
            self.pool_idle.set(i64::from(p.idle_connections));
            self.pool_max.set(i64::from(p.max_size));
        }
        let mut out = Vec::new();
        let _ = TextEncoder::new().encode(&self.registry.gather(), &mut out);
        String::from_utf8(out).unwrap_or_default()
    }
}
