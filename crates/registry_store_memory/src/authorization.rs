//! [`Authorizer`] in memory: grants keyed by (agent, principal text), each in its agent's org.

use crate::state::{now_micros, page_of, Owned, State};
use crate::InMemoryStore;
use async_trait::async_trait;
use registry_domain::{
    Action, AgentId, AgentStatus, Grant, NewEvent, OrgId, Page, PageRequest, Principal, Role,
};
use registry_ports::{Authorizer, Constraint, RepoError, RepoResult};

/// Whether `principal` is the only owner of `agent_id`.
fn is_last_owner(s: &State, agent_id: AgentId, principal: &str) -> bool {
    let mut owners = s
        .grants
        .iter()
        .filter(|((a, _), g)| *a == agent_id && g.row.role == Role::Owner);
    matches!(
        (owners.next(), owners.next()),
        (Some(((_, only), _)), None) if only == principal
    )
}

/// The grant of `principal` on `agent_id` if it is a grant of `org`.
fn grant_in<'s>(s: &'s State, org: OrgId, agent_id: AgentId, principal: &str) -> Option<&'s Grant> {
    s.grants
        .get(&(agent_id, principal.to_owned()))
        .filter(|g| g.org == org)
        .map(|g| &g.row)
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
            Ok(grant_in(s, self.org, agent_id, &principal.to_string())
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
        let org = self.org;
        self.with_state(|s| {
            // A Deleted agent takes no new grants (as in PostgreSQL, where the grant locks the
            // live agent).
            if s.agent(org, agent_id)
                .is_none_or(|a| a.status == AgentStatus::Deleted)
            {
                return Err(RepoError::NotFound);
            }
            let key = (agent_id, principal.to_string());
            if role != Role::Owner && is_last_owner(s, agent_id, &key.1) {
                return Err(RepoError::Conflict(Constraint::LastOwner));
            }
            let created_at = s
                .grants
                .get(&key)
                .map_or_else(now_micros, |g| g.row.created_at);
            let grant = Grant {
                agent_id,
                principal: principal.clone(),
                role,
                created_at,
            };
            s.grants.insert(
                key,
                Owned {
                    org,
                    row: grant.clone(),
                },
            );
            s.append_events(org, events);
            Ok(grant)
        })
    }

    async fn revoke(
        &self,
        agent_id: AgentId,
        principal: &Principal,
        events: &[NewEvent],
    ) -> RepoResult<Grant> {
        let org = self.org;
        self.with_state(|s| {
            let key = (agent_id, principal.to_string());
            if grant_in(s, org, agent_id, &key.1).is_none() {
                return Err(RepoError::NotFound);
            }
            if is_last_owner(s, agent_id, &key.1) {
                return Err(RepoError::Conflict(Constraint::LastOwner));
            }
            let removed = s.grants.remove(&key).ok_or(RepoError::NotFound)?;
            s.append_events(org, events);
            Ok(removed.row)
        })
    }

    async fn grants(&self, agent_id: AgentId, page: PageRequest) -> RepoResult<Page<Grant>> {
        self.with_state(|s| {
            let mut rows: Vec<(&String, &Grant)> = s
                .grants
                .iter()
                .filter(|((a, _), g)| *a == agent_id && g.org == self.org)
                .map(|((_, p), g)| (p, &g.row))
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
