//! Test data builders, so each behaviour reads as its assertions.

use registry_domain::state_machine::{apply, create};
use registry_domain::{
    AcpType, Action, Agent, AgentId, AgentName, ApiKey, ApiKeyId, ApiKeyType, Deployment,
    DeploymentHistory, DeploymentId, DeploymentStatus, Description, EventKind, Grant, HistoryId,
    LifecycleEvent, Metadata, NewAgent, NewEvent, PageRequest, Principal, Promotion, Role,
    ServiceToken, ServiceTokenId, Timestamp,
};
use registry_ports::Ports;
use std::sync::atomic::{AtomicU64, Ordering};

/// Now, truncated to microseconds (PostgreSQL's precision) so every adapter round-trips it.
pub fn now() -> Timestamp {
    let now = time::OffsetDateTime::now_utc();
    now.replace_nanosecond(now.nanosecond() / 1000 * 1000)
        .expect("microsecond-truncated nanos are valid")
}

/// `base` plus `seconds`.
pub fn later(base: Timestamp, seconds: i64) -> Timestamp {
    base + time::Duration::seconds(seconds)
}

/// A name no other test uses: `<prefix>-<counter>-<random>`.
pub fn unique_name(prefix: &str) -> AgentName {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    let random = AgentId::new_random().as_uuid().simple().to_string();
    AgentName::parse(&format!("{prefix}-{n}-{}", &random[..8])).expect("valid agent name")
}

/// A page request.
pub fn page(limit: i64, number: i64) -> PageRequest {
    PageRequest::new(Some(limit), Some(number)).expect("valid page")
}

/// A user principal.
pub fn user(name: &str) -> Principal {
    Principal::User(name.to_owned())
}

/// A metadata object.
pub fn metadata(value: serde_json::Value) -> Metadata {
    Metadata::parse(value).expect("metadata object")
}

/// An unsaved agent named `name`, created by `event` (Register → Ready, RegisterBuild →
/// BuildOnly) at `at`.
pub fn agent_named(name: AgentName, event: LifecycleEvent, at: Timestamp) -> Agent {
    let new = NewAgent {
        name,
        description: Description::parse("a test agent").expect("description"),
        acp_type: AcpType::Async,
        acp_url: Some("http://agent:8000".to_owned()),
        registration_metadata: None,
        agent_input_type: None,
    };
    create(new, event, at).expect("creating event")
}

/// An unsaved Ready agent with a unique name.
pub fn ready_agent() -> Agent {
    agent_named(unique_name("agent"), LifecycleEvent::Register, now())
}

/// An event of `kind` on `agent_id` by `actor`.
pub fn event(agent_id: AgentId, kind: EventKind, actor: &str) -> NewEvent {
    NewEvent {
        agent_id,
        kind,
        from_status: None,
        to_status: None,
        actor: actor.to_owned(),
        at: now(),
        detail: serde_json::json!({ "test": kind.as_str() }),
    }
}

/// Stores `agent` (no owner, one Created event) and returns it as stored.
pub async fn save(ports: &Ports, agent: &Agent) -> Agent {
    let outcome = ports
        .agents
        .create_if_absent(agent, None, &[event(agent.id, EventKind::Created, "admin")])
        .await
        .expect("create agent");
    assert!(outcome.created, "fixture agent name must be free");
    outcome.agent
}

/// A stored Ready agent with a unique name.
pub async fn saved_agent(ports: &Ports) -> Agent {
    save(ports, &ready_agent()).await
}

/// A stored Ready agent with a unique name, owned by `owner` (the grant written with it).
pub async fn owned_agent(ports: &Ports, owner: &Principal) -> Agent {
    let outcome = ports
        .agents
        .create_if_absent(&ready_agent(), Some(owner.clone()), &[])
        .await
        .expect("create owned agent");
    assert!(outcome.created, "fixture agent name must be free");
    outcome.agent
}

/// Grants `role` on `agent_id` to `principal` (no events) and returns the grant.
pub async fn grant(ports: &Ports, agent_id: AgentId, principal: &Principal, role: Role) -> Grant {
    ports
        .authorizer
        .grant(agent_id, principal, role, &[])
        .await
        .expect("grant")
}

/// Whether the authorizer lets `principal` do `action` on `agent_id`.
pub async fn allowed(
    ports: &Ports,
    principal: &Principal,
    agent_id: AgentId,
    action: Action,
) -> bool {
    ports
        .authorizer
        .check(principal, agent_id, action)
        .await
        .expect("check")
}

/// Stores `agent` Deleted (applying the Delete event) and returns it as stored.
pub async fn delete(ports: &Ports, agent: &Agent) -> Agent {
    let mut deleted = agent.clone();
    apply(&mut deleted, LifecycleEvent::Delete, now(), "admin").expect("delete applies");
    ports
        .agents
        .update(&deleted, &[])
        .await
        .expect("store deletion")
}

/// An unsaved Pending deployment of `agent_id` created at `at`.
pub fn deployment_at(agent_id: AgentId, at: Timestamp) -> Deployment {
    Deployment {
        id: DeploymentId::new_random(),
        agent_id,
        docker_image: "registry.example/agent:1".to_owned(),
        registration_metadata: Some(metadata(serde_json::json!({ "k": "v" }))),
        status: DeploymentStatus::Pending,
        acp_url: None,
        is_production: false,
        sgp_deploy_id: Some("sgp-1".to_owned()),
        helm_release_name: None,
        created_at: at,
        promoted_at: None,
        expires_at: None,
    }
}

/// A stored Pending deployment of `agent_id`.
pub async fn saved_deployment(ports: &Ports, agent_id: AgentId) -> Deployment {
    ports
        .deployments
        .create(&deployment_at(agent_id, now()))
        .await
        .expect("create deployment")
}

/// `deployment` as stored now (it must be there).
pub async fn stored_deployment(ports: &Ports, deployment: &Deployment) -> Deployment {
    ports
        .deployments
        .get(deployment.agent_id, deployment.id)
        .await
        .expect("get deployment")
        .expect("the deployment is stored")
}

/// A stored Ready deployment of `agent_id` serving at `http://<id>:8000`.
pub async fn ready_deployment(ports: &Ports, agent_id: AgentId) -> Deployment {
    let d = saved_deployment(ports, agent_id).await;
    ports
        .deployments
        .mark_ready(agent_id, d.id, &format!("http://{}:8000", d.id))
        .await
        .expect("mark ready")
}

/// The promotion of `deployment` (as read) on `agent` at `at`, as the domain decides it.
pub fn promotion(agent: &Agent, deployment: &Deployment, at: Timestamp) -> Promotion {
    agent
        .promote(Some(deployment), at, "admin")
        .expect("a promotable deployment")
}

/// An unsaved history row for `commit` deployed at `at`.
pub fn history(agent_id: AgentId, commit: &str, at: Timestamp) -> DeploymentHistory {
    DeploymentHistory {
        id: HistoryId::new_random(),
        agent_id,
        author_name: "Ada".to_owned(),
        author_email: "ada@example.com".to_owned(),
        branch_name: "main".to_owned(),
        build_timestamp: at,
        deployment_timestamp: at,
        commit_hash: commit.to_owned(),
    }
}

/// An unsaved API key minted by the admin.
pub fn api_key(agent_id: AgentId, name: &str, key_type: ApiKeyType, at: Timestamp) -> ApiKey {
    ApiKey {
        id: ApiKeyId::new_random(),
        agent_id,
        name: name.to_owned(),
        api_key_type: key_type,
        created_at: at,
        created_by: Principal::Admin,
    }
}

/// An unsaved internal API key minted by `minter` now.
pub fn minted_key(agent_id: AgentId, name: &str, minter: &Principal) -> ApiKey {
    ApiKey {
        created_by: minter.clone(),
        ..api_key(agent_id, name, ApiKeyType::Internal, now())
    }
}

/// An unsaved service token for `user:<name>`.
pub fn service_token(name: &str, at: Timestamp) -> ServiceToken {
    ServiceToken {
        id: ServiceTokenId::new_random(),
        name: name.to_owned(),
        principal: user(name),
        created_at: at,
    }
}

/// A fresh random secret hash.
pub fn hash() -> String {
    format!("hash-{}", AgentId::new_random().as_uuid().simple())
}

/// Every grant on `agent` (one page of up to 1,000), in the port's order.
pub async fn grants_of(ports: &Ports, agent: AgentId) -> Vec<registry_domain::Grant> {
    let page = ports.authorizer.grants(agent, page(1000, 1)).await;
    page.expect("grants").items
}
