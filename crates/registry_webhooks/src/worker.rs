//! The delivery worker, run by every replica: claims due subscriptions under a row lease
//! (at most `concurrency` at once, so memory stays bounded whatever the backlog), and for each
//! sends the org feed's events after its position, in `seq` order, one at a time; the position
//! moves only after a 2xx. A failure ends the claim with the retry scheduled (backoff with
//! jitter) or, past the retry window, the subscription `failing`. A crash loses nothing: the
//! position is in the store, and the lease of a dead replica expires.

use crate::client::{Sent, WebhookClient};
use crate::message::signed_message;
use crate::metrics::{Outcome, WebhookMetrics};
use registry_domain::{Delivery, RetryPolicy, Timestamp};
use registry_ports::{
    AttemptResult, Claim, ErrorChain, FeedQuery, LeaseToken, Tenancy, WebhookQueue,
};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{watch, Semaphore};

/// How the worker paces itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WorkerConfig {
    /// Subscriptions worked at once by this replica.
    pub concurrency: usize,
    /// How long a claim lasts without a write renewing it: a crashed replica's
    /// subscriptions are claimable again this long after its last write.
    pub lease: Duration,
    /// Pause between claims when nothing was due.
    pub poll: Duration,
    /// How soon a caught-up subscription is looked at again.
    pub idle: Duration,
    /// Events one claim delivers before it lets go (fairness between subscriptions).
    pub batch: usize,
    /// Events read from the feed at once.
    pub page: u32,
    /// Retry schedule.
    pub retry: RetryPolicy,
    /// Attempts each subscription's delivery log keeps (the newest; older ones are dropped as
    /// new ones are logged).
    pub delivery_log_keep: u32,
}

/// The default of [`WorkerConfig::delivery_log_keep`]: a failing event's whole retry window
/// (a few dozen attempts over a day) many times over, or a busy subscription's last 1,000
/// deliveries.
pub const DELIVERY_LOG_KEEP: u32 = 1_000;

impl Default for WorkerConfig {
    fn default() -> Self {
        Self {
            concurrency: 16,
            lease: Duration::from_secs(20),
            poll: Duration::from_millis(250),
            idle: Duration::from_millis(500),
            batch: 500,
            page: 100,
            retry: RetryPolicy::default(),
            delivery_log_keep: DELIVERY_LOG_KEEP,
        }
    }
}

/// The worker: the queue of due subscriptions, each org's feed, the client.
#[derive(Clone)]
pub struct Worker {
    queue: Arc<dyn WebhookQueue>,
    tenancy: Arc<dyn Tenancy>,
    client: WebhookClient,
    metrics: WebhookMetrics,
    config: WorkerConfig,
}

fn now() -> Timestamp {
    time::OffsetDateTime::now_utc()
}

impl Worker {
    /// A worker over `queue` (unscoped) and the org feeds of `tenancy`.
    pub fn new(
        queue: Arc<dyn WebhookQueue>,
        tenancy: Arc<dyn Tenancy>,
        client: WebhookClient,
        metrics: WebhookMetrics,
        config: WorkerConfig,
    ) -> Self {
        Self {
            queue,
            tenancy,
            client,
            metrics,
            config,
        }
    }

    /// Runs until `stop` changes (or its sender is dropped). Subscriptions being worked when
    /// it stops are abandoned mid-claim: their leases expire and any replica resumes them at
    /// their stored position.
    pub async fn run(self, mut stop: watch::Receiver<bool>) {
        let slots = Arc::new(Semaphore::new(self.config.concurrency.max(1)));
        let mut tasks = tokio::task::JoinSet::new();
        loop {
            while tasks.try_join_next().is_some() {}
            let free = slots.available_permits();
            let claims = if free == 0 {
                Vec::new()
            } else {
                let limit = u32::try_from(free).unwrap_or(u32::MAX);
                match self.queue.claim_due(self.config.lease, limit).await {
                    Ok(claims) => claims,
                    Err(e) => {
                        tracing::warn!(error = %ErrorChain(&e), "webhook claim failed");
                        Vec::new()
                    }
                }
            };
            let idle = claims.is_empty();
            for claim in claims {
                let Ok(permit) = slots.clone().acquire_owned().await else {
                    return;
                };
                let worker = self.clone();
                tasks.spawn(async move {
                    worker.work(claim).await;
                    drop(permit);
                });
            }
            if idle {
                tokio::select! {
                    _ = tokio::time::sleep(self.config.poll) => {}
                    _ = stop.changed() => break,
                }
            } else if stop.has_changed().unwrap_or(true) {
                break;
            }
        }
        tasks.abort_all();
        tracing::info!("webhook worker stopped");
    }

    /// Delivers what is due to one claimed subscription, then lets go of it.
    async fn work(&self, claim: Claim) {
        let Claim {
            webhook,
            org,
            token,
            mut failures,
            mut failing_since,
        } = claim;
        let feed = self.tenancy.ports(org.id).events;
        let mut position = webhook.position;
        let mut skipped: Option<i64> = None;
        let mut sent = 0usize;
        let hook_id = webhook.id.to_string();
        loop {
            let page = match feed
                .feed(&FeedQuery::whole_org(position, self.config.page))
                .await
            {
                Ok(page) => page,
                Err(e) => {
                    tracing::warn!(webhook_id = %hook_id, error = %ErrorChain(&e), "webhook feed read failed");
                    self.release(token, &webhook.id, self.config.poll).await;
                    return;
                }
            };
            let Some(first) = page.events.first() else {
                self.metrics.oldest_undelivered(&hook_id, 0.0);
                self.release(token, &webhook.id, self.config.idle).await;
                return;
            };
            let age = (now() - first.event.event.at).as_seconds_f64().max(0.0);
            self.metrics.oldest_undelivered(&hook_id, age);
            for event in &page.events {
                if !webhook.wants(event.event.event.kind) {
                    skipped = Some(event.seq);
                    position = event.seq;
                    continue;
                }
                let at = now();
                let message = signed_message(&webhook, event, &org.slug, at);
                let outcome = self.client.send(&webhook.url, &message).await;
                let attempt = failures + 1;
                let (result, label) = if outcome.delivered() {
                    (AttemptResult::Delivered, Outcome::Delivered)
                } else {
                    let since = *failing_since.get_or_insert(at);
                    let failing_for = (at - since).try_into().unwrap_or(Duration::ZERO);
                    if self.config.retry.gives_up(failing_for) {
                        let reason = outcome.error.clone().unwrap_or_default();
                        (AttemptResult::GiveUp { reason }, Outcome::GaveUp)
                    } else {
                        let after = self.config.retry.delay(attempt, rand::random::<f64>());
                        (AttemptResult::Retry { after }, Outcome::Retried)
                    }
                };
                log_attempt(
                    &hook_id,
                    event.seq,
                    event.event.id,
                    attempt,
                    &outcome,
                    label,
                );
                self.metrics.attempted(label);
                let delivery = Delivery {
                    webhook_id: webhook.id,
                    seq: event.seq,
                    event_id: event.event.id,
                    attempt,
                    status_code: outcome.status,
                    error: outcome.error.clone(),
                    duration_ms: u32::try_from(outcome.elapsed.as_millis()).unwrap_or(u32::MAX),
                    at,
                    next_attempt_at: None,
                };
                let kept = match self
                    .queue
                    .record_attempt(
                        token,
                        &delivery,
                        &result,
                        self.config.lease,
                        self.config.delivery_log_keep,
                    )
                    .await
                {
                    Ok(kept) => kept,
                    Err(e) => {
                        tracing::warn!(webhook_id = %hook_id, error = %ErrorChain(&e), "webhook attempt not recorded");
                        false
                    }
                };
                if !kept {
                    if outcome.delivered() {
                        tracing::info!(webhook_id = %hook_id, seq = event.seq, "webhook claim lost; the event may be delivered again");
                    }
                    return;
                }
                if !outcome.delivered() {
                    return;
                }
                (failures, failing_since, skipped) = (0, None, None);
                position = event.seq;
                sent += 1;
                if sent >= self.config.batch {
                    self.release(token, &webhook.id, Duration::ZERO).await;
                    return;
                }
            }
            // Events the filter passed over move the position too (and renew the lease).
            if let Some(to) = skipped.take() {
                if !self.skip(token, &webhook.id, to).await {
                    return;
                }
            }
        }
    }

    async fn skip(&self, token: LeaseToken, id: &registry_domain::WebhookId, to: i64) -> bool {
        match self.queue.skip_to(token, *id, to, self.config.lease).await {
            Ok(kept) => kept,
            Err(e) => {
                tracing::warn!(webhook_id = %id, error = %ErrorChain(&e), "webhook skip not recorded");
                false
            }
        }
    }

    async fn release(&self, token: LeaseToken, id: &registry_domain::WebhookId, after: Duration) {
        if let Err(e) = self.queue.release(token, *id, after).await {
            tracing::warn!(webhook_id = %id, error = %ErrorChain(&e), "webhook release failed; the lease will expire");
        }
    }
}

/// The one log line of an attempt.
fn log_attempt(
    webhook: &str,
    seq: i64,
    event_id: i64,
    attempt: u32,
    sent: &Sent,
    outcome: Outcome,
) {
    let duration_ms = u64::try_from(sent.elapsed.as_millis()).unwrap_or(u64::MAX);
    let status = sent.status.map(i64::from).unwrap_or(-1);
    let error = sent.error.as_deref().unwrap_or("");
    match outcome {
        Outcome::Delivered => tracing::info!(
            webhook_id = webhook,
            seq,
            event_id,
            attempt,
            status,
            duration_ms,
            outcome = outcome.as_str(),
            "webhook attempt"
        ),
        _ => tracing::warn!(
            webhook_id = webhook,
            seq,
            event_id,
            attempt,
            status,
            duration_ms,
            outcome = outcome.as_str(),
            error,
            "webhook attempt"
        ),
    }
}
