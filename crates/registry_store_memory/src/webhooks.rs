//! [`WebhookRepository`] and [`WebhookQueue`] in memory: subscriptions with their retry state
//! and lease, and the delivery log, under the store's one lock (so claims never overlap).

use crate::state::{now_micros, page_of, State};
use crate::InMemoryStore;
use async_trait::async_trait;
use registry_domain::{
    Delivery, OrgId, Page, PageRequest, PreviousSecret, Timestamp, Webhook, WebhookChanges,
    WebhookId, WebhookSecret, WebhookStatus,
};
use registry_ports::{
    AttemptResult, Claim, LeaseToken, RepoError, RepoResult, WebhookQueue, WebhookRepository,
};
use std::time::Duration;

/// A subscription with what only the workers see.
pub(crate) struct StoredWebhook {
    pub(crate) webhook: Webhook,
    failures: u32,
    failing_since: Option<Timestamp>,
    next_attempt_at: Timestamp,
    lease: Option<(LeaseToken, Timestamp)>,
}

/// A delivery-log row and its org.
pub(crate) struct StoredDelivery {
    pub(crate) org: OrgId,
    delivery: Delivery,
}

fn later(at: Timestamp, by: Duration) -> Timestamp {
    at + time::Duration::try_from(by).unwrap_or(time::Duration::MAX)
}

impl State {
    fn webhook_mut(&mut self, org: OrgId, id: WebhookId) -> RepoResult<&mut StoredWebhook> {
        self.webhooks
            .get_mut(&id)
            .filter(|w| w.webhook.org == org)
            .ok_or(RepoError::NotFound)
    }

    /// The subscription `id` if `token` still holds its unexpired-or-unclaimed lease.
    fn leased_mut(&mut self, token: LeaseToken, id: WebhookId) -> Option<&mut StoredWebhook> {
        self.webhooks
            .get_mut(&id)
            .filter(|w| w.lease.is_some_and(|(t, _)| t == token))
    }
}

#[async_trait]
impl WebhookRepository for InMemoryStore {
    async fn create_webhook(&self, webhook: &Webhook) -> RepoResult<Webhook> {
        let mut webhook = webhook.clone();
        webhook.org = self.org;
        self.with_state(|s| {
            // The feed's head (every appended event is visible here).
            webhook.position = s
                .events
                .iter()
                .filter(|e| e.org == self.org)
                .map(|e| e.row.id)
                .max()
                .unwrap_or(0);
            s.webhooks.insert(
                webhook.id,
                StoredWebhook {
                    webhook: webhook.clone(),
                    failures: 0,
                    failing_since: None,
                    next_attempt_at: webhook.created_at,
                    lease: None,
                },
            );
            Ok(webhook)
        })
    }

    async fn list_webhooks(&self, page: PageRequest) -> RepoResult<Page<Webhook>> {
        self.with_state(|s| {
            let mut rows: Vec<Webhook> = s
                .webhooks
                .values()
                .filter(|w| w.webhook.org == self.org)
                .map(|w| w.webhook.clone())
                .collect();
            rows.sort_by_key(|w| (w.created_at, w.id));
            Ok(page_of(rows, page, Some(self.count_bound)))
        })
    }

    async fn get_webhook(&self, id: WebhookId) -> RepoResult<Option<Webhook>> {
        self.with_state(|s| {
            Ok(s.webhooks
                .get(&id)
                .filter(|w| w.webhook.org == self.org)
                .map(|w| w.webhook.clone()))
        })
    }

    async fn update_webhook(
        &self,
        id: WebhookId,
        changes: &WebhookChanges,
        at: Timestamp,
    ) -> RepoResult<Webhook> {
        self.with_state(|s| {
            let stored = s.webhook_mut(self.org, id)?;
            let w = &mut stored.webhook;
            if let Some(url) = &changes.url {
                w.url.clone_from(url);
            }
            if let Some(kinds) = &changes.event_kinds {
                w.event_kinds.clone_from(kinds);
            }
            if let Some(description) = &changes.description {
                w.description.clone_from(description);
            }
            if let Some(status) = changes.status {
                if status == WebhookStatus::Enabled && w.status != WebhookStatus::Enabled {
                    w.failing_reason = None;
                    stored.failures = 0;
                    stored.failing_since = None;
                    stored.next_attempt_at = at;
                }
                w.status = status;
            }
            w.updated_at = at;
            Ok(w.clone())
        })
    }

    async fn delete_webhook(&self, id: WebhookId) -> RepoResult<()> {
        self.with_state(|s| {
            s.webhook_mut(self.org, id)?;
            s.webhooks.remove(&id);
            s.deliveries.retain(|d| d.delivery.webhook_id != id);
            Ok(())
        })
    }

    async fn rotate_webhook_secret(
        &self,
        id: WebhookId,
        secret: &WebhookSecret,
        previous_until: Timestamp,
        at: Timestamp,
    ) -> RepoResult<Webhook> {
        self.with_state(|s| {
            let w = &mut s.webhook_mut(self.org, id)?.webhook;
            let old = std::mem::replace(&mut w.secret, secret.clone());
            w.previous_secret = Some(PreviousSecret {
                secret: old,
                until: previous_until,
            });
            w.updated_at = at;
            Ok(w.clone())
        })
    }

    async fn replay_webhook(
        &self,
        id: WebhookId,
        after: i64,
        at: Timestamp,
    ) -> RepoResult<Webhook> {
        self.with_state(|s| {
            let stored = s.webhook_mut(self.org, id)?;
            stored.failures = 0;
            stored.failing_since = None;
            stored.next_attempt_at = at;
            stored.lease = None;
            let w = &mut stored.webhook;
            w.position = after;
            if w.status == WebhookStatus::Failing {
                w.status = WebhookStatus::Enabled;
                w.failing_reason = None;
            }
            w.updated_at = at;
            Ok(w.clone())
        })
    }

    async fn list_deliveries(&self, id: WebhookId, limit: u32) -> RepoResult<Page<Delivery>> {
        self.with_state(|s| {
            s.webhook_mut(self.org, id)?;
            let rows: Vec<Delivery> = s
                .deliveries
                .iter()
                .rev()
                .filter(|d| d.org == self.org && d.delivery.webhook_id == id)
                .map(|d| d.delivery.clone())
                .collect();
            let page = PageRequest::new(Some(i64::from(limit)), None)
                .map_err(|e| RepoError::Unexpected(e.to_string().into()))?;
            Ok(page_of(rows, page, Some(self.count_bound)))
        })
    }
}

/// Not scoped: the workers serve every org.
#[async_trait]
impl WebhookQueue for InMemoryStore {
    async fn claim_due(&self, lease: Duration, limit: u32) -> RepoResult<Vec<Claim>> {
        let now = now_micros();
        self.with_state(|s| {
            let mut due: Vec<(Timestamp, WebhookId)> = s
                .webhooks
                .values()
                .filter(|w| {
                    w.webhook.status == WebhookStatus::Enabled
                        && w.next_attempt_at <= now
                        && w.lease.is_none_or(|(_, until)| until <= now)
                })
                .map(|w| (w.next_attempt_at, w.webhook.id))
                .collect();
            due.sort();
            let mut claims = Vec::new();
            for (_, id) in due.into_iter().take(limit as usize) {
                s.last_lease += 1;
                let token = LeaseToken(s.last_lease);
                let Some(w) = s.webhooks.get_mut(&id) else {
                    continue;
                };
                w.lease = Some((token, later(now, lease)));
                let (webhook, failures, failing_since) =
                    (w.webhook.clone(), w.failures, w.failing_since);
                let org = s.org_ref(webhook.org).ok_or_else(|| {
                    RepoError::Unexpected(format!("webhook {id} without its org").into())
                })?;
                claims.push(Claim {
                    webhook,
                    org,
                    token,
                    failures,
                    failing_since,
                });
            }
            Ok(claims)
        })
    }

    async fn record_attempt(
        &self,
        token: LeaseToken,
        delivery: &Delivery,
        result: &AttemptResult,
        lease: Duration,
        keep: u32,
    ) -> RepoResult<bool> {
        let now = now_micros();
        self.with_state(|s| {
            let Some(w) = s.leased_mut(token, delivery.webhook_id) else {
                return Ok(false);
            };
            let mut logged = delivery.clone();
            match result {
                AttemptResult::Delivered => {
                    w.webhook.position = w.webhook.position.max(delivery.seq);
                    w.failures = 0;
                    w.failing_since = None;
                    w.lease = Some((token, later(now, lease)));
                    logged.next_attempt_at = None;
                }
                AttemptResult::Retry { after } => {
                    w.failures = delivery.attempt;
                    w.failing_since.get_or_insert(delivery.at);
                    w.next_attempt_at = later(now, *after);
                    w.lease = None;
                    logged.next_attempt_at = Some(w.next_attempt_at);
                }
                AttemptResult::GiveUp { reason } => {
                    w.webhook.status = WebhookStatus::Failing;
                    w.webhook.failing_reason = Some(reason.clone());
                    w.failures = delivery.attempt;
                    w.lease = None;
                    logged.next_attempt_at = None;
                }
            }
            let org = w.webhook.org;
            s.deliveries.push(StoredDelivery {
                org,
                delivery: logged,
            });
            // The log is oldest first: drop this subscription's oldest beyond the newest `keep`.
            let hook = delivery.webhook_id;
            let logged = s
                .deliveries
                .iter()
                .filter(|d| d.delivery.webhook_id == hook)
                .count();
            let mut excess = logged.saturating_sub(keep as usize);
            s.deliveries.retain(|d| {
                let drop = excess > 0 && d.delivery.webhook_id == hook;
                excess -= usize::from(drop);
                !drop
            });
            Ok(true)
        })
    }

    async fn skip_to(
        &self,
        token: LeaseToken,
        webhook: WebhookId,
        position: i64,
        lease: Duration,
    ) -> RepoResult<bool> {
        let now = now_micros();
        self.with_state(|s| {
            let Some(w) = s.leased_mut(token, webhook) else {
                return Ok(false);
            };
            w.webhook.position = w.webhook.position.max(position);
            w.lease = Some((token, later(now, lease)));
            Ok(true)
        })
    }

    async fn release(
        &self,
        token: LeaseToken,
        webhook: WebhookId,
        after: Duration,
    ) -> RepoResult<bool> {
        let now = now_micros();
        self.with_state(|s| {
            let Some(w) = s.leased_mut(token, webhook) else {
                return Ok(false);
            };
            w.lease = None;
            w.next_attempt_at = later(now, after);
            Ok(true)
        })
    }
}
