//! `GET /agents/{id}/deployments`.

use crate::repo_error::repo_error;
use crate::{Registry, RegistryError};
use registry_domain::{AgentId, Deployment, Page, PageRequest, Principal, SortDirection};
use registry_domain::{AgentRef, Need};

/// Query of the deployment list.
#[derive(Debug, Clone, PartialEq)]
pub struct ListDeploymentsInput {
    /// The agent.
    pub agent_id: AgentId,
    /// Which page.
    pub page: PageRequest,
    /// Direction of `created_at` order (default desc).
    pub order_direction: SortDirection,
}

impl Registry {
    /// A page of the agent's non-expired deployments. Needs `read`.
    ///
    /// Errors: `AgentNotFound`, `Unavailable`, `Internal`.
    pub async fn list_deployments(
        &self,
        caller: &Principal,
        input: ListDeploymentsInput,
    ) -> Result<Page<Deployment>, RegistryError> {
        let agent = self
            .read_agent_for(caller, &AgentRef::Id(input.agent_id), Need::Read)
            .await?;
        self.deployments
            .list(agent.id, input.page, input.order_direction)
            .await
            .map_err(repo_error)
    }
}
