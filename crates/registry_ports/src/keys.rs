//! Credentials: agent API keys and service tokens, stored by keyed hash only.

use crate::RepoResult;
use async_trait::async_trait;
use registry_domain::{
    AgentId, ApiKey, ApiKeyId, ApiKeyType, NewEvent, Page, PageRequest, ServiceToken,
    ServiceTokenId,
};

/// Storage of agent API keys. The plaintext secret never reaches a store: only its keyed hash.
#[cfg_attr(feature = "mock", mockall::automock)]
#[async_trait]
pub trait ApiKeyRepository: Send + Sync {
    /// Inserts the key with its secret's hash and appends `events`, in one transaction.
    /// Errors: `NotFound` (agent absent), `Conflict(ApiKeyName)` ((agent, name, type) taken),
    /// `Conflict(SecretHash)`.
    async fn create(
        &self,
        key: &ApiKey,
        secret_hash: &str,
        events: &[NewEvent],
    ) -> RepoResult<ApiKey>;

    /// One key by id.
    async fn get(&self, id: ApiKeyId) -> RepoResult<Option<ApiKey>>;

    /// One key by (agent, name, type).
    async fn get_by_name(
        &self,
        agent_id: AgentId,
        name: &str,
        key_type: ApiKeyType,
    ) -> RepoResult<Option<ApiKey>>;

    /// A page of the agent's keys, oldest first (id as tiebreak), with the total count.
    async fn list(&self, agent_id: AgentId, page: PageRequest) -> RepoResult<Page<ApiKey>>;

    /// Hard-deletes the key and appends `events`, in one transaction. `NotFound` if absent.
    async fn delete(&self, id: ApiKeyId, events: &[NewEvent]) -> RepoResult<ApiKey>;

    /// Whether the agent has at least one key of `key_type`.
    async fn has_key_of_type(&self, agent_id: AgentId, key_type: ApiKeyType) -> RepoResult<bool>;
}

/// Storage of service tokens (admin-issued credentials for users and services).
#[cfg_attr(feature = "mock", mockall::automock)]
#[async_trait]
pub trait ServiceTokenRepository: Send + Sync {
    /// Inserts the token with its secret's hash. `Conflict(ServiceTokenName)` if the name is
    /// taken, `Conflict(SecretHash)` on a hash collision.
    async fn create(&self, token: &ServiceToken, secret_hash: &str) -> RepoResult<ServiceToken>;

    /// A page of the tokens, oldest first (id as tiebreak), with the total.
    async fn list(&self, page: PageRequest) -> RepoResult<Page<ServiceToken>>;

    /// Deletes the token; it stops authenticating at once. `NotFound` if absent.
    async fn revoke(&self, id: ServiceTokenId) -> RepoResult<ServiceToken>;
}
