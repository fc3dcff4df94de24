//! `DELETE /agent_api_keys/{id}` and `DELETE /agent_api_keys/name/{name}`.

use crate::audit::{self, now};
use crate::repo_error::repo_error;
use crate::{ApiKeyByName, ApiKeyLookup, Registry, RegistryError};
use registry_domain::Need;
use registry_domain::{ApiKey, ApiKeyId, EventKind, Principal};
use registry_ports::RepoError;

impl Registry {
    /// Deletes a key by id; it stops authenticating at once. Needs `update` on its agent (the
    /// same permission that creates keys). `ApiKeyNotFound` when absent or unreadable.
    pub async fn delete_api_key(
        &self,
        caller: &Principal,
        id: ApiKeyId,
    ) -> Result<ApiKey, RegistryError> {
        let key = self.load_key(caller, id, Need::Update).await?;
        self.delete_loaded_key(caller, key).await
    }

    /// Deletes a loaded key, recording `KeyDeleted`.
    async fn delete_loaded_key(
        &self,
        caller: &Principal,
        key: ApiKey,
    ) -> Result<ApiKey, RegistryError> {
        let event = audit::event(
            key.agent_id,
            EventKind::KeyDeleted,
            caller,
            now(),
            serde_json::json!({
                "key_id": key.id.to_string(),
                "name": key.name,
                "api_key_type": key.api_key_type.as_str(),
            }),
        );
        match self.keys.delete(key.id, &[event]).await {
            Ok(deleted) => Ok(deleted),
            Err(RepoError::NotFound) => {
                Err(RegistryError::ApiKeyNotFound(ApiKeyLookup::Id(key.id)))
            }
            Err(e) => Err(repo_error(e)),
        }
    }

    /// Deletes a key by (agent, name, type); as [`Registry::delete_api_key`].
    ///
    /// Errors: `AgentNotFound`, `Forbidden`, `ApiKeyNotFound`, `Unavailable`,
    /// `Internal`.
    pub async fn delete_api_key_by_name(
        &self,
        caller: &Principal,
        input: ApiKeyByName,
    ) -> Result<ApiKey, RegistryError> {
        let key = self.load_key_by_name(caller, &input, Need::Update).await?;
        self.delete_loaded_key(caller, key).await
    }
}
