//! `POST /agents/{id}/deployments/{did}/promote`.

use crate::audit::{self, now};
use crate::get_deployment::deployment_not_found;
use crate::repo_error::repo_error;
use crate::retry::{retry_on_stale, Attempt};
use crate::{Registry, RegistryError};
use registry_domain::{
    Agent, AgentId, AgentRef, Deployment, DeploymentId, EventKind, Need, Principal, PromotionError,
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
    /// Promotes a Ready, non-expired deployment to production. Needs `execute`. The domain
    /// decides what changes (`Agent::promote`); the store persists it while the agent and the
    /// deployment are as read. Whoever could promote before the agent was deleted hears why it
    /// cannot now (`AgentStatusConflict`); anyone else gets the §6 denial.
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
        if !access.standing.allows(Need::Execute) {
            access.require(Need::Execute)?;
        }
        let mut agent = access.agent;
        let actor = caller.to_string();
        retry_on_stale(async || {
            let at = now();
            let from = agent.status;
            let deployment = self
                .deployments
                .get(agent_id, deployment_id)
                .await
                .map_err(repo_error)?;
            let promotion = match agent.promote(deployment.as_ref(), at, &actor) {
                Ok(p) => p,
                Err(PromotionError::Agent(TransitionError::Conflict)) => {
                    return Err(RegistryError::AgentStatusConflict {
                        agent: agent_id,
                        status: from,
                    })
                }
                Err(PromotionError::Agent(TransitionError::NotFound)) => {
                    return Err(RegistryError::AgentNotFound)
                }
                Err(PromotionError::DeploymentNotFound) => {
                    return Err(deployment_not_found(agent_id, deployment_id))
                }
                Err(PromotionError::DeploymentNotReady) => {
                    return Err(RegistryError::DeploymentNotPromotable(deployment_id))
                }
            };
            let mut events = vec![audit::event(
                agent_id,
                EventKind::Promoted,
                caller,
                at,
                serde_json::json!({ "deployment_id": deployment_id.to_string() }),
            )];
            if let Some(t) = promotion.transition {
                events.push(audit::transition(agent_id, from, t, caller, at));
            }
            match self.deployments.promote(&promotion, &events).await {
                Ok((deployment, agent)) => {
                    Ok(Attempt::Done(PromotedDeployment { deployment, agent }))
                }
                // The agent or the deployment changed since read: read both again, decide again.
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
                Err(e) => Err(repo_error(e)),
            }
        })
        .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::{agent, Mocks};
    use registry_domain::{AgentStatus, DeploymentStatus};

    /// A deployment of `agent_id` in `status`.
    fn deployment(agent_id: AgentId, status: DeploymentStatus) -> Deployment {
        Deployment {
            id: DeploymentId::new_random(),
            agent_id,
            docker_image: "image:1".to_owned(),
            registration_metadata: None,
            status,
            acp_url: Some("http://d:1".to_owned()),
            is_production: false,
            sgp_deploy_id: None,
            helm_release_name: None,
            created_at: now(),
            promoted_at: None,
            expires_at: None,
        }
    }

    /// Mocks holding `a` and, read again on every attempt, `deployments` one after the other.
    fn holding(a: &Agent, deployments: Vec<Deployment>) -> Mocks {
        let mut m = Mocks::default();
        let stored = a.clone();
        m.agents
            .expect_get()
            .returning(move |_| Ok(Some(stored.clone())));
        let mut reads = deployments.into_iter();
        m.deployments
            .expect_get()
            .returning(move |_, _| Ok(reads.next()));
        m
    }

    #[tokio::test]
    async fn promoting_on_a_deleted_agent_is_a_status_conflict() {
        let a = agent("a", AgentStatus::Deleted);
        let id = a.id;
        let err = holding(&a, vec![])
            .registry()
            .promote_deployment(&Principal::Admin, id, DeploymentId::new_random())
            .await
            .unwrap_err();
        assert!(
            matches!(err, RegistryError::AgentStatusConflict { .. }),
            "{err:?}"
        );
    }

    #[tokio::test]
    async fn promoting_a_build_only_agent_makes_it_ready_in_the_same_write() {
        let a = agent("a", AgentStatus::BuildOnly);
        let d = deployment(a.id, DeploymentStatus::Ready);
        let mut m = holding(&a, vec![d.clone()]);
        m.deployments
            .expect_promote()
            .withf(|p, events| {
                p.agent.status == AgentStatus::Ready
                    && p.deployment.is_production
                    && events.iter().any(|e| e.kind == EventKind::Promoted)
                    && events.iter().any(|e| e.kind == EventKind::Transition)
            })
            .times(1)
            .returning(|p, _| Ok((p.deployment.clone(), p.agent.clone())));
        let promoted = m
            .registry()
            .promote_deployment(&Principal::Admin, a.id, d.id)
            .await
            .unwrap();
        assert_eq!(promoted.agent.status, AgentStatus::Ready);
        assert_eq!(promoted.agent.production_deployment_id, Some(d.id));
    }

    #[tokio::test]
    async fn promoting_a_pending_deployment_is_refused_without_a_write() {
        let a = agent("a", AgentStatus::BuildOnly);
        let d = deployment(a.id, DeploymentStatus::Pending);
        let err = holding(&a, vec![d.clone()])
            .registry()
            .promote_deployment(&Principal::Admin, a.id, d.id)
            .await
            .unwrap_err();
        assert!(
            matches!(err, RegistryError::DeploymentNotPromotable(_)),
            "{err:?}"
        );
    }

    #[tokio::test]
    async fn a_deployment_changed_since_read_is_read_and_decided_again() {
        let a = agent("a", AgentStatus::Ready);
        let d = deployment(a.id, DeploymentStatus::Ready);
        let deleted = Deployment {
            expires_at: Some(now()),
            ..d.clone()
        };
        let mut m = holding(&a, vec![d.clone(), deleted]);
        m.deployments
            .expect_promote()
            .times(1)
            .returning(|_, _| Err(RepoError::Conflict(Constraint::StaleVersion)));
        let err = m
            .registry()
            .promote_deployment(&Principal::Admin, a.id, d.id)
            .await
            .unwrap_err();
        assert!(
            matches!(err, RegistryError::DeploymentNotPromotable(_)),
            "{err:?}"
        );
    }
}
