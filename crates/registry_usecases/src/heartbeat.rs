//! `POST /agents/{id}/heartbeat`.

use crate::{Registry, RegistryError};
use registry_domain::{Agent, AgentId, Principal};

impl Registry {
    /// Records a heartbeat: `last_seen_at = now`; Unhealthy → Ready. By the agent's own key or
    /// a principal with `update`.
    ///
    /// Errors: `AgentNotFound`, `Forbidden`, `Contention`, `Unavailable`, `Internal`.
    pub async fn heartbeat(&self, caller: &Principal, id: AgentId) -> Result<Agent, RegistryError> {
        let _ = (caller, id);
        unimplemented!("heartbeat")
    }
}
