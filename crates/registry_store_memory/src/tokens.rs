//! [`ServiceTokenRepository`] in memory: the tokens of the store's org.

use crate::state::{page_of, StoredToken};
use crate::InMemoryStore;
use async_trait::async_trait;
use registry_domain::{Page, PageRequest, ServiceToken, ServiceTokenId};
use registry_ports::{Constraint, RepoError, RepoResult, ServiceTokenRepository};

#[async_trait]
impl ServiceTokenRepository for InMemoryStore {
    /// Also `NotFound` when the store's org does not exist.
    async fn create(&self, token: &ServiceToken, secret_hash: &str) -> RepoResult<ServiceToken> {
        let org = self.org;
        self.with_state(|s| {
            if !s.orgs.contains_key(&org) {
                return Err(RepoError::NotFound);
            }
            let name_taken = s
                .tokens
                .values()
                .any(|t| t.org == org && t.token.name == token.name);
            if name_taken {
                return Err(RepoError::Conflict(Constraint::ServiceTokenName));
            }
            // Hashes are unique across orgs: authentication finds a token before the org.
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
                    org,
                    token: token.clone(),
                    hash: secret_hash.to_owned(),
                },
            );
            Ok(token.clone())
        })
    }

    async fn list(&self, page: PageRequest) -> RepoResult<Page<ServiceToken>> {
        self.with_state(|s| {
            let mut rows: Vec<ServiceToken> = s
                .tokens
                .values()
                .filter(|t| t.org == self.org)
                .map(|t| t.token.clone())
                .collect();
            rows.sort_by(|a, b| a.created_at.cmp(&b.created_at).then(a.id.cmp(&b.id)));
            Ok(page_of(rows, page, Some(self.count_bound)))
        })
    }

    async fn revoke(&self, id: ServiceTokenId) -> RepoResult<ServiceToken> {
        self.with_state(|s| {
            if s.tokens.get(&id).is_none_or(|t| t.org != self.org) {
                return Err(RepoError::NotFound);
            }
            s.tokens
                .remove(&id)
                .map(|t| t.token)
                .ok_or(RepoError::NotFound)
        })
    }
}
