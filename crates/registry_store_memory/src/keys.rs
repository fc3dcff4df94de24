//! [`ApiKeyRepository`] in memory.

use crate::state::{page_of, StoredKey};
use crate::InMemoryStore;
use async_trait::async_trait;
use registry_domain::{
    AgentId, AgentStatus, ApiKey, ApiKeyId, ApiKeyType, NewEvent, Page, PageRequest,
};
use registry_ports::{ApiKeyRepository, Constraint, RepoError, RepoResult};

#[async_trait]
impl ApiKeyRepository for InMemoryStore {
    async fn create(
        &self,
        key: &ApiKey,
        secret_hash: &str,
        events: &[NewEvent],
    ) -> RepoResult<ApiKey> {
        self.with_state(|s| {
            if !s.agents.contains_key(&key.agent_id) {
                return Err(RepoError::NotFound);
            }
            let name_taken = s.keys.values().any(|k| {
                k.key.agent_id == key.agent_id
                    && k.key.name == key.name
                    && k.key.api_key_type == key.api_key_type
            });
            if name_taken {
                return Err(RepoError::Conflict(Constraint::ApiKeyName));
            }
            if s.keys.values().any(|k| k.hash == secret_hash) {
                return Err(RepoError::Conflict(Constraint::SecretHash));
            }
            if s.keys.contains_key(&key.id) {
                return Err(RepoError::Unexpected(
                    format!("api key id {} already exists", key.id).into(),
                ));
            }
            s.keys.insert(
                key.id,
                StoredKey {
                    key: key.clone(),
                    hash: secret_hash.to_owned(),
                },
            );
            s.append_events(events);
            Ok(key.clone())
        })
    }

    async fn get(&self, id: ApiKeyId) -> RepoResult<Option<ApiKey>> {
        self.with_state(|s| Ok(s.keys.get(&id).map(|k| k.key.clone())))
    }

    async fn get_by_name(
        &self,
        agent_id: AgentId,
        name: &str,
        key_type: ApiKeyType,
    ) -> RepoResult<Option<ApiKey>> {
        self.with_state(|s| {
            Ok(s.keys
                .values()
                .map(|k| &k.key)
                .find(|k| k.agent_id == agent_id && k.name == name && k.api_key_type == key_type)
                .cloned())
        })
    }

    async fn list(&self, agent_id: AgentId, page: PageRequest) -> RepoResult<Page<ApiKey>> {
        self.with_state(|s| {
            let mut rows: Vec<ApiKey> = s
                .keys
                .values()
                .map(|k| &k.key)
                .filter(|k| k.agent_id == agent_id)
                .cloned()
                .collect();
            rows.sort_by(|a, b| a.created_at.cmp(&b.created_at).then(a.id.cmp(&b.id)));
            Ok(page_of(rows, page, Some(self.count_bound)))
        })
    }

    async fn delete(&self, id: ApiKeyId, events: &[NewEvent]) -> RepoResult<ApiKey> {
        self.with_state(|s| {
            let removed = s.keys.remove(&id).ok_or(RepoError::NotFound)?;
            s.append_events(events);
            Ok(removed.key)
        })
    }

    async fn find_by_hash(&self, secret_hash: &str) -> RepoResult<Option<ApiKey>> {
        self.with_state(|s| {
            Ok(s.keys
                .values()
                .find(|k| k.hash == secret_hash)
                .filter(|k| k.key.api_key_type == ApiKeyType::CREDENTIAL)
                .filter(|k| {
                    s.agents
                        .get(&k.key.agent_id)
                        .is_some_and(|a| a.status != AgentStatus::Deleted)
                })
                .filter(|k| s.minter_authority_holds(&k.key))
                .map(|k| k.key.clone()))
        })
    }

    async fn has_key_of_type(&self, agent_id: AgentId, key_type: ApiKeyType) -> RepoResult<bool> {
        self.with_state(|s| {
            Ok(s.keys
                .values()
                .any(|k| k.key.agent_id == agent_id && k.key.api_key_type == key_type))
        })
    }
}
