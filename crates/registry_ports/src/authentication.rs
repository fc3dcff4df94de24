//! Authentication: from a presented credential to a principal and the org it acts in.

use crate::AgentWithRole;
use async_trait::async_trait;
use registry_domain::{Actor, AgentRef, OrgSlug};

/// A credential as presented by a caller.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Credential {
    /// `Authorization: Bearer <token>`: the admin token, a service token or an agent key.
    Bearer(String),
    /// `Authorization: AgentKey <key>` or `X-Agent-API-Key: <key>`: an agent key only.
    AgentKey(String),
}

impl Credential {
    /// The secret presented, whichever way it came.
    pub fn secret(&self) -> &str {
        match self {
            Self::Bearer(secret) | Self::AgentKey(secret) => secret,
        }
    }
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

    /// [`authenticate`](Self::authenticate) for a request that will read the one agent `at`:
    /// an implementation may read that agent (and the caller's role on it) in the same round
    /// trip and hand it over ([`Prefetched`]). The default reads nothing more.
    async fn authenticate_reading(
        &self,
        credential: &Credential,
        requested_org: Option<OrgSlug>,
        at: &AgentRef,
    ) -> Result<(Actor, Option<Prefetched>), AuthError> {
        let _ = at;
        Ok((self.authenticate(credential, requested_org).await?, None))
    }
}

/// The agent a request addresses, read in the same round trip as its caller's credential
/// ([`Authenticator::authenticate_reading`]): the use case's first read of `at` uses it instead
/// of asking the store again.
#[derive(Debug, Clone, PartialEq)]
pub struct Prefetched {
    /// The agent as addressed.
    pub at: AgentRef,
    /// What the store held: the agent and the caller's role on it, or `None` (absent).
    pub found: Option<AgentWithRole>,
}
