//! `DELETE /agents/{id}` and `DELETE /agents/name/{name}`.

use crate::access::Need;
use crate::audit::{self, now};
use crate::repo_error::{repo_error, MAX_ATTEMPTS};
use crate::{Registry, RegistryError};
use registry_domain::{apply, Agent, AgentId, AgentName, LifecycleEvent, Principal};
use registry_ports::{Constraint, RepoError};

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
        let agent = self.load_live(caller, id, Need::Delete).await?;
        self.delete_loaded(caller, agent).await
    }

    /// Deletes the live agent with this name; as [`Registry::delete_agent`].
    pub async fn delete_agent_by_name(
        &self,
        caller: &Principal,
        name: &AgentName,
    ) -> Result<DeletedAgent, RegistryError> {
        let agent = self.load_live_by_name(caller, name, Need::Delete).await?;
        self.delete_loaded(caller, agent).await
    }

    /// Applies `Delete` and stores it, re-reading on a stale version.
    async fn delete_loaded(
        &self,
        caller: &Principal,
        mut agent: Agent,
    ) -> Result<DeletedAgent, RegistryError> {
        let actor = caller.to_string();
        for _ in 0..MAX_ATTEMPTS {
            let at = now();
            let from = agent.status;
            let transition = apply(&mut agent, LifecycleEvent::Delete, at, &actor)
                .map_err(|_| RegistryError::AgentNotFound)?
                .ok_or_else(|| RegistryError::Internal("delete left the status".into()))?;
            let event = audit::transition(agent.id, from, transition, caller, at);
            match self.agents.update(&agent, &[event]).await {
                Ok(stored) => {
                    return Ok(DeletedAgent {
                        id: stored.id,
                        name: stored.name,
                    })
                }
                Err(RepoError::Conflict(Constraint::StaleVersion)) => {
                    agent = self
                        .agents
                        .get(agent.id)
                        .await
                        .map_err(repo_error)?
                        .ok_or(RegistryError::AgentNotFound)?;
                }
                Err(RepoError::NotFound) => return Err(RegistryError::AgentNotFound),
                Err(e) => return Err(repo_error(e)),
            }
        }
        Err(RegistryError::Contention)
    }
}
