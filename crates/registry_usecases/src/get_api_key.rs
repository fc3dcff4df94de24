//! `GET /agent_api_keys/{id}` and `GET /agent_api_keys/name/{name}`.

use crate::repo_error::repo_error;
use crate::{ApiKeyLookup, Registry, RegistryError};
use registry_domain::{AgentRef, Need};

use registry_domain::{ApiKey, ApiKeyId, ApiKeyType, Principal};

/// Addresses a key by (agent, name, type).
#[derive(Debug, Clone, PartialEq)]
pub struct ApiKeyByName {
    /// The agent.
    pub agent: AgentRef,
    /// Key name.
    pub name: String,
    /// Key type (the HTTP default is `external`).
    pub api_key_type: ApiKeyType,
}

impl Registry {
    /// One key by id. Needs `read` on its agent; `ApiKeyNotFound` when absent or unreadable.
    pub async fn get_api_key(
        &self,
        caller: &Principal,
        id: ApiKeyId,
    ) -> Result<ApiKey, RegistryError> {
        self.load_key(caller, id, Need::Read).await
    }

    /// The key `id` if the caller is allowed `need` on its (live) agent. Absent, of a Deleted
    /// agent or of an unreadable agent: `ApiKeyNotFound` (peer message by id).
    pub(crate) async fn load_key(
        &self,
        caller: &Principal,
        id: ApiKeyId,
        need: Need,
    ) -> Result<ApiKey, RegistryError> {
        let not_found = || RegistryError::ApiKeyNotFound(ApiKeyLookup::Id(id));
        let key = self
            .keys
            .get(id)
            .await
            .map_err(repo_error)?
            .ok_or_else(not_found)?;
        match self
            .read_agent_for(caller, &AgentRef::Id(key.agent_id), need)
            .await
        {
            Ok(_) => Ok(key),
            Err(RegistryError::AgentNotFound) => Err(not_found()),
            Err(e) => Err(e),
        }
    }

    /// The key addressed by (agent, name, type) if the caller is allowed `need` on the agent.
    pub(crate) async fn load_key_by_name(
        &self,
        caller: &Principal,
        input: &ApiKeyByName,
        need: Need,
    ) -> Result<ApiKey, RegistryError> {
        let agent = self.read_agent_for(caller, &input.agent, need).await?;
        self.keys
            .get_by_name(agent.id, &input.name, input.api_key_type)
            .await
            .map_err(repo_error)?
            .ok_or(RegistryError::ApiKeyNotFound(ApiKeyLookup::Name))
    }

    /// One key by (agent, name, type). Needs `read`.
    ///
    /// Errors: `AgentNotFound`, `ApiKeyNotFound`, `Unavailable`, `Internal`.
    pub async fn get_api_key_by_name(
        &self,
        caller: &Principal,
        input: ApiKeyByName,
    ) -> Result<ApiKey, RegistryError> {
        self.load_key_by_name(caller, &input, Need::Read).await
    }
}
