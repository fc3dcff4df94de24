//! [`ApiKeyRepository`] in memory.

use crate::state::{page_of, StoredKey};
use crate::InMemoryStore;
use async_trait::async_trait;
use registry_domain::{AgentId, ApiKey, ApiKeyId, ApiKeyType, NewEvent, Page, PageRequest};
use registry_ports::{ApiKeyRepository, Constraint, RepoError, RepoResult};

impl InMemoryStore {
    /// The keys of this store's org.
    fn keys_here<'s>(&self, s: &'s crate::state::State) -> impl Iterator<Item = &'s ApiKey> {
        let org = self.org;
        s.keys
            .values()
            .filter(move |k| k.org == org)
            .map(|k| &k.key)
    }
}

#[async_trait]
impl ApiKeyRepository for InMemoryStore {
    async fn create(
        &self,
        key: &ApiKey,
        secret_hash: &str,
        events: &[NewEvent],
    ) -> RepoResult<ApiKey> {
        let org = self.org;
        self.with_state(|s| {
            if s.agent(org, key.agent_id).is_none() {
                return Err(RepoError::NotFound);
            }
            let name_taken = self.keys_here(s).any(|k| {
                k.agent_id == key.agent_id
                    && k.name == key.name
                    && k.api_key_type == key.api_key_type
            });
            if name_taken {
                return Err(RepoError::Conflict(Constraint::ApiKeyName));
            }
            // Hashes are unique across orgs: authentication finds a key before it knows the org.
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
                    org,
                    key: key.clone(),
                    hash: secret_hash.to_owned(),
                },
            );
            s.append_events(org, events);
            Ok(key.clone())
        })
    }

    async fn get(&self, id: ApiKeyId) -> RepoResult<Option<ApiKey>> {
        self.with_state(|s| Ok(self.keys_here(s).find(|k| k.id == id).cloned()))
    }

    async fn get_by_name(
        &self,
        agent_id: AgentId,
        name: &str,
        key_type: ApiKeyType,
    ) -> RepoResult<Option<ApiKey>> {
        self.with_state(|s| {
            Ok(self
                .keys_here(s)
                .find(|k| k.agent_id == agent_id && k.name == name && k.api_key_type == key_type)
                .cloned())
        })
    }

    async fn list(&self, agent_id: AgentId, page: PageRequest) -> RepoResult<Page<ApiKey>> {
        self.with_state(|s| {
            let mut rows: Vec<ApiKey> = self
                .keys_here(s)
                .filter(|k| k.agent_id == agent_id)
                .cloned()
                .collect();
            rows.sort_by(|a, b| a.created_at.cmp(&b.created_at).then(a.id.cmp(&b.id)));
            Ok(page_of(rows, page, Some(self.count_bound)))
        })
    }

    async fn delete(&self, id: ApiKeyId, events: &[NewEvent]) -> RepoResult<ApiKey> {
        let org = self.org;
        self.with_state(|s| {
            if s.keys.get(&id).is_none_or(|k| k.org != org) {
                return Err(RepoError::NotFound);
            }
            let removed = s.keys.remove(&id).ok_or(RepoError::NotFound)?;
            s.append_events(org, events);
            Ok(removed.key)
        })
    }

    async fn has_key_of_type(&self, agent_id: AgentId, key_type: ApiKeyType) -> RepoResult<bool> {
        self.with_state(|s| {
            Ok(self
                .keys_here(s)
                .any(|k| k.agent_id == agent_id && k.api_key_type == key_type))
        })
    }
}
