//! `PUT /agents/name/{name}`: declarative upsert by natural key.

use crate::access::name_taken;
use crate::audit::{self, now};
use crate::repo_error::repo_error;
use crate::retry::{retry_on_stale, Attempt};
use crate::{AgentWritten, Registry, RegistryError};
use registry_domain::{Agent, AgentRef, EventKind, Need, NewAgent, Principal};
use registry_ports::{Constraint, RepoError};

/// Body of the PUT, validated, with the request's `If-Match` header.
#[derive(Debug, Clone, PartialEq)]
pub struct UpsertAgentInput {
    /// The agent as declared (name from the path; its metadata and input type replace the
    /// stored ones).
    pub agent: NewAgent,
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
        agent.description == self.agent.description
            && agent.registration_metadata == self.agent.registration_metadata
            && agent.agent_input_type == self.agent.agent_input_type
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
        let by_name = AgentRef::Name(input.agent.name.clone());
        retry_on_stale(async || {
            let access = match self.read_access(caller, &by_name).await? {
                Some(access) => access,
                None => {
                    if input.if_match.is_some() {
                        return Err(RegistryError::PreconditionFailed);
                    }
                    let outcome = self.create_build(caller, input.agent.clone()).await?;
                    if outcome.created {
                        return Ok(Attempt::Done(AgentWritten {
                            agent: outcome.agent,
                            created: true,
                        }));
                    }
                    self.access(caller, outcome.agent, outcome.owner_role)
                }
            };
            access.require(Need::Read).map_err(name_taken)?;
            access.require(Need::Update)?;
            let mut agent = access.agent;
            if !if_match_admits(input.if_match.as_deref(), &agent) {
                return Err(RegistryError::PreconditionFailed);
            }
            if input.matches(&agent) {
                return Ok(Attempt::Done(AgentWritten {
                    agent,
                    created: false,
                }));
            }
            let at = now();
            agent.description = input.agent.description.clone();
            agent.registration_metadata = input.agent.registration_metadata.clone();
            agent.agent_input_type = input.agent.agent_input_type;
            agent.updated_at = at;
            let event = audit::event(
                agent.id,
                EventKind::Updated,
                caller,
                at,
                serde_json::json!({ "via": "put" }),
            );
            match self.agents.update(&agent, &[event]).await {
                Ok(stored) => Ok(Attempt::Done(AgentWritten {
                    agent: stored,
                    created: false,
                })),
                // Changed or deleted since read: look the name up again.
                Err(RepoError::Conflict(Constraint::StaleVersion) | RepoError::NotFound) => {
                    Ok(Attempt::Stale)
                }
                Err(e) => Err(repo_error(e)),
            }
        })
        .await
    }
}
