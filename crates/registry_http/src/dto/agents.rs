//! Agents on the wire.

use super::{metadata_json, opt_timestamp, rules, timestamp};
use registry_domain::Agent;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// An agent (the peer's `Agent`, plus `last_seen_at`; never `acp_url`).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AgentResponse {
    /// Id (UUID).
    pub id: String,
    /// Unique among live agents, `^[a-z0-9-]+$`.
    pub name: String,
    /// Free text.
    pub description: String,
    /// `Ready`, `Failed`, `Unknown`, `Deleted`, `Unhealthy` or `BuildOnly`.
    #[schema(value_type = rules::AgentStatus)]
    pub status: String,
    /// `sync`, `async` or `agentic`.
    #[schema(value_type = rules::AcpType)]
    pub acp_type: String,
    /// Why the status is what it is.
    pub status_reason: Option<String>,
    /// RFC 3339 UTC.
    pub created_at: String,
    /// RFC 3339 UTC.
    pub updated_at: String,
    /// Free-form JSON object.
    #[schema(value_type = Option<Object>)]
    pub registration_metadata: Option<serde_json::Value>,
    /// Last transition to Ready (RFC 3339 UTC).
    pub registered_at: Option<String>,
    /// `text` or `json`.
    #[schema(value_type = Option<rules::AgentInputType>)]
    pub agent_input_type: Option<String>,
    /// The promoted deployment.
    pub production_deployment_id: Option<String>,
    /// Last heartbeat (RFC 3339 UTC); ours, not the peer's.
    pub last_seen_at: Option<String>,
}

impl From<&Agent> for AgentResponse {
    fn from(a: &Agent) -> Self {
        Self {
            id: a.id.to_string(),
            name: a.name.to_string(),
            description: a.description.as_str().to_owned(),
            status: a.status.as_str().to_owned(),
            acp_type: a.acp_type.as_str().to_owned(),
            status_reason: a.status_reason.clone(),
            created_at: timestamp(a.created_at),
            updated_at: timestamp(a.updated_at),
            registration_metadata: metadata_json(&a.registration_metadata),
            registered_at: opt_timestamp(a.registered_at),
            agent_input_type: a.agent_input_type.map(|t| t.as_str().to_owned()),
            production_deployment_id: a.production_deployment_id.map(|d| d.to_string()),
            last_seen_at: opt_timestamp(a.last_seen_at),
        }
    }
}

/// `POST /agents/register` response: the agent plus its new internal key (once), else null.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RegisterAgentResponse {
    /// The agent.
    #[serde(flatten)]
    pub agent: AgentResponse,
    /// A newly minted internal key (`agk_…`), shown once; null when the agent already had one.
    pub agent_api_key: Option<String>,
}

/// `PUT /agents/name/{agent_name}` response: the agent plus whether it was created.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct UpsertAgentResponse {
    /// The agent.
    #[serde(flatten)]
    pub agent: AgentResponse,
    /// True when this call created it (201).
    pub created: bool,
}

/// `POST /agents/register-build` body.
#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct RegisterBuildRequest {
    /// `^[a-z0-9-]+$`, 1..=63 characters.
    #[schema(value_type = rules::AgentName)]
    pub name: String,
    /// At most 4096 characters.
    #[schema(value_type = rules::Description)]
    pub description: String,
    /// JSON object, at most 64 KiB.
    #[schema(value_type = Option<rules::RegistrationMetadata>)]
    pub registration_metadata: Option<serde_json::Value>,
    /// `text` or `json`.
    #[schema(value_type = Option<rules::AgentInputType>)]
    pub agent_input_type: Option<String>,
    /// Accepted and ignored: identity comes from credentials only.
    #[schema(value_type = Option<Object>)]
    #[allow(dead_code)] // documented and accepted, never read
    pub principal_context: Option<serde_json::Value>,
}

/// `POST /agents/register` body (deploy-time registration).
#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct RegisterAgentRequest {
    /// Agent name.
    #[schema(value_type = rules::AgentName)]
    pub name: String,
    /// Description.
    #[schema(value_type = rules::Description)]
    pub description: String,
    /// Where the agent (or the deployment) serves (at most 2048 characters).
    #[schema(value_type = rules::AcpUrl)]
    pub acp_url: String,
    /// `sync`, `async` or `agentic`.
    #[schema(value_type = rules::AcpType)]
    pub acp_type: String,
    /// Register this existing agent (rename allowed if the new name is free).
    #[schema(value_type = Option<rules::Id>)]
    pub agent_id: Option<String>,
    /// Metadata; `deployment_id` switches to deployment-scoped registration.
    #[schema(value_type = Option<rules::RegisterMetadata>)]
    pub registration_metadata: Option<serde_json::Value>,
    /// `text` or `json`.
    #[schema(value_type = Option<rules::AgentInputType>)]
    pub agent_input_type: Option<String>,
    /// Accepted and ignored.
    #[schema(value_type = Option<Object>)]
    #[allow(dead_code)] // documented and accepted, never read
    pub principal_context: Option<serde_json::Value>,
}

/// `PUT /agents/name/{agent_name}` body.
#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct UpsertAgentRequest {
    /// Description.
    #[schema(value_type = rules::Description)]
    pub description: String,
    /// Replaces the stored metadata.
    #[schema(value_type = Option<rules::RegistrationMetadata>)]
    pub registration_metadata: Option<serde_json::Value>,
    /// Replaces the stored input type.
    #[schema(value_type = Option<rules::AgentInputType>)]
    pub agent_input_type: Option<String>,
    /// Accepted and ignored.
    #[schema(value_type = Option<Object>)]
    #[allow(dead_code)] // documented and accepted, never read
    pub principal_context: Option<serde_json::Value>,
}
