//! `GET /agent_api_keys/{id}` and `GET /agent_api_keys/name/{name}`.

use crate::{AgentSelector, Registry, RegistryError};
use registry_domain::{ApiKey, ApiKeyId, ApiKeyType, Principal};

/// Addresses a key by (agent, name, type).
#[derive(Debug, Clone, PartialEq)]
pub struct ApiKeyByName {
    /// Exactly one of agent id / name.
    pub agent: AgentSelector,
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
        let _ = (caller, id);
        unimplemented!("get_api_key")
    }

    /// One key by (agent, name, type). Needs `read`.
    ///
    /// Errors: `BadSelector`, `AgentNotFound`, `ApiKeyNotFound`, `Unavailable`, `Internal`.
    pub async fn get_api_key_by_name(
        &self,
        caller: &Principal,
        input: ApiKeyByName,
    ) -> Result<ApiKey, RegistryError> {
        let _ = (caller, input);
        unimplemented!("get_api_key_by_name")
    }
}
