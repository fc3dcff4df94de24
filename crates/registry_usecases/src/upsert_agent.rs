//! `PUT /agents/name/{name}`: declarative upsert by natural key.

use crate::{AgentWritten, Registry, RegistryError};
use registry_domain::{AgentInputType, AgentName, Description, Metadata, Principal};

/// Body of the PUT, validated, with the request's `If-Match` header.
#[derive(Debug, Clone, PartialEq)]
pub struct UpsertAgentInput {
    /// Name (from the path).
    pub name: AgentName,
    /// Description.
    pub description: Description,
    /// Registration metadata (replaces the stored one).
    pub registration_metadata: Option<Metadata>,
    /// Input type (replaces the stored one).
    pub agent_input_type: Option<AgentInputType>,
    /// `If-Match` header value, compared with `Agent::etag()`.
    pub if_match: Option<String>,
}

impl Registry {
    /// Absent → created BuildOnly (`created: true`, caller becomes owner; needs `create`);
    /// identical → returned, nothing written; different → updated (needs `update`).
    ///
    /// Errors: `Forbidden`, `NameTaken` (live agent the caller may not read),
    /// `PreconditionFailed`, `Contention`, `Unavailable`, `Internal`.
    pub async fn upsert_agent(
        &self,
        caller: &Principal,
        input: UpsertAgentInput,
    ) -> Result<AgentWritten, RegistryError> {
        let _ = (caller, input);
        unimplemented!("upsert_agent")
    }
}
