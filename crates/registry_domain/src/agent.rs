//! The agent entity.

use crate::{
    AcpType, AgentId, AgentInputType, AgentName, AgentStatus, DeploymentId, Description, Metadata,
    Timestamp,
};

/// An agent as the registry keeps it. Its `status` changes only through
/// [`crate::state_machine::apply`].
#[derive(Debug, Clone, PartialEq)]
pub struct Agent {
    /// Stable id, assigned at creation.
    pub id: AgentId,
    /// Unique among non-Deleted agents.
    pub name: AgentName,
    /// Free text.
    pub description: Description,
    /// Lifecycle status.
    pub status: AgentStatus,
    /// Why the status is what it is.
    pub status_reason: Option<String>,
    /// ACP flavour.
    pub acp_type: AcpType,
    /// Where the agent serves (not returned on the wire, as the peer).
    pub acp_url: Option<String>,
    /// Free-form registration metadata.
    pub registration_metadata: Option<Metadata>,
    /// Input type, if declared.
    pub agent_input_type: Option<AgentInputType>,
    /// The promoted deployment, if any.
    pub production_deployment_id: Option<DeploymentId>,
    /// Creation time.
    pub created_at: Timestamp,
    /// Last write time.
    pub updated_at: Timestamp,
    /// Last transition to Ready.
    pub registered_at: Option<Timestamp>,
    /// Last heartbeat.
    pub last_seen_at: Option<Timestamp>,
    /// When it was deleted.
    pub deleted_at: Option<Timestamp>,
    /// Who deleted it (principal text).
    pub deleted_by: Option<String>,
    /// Optimistic-concurrency version, bumped by every write; the ETag.
    pub version: i64,
}

/// What a caller supplies to create an agent; the state machine fills in the rest.
#[derive(Debug, Clone, PartialEq)]
pub struct NewAgent {
    /// Name.
    pub name: AgentName,
    /// Description.
    pub description: Description,
    /// ACP flavour.
    pub acp_type: AcpType,
    /// ACP URL (deploy-time registration only).
    pub acp_url: Option<String>,
    /// Metadata.
    pub registration_metadata: Option<Metadata>,
    /// Input type.
    pub agent_input_type: Option<AgentInputType>,
}

impl Agent {
    /// The ETag of this version of the agent (strong, quoted).
    pub fn etag(&self) -> String {
        format!("\"{}-{}\"", self.id.as_uuid().simple(), self.version)
    }
}
