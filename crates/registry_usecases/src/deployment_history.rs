//! `GET /deployment-history/{id}` and `GET /deployment-history?agent_id|agent_name`.

use crate::{AgentSelector, Registry, RegistryError};
use registry_domain::{DeploymentHistory, HistoryId, Page, PageRequest, Principal, SortDirection};

/// Query of the history list.
#[derive(Debug, Clone, PartialEq)]
pub struct ListHistoryInput {
    /// Exactly one of agent id / name (else `BadSelector` with the peer's message).
    pub agent: AgentSelector,
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
        let _ = (caller, id);
        unimplemented!("get_deployment_history")
    }

    /// A page of the agent's history. Needs `read`.
    ///
    /// Errors: `BadSelector`, `AgentNotFound`, `Unavailable`, `Internal`.
    pub async fn list_deployment_history(
        &self,
        caller: &Principal,
        input: ListHistoryInput,
    ) -> Result<Page<DeploymentHistory>, RegistryError> {
        let _ = (caller, input);
        unimplemented!("list_deployment_history")
    }
}
