//! Authentication: from a presented credential to a principal and the org it acts in.

use async_trait::async_trait;
use registry_domain::{Actor, OrgSlug};

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
    /// The platform admin named an org (`X-Registry-Org`) that does not exist: 404.
    #[error("unknown org")]
    UnknownOrg,
    /// The credential store cannot be reached: 503.
    #[error("credential store unavailable: {0}")]
    Unavailable(String),
    /// Anything else: 500.
    #[error("unexpected authentication error: {0}")]
    Unexpected(String),
}

/// Turns a credential into a principal and its org. No cache may outlive a revocation.
#[cfg_attr(feature = "mock", mockall::automock)]
#[async_trait]
pub trait Authenticator: Send + Sync {
    /// Who the credential belongs to and the org it acts in: its own org, except the platform
    /// admin, which acts in `requested_org` (`X-Registry-Org`; `None`: the `default` org).
    async fn authenticate(
        &self,
        credential: &Credential,
        requested_org: Option<OrgSlug>,
    ) -> Result<Actor, AuthError>;
}
