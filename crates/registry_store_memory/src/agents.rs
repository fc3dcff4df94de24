//! [`AgentRepository`] in memory.

use crate::json::contains;
use crate::state::Owned;
use crate::state::{budgeted_page_of, directed, metadata_bytes, State};
use crate::InMemoryStore;
use async_trait::async_trait;
use registry_domain::{
    admits_one_more, Agent, AgentId, AgentName, AgentStatus, Grant, NewEvent, OrgId, Page,
    Principal, Role,
};
use registry_ports::{
    AgentOrder, AgentQuery, AgentRepository, AgentWithRole, Constraint, CreateOutcome,
    HeartbeatExpiry, RepoError, RepoResult,
};
use serde_json::Value;

#[async_trait]
impl AgentRepository for InMemoryStore {
    async fn create_if_absent(
        &self,
        agent: &Agent,
        owner: Option<Principal>,
        events: &[NewEvent],
    ) -> RepoResult<CreateOutcome> {
        let org = self.org;
        self.with_state(|s| {
            if let Some(existing) = s.live_agent_named(org, &agent.name) {
                let owner_role = owner.and_then(|o| s.with_role(existing, &o).role);
                return Ok(CreateOutcome {
                    agent: existing.clone(),
                    created: false,
                    owner_role,
                });
            }
            // The quota, decided under the lock that also serialises every other create.
            let max_agents = s.orgs.get(&org).ok_or(RepoError::NotFound)?.max_agents;
            admits_one_more(max_agents, s.live_agents(org)).map_err(RepoError::QuotaExceeded)?;
            if s.agents.contains_key(&agent.id) {
                return Err(RepoError::Unexpected(
                    format!("agent id {} already exists", agent.id).into(),
                ));
            }
            s.agents.insert(
                agent.id,
                Owned {
                    org,
                    row: agent.clone(),
                },
            );
            let owner_role = owner.is_some().then_some(Role::Owner);
            if let Some(owner) = owner {
                let grant = Grant {
                    agent_id: agent.id,
                    principal: owner,
                    role: Role::Owner,
                    created_at: agent.created_at,
                };
                s.grants.insert(
                    (agent.id, grant.principal.to_string()),
                    Owned { org, row: grant },
                );
            }
            s.append_events(org, events);
            Ok(CreateOutcome {
                agent: agent.clone(),
                created: true,
                owner_role,
            })
        })
    }

    async fn get(&self, id: AgentId) -> RepoResult<Option<Agent>> {
        self.with_state(|s| Ok(s.agent(self.org, id).cloned()))
    }

    async fn get_live_by_name(&self, name: &AgentName) -> RepoResult<Option<Agent>> {
        self.with_state(|s| Ok(s.live_agent_named(self.org, name).cloned()))
    }

    async fn get_with_role(
        &self,
        id: AgentId,
        principal: &Principal,
    ) -> RepoResult<Option<AgentWithRole>> {
        self.with_state(|s| Ok(s.agent(self.org, id).map(|a| s.with_role(a, principal))))
    }

    async fn get_live_by_name_with_role(
        &self,
        name: &AgentName,
        principal: &Principal,
    ) -> RepoResult<Option<AgentWithRole>> {
        self.with_state(|s| {
            Ok(s.live_agent_named(self.org, name)
                .map(|a| s.with_role(a, principal)))
        })
    }

    async fn list(&self, query: &AgentQuery) -> RepoResult<Page<Agent>> {
        self.with_state(|s| {
            let mut rows: Vec<Agent> = s
                .agents_in(self.org)
                .filter(|a| matches_query(s, a, query))
                .cloned()
                .collect();
            rows.sort_by(|a, b| {
                let by_key = match query.order_by {
                    AgentOrder::CreatedAt => a.created_at.cmp(&b.created_at),
                    AgentOrder::UpdatedAt => a.updated_at.cmp(&b.updated_at),
                    AgentOrder::Name => a.name.cmp(&b.name),
                    AgentOrder::LastSeenAt => match (a.last_seen_at, b.last_seen_at) {
                        // Never seen: last whichever the direction (undo the reversal).
                        (None, Some(_)) => return std::cmp::Ordering::Greater,
                        (Some(_), None) => return std::cmp::Ordering::Less,
                        (x, y) => x.cmp(&y),
                    },
                };
                directed(by_key.then_with(|| a.id.cmp(&b.id)), query.direction)
            });
            let bound = (!query.total_is_kept()).then_some(self.count_bound);
            budgeted_page_of(rows, query.page, bound, |a| {
                (a.description.as_str().len() + a.acp_url.as_ref().map_or(0, String::len)) as u64
                    + metadata_bytes(a.registration_metadata.as_ref())
            })
        })
    }

    async fn update(&self, agent: &Agent, events: &[NewEvent]) -> RepoResult<Agent> {
        let org = self.org;
        self.with_state(|s| {
            let stored = s.agent(org, agent.id).ok_or(RepoError::NotFound)?;
            if stored.version != agent.version {
                return Err(RepoError::Conflict(Constraint::StaleVersion));
            }
            let name_taken = agent.status != AgentStatus::Deleted
                && s.live_agent_named(org, &agent.name)
                    .is_some_and(|other| other.id != agent.id);
            if name_taken {
                return Err(RepoError::Conflict(Constraint::LiveAgentName));
            }
            let demoted = stored
                .production_deployment_id
                .filter(|_| agent.production_deployment_id.is_none());
            if let Some(deployment_id) = demoted {
                let owned = s.deployments.get_mut(&deployment_id);
                if let Some(d) = owned.filter(|d| d.org == org) {
                    d.row.is_production = false;
                }
            }
            let mut new = agent.clone();
            new.version = agent.version + 1;
            if let Some(stored) = s.agent_mut(org, agent.id) {
                *stored = new.clone();
            }
            s.append_events(org, events);
            Ok(new)
        })
    }

    /// Not scoped: the monitor is no tenant. It expires agents of every org, each event in its
    /// agent's org.
    async fn expire_heartbeats(&self, expiry: &HeartbeatExpiry) -> RepoResult<Vec<AgentId>> {
        self.with_state(|s| Ok(expire(s, expiry)))
    }

    async fn record_heartbeat(
        &self,
        id: AgentId,
        status: registry_domain::AgentStatus,
        at: registry_domain::Timestamp,
    ) -> RepoResult<Option<Agent>> {
        self.with_state(|s| {
            Ok(s.agent_mut(self.org, id)
                .filter(|a| a.status == status)
                .map(|a| {
                    a.last_seen_at = Some(at);
                    a.clone()
                }))
        })
    }

    /// Not scoped: whether the store answers at all.
    async fn ping(&self) -> RepoResult<()> {
        self.with_state(|_| Ok(()))
    }
}

/// The monitor's single statement: transition every stale agent of every org and event each
/// once (in its agent's org), as `expiry` says.
fn expire(s: &mut State, expiry: &HeartbeatExpiry) -> Vec<AgentId> {
    let mut expired: Vec<(AgentId, OrgId)> = Vec::new();
    for Owned { org, row: agent } in s.agents.values_mut() {
        let stale = agent.status == expiry.from
            && agent.last_seen_at.is_some_and(|t| t < expiry.seen_before);
        if !stale {
            continue;
        }
        agent.status = expiry.transition.to;
        agent.status_reason = Some(expiry.transition.reason.to_owned());
        agent.updated_at = expiry.at;
        agent.version += 1;
        expired.push((agent.id, *org));
    }
    expired.sort();
    for (id, org) in &expired {
        s.append_events(*org, &[expiry.event.for_agent(*id)]);
    }
    expired.into_iter().map(|(id, _)| id).collect()
}

/// Whether `agent` is one of the rows `query` selects (before paging).
fn matches_query(s: &State, agent: &Agent, query: &AgentQuery) -> bool {
    if agent.status == AgentStatus::Deleted {
        return false;
    }
    if let Some(principal) = &query.granted_to {
        if s.with_role(agent, principal).role.is_none() {
            return false;
        }
    }
    if !query.statuses.is_empty() && !query.statuses.contains(&agent.status) {
        return false;
    }
    if let Some(ids) = &query.only_ids {
        if !ids.contains(&agent.id) {
            return false;
        }
    }
    if let Some(wanted) = &query.card_metadata {
        let card = agent
            .registration_metadata
            .as_ref()
            .and_then(|m| m.as_map().get("agent_card"))
            .and_then(|c| c.get("metadata"));
        match card {
            Some(card) => {
                if !contains(card, &Value::Object(wanted.clone())) {
                    return false;
                }
            }
            None => return false,
        }
    }
    true
}
