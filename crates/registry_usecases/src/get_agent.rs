//! `GET /agents/{id}` and `GET /agents/name/{name}`.

use crate::{Registry, RegistryError};
use registry_domain::{Agent, AgentId, AgentName, Principal};

impl Registry {
    /// The agent with this id. `AgentNotFound` when absent, Deleted or not readable.
    pub async fn get_agent(&self, caller: &Principal, id: AgentId) -> Result<Agent, RegistryError> {
        let _ = (caller, id);
        unimplemented!("get_agent")
    }

    /// The live agent with this name. `AgentNotFound` when absent (Deleted agents are never
    /// found by name) or not readable.
    pub async fn get_agent_by_name(
        &self,
        caller: &Principal,
        name: &AgentName,
    ) -> Result<Agent, RegistryError> {
        let _ = (caller, name);
        unimplemented!("get_agent_by_name")
    }

    /// Whether the store answers (`/readyz`): `Unavailable` otherwise.
    pub async fn ping(&self) -> Result<(), RegistryError> {
        unimplemented!("ping")
    }
}
