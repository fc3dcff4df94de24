//! `GET /agents`.

use crate::repo_error::repo_error;
use crate::{Registry, RegistryError};
use registry_domain::{Agent, AgentStatus, Page, PageRequest, Principal, SortDirection};
use registry_ports::{AgentOrder, AgentQuery};
use serde_json::{Map, Value};

/// Query of the agent list, parsed.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ListAgentsInput {
    /// Which page.
    pub page: PageRequest,
    /// Sort key (default `updated_at`).
    pub order_by: AgentOrder,
    /// Sort direction (default desc).
    pub order_direction: SortDirection,
    /// Only these statuses (empty: all non-Deleted).
    pub statuses: Vec<AgentStatus>,
    /// Containment on `registration_metadata.agent_card.metadata`.
    pub agent_card_metadata: Option<Map<String, Value>>,
    /// Accepted for compatibility; no tasks exist here, so a given task id matches nothing.
    pub task_id: Option<String>,
}

impl Registry {
    /// A page of the live agents the caller may read, with the total count.
    ///
    /// Errors: `PageTooLarge`, `Unavailable`, `Internal`.
    pub async fn list_agents(
        &self,
        caller: &Principal,
        input: ListAgentsInput,
    ) -> Result<Page<Agent>, RegistryError> {
        if input.task_id.is_some() {
            return Ok(Page::empty());
        }
        let query = AgentQuery {
            page: input.page,
            order_by: input.order_by,
            direction: input.order_direction,
            statuses: input.statuses,
            card_metadata: input.agent_card_metadata,
            ..self.list_scope(caller)
        };
        self.agents.list(&query).await.map_err(repo_error)
    }
}
