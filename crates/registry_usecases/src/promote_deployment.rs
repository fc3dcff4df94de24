//! `POST /agents/{id}/deployments/{did}/promote`.

use crate::access::Need;
use crate::audit::{self, now};
use crate::get_deployment::deployment_not_found;
use crate::repo_error::{repo_error, MAX_ATTEMPTS};
use crate::{Registry, RegistryError};
use registry_domain::{
    apply, Agent, AgentId, Deployment, DeploymentId, EventKind, LifecycleEvent, Principal,
    TransitionError,
};
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
    /// Errors: `AgentNotFound`, `Forbidden`, `StatusConflict` (agent Deleted),
    /// `DeploymentNotFound`, `DeploymentNotReady`, `Contention`, `Unavailable`, `Internal`.
    pub async fn promote_deployment(
        &self,
        caller: &Principal,
        agent_id: AgentId,
        deployment_id: DeploymentId,
    ) -> Result<PromotedDeployment, RegistryError> {
        let mut agent = self
            .agents
            .get(agent_id)
            .await
            .map_err(repo_error)?
            .ok_or(RegistryError::AgentNotFound)?;
        self.authorize(caller, agent_id, Need::Execute).await?;
        let actor = caller.to_string();
        for _ in 0..MAX_ATTEMPTS {
            let at = now();
            let from = agent.status;
            let transition = match apply(&mut agent, LifecycleEvent::Promote, at, &actor) {
                Ok(t) => t,
                Err(TransitionError::Conflict) => {
                    return Err(RegistryError::StatusConflict(format!(
                        "Agent {agent_id} is {from}: its deployments cannot be promoted."
                    )))
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
                Ok((deployment, agent)) => return Ok(PromotedDeployment { deployment, agent }),
                Err(RepoError::Conflict(Constraint::StaleVersion)) => {
                    agent = self
                        .agents
                        .get(agent_id)
                        .await
                        .map_err(repo_error)?
                        .ok_or(RegistryError::AgentNotFound)?;
                }
                Err(RepoError::NotFound) => {
                    return Err(deployment_not_found(agent_id, deployment_id))
                }
                Err(RepoError::Conflict(Constraint::DeploymentNotReady)) => {
                    return Err(RegistryError::DeploymentNotReady(format!(
                        "Deployment {deployment_id} cannot be promoted: it must be Ready and not deleted."
                    )))
                }
                Err(e) => return Err(repo_error(e)),
            }
        }
        Err(RegistryError::Contention)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::{agent, Mocks};
    use registry_domain::AgentStatus;

    #[tokio::test]
    async fn promoting_on_a_deleted_agent_is_a_status_conflict() {
        let a = agent("a", AgentStatus::Deleted);
        let id = a.id;
        let mut m = Mocks::default();
        m.agents
            .expect_get()
            .returning(move |_| Ok(Some(a.clone())));
        let err = m
            .registry()
            .promote_deployment(&Principal::Admin, id, DeploymentId::new_random())
            .await
            .unwrap_err();
        assert!(matches!(err, RegistryError::StatusConflict(_)), "{err:?}");
    }

    #[tokio::test]
    async fn promoting_a_build_only_agent_makes_it_ready_in_the_same_write() {
        let a = agent("a", AgentStatus::BuildOnly);
        let id = a.id;
        let mut m = Mocks::default();
        m.agents
            .expect_get()
            .returning(move |_| Ok(Some(a.clone())));
        m.deployments
            .expect_promote()
            .withf(|agent, _, _, events| {
                agent.status == AgentStatus::Ready
                    && events.iter().any(|e| e.kind == EventKind::Promoted)
                    && events.iter().any(|e| e.kind == EventKind::Transition)
            })
            .times(1)
            .returning(|_, _, _, _| Err(RepoError::Conflict(Constraint::DeploymentNotReady)));
        let err = m
            .registry()
            .promote_deployment(&Principal::Admin, id, DeploymentId::new_random())
            .await
            .unwrap_err();
        assert!(
            matches!(err, RegistryError::DeploymentNotReady(_)),
            "{err:?}"
        );
    }
}
