//! Webhook subscriptions (contract §10): the org admins' API over them, and the delivery
//! workers' queue of due subscriptions, claimed under a row lease.

use crate::RepoResult;
use async_trait::async_trait;
use registry_domain::{
    Delivery, OrgRef, Page, PageRequest, Timestamp, Webhook, WebhookChanges, WebhookId,
    WebhookSecret,
};
use std::time::Duration;

/// An org's subscriptions (a tenant port: bound to one org, like the others).
#[cfg_attr(feature = "mock", mockall::automock)]
#[async_trait]
pub trait WebhookRepository: Send + Sync {
    /// Inserts `webhook` (its `org` is the store's), due at once. Its `position` is the
    /// org feed's head when it is stored — the last event a feed reader can see then — not the
    /// one given (a subscription starts with the events after it; replay reaches history).
    async fn create_webhook(&self, webhook: &Webhook) -> RepoResult<Webhook>;

    /// A page of the org's subscriptions, oldest first, with the total.
    async fn list_webhooks(&self, page: PageRequest) -> RepoResult<Page<Webhook>>;

    /// The subscription, if the org has it.
    async fn get_webhook(&self, id: WebhookId) -> RepoResult<Option<Webhook>>;

    /// Applies `changes` and `updated_at = at`. A status change to `enabled` also clears a
    /// `failing` subscription's reason and retry state and makes it due at once. `NotFound` if
    /// absent.
    async fn update_webhook(
        &self,
        id: WebhookId,
        changes: &WebhookChanges,
        at: Timestamp,
    ) -> RepoResult<Webhook>;

    /// Deletes the subscription and its delivery log. `NotFound` if absent.
    async fn delete_webhook(&self, id: WebhookId) -> RepoResult<()>;

    /// Makes `secret` the signing key and keeps the replaced one signing until
    /// `previous_until`. `NotFound` if absent.
    async fn rotate_webhook_secret(
        &self,
        id: WebhookId,
        secret: &WebhookSecret,
        previous_until: Timestamp,
        at: Timestamp,
    ) -> RepoResult<Webhook>;

    /// Moves the position to `after` (redelivery of every later event), clears the retry
    /// state and any lease (a worker still sending loses its claim: its outcome is dropped),
    /// enables a `failing` subscription and makes it due at once. `NotFound` if absent.
    async fn replay_webhook(&self, id: WebhookId, after: i64, at: Timestamp)
        -> RepoResult<Webhook>;

    /// The newest `limit` attempts of the subscription, newest first, with their total
    /// (bounded like every counted list). `NotFound` if the org has no such subscription.
    async fn list_deliveries(&self, id: WebhookId, limit: u32) -> RepoResult<Page<Delivery>>;
}

/// A claim on one subscription: whoever holds the token is the only worker delivering to it,
/// until the lease expires or the claim is released. Every write under a claim names its token
/// and is refused (`Ok(false)`) once the claim is lost, so a late worker changes nothing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct LeaseToken(pub u128);

/// A due subscription a worker claimed.
#[derive(Debug, Clone, PartialEq)]
pub struct Claim {
    /// The subscription as claimed (its position, keys, filter).
    pub webhook: Webhook,
    /// Its org (the feed read, and the `org` of the events sent).
    pub org: OrgRef,
    /// The claim's token.
    pub token: LeaseToken,
    /// Failed attempts at the event after `position` so far.
    pub failures: u32,
    /// When that event first failed.
    pub failing_since: Option<Timestamp>,
}

/// What an attempt decided, recorded with its delivery-log row.
#[derive(Debug, Clone, PartialEq)]
pub enum AttemptResult {
    /// A 2xx: the position moves to the delivery's `seq`; the claim is kept (lease renewed).
    Delivered,
    /// A failure retried after `after`: the claim is released, the subscription due then.
    Retry {
        /// Delay before the next attempt.
        after: Duration,
    },
    /// The retry window is used up: the subscription becomes `failing` with `reason`, its
    /// position kept; the claim is released.
    GiveUp {
        /// Why (the last error).
        reason: String,
    },
}

/// The delivery workers' side: unscoped (every org's subscriptions), timed by the store's
/// clock so that replicas agree on leases and due times.
#[cfg_attr(feature = "mock", mockall::automock)]
#[async_trait]
pub trait WebhookQueue: Send + Sync {
    /// Claims at most `limit` enabled subscriptions that are due and not under an unexpired
    /// lease, each for `lease`, earliest due first. Concurrent callers never get the same
    /// subscription.
    async fn claim_due(&self, lease: Duration, limit: u32) -> RepoResult<Vec<Claim>>;

    /// Records one attempt under `token`: appends `delivery` to the log, dropping the
    /// subscription's oldest attempts beyond the newest `keep` (the log stays bounded however
    /// long a subscription lives), and applies `result` (renewing the lease for `lease` when
    /// delivered). `Ok(false)`, writing nothing, when the claim was lost.
    async fn record_attempt(
        &self,
        token: LeaseToken,
        delivery: &Delivery,
        result: &AttemptResult,
        lease: Duration,
        keep: u32,
    ) -> RepoResult<bool>;

    /// Moves the position of `webhook` forward to `position` without a delivery (events its
    /// filter does not want), renewing the lease. `Ok(false)` when the claim was lost.
    async fn skip_to(
        &self,
        token: LeaseToken,
        webhook: WebhookId,
        position: i64,
        lease: Duration,
    ) -> RepoResult<bool>;

    /// Ends the claim; the subscription is due again after `after`. `Ok(false)` when the claim
    /// was already lost.
    async fn release(
        &self,
        token: LeaseToken,
        webhook: WebhookId,
        after: Duration,
    ) -> RepoResult<bool>;
}

/// Name resolution for the safe-target rule (contract §10): a webhook host that resolves to a
/// refused address is refused at create and update, and again at every delivery.
#[cfg_attr(feature = "mock", mockall::automock)]
#[async_trait]
pub trait HostResolver: Send + Sync {
    /// The addresses `host` resolves to now; `Err` with a reason when it does not resolve.
    async fn resolve(&self, host: &str, port: u16) -> Result<Vec<std::net::IpAddr>, String>;
}
