//! `DELETE /agent_api_keys/{id}` and `DELETE /agent_api_keys/name/{name}`.

use crate::{ApiKeyByName, Registry, RegistryError};
use registry_domain::{ApiKey, ApiKeyId, Principal};

impl Registry {
    /// Deletes a key by id; it stops authenticating at once. Needs `update` on its agent (the
    /// same permission that creates keys). `ApiKeyNotFound` when absent or unreadable.
    pub async fn delete_api_key(
        &self,
        caller: &Principal,
        id: ApiKeyId,
    ) -> Result<ApiKey, RegistryError> {
        let _ = (caller, id);
        unimplemented!("delete_api_key")
    }

    /// Deletes a key by (agent, name, type); as [`Registry::delete_api_key`].
    ///
    /// Errors: `BadSelector`, `AgentNotFound`, `Forbidden`, `ApiKeyNotFound`, `Unavailable`,
    /// `Internal`.
    pub async fn delete_api_key_by_name(
        &self,
        caller: &Principal,
        input: ApiKeyByName,
    ) -> Result<ApiKey, RegistryError> {
        let _ = (caller, input);
        unimplemented!("delete_api_key_by_name")
    }
}
