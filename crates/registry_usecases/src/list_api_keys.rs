//! `GET /agent_api_keys?agent_id|agent_name`.

use crate::repo_error::repo_error;
use crate::{Registry, RegistryError};
use registry_domain::{AgentRef, Need};
use registry_domain::{ApiKey, Page, PageRequest, Principal};

/// Query of the key list.
#[derive(Debug, Clone, PartialEq)]
pub struct ListApiKeysInput {
    /// The agent.
    pub agent: AgentRef,
    /// Which page.
    pub page: PageRequest,
}

impl Registry {
    /// A page of the agent's keys (metadata only), oldest first. Needs `read`.
    ///
    /// Errors: `AgentNotFound`, `Unavailable`, `Internal`.
    pub async fn list_api_keys(
        &self,
        caller: &Principal,
        input: ListApiKeysInput,
    ) -> Result<Page<ApiKey>, RegistryError> {
        let agent = self
            .read_agent_for(caller, &input.agent, Need::Read)
            .await?;
        self.keys
            .list(agent.id, input.page)
            .await
            .map_err(repo_error)
    }
}
