//! `POST /agents/register` without a deployment: deploy-time registration of the agent itself
//! (peer §5.1). The deployment-scoped form is `register_deployment.rs`.

use crate::access::name_taken;
use crate::audit::{self, now};
use crate::repo_error::repo_error;
use crate::secrets::{generate_secret, hash_secret, AGENT_KEY_PREFIX};
use crate::{Registry, RegistryError};
use registry_domain::state_machine::create;
use registry_domain::{
    apply, Agent, AgentId, AgentRef, ApiKey, ApiKeyId, ApiKeyType, DeploymentHistory, EventKind,
    LifecycleEvent, Need, NewAgent, Principal, ValidationError,
};
use registry_ports::{Cause, Constraint, RepoError};

/// Body of an agent-level registration, validated.
#[derive(Debug, Clone, PartialEq)]
pub struct RegisterInput {
    /// Register this existing agent (renaming it to `agent.name` if that differs).
    pub agent_id: Option<AgentId>,
    /// The agent as registered: its metadata is shallow-merged into the stored one, its input
    /// type kept when `None`.
    pub agent: NewAgent,
}

/// Result of a registration.
#[derive(Debug, Clone, PartialEq)]
pub struct RegisterOutput {
    /// The agent as stored (untouched by a deployment-scoped registration).
    pub agent: Agent,
    /// A freshly minted internal key (plaintext, shown once) when the agent had none.
    pub agent_api_key: Option<String>,
    /// True when this call created the agent.
    pub created: bool,
}

impl RegisterInput {
    /// Writes the registration's fields onto `agent` (the status is the state machine's job).
    fn apply_fields(&self, agent: &mut Agent) -> Result<(), ValidationError> {
        let new = &self.agent;
        agent.name = new.name.clone();
        agent.description = new.description.clone();
        agent.acp_url = new.acp_url.clone();
        agent.acp_type = new.acp_type;
        if let Some(input_type) = new.agent_input_type {
            agent.agent_input_type = Some(input_type);
        }
        if let Some(metadata) = new
            .registration_metadata
            .as_ref()
            .filter(|m| !m.as_map().is_empty())
        {
            agent.registration_metadata = Some(match &agent.registration_metadata {
                Some(old) => old.merged_with(metadata)?,
                None => metadata.clone(),
            });
        }
        agent.production_deployment_id = None;
        Ok(())
    }
}

impl Registry {
    /// Agent-level deploy-time registration (peer §5.1). By `agent_id` (Deleted or absent is
    /// `AgentNotFound`) or by name (absent → created Ready, needs `create`, the caller becomes
    /// owner; a live agent the caller cannot read is `NameTaken`). An existing agent needs
    /// `update` or its own key; it gets the fields, the shallow-merged metadata, goes Ready
    /// through the state machine and loses its production pointer. A rename (by id) needs the
    /// rename authority (owners, the admin, the agent itself: else `Forbidden`) and a free name
    /// (else `NameTaken`), and is recorded as a `renamed` event in the same write.
    ///
    /// A deployment-history row is recorded when the metadata names `agent_commit` and
    /// `branch_name` (failures are logged only), and an internal key is minted and returned
    /// once when the agent has none.
    ///
    /// Errors: `Validation`, `AgentNotFound`, `Forbidden`, `NameTaken`, `Contention`,
    /// `Unavailable`, `Internal`.
    pub async fn register(
        &self,
        caller: &Principal,
        input: RegisterInput,
    ) -> Result<RegisterOutput, RegistryError> {
        let access = match input.agent_id {
            Some(id) => {
                let access = self.read_access(caller, &AgentRef::Id(id)).await?;
                let access = access.ok_or(RegistryError::AgentNotFound)?;
                access.require(Need::SelfService)?;
                access
            }
            None => {
                let by_name = AgentRef::Name(input.agent.name.clone());
                let access = match self.read_access(caller, &by_name).await? {
                    Some(access) => access,
                    None => {
                        let outcome = self.create_registered(caller, &input.agent).await?;
                        if outcome.created {
                            self.record_history(&outcome.agent).await;
                            return self.registered(caller, outcome.agent, true).await;
                        }
                        self.access(caller, outcome.agent, outcome.owner_role)
                    }
                };
                access.require(Need::SelfService).map_err(name_taken)?;
                access
            }
        };
        let may_rename = access.standing.allows(Need::Rename);
        let actor = caller.to_string();
        let agent = self
            .update_agent(access.agent, |agent| {
                let old_name = agent.name.clone();
                let renaming = old_name != input.agent.name;
                if renaming && !may_rename {
                    return Err(RegistryError::Forbidden);
                }
                let at = now();
                let from = agent.status;
                input.apply_fields(agent)?;
                let transition = apply(agent, LifecycleEvent::Register, at, &actor)
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
                    events.push(audit::renamed(agent.id, &old_name, &agent.name, caller, at));
                }
                Ok(Some(events))
            })
            .await?;
        self.record_history(&agent).await;
        self.registered(caller, agent, false).await
    }

    /// Creates the agent Ready (state machine) unless its name went live meanwhile.
    async fn create_registered(
        &self,
        caller: &Principal,
        new: &NewAgent,
    ) -> Result<registry_ports::CreateOutcome, RegistryError> {
        self.require_create(caller)?;
        let at = now();
        let mut new = new.clone();
        new.registration_metadata = new.registration_metadata.filter(|m| !m.as_map().is_empty());
        let agent = create(new, LifecycleEvent::Register, at)
            .map_err(|e| RegistryError::Internal(Cause::context("register cannot create", e)))?;
        self.create_agent_if_absent(caller, &agent, at).await
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

    /// The answer of a registration: the agent, and its internal key when this call minted it.
    pub(crate) async fn registered(
        &self,
        caller: &Principal,
        agent: Agent,
        created: bool,
    ) -> Result<RegisterOutput, RegistryError> {
        let agent_api_key = self.mint_internal_key(caller, &agent).await?;
        Ok(RegisterOutput {
            agent,
            agent_api_key,
            created,
        })
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
