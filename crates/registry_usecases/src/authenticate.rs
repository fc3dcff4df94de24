//! The credential authenticator: admin token, service tokens and agent keys.

use crate::secrets::{hash_secret, AGENT_KEY_PREFIX, SERVICE_TOKEN_PREFIX};
use crate::Registry;
use async_trait::async_trait;
use registry_domain::Principal;
use registry_ports::{
    ApiKeyRepository, AuthError, Authenticator, Credential, RepoError, ServiceTokenRepository,
};
use subtle::ConstantTimeEq;
use std::sync::Arc;

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
        RepoError::Unavailable(message) => AuthError::Unavailable(message),
        other => AuthError::Unexpected(other.to_string()),
    }
}
