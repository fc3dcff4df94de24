//! `POST /agents/{id}/heartbeat`.

use crate::access::Need;
use crate::audit::{self, now};
use crate::repo_error::{repo_error, MAX_ATTEMPTS};
use crate::{Registry, RegistryError};
use registry_domain::{apply, Agent, AgentId, LifecycleEvent, Principal};
use registry_ports::{Constraint, RepoError};

impl Registry {
    /// Records a heartbeat: `last_seen_at = now`; Unhealthy → Ready. By the agent's own key or
    /// a principal with `update`. `updated_at` changes only with the status, so heartbeats do
    /// not reorder lists sorted by `updated_at`.
    ///
    /// Errors: `AgentNotFound`, `Forbidden`, `Contention`, `Unavailable`, `Internal`.
    pub async fn heartbeat(&self, caller: &Principal, id: AgentId) -> Result<Agent, RegistryError> {
        let mut agent = self.load_live(caller, id, Need::SelfService).await?;
        let actor = caller.to_string();
        for _ in 0..MAX_ATTEMPTS {
            let at = now();
            let from = agent.status;
            let transition = apply(&mut agent, LifecycleEvent::Heartbeat, at, &actor)
                .map_err(|_| RegistryError::AgentNotFound)?;
            agent.last_seen_at = Some(at);
            let events: Vec<_> = transition
                .map(|t| audit::transition(agent.id, from, t, caller, at))
                .into_iter()
                .collect();
            match self.agents.update(&agent, &events).await {
                Ok(stored) => return Ok(stored),
                Err(RepoError::Conflict(Constraint::StaleVersion)) => {
                    agent = self
                        .agents
                        .get(id)
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
