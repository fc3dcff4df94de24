//! `PATCH /agents/{id}`: JSON merge patch (RFC 7396) of the editable fields.

use crate::audit::{self, now};
use crate::upsert_agent::if_match_admits;
use crate::{Registry, RegistryError};
use registry_domain::{
    Agent, AgentId, AgentInputType, AgentRef, Description, EventKind, Metadata, Need, Principal,
};
use serde_json::{Map, Value};

/// A merge patch of an agent, parsed (field by field: `None` leaves a field as it is), with
/// the request's `If-Match` header.
#[derive(Debug, Clone, PartialEq)]
pub struct PatchAgentInput {
    /// The agent.
    pub id: AgentId,
    /// A new description.
    pub description: Option<Description>,
    /// The metadata's patch: `Some(None)` removes it, `Some(Some(patch))` merges `patch` into
    /// it (RFC 7396).
    pub registration_metadata: Option<Option<Map<String, Value>>>,
    /// A new input type (`Some(None)` removes it).
    pub agent_input_type: Option<Option<AgentInputType>>,
    /// `If-Match` header value.
    pub if_match: Option<String>,
}

impl PatchAgentInput {
    /// The names of the fields this patch sets, sorted (recorded in the audit event).
    fn fields(&self) -> Vec<&'static str> {
        [
            ("agent_input_type", self.agent_input_type.is_some()),
            ("description", self.description.is_some()),
            (
                "registration_metadata",
                self.registration_metadata.is_some(),
            ),
        ]
        .into_iter()
        .filter_map(|(name, set)| set.then_some(name))
        .collect()
    }

    /// `agent` with this patch applied.
    fn applied_to(&self, agent: &Agent) -> Result<Agent, RegistryError> {
        let mut next = agent.clone();
        if let Some(description) = &self.description {
            next.description = description.clone();
        }
        if let Some(patch) = &self.registration_metadata {
            next.registration_metadata = match patch {
                None => None,
                Some(patch) => Some(Metadata::merge_patched(
                    agent.registration_metadata.as_ref(),
                    patch,
                )?),
            };
        }
        if let Some(input_type) = self.agent_input_type {
            next.agent_input_type = input_type;
        }
        Ok(next)
    }
}

impl Registry {
    /// Applies the merge patch. Needs `update`. A patch that changes nothing writes nothing.
    ///
    /// Errors: `Validation`, `AgentNotFound`, `Forbidden`, `PreconditionFailed`, `Contention`,
    /// `Unavailable`, `Internal`.
    pub async fn patch_agent(
        &self,
        caller: &Principal,
        input: PatchAgentInput,
    ) -> Result<Agent, RegistryError> {
        let agent = self
            .read_agent_for(caller, &AgentRef::Id(input.id), Need::Update)
            .await?;
        let fields = input.fields();
        self.update_agent(agent, |agent| {
            if !if_match_admits(input.if_match.as_deref(), agent) {
                return Err(RegistryError::PreconditionFailed);
            }
            let next = input.applied_to(agent)?;
            if next == *agent {
                return Ok(None);
            }
            let at = now();
            *agent = next;
            agent.updated_at = at;
            Ok(Some(vec![audit::event(
                agent.id,
                EventKind::Updated,
                caller,
                at,
                serde_json::json!({ "via": "patch", "fields": fields }),
            )]))
        })
        .await
    }
}
