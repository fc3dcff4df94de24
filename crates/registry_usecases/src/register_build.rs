//! `POST /agents/register-build`: create-if-absent by name, BuildOnly.

use crate::access::Need;
use crate::audit::{self, now};
use crate::repo_error::repo_error;
use crate::{Registry, RegistryError};
use registry_domain::enums::DEFAULT_ACP_TYPE;
use registry_domain::state_machine::create;
use registry_domain::{
    Agent, AgentInputType, AgentName, Description, LifecycleEvent, Metadata, NewAgent, Principal,
    Timestamp,
};
use registry_ports::{AgentWithRole, Cause, CreateOutcome};

/// Body of register-build, validated.
#[derive(Debug, Clone, PartialEq)]
pub struct RegisterBuildInput {
    /// Agent name.
    pub name: AgentName,
    /// Description.
    pub description: Description,
    /// Registration metadata.
    pub registration_metadata: Option<Metadata>,
    /// Input type.
    pub agent_input_type: Option<AgentInputType>,
}

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
    /// Registers a build: creates the agent as BuildOnly unless a live agent with that name
    /// exists. Needs `create` on `agent:*`. On create the caller becomes owner (the admin gets
    /// no grant row: it is allowed everything anyway). An existing agent the caller may read is
    /// returned unchanged with `created: false` (no write, no grant); one it may not read is
    /// `NameTaken`.
    ///
    /// Errors: `Forbidden` (may not create), `NameTaken`, `Unavailable`, `Internal`.
    pub async fn register_build(
        &self,
        caller: &Principal,
        input: RegisterBuildInput,
    ) -> Result<AgentWritten, RegistryError> {
        self.require_create(caller)?;
        let at = now();
        let new = NewAgent {
            name: input.name,
            description: input.description,
            acp_type: DEFAULT_ACP_TYPE,
            acp_url: None,
            registration_metadata: input.registration_metadata,
            agent_input_type: input.agent_input_type,
        };
        let agent = create(new, LifecycleEvent::RegisterBuild, at).map_err(|e| {
            RegistryError::Internal(Cause::context("register-build cannot create", e))
        })?;
        let outcome = self.create_agent_if_absent(caller, &agent, at).await?;
        if outcome.created {
            return Ok(AgentWritten {
                agent: outcome.agent,
                created: true,
            });
        }
        let found = AgentWithRole {
            agent: outcome.agent,
            role: outcome.owner_role,
        };
        if self.permits(caller, &found, Need::Read).await? {
            Ok(AgentWritten {
                agent: found.agent,
                created: false,
            })
        } else {
            Err(RegistryError::NameTaken)
        }
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
    use super::*;
    use crate::test_support::{agent, alice, Mocks};
    use registry_domain::{AgentStatus, EventKind, Role};

    fn input(name: &str) -> RegisterBuildInput {
        RegisterBuildInput {
            name: AgentName::parse(name).unwrap(),
            description: Description::parse("build").unwrap(),
            registration_metadata: None,
            agent_input_type: None,
        }
    }

    #[tokio::test]
    async fn creating_grants_the_caller_ownership_in_the_same_call() {
        let mut m = Mocks::default();
        m.agents
            .expect_create_if_absent()
            .withf(|a, owner, events| {
                a.status == AgentStatus::BuildOnly
                    && owner == &Some(alice())
                    && events.len() == 1
                    && events[0].kind == EventKind::Created
                    && events[0].actor == "user:alice"
            })
            .times(1)
            .returning(|a, _, _| {
                Ok(CreateOutcome {
                    agent: a.clone(),
                    created: true,
                    owner_role: Some(Role::Owner),
                })
            });
        let out = m
            .registry()
            .register_build(&alice(), input("a"))
            .await
            .unwrap();
        assert!(out.created);
        assert_eq!(
            out.agent.status_reason.as_deref(),
            Some("Agent build registered; not yet deployed.")
        );
    }

    #[tokio::test]
    async fn the_admin_gets_no_grant_row() {
        let mut m = Mocks::default();
        m.agents
            .expect_create_if_absent()
            .withf(|_, owner, _| owner.is_none())
            .returning(|a, _, _| {
                Ok(CreateOutcome {
                    agent: a.clone(),
                    created: true,
                    owner_role: None,
                })
            });
        let out = m
            .registry()
            .register_build(&Principal::Admin, input("a"))
            .await;
        assert!(out.unwrap().created);
    }

    /// A registry whose store already holds `existing`, on which the caller has `role`.
    /// No other expectation: an update, a grant or a second read would panic.
    fn holding(existing: &registry_domain::Agent, role: Option<Role>) -> crate::Registry {
        let mut m = Mocks::default();
        let existing = existing.clone();
        m.agents
            .expect_create_if_absent()
            .returning(move |_, _, _| {
                Ok(CreateOutcome {
                    agent: existing.clone(),
                    created: false,
                    owner_role: role,
                })
            });
        m.registry()
    }

    #[tokio::test]
    async fn an_existing_readable_agent_is_returned_unchanged_without_any_write() {
        let existing = agent("a", AgentStatus::Ready);
        let registry = holding(&existing, Some(Role::Viewer));
        let out = registry.register_build(&alice(), input("a")).await.unwrap();
        assert!(!out.created);
        assert_eq!(out.agent, existing);
    }

    #[tokio::test]
    async fn an_existing_unreadable_agent_is_name_taken_revealing_nothing() {
        let registry = holding(&agent("a", AgentStatus::Ready), None);
        let err = registry.register_build(&alice(), input("a")).await;
        let err = err.unwrap_err();
        assert_eq!(err, RegistryError::NameTaken);
        assert_eq!(err.to_string(), "agent name is taken");
    }

    #[tokio::test]
    async fn agent_keys_cannot_create() {
        let me = Principal::Agent(registry_domain::AgentId::new_random());
        let err = Mocks::default()
            .registry()
            .register_build(&me, input("a"))
            .await
            .unwrap_err();
        assert_eq!(err, RegistryError::Forbidden);
    }

    #[tokio::test]
    async fn store_outage_is_unavailable() {
        let mut m = Mocks::default();
        m.agents
            .expect_create_if_absent()
            .returning(|_, _, _| Err(registry_ports::RepoError::Unavailable("down".into())));
        let err = m
            .registry()
            .register_build(&alice(), input("a"))
            .await
            .unwrap_err();
        assert_eq!(err, RegistryError::Unavailable("down".into()));
    }
}
