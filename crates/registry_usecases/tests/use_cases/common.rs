//! A registry over the in-memory store (which passes the same contract suite as PostgreSQL),
//! and the few steps the use-case tests share.

use registry_domain::enums::DEFAULT_ACP_TYPE;
use registry_domain::{
    AcpType, Agent, AgentName, AgentRef, AuditEvent, Description, EventKind, NewAgent, PageRequest,
    Principal, Role,
};
use registry_store_memory::InMemoryStore;
use registry_usecases::{CreatorPolicy, Registry, RegistryConfig};
use std::sync::Arc;
use std::time::Duration;

/// A registry and the store behind it (for arranging state the API cannot reach directly).
pub struct World {
    pub store: Arc<InMemoryStore>,
    pub registry: Registry,
}

/// A fresh registry with authorization on and every principal allowed to create.
pub fn world() -> World {
    let store = InMemoryStore::new();
    let config = RegistryConfig {
        admin_token: "admin-secret".to_owned(),
        key_hash_secret: b"server-key".to_vec(),
        creators: CreatorPolicy::AnyAuthenticated,
        authorization_enabled: true,
        heartbeat_ttl: Duration::from_secs(60),
        default_org_max_agents: None,
        webhook_targets: registry_domain::TargetRules::default(),
        webhook_secret_overlap: std::time::Duration::from_secs(86_400),
    };
    let registry = Registry::with_tenancy(store.clone(), config);
    World { store, registry }
}

pub fn alice() -> Principal {
    Principal::User("alice".to_owned())
}

pub fn bob() -> Principal {
    Principal::User("bob".to_owned())
}

pub fn name(text: &str) -> AgentName {
    AgentName::parse(text).unwrap()
}

/// The agent a build registration of `name` declares.
pub fn build_of(text: &str) -> NewAgent {
    NewAgent {
        name: name(text),
        description: Description::parse("build").unwrap(),
        acp_type: DEFAULT_ACP_TYPE,
        acp_url: None,
        registration_metadata: None,
        agent_input_type: None,
    }
}

/// The agent a deploy-time registration of `name` declares.
pub fn deployed(text: &str) -> NewAgent {
    NewAgent {
        description: Description::parse("deployed").unwrap(),
        acp_type: AcpType::Sync,
        acp_url: Some("http://a:8000".to_owned()),
        ..build_of(text)
    }
}

impl World {
    /// `caller` registers a build of `name` (it becomes owner).
    pub async fn build(&self, caller: &Principal, text: &str) -> Agent {
        let written = self.registry.register_build(caller, build_of(text)).await;
        written.unwrap().agent
    }

    /// The admin gives `principal` `role` on `agent`.
    pub async fn grant(&self, agent: &Agent, principal: &Principal, role: Role) {
        self.registry
            .add_grant(&Principal::Admin, agent.id, principal.clone(), role)
            .await
            .unwrap();
    }

    /// The agent's events, oldest first (as the admin reads them).
    pub async fn events(&self, agent: &Agent) -> Vec<AuditEvent> {
        let page = PageRequest::new(Some(1000), None).unwrap();
        let newest_first = self
            .registry
            .list_agent_events(&Principal::Admin, agent.id, page)
            .await
            .unwrap();
        newest_first.items.into_iter().rev().collect()
    }

    /// The kinds of the agent's events, oldest first.
    pub async fn event_kinds(&self, agent: &Agent) -> Vec<EventKind> {
        self.events(agent)
            .await
            .iter()
            .map(|e| e.event.kind)
            .collect()
    }

    /// The agent as the admin reads it by id.
    pub async fn reread(&self, agent: &Agent) -> Agent {
        let at = AgentRef::Id(agent.id);
        self.registry
            .get_agent(&Principal::Admin, &at)
            .await
            .unwrap()
    }
}

impl World {
    /// Stores `agent` as it is now through the port (for states only the monitor reaches).
    pub async fn store_update(&self, agent: &Agent) -> Agent {
        use registry_ports::AgentRepository;
        self.store.update(agent, &[]).await.unwrap()
    }
}

impl World {
    /// The agent's keys (metadata), through the port.
    pub async fn store_keys(&self, agent: &Agent) -> Vec<registry_domain::ApiKey> {
        use registry_ports::ApiKeyRepository;
        let page = self.store.list(agent.id, PageRequest::default()).await;
        page.unwrap().items
    }
}
