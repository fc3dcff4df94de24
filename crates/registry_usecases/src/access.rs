//! Authorization in the use cases: one read resolves an agent and what the caller is to it
//! ([`Access`]); one pure check ([`Access::require`]) answers a need with the domain's §6
//! denial, which each use case maps (usually to `AgentNotFound` / `Forbidden`; register-build
//! and PUT answer `NameTaken` for a hidden agent).
//!
//! Names say what touches the store: `read_*` reads, `require*` and `list_scope` do not.

use crate::repo_error::repo_error;
use crate::{CreatorPolicy, Registry, RegistryError};
use registry_domain::{
    may_create, Agent, AgentId, AgentRef, AgentStatus, Denial, Need, Principal, Role, Standing,
};
use registry_ports::{AgentQuery, AgentWithRole};

/// An agent and the caller's standing on it, as read together.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Access {
    /// The agent (Deleted included when it was addressed by id).
    pub(crate) agent: Agent,
    /// What the caller is to it.
    pub(crate) standing: Standing,
}

impl Access {
    /// `Ok` if the caller may do `need` on this agent (live, unless the need is its audit
    /// trail); otherwise the §6 denial.
    pub(crate) fn require(&self, need: Need) -> Result<(), Denial> {
        self.standing
            .require(need, self.agent.status != AgentStatus::Deleted)
    }

    /// [`Access::require`], handing over the agent.
    pub(crate) fn into_agent_for(self, need: Need) -> Result<Agent, Denial> {
        self.require(need)?;
        Ok(self.agent)
    }
}

impl From<Denial> for RegistryError {
    /// The usual answer to a denial: the agent is not found, or the caller is forbidden.
    fn from(denial: Denial) -> Self {
        match denial {
            Denial::Hidden => RegistryError::AgentNotFound,
            Denial::Forbidden => RegistryError::Forbidden,
        }
    }
}

/// A hidden agent whose name the caller tried to take: `NameTaken` rather than a 404 (the
/// name is in use; nothing else about the agent is revealed).
pub(crate) fn name_taken(denial: Denial) -> RegistryError {
    match denial {
        Denial::Hidden => RegistryError::NameTaken,
        Denial::Forbidden => RegistryError::Forbidden,
    }
}

impl Registry {
    /// `Forbidden` unless `caller` may create agents (`create` on `agent:*`).
    pub(crate) fn require_create(&self, caller: &Principal) -> Result<(), RegistryError> {
        let creators_allowed = match self.config.creators {
            CreatorPolicy::AnyAuthenticated => true,
            CreatorPolicy::AdminOnly => false,
        };
        if !self.config.authorization_enabled || may_create(caller, creators_allowed) {
            Ok(())
        } else {
            Err(RegistryError::Forbidden)
        }
    }

    /// The caller's access to an agent found together with `role` (the caller's role there,
    /// as read with it; ignored when identity decides).
    pub(crate) fn access(&self, caller: &Principal, agent: Agent, role: Option<Role>) -> Access {
        let standing = Standing::of(caller, agent.id, role, self.config.authorization_enabled);
        Access { agent, standing }
    }

    /// Reads the agent `at` and the caller's standing on it: one read (the caller's role comes
    /// with the agent when grants decide). `None` when there is no such agent (by name: no
    /// live one).
    pub(crate) async fn read_access(
        &self,
        caller: &Principal,
        at: &AgentRef,
    ) -> Result<Option<Access>, RegistryError> {
        let grants_decide = Standing::decided_by_grants(caller, self.config.authorization_enabled);
        // Read with the credential, for the same principal: its role, when grants decide.
        let found = if let Some(prefetched) = self.take_prefetched(at) {
            Ok(prefetched.found)
        } else if grants_decide {
            match at {
                AgentRef::Id(id) => self.agents.get_with_role(*id, caller).await,
                AgentRef::Name(name) => self.agents.get_live_by_name_with_role(name, caller).await,
            }
        } else {
            let agent = match at {
                AgentRef::Id(id) => self.agents.get(*id).await,
                AgentRef::Name(name) => self.agents.get_live_by_name(name).await,
            };
            agent.map(|a| a.map(|agent| AgentWithRole { agent, role: None }))
        };
        Ok(found
            .map_err(repo_error)?
            .map(|f| self.access(caller, f.agent, f.role)))
    }

    /// The live agent `at`, if the caller may do `need` on it; otherwise `AgentNotFound`
    /// (absent, Deleted, unreadable) or `Forbidden` (readable).
    pub(crate) async fn read_agent_for(
        &self,
        caller: &Principal,
        at: &AgentRef,
        need: Need,
    ) -> Result<Agent, RegistryError> {
        let access = self
            .read_access(caller, at)
            .await?
            .ok_or(RegistryError::AgentNotFound)?;
        Ok(access.into_agent_for(need)?)
    }

    /// Re-reads agent `id` after a stale write (authorization was settled by the first
    /// read): the live agent, or `AgentNotFound` if it was deleted meanwhile.
    pub(crate) async fn read_again(&self, id: AgentId) -> Result<Agent, RegistryError> {
        self.agents
            .get(id)
            .await
            .map_err(repo_error)?
            .filter(|a| a.status != AgentStatus::Deleted)
            .ok_or(RegistryError::AgentNotFound)
    }

    /// The visibility part of a list query for `caller`: everything (admin, or authorization
    /// off), itself (an agent key), or the agents it holds grants on (filtered in the store).
    pub(crate) fn list_scope(&self, caller: &Principal) -> AgentQuery {
        let enabled = self.config.authorization_enabled;
        if Standing::decided_by_grants(caller, enabled) {
            AgentQuery {
                granted_to: Some(caller.clone()),
                ..AgentQuery::default()
            }
        } else {
            AgentQuery {
                only_ids: caller.as_agent().filter(|_| enabled).map(|me| vec![me]),
                ..AgentQuery::default()
            }
        }
    }
}
