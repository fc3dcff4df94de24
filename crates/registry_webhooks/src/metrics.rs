//! The worker's Prometheus collectors: attempts by outcome, and the age of the oldest event
//! each subscription has yet to deliver.

use prometheus::core::Collector;
use prometheus::{GaugeVec, IntCounterVec, Opts};

/// What one attempt came to, as the `outcome` label spells it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// 2xx.
    Delivered,
    /// Failed; retried later.
    Retried,
    /// Failed and the retry window is over: the subscription is now `failing`.
    GaveUp,
}

impl Outcome {
    /// The label value.
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Delivered => "delivered",
            Outcome::Retried => "retried",
            Outcome::GaveUp => "gave_up",
        }
    }
}

/// The collectors, cheap to clone.
#[derive(Clone)]
pub struct WebhookMetrics {
    attempts: IntCounterVec,
    oldest: GaugeVec,
}

impl Default for WebhookMetrics {
    fn default() -> Self {
        Self::new()
    }
}

impl WebhookMetrics {
    /// Fresh collectors (register them with [`collectors`](Self::collectors)).
    // The definitions are constants: a failure is a programming error caught by every test.
    #[allow(clippy::expect_used)]
    pub fn new() -> Self {
        let attempts = IntCounterVec::new(
            Opts::new(
                "webhook_deliveries_total",
                "Webhook delivery attempts by outcome (delivered, retried, gave_up).",
            ),
            &["outcome"],
        )
        .expect("valid counter definition");
        let oldest = GaugeVec::new(
            Opts::new(
                "webhook_oldest_undelivered_seconds",
                "Age of the oldest event a subscription has yet to deliver (0: caught up), as \
                 last seen by this replica's worker.",
            ),
            &["webhook_id"],
        )
        .expect("valid gauge definition");
        Self { attempts, oldest }
    }

    /// The collectors, to register where `/metrics` renders them.
    pub fn collectors(&self) -> Vec<Box<dyn Collector>> {
        vec![
            Box::new(self.attempts.clone()),
            Box::new(self.oldest.clone()),
        ]
    }

    /// Counts one attempt.
    pub fn attempted(&self, outcome: Outcome) {
        self.attempts.with_label_values(&[outcome.as_str()]).inc();
    }

    /// Attempts counted with `outcome` so far.
    pub fn attempts(&self, outcome: Outcome) -> u64 {
        self.attempts.with_label_values(&[outcome.as_str()]).get()
    }

    /// Sets the subscription's backlog age.
    pub fn oldest_undelivered(&self, webhook: &str, seconds: f64) {
        self.oldest.with_label_values(&[webhook]).set(seconds);
    }
}
