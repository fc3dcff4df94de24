//! `GET /deployment-history/{id}` and `GET /deployment-history?agent_id|agent_name`.

use crate::repo_error::repo_error;
use crate::{Registry, RegistryError};
use registry_domain::{AgentRef, Need};
use registry_domain::{DeploymentHistory, HistoryId, Page, PageRequest, Principal, SortDirection};

/// Query of the history list.
#[derive(Debug, Clone, PartialEq)]
pub struct ListHistoryInput {
    /// The agent.
    pub agent: AgentRef,
    /// Which page.
    pub page: PageRequest,
    /// Direction of `deployment_timestamp` order (default desc).
    pub order_direction: SortDirection,
}

impl Registry {
    /// One history row. Needs `read` on its agent; `HistoryNotFound` when absent or unreadable.
    pub async fn get_deployment_history(
        &self,
        caller: &Principal,
        id: HistoryId,
    ) -> Result<DeploymentHistory, RegistryError> {
        let not_found = || RegistryError::HistoryNotFound(id);
        let entry = self
            .history
            .get(id)
            .await
            .map_err(repo_error)?
            .ok_or_else(not_found)?;
        match self
            .read_agent_for(caller, &AgentRef::Id(entry.agent_id), Need::Read)
            .await
        {
            Ok(_) => Ok(entry),
            Err(RegistryError::AgentNotFound) => Err(not_found()),
            Err(e) => Err(e),
        }
    }

    /// A page of the agent's history. Needs `read`.
    ///
    /// Errors: `AgentNotFound`, `Unavailable`, `Internal`.
    pub async fn list_deployment_history(
        &self,
        caller: &Principal,
        input: ListHistoryInput,
    ) -> Result<Page<DeploymentHistory>, RegistryError> {
        let agent = self
            .read_agent_for(caller, &input.agent, Need::Read)
            .await?;
        self.history
            .list(agent.id, input.page, input.order_direction)
            .await
            .map_err(repo_error)
    }
}
