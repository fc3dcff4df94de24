//! [`ServiceTokenRepository`] in memory.

use crate::state::{page_of, StoredToken};
use crate::InMemoryStore;
use async_trait::async_trait;
use registry_domain::{Page, PageRequest, ServiceToken, ServiceTokenId};
use registry_ports::{Constraint, RepoError, RepoResult, ServiceTokenRepository};

#[async_trait]
impl ServiceTokenRepository for InMemoryStore {
    async fn create(&self, token: &ServiceToken, secret_hash: &str) -> RepoResult<ServiceToken> {
        self.with_state(|s| {
            if s.tokens.values().any(|t| t.token.name == token.name) {
                return Err(RepoError::Conflict(Constraint::ServiceTokenName));
            }
            if s.tokens.values().any(|t| t.hash == secret_hash) {
                return Err(RepoError::Conflict(Constraint::SecretHash));
            }
            if s.tokens.contains_key(&token.id) {
                return Err(RepoError::Unexpected(
                    format!("service token id {} already exists", token.id).into(),
                ));
            }
            s.tokens.insert(
                token.id,
                StoredToken {
                    token: token.clone(),
                    hash: secret_hash.to_owned(),
                },
            );
            Ok(token.clone())
        })
    }

    async fn list(&self, page: PageRequest) -> RepoResult<Page<ServiceToken>> {
        self.with_state(|s| {
            let mut rows: Vec<ServiceToken> = s.tokens.values().map(|t| t.token.clone()).collect();
            rows.sort_by(|a, b| a.created_at.cmp(&b.created_at).then(a.id.cmp(&b.id)));
            Ok(page_of(rows, page, Some(self.count_bound)))
        })
    }

    async fn revoke(&self, id: ServiceTokenId) -> RepoResult<ServiceToken> {
        self.with_state(|s| {
            s.tokens
                .remove(&id)
                .map(|t| t.token)
                .ok_or(RepoError::NotFound)
        })
    }

    async fn find_by_hash(&self, secret_hash: &str) -> RepoResult<Option<ServiceToken>> {
        self.with_state(|s| {
            Ok(s.tokens
                .values()
                .find(|t| t.hash == secret_hash)
                .map(|t| t.token.clone()))
        })
    }
}
