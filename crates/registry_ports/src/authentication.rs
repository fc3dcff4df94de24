//! Authentication: from a presented credential to a principal.

use async_trait::async_trait;
use registry_domain::Principal;

/// A credential as presented by a caller.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Credential {
    /// `Authorization: Bearer <token>`: the admin token, a service token or an agent key.
    Bearer(String),
    /// `Authorization: AgentKey <key>` or `X-Agent-API-Key: <key>`: an agent key only.
    AgentKey(String),
}

/// Why authentication failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AuthError {
    /// Unknown, revoked or malformed credential: 401.
    #[error("invalid credential")]
    Invalid,
    /// The credential store cannot be reached: 503.
    #[error("credential store unavailable: {0}")]
    Unavailable(String),
    /// Anything else: 500.
    #[error("unexpected authentication error: {0}")]
    Unexpected(String),
}

/// Turns a credential into a principal. No cache may outlive a revocation.
#[cfg_attr(feature = "mock", mockall::automock)]
#[async_trait]
pub trait Authenticator: Send + Sync {
    /// The principal the credential belongs to.
    async fn authenticate(&self, credential: &Credential) -> Result<Principal, AuthError>;
}
