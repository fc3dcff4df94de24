//! The credential authenticator: admin token, service tokens and agent keys.

use crate::secrets::{hash_secret, AGENT_KEY_PREFIX, SERVICE_TOKEN_PREFIX};
use crate::Registry;
use async_trait::async_trait;
use registry_domain::Principal;
use registry_ports::{
    ApiKeyRepository, AuthError, Authenticator, Credential, ErrorChain, RepoError,
    ServiceTokenRepository,
};
use std::sync::Arc;
use subtle::ConstantTimeEq;

/// Implements [`Authenticator`] over the key and token stores: the configured admin token
/// (constant-time comparison), service tokens (`art_…`) and agent keys (`agk_…`, accepted both
/// as `Bearer` and as `AgentKey`), the latter two looked up by keyed hash. Nothing is cached, so
/// a revocation takes effect at once.
#[derive(Clone)]
pub struct CredentialAuthenticator {
    keys: Arc<dyn ApiKeyRepository>,
    tokens: Arc<dyn ServiceTokenRepository>,
    admin_token: String,
    key_hash_secret: Vec<u8>,
}

impl CredentialAuthenticator {
    /// Builds an authenticator from its stores, the admin token and the hashing secret.
    pub fn new(
        keys: Arc<dyn ApiKeyRepository>,
        tokens: Arc<dyn ServiceTokenRepository>,
        admin_token: String,
        key_hash_secret: Vec<u8>,
    ) -> Self {
        Self {
            keys,
            tokens,
            admin_token,
            key_hash_secret,
        }
    }

    /// Builds an authenticator sharing the registry's stores and configuration.
    pub fn from_registry(registry: &Registry) -> Self {
        Self::new(
            registry.keys.clone(),
            registry.tokens.clone(),
            registry.config.admin_token.clone(),
            registry.config.key_hash_secret.clone(),
        )
    }
}

#[async_trait]
impl Authenticator for CredentialAuthenticator {
    async fn authenticate(&self, credential: &Credential) -> Result<Principal, AuthError> {
        match credential {
            Credential::Bearer(secret) => {
                if self.is_admin_token(secret) {
                    Ok(Principal::Admin)
                } else if secret.starts_with(SERVICE_TOKEN_PREFIX) {
                    self.service_token(secret).await
                } else if secret.starts_with(AGENT_KEY_PREFIX) {
                    self.agent_key(secret).await
                } else {
                    Err(AuthError::Invalid)
                }
            }
            Credential::AgentKey(secret) if secret.starts_with(AGENT_KEY_PREFIX) => {
                self.agent_key(secret).await
            }
            Credential::AgentKey(_) => Err(AuthError::Invalid),
        }
    }
}

impl CredentialAuthenticator {
    /// Constant-time comparison with the configured admin token. Both sides are hashed first so
    /// the comparison does not even depend on the lengths; an empty admin token matches nothing.
    fn is_admin_token(&self, presented: &str) -> bool {
        if self.admin_token.is_empty() {
            return false;
        }
        let presented = hash_secret(&self.key_hash_secret, presented);
        let expected = hash_secret(&self.key_hash_secret, &self.admin_token);
        presented.as_bytes().ct_eq(expected.as_bytes()).into()
    }

    async fn service_token(&self, secret: &str) -> Result<Principal, AuthError> {
        let hash = hash_secret(&self.key_hash_secret, secret);
        match self.tokens.find_by_hash(&hash).await {
            Ok(Some(token)) => Ok(token.principal),
            Ok(None) => Err(AuthError::Invalid),
            Err(e) => Err(auth_error(e)),
        }
    }

    async fn agent_key(&self, secret: &str) -> Result<Principal, AuthError> {
        let hash = hash_secret(&self.key_hash_secret, secret);
        match self.keys.find_by_hash(&hash).await {
            Ok(Some(key)) => Ok(Principal::Agent(key.agent_id)),
            Ok(None) => Err(AuthError::Invalid),
            Err(e) => Err(auth_error(e)),
        }
    }
}

/// A store failure during authentication: 503 when unreachable, 500 otherwise.
fn auth_error(error: RepoError) -> AuthError {
    match error {
        RepoError::Unavailable(cause) => AuthError::Unavailable(ErrorChain(&cause).to_string()),
        other => AuthError::Unexpected(ErrorChain(&other).to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use registry_domain::{AgentId, ApiKey, ApiKeyId, ApiKeyType};
    use registry_ports::{MockApiKeyRepository, MockServiceTokenRepository};

    const SERVER_KEY: &[u8] = b"server-key";

    fn authenticator(keys: MockApiKeyRepository) -> CredentialAuthenticator {
        CredentialAuthenticator::new(
            Arc::new(keys),
            Arc::new(MockServiceTokenRepository::new()),
            "admin-secret".to_owned(),
            SERVER_KEY.to_vec(),
        )
    }

    #[tokio::test]
    async fn the_admin_token_is_the_admin() {
        let auth = authenticator(MockApiKeyRepository::new());
        let admin = auth
            .authenticate(&Credential::Bearer("admin-secret".into()))
            .await;
        assert_eq!(admin, Ok(Principal::Admin));
        let near = auth
            .authenticate(&Credential::Bearer("admin-secreT".into()))
            .await;
        assert_eq!(near, Err(AuthError::Invalid));
        let as_agent_key = auth
            .authenticate(&Credential::AgentKey("admin-secret".into()))
            .await;
        assert_eq!(as_agent_key, Err(AuthError::Invalid));
    }

    #[tokio::test]
    async fn an_agent_key_works_as_bearer_and_as_agent_key() {
        let agent_id = AgentId::new_random();
        let secret = "agk_0123";
        let expected_hash = hash_secret(SERVER_KEY, secret);
        let mut keys = MockApiKeyRepository::new();
        keys.expect_find_by_hash().returning(move |hash| {
            Ok((hash == expected_hash).then(|| ApiKey {
                id: ApiKeyId::new_random(),
                agent_id,
                name: "k".into(),
                api_key_type: ApiKeyType::Internal,
                created_at: time::OffsetDateTime::UNIX_EPOCH,
                created_by: Principal::Admin,
            }))
        });
        let auth = authenticator(keys);
        for credential in [
            Credential::Bearer(secret.into()),
            Credential::AgentKey(secret.into()),
        ] {
            assert_eq!(
                auth.authenticate(&credential).await,
                Ok(Principal::Agent(agent_id))
            );
        }
        let unknown = auth
            .authenticate(&Credential::Bearer("agk_9999".into()))
            .await;
        assert_eq!(unknown, Err(AuthError::Invalid));
        let unprefixed = auth
            .authenticate(&Credential::Bearer("whatever".into()))
            .await;
        assert_eq!(unprefixed, Err(AuthError::Invalid));
    }

    #[tokio::test]
    async fn a_store_outage_is_unavailable_not_invalid() {
        let mut keys = MockApiKeyRepository::new();
        keys.expect_find_by_hash()
            .returning(|_| Err(RepoError::Unavailable("pool timeout".into())));
        let auth = authenticator(keys);
        let result = auth
            .authenticate(&Credential::AgentKey("agk_1".into()))
            .await;
        assert_eq!(result, Err(AuthError::Unavailable("pool timeout".into())));
    }

    #[tokio::test]
    async fn service_tokens_authenticate_as_their_principal() {
        let mut tokens = MockServiceTokenRepository::new();
        tokens.expect_find_by_hash().returning(|_| {
            Ok(Some(registry_domain::ServiceToken {
                id: registry_domain::ServiceTokenId::new_random(),
                name: "ci".into(),
                principal: Principal::Service("ci".into()),
                created_at: time::OffsetDateTime::UNIX_EPOCH,
            }))
        });
        let auth = CredentialAuthenticator::new(
            Arc::new(MockApiKeyRepository::new()),
            Arc::new(tokens),
            "admin-secret".into(),
            SERVER_KEY.to_vec(),
        );
        let result = auth
            .authenticate(&Credential::Bearer("art_abc".into()))
            .await;
        assert_eq!(result, Ok(Principal::Service("ci".into())));
    }
}
