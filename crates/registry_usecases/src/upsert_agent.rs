//! `PUT /agents/name/{name}`: declarative upsert by natural key.

use crate::access::Need;
use crate::audit::{self, now};
use crate::repo_error::{repo_error, MAX_ATTEMPTS};
use crate::{AgentWritten, Registry, RegistryError};
use registry_domain::enums::DEFAULT_ACP_TYPE;
use registry_domain::state_machine::create;
use registry_domain::{
    Agent, AgentInputType, AgentName, Description, EventKind, LifecycleEvent, Metadata, NewAgent,
    Principal,
};
use registry_ports::{AgentWithRole, Cause, Constraint, RepoError};

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

/// Whether an `If-Match` header value admits the agent's current version (`*` admits any
/// existing agent; a list of tags is accepted).
pub(crate) fn if_match_admits(if_match: Option<&str>, agent: &Agent) -> bool {
    let Some(header) = if_match else {
        return true;
    };
    let etag = agent.etag();
    header
        .split(',')
        .map(str::trim)
        .any(|tag| tag == "*" || tag == etag)
}

impl UpsertAgentInput {
    fn matches(&self, agent: &Agent) -> bool {
        agent.description == self.description
            && agent.registration_metadata == self.registration_metadata
            && agent.agent_input_type == self.agent_input_type
    }
}

impl Registry {
    /// Absent → created BuildOnly (`created: true`, caller becomes owner; needs `create`);
    /// identical → returned, nothing written; different → updated (needs `update`). An `If-Match`
    /// on an absent agent fails (there is no current representation to match).
    ///
    /// Errors: `Forbidden`, `NameTaken` (live agent the caller may not read),
    /// `PreconditionFailed`, `Contention`, `Unavailable`, `Internal`.
    pub async fn upsert_agent(
        &self,
        caller: &Principal,
        input: UpsertAgentInput,
    ) -> Result<AgentWritten, RegistryError> {
        for _ in 0..MAX_ATTEMPTS {
            let existing = self.find_live_by_name(caller, &input.name).await?;
            let at = now();
            let found = match existing {
                Some(found) => found,
                None => {
                    if input.if_match.is_some() {
                        return Err(RegistryError::PreconditionFailed);
                    }
                    self.require_create(caller)?;
                    let new = NewAgent {
                        name: input.name.clone(),
                        description: input.description.clone(),
                        acp_type: DEFAULT_ACP_TYPE,
                        acp_url: None,
                        registration_metadata: input.registration_metadata.clone(),
                        agent_input_type: input.agent_input_type,
                    };
                    let agent = create(new, LifecycleEvent::RegisterBuild, at).map_err(|e| {
                        RegistryError::Internal(Cause::context("PUT cannot create", e))
                    })?;
                    let outcome = self.create_agent_if_absent(caller, &agent, at).await?;
                    if outcome.created {
                        return Ok(AgentWritten {
                            agent: outcome.agent,
                            created: true,
                        });
                    }
                    AgentWithRole {
                        agent: outcome.agent,
                        role: outcome.owner_role,
                    }
                }
            };
            if !self.permits(caller, &found, Need::Read).await? {
                return Err(RegistryError::NameTaken);
            }
            self.authorize_found(caller, &found, Need::Update).await?;
            let mut agent = found.agent;
            if !if_match_admits(input.if_match.as_deref(), &agent) {
                return Err(RegistryError::PreconditionFailed);
            }
            if input.matches(&agent) {
                return Ok(AgentWritten {
                    agent,
                    created: false,
                });
            }
            agent.description = input.description.clone();
            agent.registration_metadata = input.registration_metadata.clone();
            agent.agent_input_type = input.agent_input_type;
            agent.updated_at = at;
            let event = audit::event(
                agent.id,
                EventKind::Updated,
                caller,
                at,
                serde_json::json!({ "via": "put" }),
            );
            match self.agents.update(&agent, &[event]).await {
                Ok(stored) => {
                    return Ok(AgentWritten {
                        agent: stored,
                        created: false,
                    })
                }
                // Changed or deleted since read: look the name up again.
                Err(RepoError::Conflict(Constraint::StaleVersion) | RepoError::NotFound) => {}
                Err(e) => return Err(repo_error(e)),
            }
        }
        Err(RegistryError::Contention)
    }
}
