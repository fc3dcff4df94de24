//! `POST /agents/{id}/heartbeat`.

use crate::audit::{self, now};
use crate::{Registry, RegistryError};
use registry_domain::{apply, Agent, AgentId, AgentRef, LifecycleEvent, Need, Principal};

impl Registry {
    /// Records a heartbeat: `last_seen_at = now`; Unhealthy → Ready. By the agent's own key or
    /// a principal with `update`. `updated_at` changes only with the status, so heartbeats do
    /// not reorder lists sorted by `updated_at`.
    ///
    /// Errors: `AgentNotFound`, `Forbidden`, `Contention`, `Unavailable`, `Internal`.
    pub async fn heartbeat(&self, caller: &Principal, id: AgentId) -> Result<Agent, RegistryError> {
        let agent = self
            .read_agent_for(caller, &AgentRef::Id(id), Need::SelfService)
            .await?;
        let actor = caller.to_string();
        self.update_agent(agent, |agent| {
            let at = now();
            let from = agent.status;
            let transition = apply(agent, LifecycleEvent::Heartbeat, at, &actor)
                .map_err(|_| RegistryError::AgentNotFound)?;
            agent.last_seen_at = Some(at);
            Ok(Some(
                transition
                    .map(|t| audit::transition(agent.id, from, t, caller, at))
                    .into_iter()
                    .collect(),
            ))
        })
        .await
    }
}
