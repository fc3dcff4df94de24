//! `POST /agents/register`: deploy-time registration (peer §5.1).

use crate::access::Need;
use crate::audit::{self, now};
use crate::repo_error::{repo_error, MAX_ATTEMPTS};
use crate::secrets::{generate_secret, hash_secret, AGENT_KEY_PREFIX};
use crate::{Registry, RegistryError};
use registry_domain::state_machine::create;
use registry_domain::{
    apply, AcpType, Agent, AgentId, AgentInputType, AgentName, ApiKey, ApiKeyId, ApiKeyType,
    DeploymentHistory, DeploymentId, Description, EventKind, LifecycleEvent, Metadata, NewAgent,
    Principal, ValidationError,
};
use registry_ports::{Cause, Constraint, RepoError};

/// Body of register, validated. `registration_metadata.deployment_id`, when present, is parsed
/// by the use case (field `registration_metadata.deployment_id`).
#[derive(Debug, Clone, PartialEq)]
pub struct RegisterInput {
    /// Register this existing agent (rename allowed if the name is free).
    pub agent_id: Option<AgentId>,
    /// Agent name.
    pub name: AgentName,
    /// Description.
    pub description: Description,
    /// Where the agent serves.
    pub acp_url: String,
    /// ACP flavour.
    pub acp_type: AcpType,
    /// Registration metadata (shallow-merged into the stored one).
    pub registration_metadata: Option<Metadata>,
    /// Input type (kept when `None`).
    pub agent_input_type: Option<AgentInputType>,
}

/// Result of register.
#[derive(Debug, Clone, PartialEq)]
pub struct RegisterOutput {
    /// The agent as stored (untouched in deployment-scoped mode).
    pub agent: Agent,
    /// A freshly minted internal key (plaintext, shown once) when the agent had none.
    pub agent_api_key: Option<String>,
    /// True when this call created the agent.
    pub created: bool,
}

impl RegisterInput {
    /// `registration_metadata.deployment_id`, if present (and not null): deployment-scoped mode.
    fn deployment_id(&self) -> Result<Option<DeploymentId>, ValidationError> {
        const FIELD: &str = "registration_metadata.deployment_id";
        let value = self
            .registration_metadata
            .as_ref()
            .and_then(|m| m.as_map().get("deployment_id"));
        match value {
            None | Some(serde_json::Value::Null) => Ok(None),
            Some(serde_json::Value::String(s)) => DeploymentId::parse(s, FIELD).map(Some),
            Some(_) => Err(ValidationError::new(FIELD, "must be a UUID")),
        }
    }

    /// Writes the registration's fields onto `agent` (the status is the state machine's job).
    fn apply_fields(&self, agent: &mut Agent) -> Result<(), ValidationError> {
        agent.name = self.name.clone();
        agent.description = self.description.clone();
        agent.acp_url = Some(self.acp_url.clone());
        agent.acp_type = self.acp_type;
        if let Some(input_type) = self.agent_input_type {
            agent.agent_input_type = Some(input_type);
        }
        if let Some(new) = self
            .registration_metadata
            .as_ref()
            .filter(|m| !m.as_map().is_empty())
        {
            agent.registration_metadata = Some(match &agent.registration_metadata {
                Some(old) => old.merged_with(new)?,
                None => new.clone(),
            });
        }
        agent.production_deployment_id = None;
        Ok(())
    }
}

impl Registry {
    /// Deploy-time registration (peer §5.1). By `agent_id` (Deleted or absent is
    /// `AgentNotFound`; a rename needs the caller to be an owner, the admin or the agent itself,
    /// else `Forbidden`, and the new name to be free, else `NameTaken`) or by name
    /// (absent → created Ready, needs `create` and makes the caller owner; present → needs
    /// `update` or the agent's own key; a live agent the caller cannot read is `NameTaken`).
    ///
    /// Without `registration_metadata.deployment_id` the agent gets `acp_url`, `acp_type`,
    /// description, input type (if given), shallow-merged metadata, goes Ready through the state
    /// machine and loses its production pointer; a deployment-history row is recorded when the
    /// metadata carries `agent_commit` and `branch_name` (failures are logged only). With it,
    /// only that deployment of this agent becomes Ready and the agent row is untouched (an
    /// absent agent is then `DeploymentNotFound`: its deployment cannot exist).
    ///
    /// In both modes an internal key named `<name>-api-key` is minted and returned once when the
    /// agent has no internal key.
    ///
    /// Errors: `Validation`, `AgentNotFound`, `Forbidden`, `NameTaken`, `DeploymentNotFound`,
    /// `DeploymentNotReady`, `Contention`, `Unavailable`, `Internal`.
    pub async fn register(
        &self,
        caller: &Principal,
        input: RegisterInput,
    ) -> Result<RegisterOutput, RegistryError> {
        let deployment_id = input.deployment_id()?;
        let (existing, created) = match input.agent_id {
            Some(id) => (self.load_live(caller, id, Need::SelfService).await?, false),
            None => match self.live_for_register(caller, &input.name).await? {
                Some(agent) => (agent, false),
                None if deployment_id.is_some() => {
                    return Err(RegistryError::DeploymentNotFound(format!(
                        "Deployment {} not found for agent {}",
                        deployment_id.map(|d| d.to_string()).unwrap_or_default(),
                        input.name
                    )))
                }
                None => match self.create_registered(caller, &input).await? {
                    (agent, true) => (agent, true),
                    (agent, false) => {
                        self.authorize_existing(caller, &agent).await?;
                        (agent, false)
                    }
                },
            },
        };
        let agent = match deployment_id {
            Some(deployment_id) => {
                self.register_deployment(&existing, deployment_id, &input.acp_url)
                    .await?;
                existing
            }
            None if created => existing,
            None => self.register_agent(caller, existing, &input).await?,
        };
        if deployment_id.is_none() {
            self.record_history(&agent).await;
        }
        let agent_api_key = self.mint_internal_key(caller, &agent).await?;
        Ok(RegisterOutput {
            agent,
            agent_api_key,
            created,
        })
    }

    /// The live agent named `name`, authorized for registration; `None` if there is none.
    async fn live_for_register(
        &self,
        caller: &Principal,
        name: &AgentName,
    ) -> Result<Option<Agent>, RegistryError> {
        let Some(agent) = self
            .agents
            .get_live_by_name(name)
            .await
            .map_err(repo_error)?
        else {
            return Ok(None);
        };
        self.authorize_existing(caller, &agent).await?;
        Ok(Some(agent))
    }

    /// Registration of an existing agent found by name: `NameTaken` if the caller cannot read
    /// it, `Forbidden` if it can read but not update it.
    async fn authorize_existing(
        &self,
        caller: &Principal,
        agent: &Agent,
    ) -> Result<(), RegistryError> {
        match self.authorize(caller, agent.id, Need::SelfService).await {
            Err(RegistryError::AgentNotFound) => Err(RegistryError::NameTaken),
            other => other,
        }
    }

    /// Creates the agent Ready (state machine) unless its name went live meanwhile.
    async fn create_registered(
        &self,
        caller: &Principal,
        input: &RegisterInput,
    ) -> Result<(Agent, bool), RegistryError> {
        self.require_create(caller)?;
        let at = now();
        let new = NewAgent {
            name: input.name.clone(),
            description: input.description.clone(),
            acp_type: input.acp_type,
            acp_url: Some(input.acp_url.clone()),
            registration_metadata: input
                .registration_metadata
                .clone()
                .filter(|m| !m.as_map().is_empty()),
            agent_input_type: input.agent_input_type,
        };
        let agent = create(new, LifecycleEvent::Register, at)
            .map_err(|e| RegistryError::Internal(Cause::context("register cannot create", e)))?;
        let outcome = self.create_agent_if_absent(caller, &agent, at).await?;
        Ok((outcome.agent, outcome.created))
    }

    /// Legacy (agent-level) registration: fields, merge, `Register` through the state machine.
    /// A rename (only by id) needs the rename authority (owners, the admin, the agent itself;
    /// an editor gets `Forbidden`) and the new name free, and is recorded as a `Renamed` event
    /// in the same transaction as the change.
    async fn register_agent(
        &self,
        caller: &Principal,
        mut agent: Agent,
        input: &RegisterInput,
    ) -> Result<Agent, RegistryError> {
        let actor = caller.to_string();
        let mut rename_allowed = false;
        for _ in 0..MAX_ATTEMPTS {
            let old_name = agent.name.clone();
            let renaming = old_name != input.name;
            if renaming {
                if !rename_allowed {
                    self.authorize_rename(caller, agent.id).await?;
                    rename_allowed = true;
                }
                let holder = self
                    .agents
                    .get_live_by_name(&input.name)
                    .await
                    .map_err(repo_error)?;
                if holder.is_some_and(|h| h.id != agent.id) {
                    return Err(RegistryError::NameTaken);
                }
            }
            let at = now();
            let from = agent.status;
            input.apply_fields(&mut agent)?;
            let transition = apply(&mut agent, LifecycleEvent::Register, at, &actor)
                .map_err(|_| RegistryError::AgentNotFound)?;
            agent.updated_at = at;
            let mut events = vec![match transition {
                Some(t) => audit::transition(agent.id, from, t, caller, at),
                None => audit::event(
                    agent.id,
                    EventKind::Updated,
                    caller,
                    at,
                    serde_json::json!({ "via": "register" }),
                ),
            }];
            if renaming {
                events.push(audit::renamed(agent.id, &old_name, &input.name, caller, at));
            }
            match self.agents.update(&agent, &events).await {
                Ok(stored) => return Ok(stored),
                Err(RepoError::Conflict(Constraint::StaleVersion)) => {
                    agent = self
                        .agents
                        .get(agent.id)
                        .await
                        .map_err(repo_error)?
                        .filter(|a| a.status != registry_domain::AgentStatus::Deleted)
                        .ok_or(RegistryError::AgentNotFound)?;
                }
                Err(RepoError::Conflict(Constraint::LiveAgentName)) => {
                    return Err(RegistryError::NameTaken)
                }
                Err(RepoError::NotFound) => return Err(RegistryError::AgentNotFound),
                Err(e) => return Err(repo_error(e)),
            }
        }
        Err(RegistryError::Contention)
    }

    /// Deployment-scoped registration: only the deployment changes.
    async fn register_deployment(
        &self,
        agent: &Agent,
        deployment_id: DeploymentId,
        acp_url: &str,
    ) -> Result<(), RegistryError> {
        match self
            .deployments
            .mark_ready(agent.id, deployment_id, acp_url)
            .await
        {
            Ok(_) => Ok(()),
            Err(RepoError::NotFound) => Err(RegistryError::DeploymentNotFound(format!(
                "Deployment {deployment_id} not found for agent {}",
                agent.id
            ))),
            Err(RepoError::Conflict(Constraint::DeploymentExpired)) => {
                Err(RegistryError::DeploymentNotReady(format!(
                    "Deployment {deployment_id} has been deleted and cannot be registered."
                )))
            }
            Err(e) => Err(repo_error(e)),
        }
    }

    /// Records the deployment-history row of a registration, if its metadata names a commit.
    /// Failures are logged and swallowed (as the peer): registration has already succeeded.
    async fn record_history(&self, agent: &Agent) {
        let Some(metadata) = &agent.registration_metadata else {
            return;
        };
        let at = now();
        let registered_at = agent.registered_at.unwrap_or(at);
        let Some(entry) =
            DeploymentHistory::from_registration(agent.id, metadata, registered_at, at)
        else {
            return;
        };
        if let Err(error) = self.history.record(&entry).await {
            tracing::warn!(agent_id = %agent.id, %error, "deployment history not recorded");
        }
    }

    /// Mints the agent's internal key, minted by `caller`, when it has none; `None` when it has
    /// one (or a concurrent registration minted it first), and `None` for the agent itself: an
    /// agent never holds the authority to mint (`minter_authority_holds`), so a key it minted
    /// could never authenticate.
    async fn mint_internal_key(
        &self,
        caller: &Principal,
        agent: &Agent,
    ) -> Result<Option<String>, RegistryError> {
        if caller.as_agent().is_some() {
            return Ok(None);
        }
        let has_key = self
            .keys
            .has_key_of_type(agent.id, ApiKeyType::Internal)
            .await
            .map_err(repo_error)?;
        if has_key {
            return Ok(None);
        }
        let secret = generate_secret(AGENT_KEY_PREFIX)?;
        let at = now();
        let key = ApiKey {
            id: ApiKeyId::new_random(),
            agent_id: agent.id,
            name: format!("{}-api-key", agent.name),
            api_key_type: ApiKeyType::Internal,
            created_at: at,
            created_by: caller.clone(),
        };
        let event = audit::key_created(&key, caller, at);
        let hash = hash_secret(&self.config.key_hash_secret, &secret);
        match self.keys.create(&key, &hash, &[event]).await {
            Ok(_) => Ok(Some(secret)),
            Err(RepoError::Conflict(Constraint::ApiKeyName)) => Ok(None),
            Err(RepoError::NotFound) => Err(RegistryError::AgentNotFound),
            Err(e) => Err(repo_error(e)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::{agent, alice, Mocks};
    use registry_domain::state_machine::REASON_REGISTERED;
    use registry_domain::{AgentStatus, Role};
    use registry_ports::CreateOutcome;

    fn input(name: &str) -> RegisterInput {
        RegisterInput {
            agent_id: None,
            name: AgentName::parse(name).unwrap(),
            description: Description::parse("deployed").unwrap(),
            acp_url: "http://a:8000".to_owned(),
            acp_type: AcpType::Sync,
            registration_metadata: None,
            agent_input_type: None,
        }
    }

    #[tokio::test]
    async fn a_deleted_namesake_does_not_block_registration_and_a_key_is_minted() {
        let mut m = Mocks::default();
        // Deleted agents are never returned by name.
        m.agents.expect_get_live_by_name().returning(|_| Ok(None));
        m.agents
            .expect_create_if_absent()
            .withf(|a, owner, _| {
                a.status == AgentStatus::Ready
                    && a.acp_url.as_deref() == Some("http://a:8000")
                    && owner == &Some(alice())
            })
            .times(1)
            .returning(|a, _, _| {
                Ok(CreateOutcome {
                    agent: a.clone(),
                    created: true,
                    owner_role: Some(Role::Owner),
                })
            });
        m.keys.expect_has_key_of_type().returning(|_, _| Ok(false));
        m.keys
            .expect_create()
            .withf(|k, hash, _| {
                k.name == "a-api-key" && k.api_key_type == ApiKeyType::Internal && hash.len() == 64
            })
            .times(1)
            .returning(|k, _, _| Ok(k.clone()));
        let out = m.registry().register(&alice(), input("a")).await.unwrap();
        assert!(out.created);
        assert!(out.agent_api_key.unwrap().starts_with("agk_"));
    }

    #[tokio::test]
    async fn register_on_build_only_goes_ready_through_the_state_machine() {
        let existing = agent("a", AgentStatus::BuildOnly);
        let id = existing.id;
        let mut m = Mocks::default();
        m.agents
            .expect_get_live_by_name()
            .returning(move |_| Ok(Some(existing.clone())));
        m.authorizer.expect_check().returning(|_, _, _| Ok(true));
        m.agents
            .expect_update()
            .withf(|a, events| {
                events.len() == 1
                    && events[0].kind == EventKind::Transition
                    && events[0].from_status == Some(AgentStatus::BuildOnly)
                    && events[0].to_status == Some(AgentStatus::Ready)
                    && a.production_deployment_id.is_none()
            })
            .times(1)
            .returning(|a, _| Ok(a.clone()));
        m.keys.expect_has_key_of_type().returning(|_, _| Ok(true));
        let out = m.registry().register(&alice(), input("a")).await.unwrap();
        assert_eq!(out.agent.id, id);
        assert_eq!(out.agent.status, AgentStatus::Ready);
        assert_eq!(out.agent.status_reason.as_deref(), Some(REASON_REGISTERED));
        assert_eq!(out.agent.acp_type, AcpType::Sync);
        assert!(out.agent.registered_at.is_some());
        assert_eq!(out.agent_api_key, None);
        assert!(!out.created);
    }

    #[tokio::test]
    async fn deployment_scoped_registration_leaves_the_agent_row_alone() {
        let existing = agent("a", AgentStatus::BuildOnly);
        let did = DeploymentId::new_random();
        let mut m = Mocks::default();
        let found = existing.clone();
        m.agents
            .expect_get_live_by_name()
            .returning(move |_| Ok(Some(found.clone())));
        m.authorizer.expect_check().returning(|_, _, _| Ok(true));
        m.deployments
            .expect_mark_ready()
            .withf(move |aid, d, url| *aid == existing.id && *d == did && url == "http://a:8000")
            .times(1)
            .returning(|_, _, _| Err(RepoError::Conflict(Constraint::DeploymentExpired)));
        let mut input = input("a");
        input.registration_metadata =
            Some(Metadata::parse(serde_json::json!({ "deployment_id": did.to_string() })).unwrap());
        let err = m.registry().register(&alice(), input).await.unwrap_err();
        assert!(matches!(err, RegistryError::DeploymentNotReady(_)));
    }

    #[tokio::test]
    async fn a_malformed_deployment_id_names_its_field() {
        let mut input = input("a");
        input.registration_metadata =
            Some(Metadata::parse(serde_json::json!({ "deployment_id": "nope" })).unwrap());
        let err = Mocks::default()
            .registry()
            .register(&alice(), input)
            .await
            .unwrap_err();
        let RegistryError::Validation(v) = err else {
            panic!("{err:?}")
        };
        assert_eq!(v.field, "registration_metadata.deployment_id");
    }

    /// A registry holding `a`, on which alice holds `role` (read with the agent), whose
    /// update is expected `updates` times with the events it was given checked by `events_ok`.
    fn renaming(
        a: &Agent,
        role: Role,
        updates: usize,
        events_ok: fn(&[registry_domain::NewEvent]) -> bool,
    ) -> crate::Registry {
        let mut m = Mocks::default();
        let stored = a.clone();
        m.agents.expect_get_with_role().returning(move |_, _| {
            Ok(Some(registry_ports::AgentWithRole {
                agent: stored.clone(),
                role: Some(role),
            }))
        });
        let stored = a.clone();
        m.agents
            .expect_get()
            .returning(move |_| Ok(Some(stored.clone())));
        m.agents.expect_get_live_by_name().returning(|_| Ok(None));
        m.agents
            .expect_update()
            .withf(move |a, events| a.name.as_str() == "b" && events_ok(events))
            .times(updates)
            .returning(|a, _| Ok(a.clone()));
        m.keys.expect_has_key_of_type().returning(|_, _| Ok(true));
        m.registry()
    }

    fn rename_of(a: &Agent) -> RegisterInput {
        RegisterInput {
            agent_id: Some(a.id),
            ..input("b")
        }
    }

    /// The events of a rename from `a` to `b`: the registration's own, then `Renamed`.
    fn renamed_a_to_b(events: &[registry_domain::NewEvent]) -> bool {
        events.len() == 2
            && events[0].kind == EventKind::Updated
            && events[1].kind == EventKind::Renamed
            && events[1].detail == serde_json::json!({ "old_name": "a", "new_name": "b" })
    }

    #[tokio::test]
    async fn an_editor_may_register_but_not_rename() {
        let a = agent("a", AgentStatus::Ready);
        let registry = renaming(&a, Role::Editor, 0, |_| true);
        let err = registry.register(&alice(), rename_of(&a)).await;
        assert_eq!(err.unwrap_err(), RegistryError::Forbidden);
    }

    #[tokio::test]
    async fn an_owner_renames_with_a_renamed_event_in_the_same_write() {
        let a = agent("a", AgentStatus::Ready);
        let registry = renaming(&a, Role::Owner, 1, renamed_a_to_b);
        let out = registry.register(&alice(), rename_of(&a)).await.unwrap();
        assert_eq!(out.agent.name.as_str(), "b");
    }

    #[tokio::test]
    async fn the_agent_itself_renames_on_redeploy() {
        let a = agent("a", AgentStatus::Ready);
        // Role irrelevant: an agent key never consults grants (get_with_role is not asked).
        let registry = renaming(&a, Role::Viewer, 1, renamed_a_to_b);
        let itself = Principal::Agent(a.id);
        let out = registry.register(&itself, rename_of(&a)).await.unwrap();
        assert_eq!(out.agent.name.as_str(), "b");
    }

    #[tokio::test]
    async fn the_agent_itself_is_handed_no_key_it_could_not_use() {
        let a = agent("a", AgentStatus::Ready);
        let mut m = Mocks::default();
        let stored = a.clone();
        m.agents
            .expect_get()
            .returning(move |_| Ok(Some(stored.clone())));
        m.agents.expect_update().returning(|a, _| Ok(a.clone()));
        // No has_key_of_type / create expectation: an agent never mints.
        let input = RegisterInput {
            agent_id: Some(a.id),
            ..input("a")
        };
        let itself = Principal::Agent(a.id);
        let out = m.registry().register(&itself, input).await.unwrap();
        assert_eq!(out.agent_api_key, None);
    }

    #[tokio::test]
    async fn an_agent_key_registers_itself_but_not_another_agent() {
        let me = agent("a", AgentStatus::Unhealthy);
        let other = agent("b", AgentStatus::Ready);
        let caller = Principal::Agent(me.id);
        let mut m = Mocks::default();
        let mine = me.clone();
        m.agents.expect_get_live_by_name().returning(move |n| {
            Ok(Some(if n.as_str() == "a" {
                mine.clone()
            } else {
                other.clone()
            }))
        });
        m.agents.expect_update().returning(|a, _| Ok(a.clone()));
        m.keys.expect_has_key_of_type().returning(|_, _| Ok(true));
        let registry = m.registry();
        let out = registry.register(&caller, input("a")).await.unwrap();
        assert_eq!(out.agent.status, AgentStatus::Ready);
        assert_eq!(
            registry.register(&caller, input("b")).await.unwrap_err(),
            RegistryError::NameTaken
        );
    }
}
