//! `POST /agents/register-build`: create-if-absent by name, BuildOnly.

use crate::access::Need;
use crate::audit::{self, now};
use crate::repo_error::repo_error;
use crate::{Registry, RegistryError};
use registry_domain::enums::DEFAULT_ACP_TYPE;
use registry_domain::state_machine::create;
use registry_domain::{
    Agent, AgentInputType, AgentName, Description, LifecycleEvent, Metadata, NewAgent, Principal,
    Timestamp,
};
use registry_ports::CreateOutcome;

/// Body of register-build, validated.
#[derive(Debug, Clone, PartialEq)]
pub struct RegisterBuildInput {
    /// Agent name.
    pub name: AgentName,
    /// Description.
    pub description: Description,
    /// Registration metadata.
    pub registration_metadata: Option<Metadata>,
    /// Input type.
    pub agent_input_type: Option<AgentInputType>,
}

/// An agent returned by a create-or-return use case, and whether this call created it
/// (201 vs 200).
#[derive(Debug, Clone, PartialEq)]
pub struct AgentWritten {
    /// The agent as stored.
    pub agent: Agent,
    /// True when this call created the agent.
    pub created: bool,
}

impl Registry {
    /// Registers a build: creates the agent as BuildOnly unless a live agent with that name
    /// exists. Needs `create` on `agent:*`. On create the caller becomes owner (the admin gets
    /// no grant row: it is allowed everything anyway). An existing agent the caller may read is
    /// returned unchanged with `created: false` (no write, no grant); one it may not read is
    /// `NameTaken`.
    ///
    /// Errors: `Forbidden` (may not create), `NameTaken`, `Unavailable`, `Internal`.
    pub async fn register_build(
        &self,
        caller: &Principal,
        input: RegisterBuildInput,
    ) -> Result<AgentWritten, RegistryError> {
        self.require_create(caller)?;
        let at = now();
        let new = NewAgent {
            name: input.name,
            description: input.description,
            acp_type: DEFAULT_ACP_TYPE,
            acp_url: None,
            registration_metadata: input.registration_metadata,
            agent_input_type: input.agent_input_type,
        };
        let agent = create(new, LifecycleEvent::RegisterBuild, at)
            .map_err(|e| RegistryError::Internal(format!("register-build cannot create: {e}")))?;
        let outcome = self.create_agent_if_absent(caller, &agent, at).await?;
        if outcome.created {
            return Ok(AgentWritten {
                agent: outcome.agent,
                created: true,
            });
        }
        if self.allows(caller, outcome.agent.id, Need::Read).await? {
            Ok(AgentWritten {
                agent: outcome.agent,
                created: false,
            })
        } else {
            Err(RegistryError::NameTaken)
        }
    }

    /// Inserts `agent` unless its name is live, granting the caller ownership (the admin needs
    /// no grant) and recording the creation, atomically.
    pub(crate) async fn create_agent_if_absent(
        &self,
        caller: &Principal,
        agent: &Agent,
        at: Timestamp,
    ) -> Result<CreateOutcome, RegistryError> {
        let owner = (!caller.is_admin()).then(|| caller.clone());
        let event = audit::created(
            agent.id,
            agent.status,
            agent.status_reason.as_deref(),
            caller,
            at,
        );
        self.agents
            .create_if_absent(agent, owner, &[event])
            .await
            .map_err(repo_error)
    }
}
