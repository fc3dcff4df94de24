//! `GET /agents/{id}/events`: the audit trail.

use crate::repo_error::repo_error;
use crate::{Registry, RegistryError};
use registry_domain::{AgentId, AgentRef, AuditEvent, Need, Page, PageRequest, Principal};

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
        let access = self.read_access(caller, &AgentRef::Id(agent_id)).await?;
        access
            .ok_or(RegistryError::AgentNotFound)?
            .require(Need::AuditTrail)?;
        self.events.list(agent_id, page).await.map_err(repo_error)
    }
}
