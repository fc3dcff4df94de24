//! `/webhooks` (contract §10): an org's admins (and the platform admin acting in it) manage the
//! org's subscriptions; secrets are generated here and shown once; targets are checked against
//! the safe-target rules, names resolved.

use crate::audit::now;
use crate::repo_error::repo_error;
use crate::{Registry, RegistryError};
use registry_domain::{
    Delivery, EventKind, Page, PageRequest, Principal, ValidationError, Webhook, WebhookChanges,
    WebhookId, WebhookSecret, WebhookStatus, WebhookUrl, WEBHOOK_SECRET_BYTES,
};
use registry_ports::RepoError;

/// Body of `POST /webhooks`, validated but for the target's resolution.
#[derive(Debug, Clone, PartialEq)]
pub struct CreateWebhookInput {
    /// Target.
    pub url: String,
    /// Kinds delivered; `None`: every kind.
    pub event_kinds: Option<Vec<EventKind>>,
    /// Free text.
    pub description: String,
}

/// A subscription with its secret, the one time it is shown.
#[derive(Debug, Clone, PartialEq)]
pub struct WebhookWithSecret {
    /// The subscription.
    pub webhook: Webhook,
    /// Its (new) signing key.
    pub secret: WebhookSecret,
}

impl Registry {
    /// Creates a subscription of the org acted in, with a fresh secret; the store starts it at
    /// the feed's head. Admins only.
    ///
    /// Errors: `Forbidden`, `Validation` (`url`), `Unavailable`, `Internal`.
    pub async fn create_webhook(
        &self,
        caller: &Principal,
        input: CreateWebhookInput,
    ) -> Result<WebhookWithSecret, RegistryError> {
        self.require_admin(caller)?;
        self.check_target(&input.url).await?;
        let secret = new_webhook_secret()?;
        let at = now();
        let webhook = Webhook {
            id: WebhookId::new_random(),
            org: self.org.id,
            url: input.url,
            event_kinds: input.event_kinds,
            description: input.description,
            status: WebhookStatus::Enabled,
            failing_reason: None,
            secret: secret.clone(),
            previous_secret: None,
            position: 0,
            created_at: at,
            updated_at: at,
        };
        let webhook = self
            .webhooks
            .create_webhook(&webhook)
            .await
            .map_err(repo_error)?;
        Ok(WebhookWithSecret { webhook, secret })
    }

    /// A page of the org's subscriptions. Admins only.
    pub async fn list_webhooks(
        &self,
        caller: &Principal,
        page: PageRequest,
    ) -> Result<Page<Webhook>, RegistryError> {
        self.require_admin(caller)?;
        self.webhooks.list_webhooks(page).await.map_err(repo_error)
    }

    /// One subscription. Admins only.
    ///
    /// Errors: `Forbidden`, `WebhookNotFound`, `Unavailable`, `Internal`.
    pub async fn get_webhook(
        &self,
        caller: &Principal,
        id: WebhookId,
    ) -> Result<Webhook, RegistryError> {
        self.require_admin(caller)?;
        self.webhooks
            .get_webhook(id)
            .await
            .map_err(repo_error)?
            .ok_or(RegistryError::WebhookNotFound)
    }

    /// Changes a subscription (a new `url` is checked like at create; `status` is `enabled`
    /// or `disabled`). Admins only.
    ///
    /// Errors: `Forbidden`, `Validation`, `WebhookNotFound`, `Unavailable`, `Internal`.
    pub async fn update_webhook(
        &self,
        caller: &Principal,
        id: WebhookId,
        changes: WebhookChanges,
    ) -> Result<Webhook, RegistryError> {
        self.require_admin(caller)?;
        if changes.status == Some(WebhookStatus::Failing) {
            return Err(ValidationError::new("status", "must be enabled or disabled").into());
        }
        if let Some(url) = &changes.url {
            self.check_target(url).await?;
        }
        self.webhooks
            .update_webhook(id, &changes, now())
            .await
            .map_err(not_found)
    }

    /// Deletes a subscription and its delivery log. Admins only.
    ///
    /// Errors: `Forbidden`, `WebhookNotFound`, `Unavailable`, `Internal`.
    pub async fn delete_webhook(
        &self,
        caller: &Principal,
        id: WebhookId,
    ) -> Result<(), RegistryError> {
        self.require_admin(caller)?;
        self.webhooks.delete_webhook(id).await.map_err(not_found)
    }

    /// Gives a subscription a new secret, shown once; the replaced one keeps signing (both
    /// signatures are sent) for the configured overlap. Admins only.
    ///
    /// Errors: `Forbidden`, `WebhookNotFound`, `Unavailable`, `Internal`.
    pub async fn rotate_webhook_secret(
        &self,
        caller: &Principal,
        id: WebhookId,
    ) -> Result<WebhookWithSecret, RegistryError> {
        self.require_admin(caller)?;
        let secret = new_webhook_secret()?;
        let at = now();
        let until = at + self.config.webhook_secret_overlap;
        let webhook = self
            .webhooks
            .rotate_webhook_secret(id, &secret, until, at)
            .await
            .map_err(not_found)?;
        Ok(WebhookWithSecret { webhook, secret })
    }

    /// Redelivers every event after `after` (re-enabling a `failing` subscription). Admins
    /// only.
    ///
    /// Errors: `Forbidden`, `Validation` (`after`), `WebhookNotFound`, `Unavailable`,
    /// `Internal`.
    pub async fn replay_webhook(
        &self,
        caller: &Principal,
        id: WebhookId,
        after: i64,
    ) -> Result<Webhook, RegistryError> {
        self.require_admin(caller)?;
        if after < 0 {
            return Err(ValidationError::new("after", "must be at least 0").into());
        }
        self.webhooks
            .replay_webhook(id, after, now())
            .await
            .map_err(not_found)
    }

    /// The newest `limit` delivery attempts of a subscription, newest first, with the total.
    /// Admins only.
    ///
    /// Errors: `Forbidden`, `WebhookNotFound`, `Unavailable`, `Internal`.
    pub async fn list_deliveries(
        &self,
        caller: &Principal,
        id: WebhookId,
        limit: u32,
    ) -> Result<Page<Delivery>, RegistryError> {
        self.require_admin(caller)?;
        self.webhooks
            .list_deliveries(id, limit)
            .await
            .map_err(not_found)
    }

    /// `Validation` naming `url` unless `url` is a safe target under the configured rules:
    /// its syntax and literal address, then every address its name resolves to.
    async fn check_target(&self, url: &str) -> Result<(), RegistryError> {
        let rules = self.config.webhook_targets;
        let target = WebhookUrl::parse(url, "url", rules)?;
        let (Some(host), Some(resolver)) = (target.domain(), &self.host_resolver) else {
            return Ok(());
        };
        if rules.allow_private {
            return Ok(());
        }
        let addresses = resolver
            .resolve(host, target.port())
            .await
            .map_err(|reason| {
                ValidationError::new("url", format!("host does not resolve: {reason}"))
            })?;
        match addresses.iter().find(|ip| !rules.admits(**ip)) {
            Some(ip) => Err(ValidationError::new(
                "url",
                format!(
                    "host resolves to {ip}: loopback, private, link-local and unspecified targets are refused"
                ),
            )
            .into()),
            None => Ok(()),
        }
    }
}

/// A fresh signing key from the OS CSPRNG. `Internal` if the OS cannot provide randomness.
fn new_webhook_secret() -> Result<WebhookSecret, RegistryError> {
    let mut bytes = vec![0u8; WEBHOOK_SECRET_BYTES];
    getrandom::getrandom(&mut bytes)
        .map_err(|e| RegistryError::Internal(format!("OS random source failed: {e}").into()))?;
    Ok(WebhookSecret::from_bytes(bytes))
}

fn not_found(error: RepoError) -> RegistryError {
    match error {
        RepoError::NotFound => RegistryError::WebhookNotFound,
        other => repo_error(other),
    }
}
