//! [`DeploymentRepository`] in memory.

use crate::state::{budgeted_page_of, directed, metadata_bytes, Owned, State};
use crate::InMemoryStore;
use async_trait::async_trait;
use registry_domain::{
    Agent, AgentId, Deployment, DeploymentId, DeploymentStatus, NewEvent, OrgId, Page, PageRequest,
    Promotion, SortDirection, Timestamp,
};
use registry_ports::{Constraint, DeploymentRepository, RepoError, RepoResult};

/// The deployment `id` if it belongs to `agent_id` in `org`, else `NotFound`.
fn owned(
    s: &mut State,
    org: OrgId,
    agent_id: AgentId,
    id: DeploymentId,
) -> RepoResult<&mut Deployment> {
    s.deployments
        .get_mut(&id)
        .filter(|d| d.org == org && d.row.agent_id == agent_id)
        .map(|d| &mut d.row)
        .ok_or(RepoError::NotFound)
}

#[async_trait]
impl DeploymentRepository for InMemoryStore {
    async fn create(&self, deployment: &Deployment) -> RepoResult<Deployment> {
        self.with_state(|s| {
            if s.agent(self.org, deployment.agent_id).is_none() {
                return Err(RepoError::NotFound);
            }
            if s.deployments.contains_key(&deployment.id) {
                return Err(RepoError::Unexpected(
                    format!("deployment id {} already exists", deployment.id).into(),
                ));
            }
            let row = Owned {
                org: self.org,
                row: deployment.clone(),
            };
            s.deployments.insert(deployment.id, row);
            Ok(deployment.clone())
        })
    }

    async fn get(&self, agent_id: AgentId, id: DeploymentId) -> RepoResult<Option<Deployment>> {
        self.with_state(|s| {
            Ok(s.deployments
                .get(&id)
                .filter(|d| d.org == self.org && d.row.agent_id == agent_id)
                .map(|d| d.row.clone()))
        })
    }

    async fn list(
        &self,
        agent_id: AgentId,
        page: PageRequest,
        direction: SortDirection,
    ) -> RepoResult<Page<Deployment>> {
        self.with_state(|s| {
            let mut rows: Vec<Deployment> = s
                .deployments
                .values()
                .filter(|d| d.org == self.org)
                .map(|d| &d.row)
                .filter(|d| d.agent_id == agent_id && d.expires_at.is_none())
                .cloned()
                .collect();
            rows.sort_by(|a, b| {
                directed(
                    a.created_at.cmp(&b.created_at).then(a.id.cmp(&b.id)),
                    direction,
                )
            });
            budgeted_page_of(rows, page, Some(self.count_bound), |d| {
                let texts = [&d.acp_url, &d.helm_release_name, &d.sgp_deploy_id];
                (d.docker_image.len()
                    + texts
                        .iter()
                        .map(|t| t.as_ref().map_or(0, String::len))
                        .sum::<usize>()) as u64
                    + metadata_bytes(d.registration_metadata.as_ref())
            })
        })
    }

    async fn soft_delete(
        &self,
        agent_id: AgentId,
        id: DeploymentId,
        now: Timestamp,
    ) -> RepoResult<Deployment> {
        self.with_state(|s| {
            let d = owned(s, self.org, agent_id, id)?;
            if d.expires_at.is_some() {
                return Err(RepoError::NotFound);
            }
            if d.is_production {
                return Err(RepoError::Conflict(Constraint::ProductionDeployment));
            }
            d.expires_at = Some(now);
            Ok(d.clone())
        })
    }

    async fn mark_ready(
        &self,
        agent_id: AgentId,
        id: DeploymentId,
        acp_url: &str,
    ) -> RepoResult<Deployment> {
        self.with_state(|s| {
            let d = owned(s, self.org, agent_id, id)?;
            if d.expires_at.is_some() {
                return Err(RepoError::Conflict(Constraint::DeploymentExpired));
            }
            d.status = DeploymentStatus::Ready;
            d.acp_url = Some(acp_url.to_owned());
            Ok(d.clone())
        })
    }

    async fn promote(
        &self,
        promotion: &Promotion,
        events: &[NewEvent],
    ) -> RepoResult<(Deployment, Agent)> {
        let Promotion {
            agent,
            deployment: target,
            demoted,
            transition: _,
        } = promotion;
        let org = self.org;
        self.with_state(|s| {
            let stored = s.agent(org, agent.id).ok_or(RepoError::NotFound)?;
            if stored.version != agent.version {
                return Err(RepoError::Conflict(Constraint::StaleVersion));
            }
            // Still as the promotion read it (status, acp_url, expires_at), else decide again.
            let current = owned(s, org, agent.id, target.id)?;
            let unchanged = (current.status, &current.acp_url, current.expires_at)
                == (target.status, &target.acp_url, target.expires_at);
            if !unchanged {
                return Err(RepoError::Conflict(Constraint::StaleVersion));
            }
            if let Some(demoted) = demoted.and_then(|id| owned(s, org, agent.id, id).ok()) {
                demoted.is_production = false;
            }
            let promoted = owned(s, org, agent.id, target.id)?;
            promoted.is_production = target.is_production;
            promoted.promoted_at = target.promoted_at;
            let deployment = promoted.clone();
            let mut new = agent.clone();
            new.version = agent.version + 1;
            if let Some(stored) = s.agent_mut(org, agent.id) {
                *stored = new.clone();
            }
            s.append_events(org, events);
            Ok((deployment, new))
        })
    }
}
