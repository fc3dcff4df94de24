//! `GET /agents/{id}` and `GET /agents/name/{name}`.

use crate::repo_error::repo_error;
use crate::{Registry, RegistryError};
use registry_domain::{Agent, AgentRef, Need, Principal};

impl Registry {
    /// The live agent `at` (by id, or by name among live agents). `AgentNotFound` when absent,
    /// Deleted or not readable.
    pub async fn get_agent(
        &self,
        caller: &Principal,
        at: &AgentRef,
    ) -> Result<Agent, RegistryError> {
        self.read_agent_for(caller, at, Need::Read).await
    }

    /// Whether the store answers (`/readyz`): `Unavailable` otherwise.
    pub async fn ping(&self) -> Result<(), RegistryError> {
        self.agents.ping().await.map_err(repo_error)
    }
}
