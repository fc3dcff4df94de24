//! Credentials kept by the registry. Only metadata lives here: secrets are shown once at
//! creation and stored as keyed hashes by the adapters.

use crate::{AgentId, ApiKeyId, ApiKeyType, Principal, ServiceTokenId, Timestamp};

/// An agent API key (metadata only; never the secret).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiKey {
    /// Id.
    pub id: ApiKeyId,
    /// The agent it authenticates as.
    pub agent_id: AgentId,
    /// Name, unique per (agent, type).
    pub name: String,
    /// Purpose.
    pub api_key_type: ApiKeyType,
    /// Creation time.
    pub created_at: Timestamp,
    /// Who minted it. The key authenticates only while this principal keeps the authority to
    /// mint it ([`crate::minter_authority_holds`]).
    pub created_by: Principal,
}

/// A service token (metadata only; never the secret).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServiceToken {
    /// Id.
    pub id: ServiceTokenId,
    /// Name, unique among tokens.
    pub name: String,
    /// The principal it authenticates as (`user:<name>` or `service:<name>`).
    pub principal: Principal,
    /// Creation time.
    pub created_at: Timestamp,
}
