//! [`CredentialStore`] in memory: credential lookups across every org.

use crate::InMemoryStore;
use async_trait::async_trait;
use registry_domain::{AgentRef, AgentStatus, ApiKey, ApiKeyType, OrgRef, ServiceToken};
use registry_ports::{CredentialStore, KeyWithAgent, RepoResult, TokenWithAgent};

/// Not scoped: authentication finds the credential first, and learns its org from it.
#[async_trait]
impl CredentialStore for InMemoryStore {
    async fn find_key(&self, secret_hash: &str) -> RepoResult<Option<(ApiKey, OrgRef)>> {
        self.with_state(|s| {
            let Some(stored) = s.keys.values().find(|k| k.hash == secret_hash) else {
                return Ok(None);
            };
            let usable = stored.key.api_key_type == ApiKeyType::CREDENTIAL
                && s.agent(stored.org, stored.key.agent_id)
                    .is_some_and(|a| a.status != AgentStatus::Deleted)
                && s.minter_authority_holds(stored.org, &stored.key);
            if !usable {
                return Ok(None);
            }
            Ok(s.org_ref(stored.org).map(|org| (stored.key.clone(), org)))
        })
    }

    async fn find_key_with_agent(&self, secret_hash: &str) -> RepoResult<Option<KeyWithAgent>> {
        let Some((key, org)) = self.find_key(secret_hash).await? else {
            return Ok(None);
        };
        // One lock per call, as every read here; the key's agent exists (find_key checked).
        self.with_state(|s| {
            Ok(s.agent(org.id, key.agent_id).map(|agent| KeyWithAgent {
                agent: agent.clone(),
                key,
                org,
            }))
        })
    }

    async fn find_token(&self, secret_hash: &str) -> RepoResult<Option<(ServiceToken, OrgRef)>> {
        self.with_state(|s| {
            Ok(s.tokens
                .values()
                .find(|t| t.hash == secret_hash)
                .and_then(|t| Some((t.token.clone(), s.org_ref(t.org)?))))
        })
    }

    async fn find_token_with_agent(
        &self,
        secret_hash: &str,
        at: &AgentRef,
    ) -> RepoResult<Option<TokenWithAgent>> {
        self.with_state(|s| {
            let Some(stored) = s.tokens.values().find(|t| t.hash == secret_hash) else {
                return Ok(None);
            };
            let Some(org) = s.org_ref(stored.org) else {
                return Ok(None);
            };
            let agent = match at {
                AgentRef::Id(id) => s.agent(stored.org, *id),
                AgentRef::Name(name) => s.live_agent_named(stored.org, name),
            };
            Ok(Some(TokenWithAgent {
                agent: agent.map(|a| s.with_role(a, &stored.token.principal)),
                token: stored.token.clone(),
                org,
            }))
        })
    }
}
