//! `POST /agents/register-build`: create-if-absent by name, BuildOnly.

use crate::{Registry, RegistryError};
use registry_domain::{Agent, AgentInputType, AgentName, Description, Metadata, Principal};

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
        let _ = (caller, input);
        unimplemented!("register_build")
    }
}
