//! `DELETE /agents/{id}` and `DELETE /agents/name/{name}`.

use crate::audit::{self, now};
use crate::{Registry, RegistryError};
use registry_domain::{apply, AgentId, AgentName, AgentRef, LifecycleEvent, Need, Principal};

/// What a deletion reports (for the peer's `DeleteResponse` message).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeletedAgent {
    /// Id of the deleted agent.
    pub id: AgentId,
    /// Its name.
    pub name: AgentName,
}

impl Registry {
    /// Deletes the live agent `at` (→ Deleted via the state machine). Needs `delete`.
    ///
    /// Errors: `AgentNotFound` (absent, already Deleted, unreadable), `Forbidden`,
    /// `Contention`, `Unavailable`, `Internal`.
    pub async fn delete_agent(
        &self,
        caller: &Principal,
        at: &AgentRef,
    ) -> Result<DeletedAgent, RegistryError> {
        let agent = self.read_agent_for(caller, at, Need::Delete).await?;
        let actor = caller.to_string();
        let stored = self
            .update_agent(agent, |agent| {
                let at = now();
                let from = agent.status;
                let transition = apply(agent, LifecycleEvent::Delete, at, &actor)
                    .map_err(|_| RegistryError::AgentNotFound)?
                    .ok_or_else(|| RegistryError::Internal("delete left the status".into()))?;
                Ok(Some(vec![audit::transition(
                    agent.id, from, transition, caller, at,
                )]))
            })
            .await?;
        Ok(DeletedAgent {
            id: stored.id,
            name: stored.name,
        })
    }
}
