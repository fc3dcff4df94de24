//! `PATCH /agents/{id}`: JSON merge patch (RFC 7396).

use crate::{Registry, RegistryError};
use registry_domain::{Agent, AgentId, Principal};

/// A merge patch as received, with the request's `If-Match` header.
#[derive(Debug, Clone, PartialEq)]
pub struct PatchAgentInput {
    /// The agent.
    pub id: AgentId,
    /// The raw patch object: `description`, `registration_metadata`, `agent_input_type` may be
    /// set (null clears where allowed); immutable fields are `Validation` ("is immutable").
    pub patch: serde_json::Map<String, serde_json::Value>,
    /// `If-Match` header value.
    pub if_match: Option<String>,
}

impl Registry {
    /// Applies the merge patch. Needs `update`.
    ///
    /// Errors: `Validation`, `AgentNotFound`, `Forbidden`, `PreconditionFailed`, `Contention`,
    /// `Unavailable`, `Internal`.
    pub async fn patch_agent(
        &self,
        caller: &Principal,
        input: PatchAgentInput,
    ) -> Result<Agent, RegistryError> {
        let _ = (caller, input);
        unimplemented!("patch_agent")
    }
}
