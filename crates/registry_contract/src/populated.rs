//! An org holding one of every tenant row (agent, grant, deployments, history, key, token,
//! events), and a snapshot of all of it: what the isolation behaviours probe from another org
//! and then check unchanged.

use crate::fixtures::*;
use registry_domain::{
    Agent, ApiKey, ApiKeyType, AuditEvent, Deployment, DeploymentHistory, EventKind, Grant, Org,
    Principal, ServiceToken, SortDirection,
};
use registry_ports::{AgentQuery, Ports};

/// One org's rows, as stored.
pub struct Populated {
    /// The org.
    pub org: Org,
    /// Its ports.
    pub ports: Ports,
    /// A Ready agent owned by `user:alice`, with `production` promoted.
    pub agent: Agent,
    /// The agent's production deployment.
    pub production: Deployment,
    /// A Ready, not promoted deployment of the agent.
    pub spare: Deployment,
    /// A history row of the agent.
    pub history: DeploymentHistory,
    /// An internal (credential) key of the agent, minted by the platform admin.
    pub key: ApiKey,
    /// The key's secret hash.
    pub key_hash: String,
    /// A token for `user:alice` (named `alice`).
    pub token: ServiceToken,
    /// The token's secret hash.
    pub token_hash: String,
}

/// `user:alice`, who owns the populated agent and holds its org's token.
pub fn alice() -> Principal {
    user("alice")
}

/// Fills `org` (whose ports are `ports`) with one of every tenant row.
pub async fn populate(org: Org, ports: Ports) -> Populated {
    let fresh = ready_agent();
    let created = ports
        .agents
        .create_if_absent(
            &fresh,
            Some(alice()),
            &[event(fresh.id, EventKind::Created, "admin")],
        )
        .await
        .expect("create agent");
    let agent = created.agent;
    ports
        .events
        .append(&[event(agent.id, EventKind::Updated, "admin")])
        .await
        .expect("append event");
    let production = ready_deployment(&ports, agent.id).await;
    let spare = ready_deployment(&ports, agent.id).await;
    let (production, agent) = ports
        .deployments
        .promote(
            &promotion(&agent, &production, now()),
            &[event(agent.id, EventKind::Promoted, "admin")],
        )
        .await
        .expect("promote");
    let history = history(agent.id, "abc123", now());
    assert!(ports.history.record(&history).await.expect("record"));
    let key = api_key(agent.id, "runtime", ApiKeyType::Internal, now());
    let key_hash = hash();
    let key_event = [event(agent.id, EventKind::KeyCreated, "admin")];
    ports
        .keys
        .create(&key, &key_hash, &key_event)
        .await
        .expect("create key");
    let token = service_token("alice", now());
    let token_hash = hash();
    ports
        .tokens
        .create(&token, &token_hash)
        .await
        .expect("create token");
    Populated {
        org,
        ports,
        agent,
        production,
        spare,
        history,
        key,
        key_hash,
        token,
        token_hash,
    }
}

/// Everything the org's own ports show of a populated org.
#[derive(Debug, PartialEq)]
pub struct Snapshot {
    agents: (Vec<Agent>, u64),
    deployments: Vec<Deployment>,
    history: Vec<DeploymentHistory>,
    keys: Vec<ApiKey>,
    tokens: Vec<ServiceToken>,
    grants: Vec<Grant>,
    events: Vec<AuditEvent>,
}

impl Populated {
    /// What the org's own ports show now.
    pub async fn snapshot(&self) -> Snapshot {
        let p = &self.ports;
        let id = self.agent.id;
        let agents = p.agents.list(&AgentQuery::default()).await.expect("list");
        let deployments = p.deployments.list(id, page(100, 1), SortDirection::Asc);
        let history = p.history.list(id, page(100, 1), SortDirection::Asc);
        Snapshot {
            agents: (agents.items, agents.total),
            deployments: deployments.await.expect("deployments").items,
            history: history.await.expect("history").items,
            keys: p.keys.list(id, page(100, 1)).await.expect("keys").items,
            tokens: p.tokens.list(page(100, 1)).await.expect("tokens").items,
            grants: grants_of(p, id).await,
            events: p.events.list(id, page(100, 1)).await.expect("events").items,
        }
    }
}
