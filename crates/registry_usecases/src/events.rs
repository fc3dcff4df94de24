//! `GET /agents/{id}/events`: the audit trail.

use crate::repo_error::repo_error;
use crate::{Registry, RegistryError};
use registry_domain::{AgentId, AuditEvent, Page, PageRequest, Principal};

impl Registry {
    /// A page of the agent's events, newest first. Owners and the admin only; works after
    /// deletion.
    ///
    /// Errors: `AgentNotFound`, `Forbidden` (readable, not owner), `Unavailable`, `Internal`.
    pub async fn list_agent_events(
        &self,
        caller: &Principal,
        agent_id: AgentId,
        page: PageRequest,
    ) -> Result<Page<AuditEvent>, RegistryError> {
        let agent = self
            .agents
            .get(agent_id)
            .await
            .map_err(repo_error)?
            .ok_or(RegistryError::AgentNotFound)?;
        self.require_owner(caller, &agent).await?;
        self.events.list(agent_id, page).await.map_err(repo_error)
    }
}
