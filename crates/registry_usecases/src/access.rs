//! The shared authorization helper: identity rules first (`registry_domain::identity_decision`),
//! then the grants (`Authorizer` port), with the deny semantics of contract §6:
//! a denied read is `AgentNotFound` (indistinguishable from a missing agent); a denied write on
//! a readable agent is `Forbidden`; on an unreadable one `AgentNotFound`.
//!
//! Agent-key principals: the domain lets an agent read and update itself; "update" for an agent
//! key means only self-service (register, heartbeat), so every other update-level use case
//! (PATCH, PUT, key management) asks with [`Need::Update`], which an agent key never has.

use crate::repo_error::repo_error;
use crate::{CreatorPolicy, Registry, RegistryError};
use registry_domain::{
    identity_decision, Action, Agent, AgentId, AgentName, AgentStatus, Principal, Resource, Role,
};

/// What a use case needs on one agent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Need {
    /// `read`.
    Read,
    /// `update`, not satisfied by the agent's own key.
    Update,
    /// `update`, or being the agent itself (register, heartbeat).
    SelfService,
    /// `delete`.
    Delete,
    /// `execute`.
    Execute,
}

impl Need {
    fn action(self) -> Action {
        match self {
            Need::Read => Action::Read,
            Need::Update | Need::SelfService => Action::Update,
            Need::Delete => Action::Delete,
            Need::Execute => Action::Execute,
        }
    }
}

impl Registry {
    /// Whether `caller` may create agents (`create` on `agent:*`).
    pub(crate) fn may_create(&self, caller: &Principal) -> bool {
        if !self.config.authorization_enabled {
            return true;
        }
        let creators_allowed = match self.config.creators {
            CreatorPolicy::AnyAuthenticated => true,
            CreatorPolicy::AdminOnly => caller.is_admin(),
        };
        identity_decision(caller, Resource::AnyAgent, Action::Create, creators_allowed)
            .unwrap_or(false)
    }

    /// `Forbidden` unless `caller` may create agents.
    pub(crate) fn require_create(&self, caller: &Principal) -> Result<(), RegistryError> {
        if self.may_create(caller) {
            Ok(())
        } else {
            Err(RegistryError::Forbidden)
        }
    }

    /// Whether `caller` is allowed `need` on agent `id` (identity first, then grants).
    pub(crate) async fn allows(
        &self,
        caller: &Principal,
        id: AgentId,
        need: Need,
    ) -> Result<bool, RegistryError> {
        if !self.config.authorization_enabled {
            return Ok(true);
        }
        if need == Need::Update && caller.as_agent().is_some() {
            return Ok(false);
        }
        // `creators_allowed` only matters for `agent:*`, never asked here.
        match identity_decision(caller, Resource::Agent(id), need.action(), false) {
            Some(decision) => Ok(decision),
            None => self
                .authorizer
                .check(caller, id, need.action())
                .await
                .map_err(repo_error),
        }
    }

    /// `Ok` if allowed; otherwise the §6 denial: `AgentNotFound` if `caller` may not read the
    /// agent either, `Forbidden` if it may.
    pub(crate) async fn authorize(
        &self,
        caller: &Principal,
        id: AgentId,
        need: Need,
    ) -> Result<(), RegistryError> {
        if self.allows(caller, id, need).await? {
            return Ok(());
        }
        if need != Need::Read && self.allows(caller, id, Need::Read).await? {
            Err(RegistryError::Forbidden)
        } else {
            Err(RegistryError::AgentNotFound)
        }
    }

    /// The live (non-Deleted) agent `id`, if `caller` is allowed `need` on it.
    /// Absent and Deleted are `AgentNotFound`, like an unreadable agent.
    pub(crate) async fn load_live(
        &self,
        caller: &Principal,
        id: AgentId,
        need: Need,
    ) -> Result<Agent, RegistryError> {
        let agent = self
            .agents
            .get(id)
            .await
            .map_err(repo_error)?
            .filter(|a| a.status != AgentStatus::Deleted)
            .ok_or(RegistryError::AgentNotFound)?;
        self.authorize(caller, id, need).await?;
        Ok(agent)
    }

    /// The live agent named `name`, if `caller` is allowed `need` on it.
    pub(crate) async fn load_live_by_name(
        &self,
        caller: &Principal,
        name: &AgentName,
        need: Need,
    ) -> Result<Agent, RegistryError> {
        let agent = self
            .agents
            .get_live_by_name(name)
            .await
            .map_err(repo_error)?
            .ok_or(RegistryError::AgentNotFound)?;
        self.authorize(caller, agent.id, need).await?;
        Ok(agent)
    }

    /// `None` when `caller` sees every agent; otherwise exactly the ids it may read.
    pub(crate) async fn visible_ids(
        &self,
        caller: &Principal,
    ) -> Result<Option<Vec<AgentId>>, RegistryError> {
        if !self.config.authorization_enabled || caller.is_admin() {
            return Ok(None);
        }
        if let Some(me) = caller.as_agent() {
            return Ok(Some(vec![me]));
        }
        self.authorizer
            .visible_ids(caller)
            .await
            .map(Some)
            .map_err(repo_error)
    }

    /// Sharing and the audit trail are for owners and the admin: `Ok` for them; otherwise
    /// `Forbidden` if the caller may read the (live) agent, `AgentNotFound` if not.
    pub(crate) async fn require_owner(
        &self,
        caller: &Principal,
        agent: &Agent,
    ) -> Result<(), RegistryError> {
        if !self.config.authorization_enabled || caller.is_admin() {
            return Ok(());
        }
        if caller.as_agent().is_none() {
            let grants = self.authorizer.grants(agent.id).await.map_err(repo_error)?;
            if grants
                .iter()
                .any(|g| g.role == Role::Owner && &g.principal == caller)
            {
                return Ok(());
            }
        }
        if agent.status != AgentStatus::Deleted && self.allows(caller, agent.id, Need::Read).await?
        {
            Err(RegistryError::Forbidden)
        } else {
            Err(RegistryError::AgentNotFound)
        }
    }
}
