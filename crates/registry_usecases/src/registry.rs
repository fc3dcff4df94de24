//! The registry facade: the ports it is built from and its configuration. Each use case is an
//! `impl Registry` block in its own file.

use registry_ports::{
    AgentRepository, ApiKeyRepository, Authorizer, DeploymentRepository, EventLog,
    HistoryRepository, ServiceTokenRepository,
};
use std::sync::Arc;
use std::time::Duration;

/// Who may `create` on `agent:*`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum CreatorPolicy {
    /// Every authenticated principal that is not an agent key (the default).
    #[default]
    AnyAuthenticated,
    /// Only the admin.
    AdminOnly,
}

/// Configuration the use cases need.
#[derive(Debug, Clone)]
pub struct RegistryConfig {
    /// The admin token (compared in constant time).
    pub admin_token: String,
    /// Server secret for the keyed hash (HMAC-SHA-256) of every stored credential.
    pub key_hash_secret: Vec<u8>,
    /// Who may create agents.
    pub creators: CreatorPolicy,
    /// `false` only with the explicit insecure flag: every caller is treated as the admin.
    pub authorization_enabled: bool,
    /// A Ready agent whose last heartbeat is older than this becomes Unhealthy.
    pub heartbeat_ttl: Duration,
}

/// The registry: every use case, over the ports it was built with.
#[derive(Clone)]
pub struct Registry {
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
    /// Audit trail.
    pub events: Arc<dyn EventLog>,
    /// Grants.
    pub authorizer: Arc<dyn Authorizer>,
    /// Configuration.
    pub config: RegistryConfig,
}
