//! Test helpers: a registry over mockall mocks, and sample agents.

use crate::{CreatorPolicy, Registry, RegistryConfig};
use registry_domain::state_machine::create;
use registry_domain::{
    AcpType, Agent, AgentName, AgentStatus, Description, LifecycleEvent, NewAgent, Principal,
};
use registry_ports::{
    MockAgentRepository, MockApiKeyRepository, MockAuthorizer, MockCardRepository,
    MockCredentialStore, MockDeploymentRepository, MockEventLog, MockHistoryRepository,
    MockOrgRepository, MockServiceTokenRepository, MockWebhookQueue, MockWebhookRepository, Ports,
};
use std::sync::Arc;
use std::time::Duration;

/// One mock per port; a call without an expectation panics, which is how tests prove that
/// nothing else was touched.
#[derive(Default)]
pub(crate) struct Mocks {
    pub agents: MockAgentRepository,
    pub deployments: MockDeploymentRepository,
    pub history: MockHistoryRepository,
    pub keys: MockApiKeyRepository,
    pub tokens: MockServiceTokenRepository,
    pub events: MockEventLog,
    pub authorizer: MockAuthorizer,
    pub orgs: MockOrgRepository,
    pub credentials: MockCredentialStore,
    pub webhooks: MockWebhookRepository,
    pub webhook_queue: MockWebhookQueue,
    pub cards: MockCardRepository,
}

impl Mocks {
    pub fn registry(self) -> Registry {
        let ports = Ports {
            agents: Arc::new(self.agents),
            deployments: Arc::new(self.deployments),
            history: Arc::new(self.history),
            keys: Arc::new(self.keys),
            tokens: Arc::new(self.tokens),
            events: Arc::new(self.events),
            authorizer: Arc::new(self.authorizer),
            orgs: Arc::new(self.orgs),
            credentials: Arc::new(self.credentials),
            webhooks: Arc::new(self.webhooks),
            webhook_queue: Arc::new(self.webhook_queue),
            cards: Arc::new(self.cards),
        };
        Registry::new(ports, config())
    }
}

pub(crate) fn config() -> RegistryConfig {
    RegistryConfig {
        admin_token: "admin-secret".to_owned(),
        key_hash_secret: b"server-key".to_vec(),
        creators: CreatorPolicy::AnyAuthenticated,
        authorization_enabled: true,
        heartbeat_ttl: Duration::from_secs(60),
        default_org_max_agents: None,
        webhook_targets: registry_domain::TargetRules::default(),
        webhook_secret_overlap: std::time::Duration::from_secs(86_400),
    }
}

pub(crate) fn alice() -> Principal {
    Principal::User("alice".to_owned())
}

/// A stored agent named `name` in `status` (reached the way the domain would).
pub(crate) fn agent(name: &str, status: AgentStatus) -> Agent {
    let new = NewAgent {
        name: AgentName::parse(name).unwrap(),
        description: Description::parse("d").unwrap(),
        acp_type: AcpType::Async,
        acp_url: None,
        registration_metadata: None,
        agent_input_type: None,
    };
    let now = time::OffsetDateTime::now_utc();
    let mut agent = create(new, LifecycleEvent::RegisterBuild, now).unwrap();
    agent.status = status;
    agent
}
