//! `POST /agents/register`: deploy-time registration (peer §5.1).

use crate::{Registry, RegistryError};
use registry_domain::{
    AcpType, Agent, AgentId, AgentInputType, AgentName, Description, Metadata, Principal,
};

/// Body of register, validated. `registration_metadata.deployment_id`, when present, is parsed
/// by the use case (field `registration_metadata.deployment_id`).
#[derive(Debug, Clone, PartialEq)]
pub struct RegisterInput {
    /// Register this existing agent (rename allowed if the name is free).
    pub agent_id: Option<AgentId>,
    /// Agent name.
    pub name: AgentName,
    /// Description.
    pub description: Description,
    /// Where the agent serves.
    pub acp_url: String,
    /// ACP flavour.
    pub acp_type: AcpType,
    /// Registration metadata (shallow-merged into the stored one).
    pub registration_metadata: Option<Metadata>,
    /// Input type (kept when `None`).
    pub agent_input_type: Option<AgentInputType>,
}

/// Result of register.
#[derive(Debug, Clone, PartialEq)]
pub struct RegisterOutput {
    /// The agent as stored (untouched in deployment-scoped mode).
    pub agent: Agent,
    /// A freshly minted internal key (plaintext, shown once) when the agent had none.
    pub agent_api_key: Option<String>,
    /// True when this call created the agent.
    pub created: bool,
}

impl Registry {
    /// Deploy-time registration. By `agent_id` or by name; without
    /// `registration_metadata.deployment_id` the agent gets the ACP fields, merged metadata and
    /// goes Ready (state machine); with it, only that deployment of this agent becomes Ready.
    /// Needs `update` on the agent (or to be the agent's own key), or `create` on `agent:*`
    /// to create a new one.
    ///
    /// Errors: `Validation`, `AgentNotFound`, `Forbidden`, `NameTaken`, `DeploymentNotFound`,
    /// `DeploymentNotReady`, `Contention`, `Unavailable`, `Internal`.
    pub async fn register(
        &self,
        caller: &Principal,
        input: RegisterInput,
    ) -> Result<RegisterOutput, RegistryError> {
        let _ = (caller, input);
        unimplemented!("register")
    }
}
