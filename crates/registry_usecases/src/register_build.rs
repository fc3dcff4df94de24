//! `POST /agents/register-build`: create-if-absent by name, BuildOnly.

use crate::access::name_taken;
use crate::audit::{self, now};
use crate::repo_error::repo_error;
use crate::{Registry, RegistryError};
use registry_domain::state_machine::create;
use registry_domain::{Agent, LifecycleEvent, Need, NewAgent, Principal, Timestamp};
use registry_ports::{Cause, CreateOutcome};

/// An agent returned by a create-or-return use case, and whether this call created it
/// (201 vs 200).
#[derive(Debug, Clone, PartialEq)]
pub struct AgentWritten {
    /// The agent as stored.
    pub agent: Agent,
    /// True when this call created the agent.
    pub created: bool,
}

impl Registry {
    /// Registers a build: creates `agent` as BuildOnly unless a live agent with that name
    /// exists. Needs `create` on `agent:*`. On create the caller becomes owner (the admin gets
    /// no grant row: it is allowed everything anyway). An existing agent the caller may read is
    /// returned unchanged with `created: false` (no write, no grant); one it may not read is
    /// `NameTaken`.
    ///
    /// Errors: `Forbidden` (may not create), `NameTaken`, `Unavailable`, `Internal`.
    pub async fn register_build(
        &self,
        caller: &Principal,
        agent: NewAgent,
    ) -> Result<AgentWritten, RegistryError> {
        let outcome = self.create_build(caller, agent).await?;
        if outcome.created {
            return Ok(AgentWritten {
                agent: outcome.agent,
                created: true,
            });
        }
        let access = self.access(caller, outcome.agent, outcome.owner_role);
        access.require(Need::Read).map_err(name_taken)?;
        Ok(AgentWritten {
            agent: access.agent,
            created: false,
        })
    }

    /// Creates `new` as BuildOnly (state machine) unless its name is live; needs `create`.
    pub(crate) async fn create_build(
        &self,
        caller: &Principal,
        new: NewAgent,
    ) -> Result<CreateOutcome, RegistryError> {
        self.require_create(caller)?;
        let at = now();
        let agent = create(new, LifecycleEvent::RegisterBuild, at).map_err(|e| {
            RegistryError::Internal(Cause::context("register-build cannot create", e))
        })?;
        self.create_agent_if_absent(caller, &agent, at).await
    }

    /// Inserts `agent` unless its name is live, granting the caller ownership (the admin needs
    /// no grant) and recording the creation, atomically.
    pub(crate) async fn create_agent_if_absent(
        &self,
        caller: &Principal,
        agent: &Agent,
        at: Timestamp,
    ) -> Result<CreateOutcome, RegistryError> {
        let owner = (!caller.is_admin()).then(|| caller.clone());
        let event = audit::created(
            agent.id,
            agent.status,
            agent.status_reason.as_deref(),
            caller,
            at,
        );
        self.agents
            .create_if_absent(agent, owner, &[event])
            .await
            .map_err(repo_error)
    }
}

#[cfg(test)]
mod tests {
    use crate::test_support::{alice, Mocks};
    use crate::RegistryError;
    use registry_domain::enums::DEFAULT_ACP_TYPE;
    use registry_domain::{AgentName, Description, NewAgent};
    use registry_ports::RepoError;

    /// A fault only a double can inject: the store is down.
    #[tokio::test]
    async fn store_outage_is_unavailable() {
        let mut m = Mocks::default();
        m.agents
            .expect_create_if_absent()
            .returning(|_, _, _| Err(RepoError::Unavailable("down".into())));
        let new = NewAgent {
            name: AgentName::parse("a").unwrap(),
            description: Description::parse("d").unwrap(),
            acp_type: DEFAULT_ACP_TYPE,
            acp_url: None,
            registration_metadata: None,
            agent_input_type: None,
        };
        let err = m.registry().register_build(&alice(), new).await;
        assert_eq!(err.unwrap_err(), RegistryError::Unavailable("down".into()));
    }
}
