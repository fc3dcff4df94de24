//! The credential authenticator: admin token, service tokens and agent keys.

use crate::Registry;
use async_trait::async_trait;
use registry_domain::Principal;
use registry_ports::{
    ApiKeyRepository, AuthError, Authenticator, Credential, ServiceTokenRepository,
};
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
        let _ = (credential, &self.keys, &self.tokens, &self.admin_token, &self.key_hash_secret);
        unimplemented!("authenticate")
    }
}
