//! `GET /agents/{id}` and `GET /agents/name/{name}`.

use crate::access::Need;
use crate::repo_error::repo_error;
use crate::{Registry, RegistryError};
use registry_domain::{Agent, AgentId, AgentName, Principal};

impl Registry {
    /// The agent with this id. `AgentNotFound` when absent, Deleted or not readable.
    pub async fn get_agent(&self, caller: &Principal, id: AgentId) -> Result<Agent, RegistryError> {
        self.load_live(caller, id, Need::Read).await
    }

    /// The live agent with this name. `AgentNotFound` when absent (Deleted agents are never
    /// found by name) or not readable.
    pub async fn get_agent_by_name(
        &self,
        caller: &Principal,
        name: &AgentName,
    ) -> Result<Agent, RegistryError> {
        self.load_live_by_name(caller, name, Need::Read).await
    }

    /// Whether the store answers (`/readyz`): `Unavailable` otherwise.
    pub async fn ping(&self) -> Result<(), RegistryError> {
        self.agents.ping().await.map_err(repo_error)
    }
}
