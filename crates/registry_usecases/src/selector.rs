//! "Exactly one of `agent_id` / `agent_name`" selectors of the peer's query APIs
//! (deployment history, agent API keys), with the peer's 400 messages.

use registry_domain::{AgentId, AgentName};

/// Picks an agent by id or by name; exactly one must be given, else
/// [`crate::RegistryError::BadSelector`] with the peer's message for the [`SelectorPurpose`].
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct AgentSelector {
    /// `agent_id` query/body value, already parsed.
    pub agent_id: Option<AgentId>,
    /// `agent_name` query/body value, already parsed.
    pub agent_name: Option<AgentName>,
}

/// What the selector is used for: only the wording of the 400 messages differs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SelectorPurpose {
    /// `GET /deployment-history`.
    ListHistory,
    /// `GET /agent_api_keys`.
    ListApiKeys,
    /// `POST /agent_api_keys`.
    CreateApiKey,
    /// `GET /agent_api_keys/name/{name}`.
    GetApiKey,
    /// `DELETE /agent_api_keys/name/{name}`.
    DeleteApiKey,
}
