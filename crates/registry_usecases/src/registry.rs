//! The registry facade: the ports it is built from and its configuration. Each use case is an
//! `impl Registry` block in its own file and reaches the ports through the private fields
//! (flat, so a use case reads `self.agents`).

use registry_domain::{OrgId, OrgRef, TargetRules};
use registry_ports::{
    AgentRepository, ApiKeyRepository, Authorizer, CardRepository, CredentialStore,
    DeploymentRepository, EventLog, HistoryRepository, HostResolver, OrgRepository, Ports,
    Prefetched, ServiceTokenRepository, Tenancy, WebhookRepository,
};
use std::sync::{Arc, Mutex, PoisonError};
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
    /// `max_agents` of a new org when its creator names none (`DEFAULT_ORG_MAX_AGENTS`;
    /// `None`: unlimited).
    pub default_org_max_agents: Option<u32>,
    /// What webhook targets may be beyond public `https` hosts (`WEBHOOK_ALLOW_HTTP`,
    /// `WEBHOOK_ALLOW_PRIVATE_TARGETS`).
    pub webhook_targets: TargetRules,
    /// How long a rotated-out webhook secret keeps signing beside the new one.
    pub webhook_secret_overlap: Duration,
}

/// The registry: every use case, acting in one org over that org's ports. A request gets the
/// registry of the org its caller acts in ([`Registry::in_org`]); the tenant ports it holds are
/// bound to that org, so nothing a use case does can reach another org's rows.
#[derive(Clone)]
pub struct Registry {
    pub(crate) agents: Arc<dyn AgentRepository>,
    pub(crate) deployments: Arc<dyn DeploymentRepository>,
    pub(crate) history: Arc<dyn HistoryRepository>,
    pub(crate) keys: Arc<dyn ApiKeyRepository>,
    pub(crate) tokens: Arc<dyn ServiceTokenRepository>,
    pub(crate) events: Arc<dyn EventLog>,
    pub(crate) authorizer: Arc<dyn Authorizer>,
    pub(crate) orgs: Arc<dyn OrgRepository>,
    pub(crate) credentials: Arc<dyn CredentialStore>,
    pub(crate) webhooks: Arc<dyn WebhookRepository>,
    /// Resolves webhook hosts for the safe-target check; `None`: names are checked only at
    /// delivery (tests over the memory store).
    pub(crate) host_resolver: Option<Arc<dyn HostResolver>>,
    pub(crate) cards: Arc<dyn CardRepository>,
    pub(crate) tenancy: Arc<dyn Tenancy>,
    pub(crate) org: OrgRef,
    pub(crate) config: Arc<RegistryConfig>,
    /// The agent the request addresses, read with its credential; used once, by the first
    /// read of that agent (a retry after a stale write reads the store again).
    prefetched: Arc<Mutex<Option<Prefetched>>>,
}

/// Serves every org with the same ports: for unit tests with mocks, where one set of ports
/// stands for whatever org a test acts in.
struct SamePorts(Ports);

impl Tenancy for SamePorts {
    fn ports(&self, _org: OrgId) -> Ports {
        self.0.clone()
    }
}

impl Registry {
    /// The registry over fixed `ports` for every org (unit tests with mocks), acting in the
    /// `default` org.
    pub fn new(ports: Ports, config: RegistryConfig) -> Self {
        let tenancy = Arc::new(SamePorts(ports.clone()));
        Self::assemble(ports, tenancy, OrgRef::default_org(), Arc::new(config))
    }

    /// The registry over a store that serves each org its own ports (`tenancy`: the server's
    /// PostgreSQL store, the HTTP tests' memory store), acting in the `default` org.
    pub fn with_tenancy(tenancy: Arc<dyn Tenancy>, config: RegistryConfig) -> Self {
        let ports = tenancy.ports(OrgId::DEFAULT);
        Self::assemble(ports, tenancy, OrgRef::default_org(), Arc::new(config))
    }

    /// The same registry acting in `org`: its tenant ports bound to that org.
    pub fn in_org(&self, org: &OrgRef) -> Self {
        if *org == self.org {
            return self.clone();
        }
        let ports = self.tenancy.ports(org.id);
        let mut registry = Self::assemble(
            ports,
            self.tenancy.clone(),
            org.clone(),
            self.config.clone(),
        );
        registry.host_resolver.clone_from(&self.host_resolver);
        registry
    }

    /// The same registry, handed the agent read together with the caller's credential
    /// ([`registry_ports::Authenticator::authenticate_reading`]).
    pub fn with_prefetched(mut self, prefetched: Option<Prefetched>) -> Self {
        self.prefetched = Arc::new(Mutex::new(prefetched));
        self
    }

    /// The prefetched read of `at`, once.
    pub(crate) fn take_prefetched(&self, at: &registry_domain::AgentRef) -> Option<Prefetched> {
        let mut slot = self
            .prefetched
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        slot.take_if(|p| p.at == *at)
    }

    /// The same registry, resolving webhook hosts with `resolver` (the server's DNS).
    pub fn with_host_resolver(mut self, resolver: Arc<dyn HostResolver>) -> Self {
        self.host_resolver = Some(resolver);
        self
    }

    /// The org this registry acts in.
    pub fn org(&self) -> &OrgRef {
        &self.org
    }

    fn assemble(
        ports: Ports,
        tenancy: Arc<dyn Tenancy>,
        org: OrgRef,
        config: Arc<RegistryConfig>,
    ) -> Self {
        let Ports {
            agents,
            deployments,
            history,
            keys,
            tokens,
            events,
            authorizer,
            orgs,
            credentials,
            webhooks,
            webhook_queue: _,
            cards,
        } = ports;
        Self {
            agents,
            deployments,
            history,
            keys,
            tokens,
            events,
            authorizer,
            orgs,
            credentials,
            webhooks,
            host_resolver: None,
            cards,
            tenancy,
            org,
            config,
            prefetched: Arc::default(),
        }
    }

    /// Whether authorization is on (off only with the explicit insecure flag).
    pub fn authorization_enabled(&self) -> bool {
        self.config.authorization_enabled
    }
}
