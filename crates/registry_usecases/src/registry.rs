//! The registry facade: the ports it is built from and its configuration. Each use case is an
//! `impl Registry` block in its own file and reaches the ports through the private fields
//! (flat, so a use case reads `self.agents`).

use registry_ports::{
    AgentRepository, ApiKeyRepository, Authorizer, DeploymentRepository, EventLog,
    HistoryRepository, Ports, ServiceTokenRepository,
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
    pub(crate) agents: Arc<dyn AgentRepository>,
    pub(crate) deployments: Arc<dyn DeploymentRepository>,
    pub(crate) history: Arc<dyn HistoryRepository>,
    pub(crate) keys: Arc<dyn ApiKeyRepository>,
    pub(crate) tokens: Arc<dyn ServiceTokenRepository>,
    pub(crate) events: Arc<dyn EventLog>,
    pub(crate) authorizer: Arc<dyn Authorizer>,
    pub(crate) config: RegistryConfig,
}

impl Registry {
    /// The registry over `ports` (built once, e.g. [`Ports::from_store`]) with `config`.
    pub fn new(ports: Ports, config: RegistryConfig) -> Self {
        let Ports {
            agents,
            deployments,
            history,
            keys,
            tokens,
            events,
            authorizer,
        } = ports;
        Self {
            agents,
            deployments,
            history,
            keys,
            tokens,
            events,
            authorizer,
            config,
        }
    }

    /// Whether authorization is on (off only with the explicit insecure flag).
    pub fn authorization_enabled(&self) -> bool {
        self.config.authorization_enabled
    }
}
