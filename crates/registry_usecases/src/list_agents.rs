//! `GET /agents`.

use crate::repo_error::repo_error;
use crate::{Registry, RegistryError};
use registry_domain::{
    Agent, AgentStatus, Page, PageRequest, Principal, SortDirection, ValidationError,
};
use registry_ports::{AgentOrder, AgentQuery};

/// Query of the agent list. `order_by` and `agent_card_metadata` are passed raw and validated
/// here (fields `order_by`, `agent_card_metadata`).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ListAgentsInput {
    /// Which page.
    pub page: PageRequest,
    /// `created_at`, `updated_at` (default) or `name`.
    pub order_by: Option<String>,
    /// Sort direction (default desc).
    pub order_direction: SortDirection,
    /// Only these statuses (empty: all non-Deleted).
    pub statuses: Vec<AgentStatus>,
    /// Must be a JSON object: containment on `registration_metadata.agent_card.metadata`.
    pub agent_card_metadata: Option<serde_json::Value>,
    /// Accepted for compatibility; no tasks exist here, so a given task id matches nothing.
    pub task_id: Option<String>,
}

fn parse_order(order_by: Option<&str>) -> Result<AgentOrder, ValidationError> {
    match order_by {
        None => Ok(AgentOrder::default()),
        Some("created_at") => Ok(AgentOrder::CreatedAt),
        Some("updated_at") => Ok(AgentOrder::UpdatedAt),
        Some("name") => Ok(AgentOrder::Name),
        Some(_) => Err(ValidationError::new(
            "order_by",
            "must be one of: created_at, updated_at, name",
        )),
    }
}

impl Registry {
    /// A page of the live agents the caller may read, with the total count.
    ///
    /// Errors: `Validation`, `Unavailable`, `Internal`.
    pub async fn list_agents(
        &self,
        caller: &Principal,
        input: ListAgentsInput,
    ) -> Result<Page<Agent>, RegistryError> {
        let order_by = parse_order(input.order_by.as_deref())?;
        let card_metadata = match input.agent_card_metadata {
            None => None,
            Some(serde_json::Value::Object(map)) => Some(map),
            Some(_) => {
                return Err(
                    ValidationError::new("agent_card_metadata", "must be a JSON object").into(),
                )
            }
        };
        let empty = Page {
            items: Vec::new(),
            total: 0,
        };
        if input.task_id.is_some() {
            return Ok(empty);
        }
        let query = AgentQuery {
            page: input.page,
            order_by,
            direction: input.order_direction,
            statuses: input.statuses,
            card_metadata,
            ..self.visible_to(caller)
        };
        self.agents.list(&query).await.map_err(repo_error)
    }
}
