//! `GET /agents`.

use crate::{Registry, RegistryError};
use registry_domain::{Agent, AgentStatus, Page, PageRequest, Principal, SortDirection};

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

impl Registry {
    /// A page of the live agents the caller may read, with the total count.
    ///
    /// Errors: `Validation`, `Unavailable`, `Internal`.
    pub async fn list_agents(
        &self,
        caller: &Principal,
        input: ListAgentsInput,
    ) -> Result<Page<Agent>, RegistryError> {
        let _ = (caller, input);
        unimplemented!("list_agents")
    }
}
