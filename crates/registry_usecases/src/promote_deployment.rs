//! `POST /agents/{id}/deployments/{did}/promote`.

use crate::audit::{self, now};
use crate::get_deployment::deployment_not_found;
use crate::repo_error::repo_error;
use crate::retry::{retry_on_stale, Attempt};
use crate::{Registry, RegistryError};
use registry_domain::{
    apply, Agent, AgentId, Deployment, DeploymentId, EventKind, LifecycleEvent, Principal,
    TransitionError,
};
use registry_domain::{AgentRef, Need};
use registry_ports::{Constraint, RepoError};

/// Result of a promotion: both rows as stored.
#[derive(Debug, Clone, PartialEq)]
pub struct PromotedDeployment {
    /// The promoted deployment.
    pub deployment: Deployment,
    /// The agent (production pointer, acp_url, maybe BuildOnly → Ready).
    pub agent: Agent,
}

impl Registry {
    /// Promotes a Ready, non-expired deployment to production. Needs `execute`.
    ///
    /// Errors: `AgentNotFound`, `Forbidden`, `AgentStatusConflict` (agent Deleted),
    /// `DeploymentNotFound`, `DeploymentNotPromotable`, `Contention`, `Unavailable`, `Internal`.
    pub async fn promote_deployment(
        &self,
        caller: &Principal,
        agent_id: AgentId,
        deployment_id: DeploymentId,
    ) -> Result<PromotedDeployment, RegistryError> {
        let access = self.read_access(caller, &AgentRef::Id(agent_id)).await?;
        let access = access.ok_or(RegistryError::AgentNotFound)?;
        // Whoever could promote before the agent was deleted hears why it cannot now (409, from
        // the state machine); anyone else gets the §6 denial.
        if !access.standing.allows(Need::Execute) {
            access.require(Need::Execute)?;
        }
        let mut agent = access.agent;
        let actor = caller.to_string();
        retry_on_stale(async || {
            let at = now();
            let from = agent.status;
            let transition = match apply(&mut agent, LifecycleEvent::Promote, at, &actor) {
                Ok(t) => t,
                Err(TransitionError::Conflict) => {
                    return Err(RegistryError::AgentStatusConflict {
                        agent: agent_id,
                        status: from,
                    })
                }
                Err(TransitionError::NotFound) => return Err(RegistryError::AgentNotFound),
            };
            agent.updated_at = at;
            let mut events = vec![audit::event(
                agent_id,
                EventKind::Promoted,
                caller,
                at,
                serde_json::json!({ "deployment_id": deployment_id.to_string() }),
            )];
            if let Some(t) = transition {
                events.push(audit::transition(agent_id, from, t, caller, at));
            }
            match self
                .deployments
                .promote(&agent, deployment_id, at, &events)
                .await
            {
                Ok((deployment, agent)) => {
                    Ok(Attempt::Done(PromotedDeployment { deployment, agent }))
                }
                Err(RepoError::Conflict(Constraint::StaleVersion)) => {
                    agent = self
                        .agents
                        .get(agent_id)
                        .await
                        .map_err(repo_error)?
                        .ok_or(RegistryError::AgentNotFound)?;
                    Ok(Attempt::Stale)
                }
                Err(RepoError::NotFound) => Err(deployment_not_found(agent_id, deployment_id)),
                Err(RepoError::Conflict(Constraint::DeploymentNotReady)) => {
                    Err(RegistryError::DeploymentNotPromotable(deployment_id))
                }
                Err(e) => Err(repo_error(e)),
            }
        })
        .await
    }
}
