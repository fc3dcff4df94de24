//! `GET /agent_api_keys?agent_id|agent_name`.

use crate::access::Need;
use crate::repo_error::repo_error;
use crate::{AgentSelector, Registry, RegistryError, SelectorPurpose};
use registry_domain::{ApiKey, Page, PageRequest, Principal};

/// Query of the key list.
#[derive(Debug, Clone, PartialEq)]
pub struct ListApiKeysInput {
    /// Exactly one of agent id / name.
    pub agent: AgentSelector,
    /// Which page.
    pub page: PageRequest,
}

impl Registry {
    /// A page of the agent's keys (metadata only), oldest first. Needs `read`.
    ///
    /// Errors: `BadSelector`, `AgentNotFound`, `Unavailable`, `Internal`.
    pub async fn list_api_keys(
        &self,
        caller: &Principal,
        input: ListApiKeysInput,
    ) -> Result<Page<ApiKey>, RegistryError> {
        let agent = self
            .resolve_selector(
                caller,
                &input.agent,
                SelectorPurpose::ListApiKeys,
                Need::Read,
            )
            .await?;
        self.keys
            .list(agent.id, input.page)
            .await
            .map_err(repo_error)
    }
}
