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
    identity_decision, may_rename, Action, Agent, AgentId, AgentName, AgentStatus, Principal,
    Resource, Role,
};
use registry_ports::{AgentQuery, AgentWithRole};

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

/// A found agent for a caller whose access its identity decides (no role read).
fn without_role(agent: Option<Agent>) -> Option<AgentWithRole> {
    agent.map(|agent| AgentWithRole { agent, role: None })
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

    /// Whether `caller`'s access to an agent is decided by its grants (an ordinary principal
    /// with authorization on), not by its identity alone (admin, an agent's own key).
    fn decided_by_grants(&self, caller: &Principal) -> bool {
        self.config.authorization_enabled && !caller.is_admin() && caller.as_agent().is_none()
    }

    /// `Ok` if `role` allows `need`; otherwise the §6 denial (`Forbidden` if it allows reading,
    /// `AgentNotFound` if not).
    fn judge_role(role: Option<Role>, need: Need) -> Result<(), RegistryError> {
        let allows = |need: Need| role.is_some_and(|r| r.allows(need.action()));
        if allows(need) {
            Ok(())
        } else if need != Need::Read && allows(Need::Read) {
            Err(RegistryError::Forbidden)
        } else {
            Err(RegistryError::AgentNotFound)
        }
    }

    /// Whether `caller` is allowed `need` on a found agent: by the role read with it when
    /// grants decide (no further read), else by identity.
    pub(crate) async fn permits(
        &self,
        caller: &Principal,
        found: &AgentWithRole,
        need: Need,
    ) -> Result<bool, RegistryError> {
        if self.decided_by_grants(caller) {
            Ok(found.role.is_some_and(|r| r.allows(need.action())))
        } else {
            self.allows(caller, found.agent.id, need).await
        }
    }

    /// [`Self::permits`] with the §6 denial: `Ok` if allowed, else `Forbidden` or
    /// `AgentNotFound`.
    pub(crate) async fn authorize_found(
        &self,
        caller: &Principal,
        found: &AgentWithRole,
        need: Need,
    ) -> Result<(), RegistryError> {
        if self.decided_by_grants(caller) {
            Self::judge_role(found.role, need)
        } else {
            self.authorize(caller, found.agent.id, need).await
        }
    }

    /// Checks a found agent: live, and `caller` allowed `need` on it. Absent and Deleted are
    /// `AgentNotFound`, like an unreadable agent.
    async fn admit(
        &self,
        caller: &Principal,
        found: Option<AgentWithRole>,
        need: Need,
    ) -> Result<Agent, RegistryError> {
        let found = found
            .filter(|f| f.agent.status != AgentStatus::Deleted)
            .ok_or(RegistryError::AgentNotFound)?;
        self.authorize_found(caller, &found, need).await?;
        Ok(found.agent)
    }

    /// The live (non-Deleted) agent `id`, if `caller` is allowed `need` on it: one read for
    /// the agent and the caller's role when grants decide.
    pub(crate) async fn load_live(
        &self,
        caller: &Principal,
        id: AgentId,
        need: Need,
    ) -> Result<Agent, RegistryError> {
        let found = if self.decided_by_grants(caller) {
            self.agents.get_with_role(id, caller).await
        } else {
            self.agents.get(id).await.map(without_role)
        };
        self.admit(caller, found.map_err(repo_error)?, need).await
    }

    /// `Ok` if `caller` may rename `agent`, which it was allowed to register: the domain's
    /// `may_rename` (owners, the admin, the agent itself; everyone with authorization off).
    /// Otherwise `Forbidden` (the caller can read the agent). Reads the caller's role only when
    /// grants decide, and only here: renames are rare.
    pub(crate) async fn authorize_rename(
        &self,
        caller: &Principal,
        agent: AgentId,
    ) -> Result<(), RegistryError> {
        if !self.config.authorization_enabled {
            return Ok(());
        }
        let role = if self.decided_by_grants(caller) {
            let found = self.agents.get_with_role(agent, caller).await;
            found.map_err(repo_error)?.and_then(|f| f.role)
        } else {
            None
        };
        if may_rename(caller, agent, role) {
            Ok(())
        } else {
            Err(RegistryError::Forbidden)
        }
    }

    /// The live agent named `name`, if `caller` is allowed `need` on it.
    pub(crate) async fn load_live_by_name(
        &self,
        caller: &Principal,
        name: &AgentName,
        need: Need,
    ) -> Result<Agent, RegistryError> {
        let found = self.find_live_by_name(caller, name).await?;
        self.admit(caller, found, need).await
    }

    /// The live agent named `name` with `caller`'s role on it when grants decide (else `None`
    /// as the role): one read.
    pub(crate) async fn find_live_by_name(
        &self,
        caller: &Principal,
        name: &AgentName,
    ) -> Result<Option<AgentWithRole>, RegistryError> {
        let found = if self.decided_by_grants(caller) {
            self.agents.get_live_by_name_with_role(name, caller).await
        } else {
            self.agents.get_live_by_name(name).await.map(without_role)
        };
        found.map_err(repo_error)
    }

    /// The visibility part of a list query for `caller`: everything (admin, or authorization
    /// off), itself (an agent key), or the agents it holds grants on (filtered in the store, so
    /// a principal with many grants costs no extra read).
    pub(crate) fn visible_to(&self, caller: &Principal) -> AgentQuery {
        if self.decided_by_grants(caller) {
            AgentQuery {
                granted_to: Some(caller.clone()),
                ..AgentQuery::default()
            }
        } else {
            AgentQuery {
                only_ids: caller
                    .as_agent()
                    .filter(|_| self.config.authorization_enabled)
                    .map(|me| vec![me]),
                ..AgentQuery::default()
            }
        }
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

#[cfg(test)]
mod tests {
    use crate::test_support::{agent, alice, Mocks};
    use crate::RegistryError;
    use registry_domain::{AgentName, AgentStatus, Principal, Role};
    use registry_ports::AgentWithRole;

    /// A registry holding `a` with alice's `role` on it, read together with the agent; no
    /// grant check expected (a second read would panic).
    fn holding(a: &registry_domain::Agent, role: Option<Role>) -> crate::Registry {
        let mut m = Mocks::default();
        let stored = a.clone();
        m.agents.expect_get_with_role().returning(move |_, _| {
            Ok(Some(AgentWithRole {
                agent: stored.clone(),
                role,
            }))
        });
        m.registry()
    }

    /// A registry where alice may read (or not) and do nothing else.
    fn with_grants(readable: bool, a: &registry_domain::Agent) -> crate::Registry {
        holding(a, readable.then_some(Role::Viewer))
    }

    #[tokio::test]
    async fn denied_read_is_indistinguishable_from_missing() {
        let a = agent("a", AgentStatus::Ready);
        let err = with_grants(false, &a).get_agent(&alice(), a.id).await;
        assert_eq!(err.unwrap_err(), RegistryError::AgentNotFound);
        let mut m = Mocks::default();
        m.agents.expect_get_with_role().returning(|_, _| Ok(None));
        let missing = m.registry().get_agent(&alice(), a.id).await;
        assert_eq!(missing.unwrap_err(), RegistryError::AgentNotFound);
    }

    #[tokio::test]
    async fn denied_write_is_forbidden_only_when_readable() {
        let a = agent("a", AgentStatus::Ready);
        let readable = with_grants(true, &a).delete_agent(&alice(), a.id).await;
        assert_eq!(readable.unwrap_err(), RegistryError::Forbidden);
        let unreadable = with_grants(false, &a).delete_agent(&alice(), a.id).await;
        assert_eq!(unreadable.unwrap_err(), RegistryError::AgentNotFound);
        let heartbeat = with_grants(true, &a).heartbeat(&alice(), a.id).await;
        assert_eq!(heartbeat.unwrap_err(), RegistryError::Forbidden);
    }

    #[tokio::test]
    async fn deleted_agents_are_not_found_even_for_their_owner() {
        let a = agent("a", AgentStatus::Deleted);
        let registry = holding(&a, Some(Role::Owner));
        assert_eq!(
            registry.get_agent(&alice(), a.id).await.unwrap_err(),
            RegistryError::AgentNotFound
        );
        assert_eq!(
            registry.delete_agent(&alice(), a.id).await.unwrap_err(),
            RegistryError::AgentNotFound
        );
    }

    #[tokio::test]
    async fn a_deleted_agent_is_never_found_by_name() {
        let mut m = Mocks::default();
        m.agents.expect_get_live_by_name().returning(|_| Ok(None));
        let err = m
            .registry()
            .get_agent_by_name(&Principal::Admin, &AgentName::parse("gone").unwrap())
            .await;
        assert_eq!(err.unwrap_err(), RegistryError::AgentNotFound);
    }

    #[tokio::test]
    async fn an_agent_key_reads_and_heartbeats_itself_only() {
        let me = agent("me", AgentStatus::Unhealthy);
        let other = agent("other", AgentStatus::Ready);
        let caller = Principal::Agent(me.id);
        let mut m = Mocks::default();
        let (mine, theirs) = (me.clone(), other.clone());
        m.agents.expect_get().returning(move |id| {
            Ok(Some(if id == mine.id {
                mine.clone()
            } else {
                theirs.clone()
            }))
        });
        m.agents
            .expect_update()
            .withf(|a, events| a.last_seen_at.is_some() && events.len() == 1)
            .times(1)
            .returning(|a, _| Ok(a.clone()));
        // No authorizer expectation: an agent key never consults grants.
        let registry = m.registry();
        assert_eq!(registry.get_agent(&caller, me.id).await.unwrap().id, me.id);
        let beat = registry.heartbeat(&caller, me.id).await.unwrap();
        assert_eq!(beat.status, AgentStatus::Ready);
        assert_eq!(
            registry.get_agent(&caller, other.id).await.unwrap_err(),
            RegistryError::AgentNotFound
        );
        assert_eq!(
            registry.heartbeat(&caller, other.id).await.unwrap_err(),
            RegistryError::AgentNotFound
        );
        assert_eq!(
            registry.delete_agent(&caller, me.id).await.unwrap_err(),
            RegistryError::Forbidden
        );
    }

    #[tokio::test]
    async fn lists_are_limited_to_what_the_caller_may_read() {
        let mut m = Mocks::default();
        m.agents
            .expect_list()
            .withf(|q| q.granted_to == Some(alice()) && q.only_ids.is_none())
            .returning(|_| {
                Ok(registry_domain::Page {
                    items: vec![],
                    total: 0,
                })
            });
        let page = m
            .registry()
            .list_agents(&alice(), crate::ListAgentsInput::default())
            .await
            .unwrap();
        assert_eq!(page.total, 0);
        let me = registry_domain::AgentId::new_random();
        let mut m = Mocks::default();
        m.agents
            .expect_list()
            .withf(move |q| q.only_ids == Some(vec![me]) && q.granted_to.is_none())
            .returning(|_| {
                Ok(registry_domain::Page {
                    items: vec![],
                    total: 0,
                })
            });
        let listed = m
            .registry()
            .list_agents(&Principal::Agent(me), crate::ListAgentsInput::default())
            .await;
        assert!(listed.is_ok());
    }

    #[tokio::test]
    async fn list_validates_its_raw_parameters() {
        let registry = Mocks::default().registry();
        let bad_order = crate::ListAgentsInput {
            order_by: Some("status".into()),
            ..Default::default()
        };
        let RegistryError::Validation(v) = registry
            .list_agents(&Principal::Admin, bad_order)
            .await
            .unwrap_err()
        else {
            panic!("expected validation")
        };
        assert_eq!(v.field, "order_by");
        let bad_card = crate::ListAgentsInput {
            agent_card_metadata: Some(serde_json::json!([1])),
            ..Default::default()
        };
        let RegistryError::Validation(v) = registry
            .list_agents(&Principal::Admin, bad_card)
            .await
            .unwrap_err()
        else {
            panic!("expected validation")
        };
        assert_eq!(v.field, "agent_card_metadata");
        let task = crate::ListAgentsInput {
            task_id: Some("t".into()),
            ..Default::default()
        };
        assert_eq!(
            registry
                .list_agents(&Principal::Admin, task)
                .await
                .unwrap()
                .total,
            0
        );
    }

    #[tokio::test]
    async fn stale_versions_are_retried_then_reported_as_contention() {
        let a = agent("a", AgentStatus::Ready);
        let mut m = Mocks::default();
        let stored = a.clone();
        m.agents
            .expect_get()
            .returning(move |_| Ok(Some(stored.clone())));
        m.agents
            .expect_update()
            .times(crate::repo_error::MAX_ATTEMPTS)
            .returning(|_, _| {
                Err(registry_ports::RepoError::Conflict(
                    registry_ports::Constraint::StaleVersion,
                ))
            });
        let err = m.registry().delete_agent(&Principal::Admin, a.id).await;
        assert_eq!(err.unwrap_err(), RegistryError::Contention);
    }
}
