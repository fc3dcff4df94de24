//! `DELETE /agents/{id}` and `DELETE /agents/name/{name}`.

use crate::{Registry, RegistryError};
use registry_domain::{AgentId, AgentName, Principal};

/// What a deletion reports (for the peer's `DeleteResponse` message).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeletedAgent {
    /// Id of the deleted agent.
    pub id: AgentId,
    /// Its name.
    pub name: AgentName,
}

impl Registry {
    /// Deletes the agent (→ Deleted via the state machine). Needs `delete`.
    ///
    /// Errors: `AgentNotFound` (absent, already Deleted, unreadable), `Forbidden`,
    /// `Contention`, `Unavailable`, `Internal`.
    pub async fn delete_agent(
        &self,
        caller: &Principal,
        id: AgentId,
    ) -> Result<DeletedAgent, RegistryError> {
        let _ = (caller, id);
        unimplemented!("delete_agent")
    }

    /// Deletes the live agent with this name; as [`Registry::delete_agent`].
    pub async fn delete_agent_by_name(
        &self,
        caller: &Principal,
        name: &AgentName,
    ) -> Result<DeletedAgent, RegistryError> {
        let _ = (caller, name);
        unimplemented!("delete_agent_by_name")
    }
}
