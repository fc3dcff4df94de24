//! [`Ports`]: every port, built once from one store.

use crate::{
    AgentRepository, ApiKeyRepository, Authorizer, CardRepository, CredentialStore,
    DeploymentRepository, EventLog, HistoryRepository, OrgRepository, ServiceTokenRepository,
    WebhookQueue, WebhookRepository,
};
use std::sync::Arc;

/// Every port the use cases call, each behind its trait, the tenant ones bound to one org. Built
/// from one store that implements them all ([`Ports::from_store`]; per org through
/// [`crate::Tenancy`]): the server over PostgreSQL, the HTTP tests over the in-memory store,
/// the contract suite over the adapter under test. Unit tests with mocks fill the fields one by
/// one.
#[derive(Clone)]
pub struct Ports {
    /// Agents.
    pub agents: Arc<dyn AgentRepository>,
    /// Deployments.
    pub deployments: Arc<dyn DeploymentRepository>,
    /// Deployment history.
    pub history: Arc<dyn HistoryRepository>,
    /// Agent API keys.
    pub keys: Arc<dyn ApiKeyRepository>,
    /// Service tokens.
    pub tokens: Arc<dyn ServiceTokenRepository>,
    /// The audit trail.
    pub events: Arc<dyn EventLog>,
    /// Grants.
    pub authorizer: Arc<dyn Authorizer>,
    /// Orgs (not scoped: the platform admin's).
    pub orgs: Arc<dyn OrgRepository>,
    /// Credential lookups across orgs (authentication, before the org is known).
    pub credentials: Arc<dyn CredentialStore>,
    /// Webhook subscriptions.
    pub webhooks: Arc<dyn WebhookRepository>,
    /// The delivery workers' queue (not scoped: every org's subscriptions).
    pub webhook_queue: Arc<dyn WebhookQueue>,
    /// A2A agent cards.
    pub cards: Arc<dyn CardRepository>,
}

impl Ports {
    /// Every port served by `store` (shared, not copied).
    pub fn from_store<S>(store: Arc<S>) -> Self
    where
        S: AgentRepository
            + DeploymentRepository
            + HistoryRepository
            + ApiKeyRepository
            + ServiceTokenRepository
            + EventLog
            + Authorizer
            + OrgRepository
            + CredentialStore
            + WebhookRepository
            + WebhookQueue
            + CardRepository
            + 'static,
    {
        Self {
            agents: store.clone(),
            deployments: store.clone(),
            history: store.clone(),
            keys: store.clone(),
            tokens: store.clone(),
            events: store.clone(),
            authorizer: store.clone(),
            orgs: store.clone(),
            credentials: store.clone(),
            webhooks: store.clone(),
            webhook_queue: store.clone(),
            cards: store,
        }
    }
}
