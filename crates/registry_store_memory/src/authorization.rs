//! [`Authorizer`] in memory: grants keyed by (agent, principal text).

use crate::state::{now_micros, page_of, State};
use crate::InMemoryStore;
use async_trait::async_trait;
use registry_domain::{Action, AgentId, Grant, NewEvent, Page, PageRequest, Principal, Role};
use registry_ports::{Authorizer, Constraint, RepoError, RepoResult};

/// Whether `principal` is the only owner of `agent_id`.
fn is_last_owner(s: &State, agent_id: AgentId, principal: &str) -> bool {
    let mut owners = s
        .grants
        .iter()
        .filter(|((a, _), g)| *a == agent_id && g.role == Role::Owner);
    matches!(
        (owners.next(), owners.next()),
        (Some(((_, only), _)), None) if only == principal
    )
}

#[async_trait]
impl Authorizer for InMemoryStore {
    async fn check(
        &self,
        principal: &Principal,
        agent_id: AgentId,
        action: Action,
    ) -> RepoResult<bool> {
        self.with_state(|s| {
            Ok(s.grants
                .get(&(agent_id, principal.to_string()))
                .is_some_and(|g| g.role.allows(action)))
        })
    }

    async fn grant(
        &self,
        agent_id: AgentId,
        principal: &Principal,
        role: Role,
        events: &[NewEvent],
    ) -> RepoResult<Grant> {
        self.with_state(|s| {
            if !s.agents.contains_key(&agent_id) {
                return Err(RepoError::NotFound);
            }
            let key = (agent_id, principal.to_string());
            if role != Role::Owner && is_last_owner(s, agent_id, &key.1) {
                return Err(RepoError::Conflict(Constraint::LastOwner));
            }
            let created_at = s.grants.get(&key).map_or_else(now_micros, |g| g.created_at);
            let grant = Grant {
                agent_id,
                principal: principal.clone(),
                role,
                created_at,
            };
            s.grants.insert(key, grant.clone());
            s.append_events(events);
            Ok(grant)
        })
    }

    async fn revoke(
        &self,
        agent_id: AgentId,
        principal: &Principal,
        events: &[NewEvent],
    ) -> RepoResult<Grant> {
        self.with_state(|s| {
            let key = (agent_id, principal.to_string());
            if !s.grants.contains_key(&key) {
                return Err(RepoError::NotFound);
            }
            if is_last_owner(s, agent_id, &key.1) {
                return Err(RepoError::Conflict(Constraint::LastOwner));
            }
            let removed = s.grants.remove(&key).ok_or(RepoError::NotFound)?;
            s.append_events(events);
            Ok(removed)
        })
    }

    async fn grants(&self, agent_id: AgentId, page: PageRequest) -> RepoResult<Page<Grant>> {
        self.with_state(|s| {
            let mut rows: Vec<(&String, &Grant)> = s
                .grants
                .iter()
                .filter(|((a, _), _)| *a == agent_id)
                .map(|((_, p), g)| (p, g))
                .collect();
            rows.sort_by(|(pa, a), (pb, b)| {
                (a.role != Role::Owner, pa.as_str()).cmp(&(b.role != Role::Owner, pb.as_str()))
            });
            Ok(page_of(
                rows.into_iter().map(|(_, g)| g.clone()).collect(),
                page,
                Some(self.count_bound),
            ))
        })
    }
}
