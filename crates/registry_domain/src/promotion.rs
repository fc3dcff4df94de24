//! Promotion: what making a deployment an agent's production deployment changes, decided in
//! one place. Stores persist a [`Promotion`] as given.

use crate::state_machine::{apply, LifecycleEvent, Transition, TransitionError};
use crate::{Agent, Deployment, DeploymentId, Timestamp};

/// Why a promotion is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum PromotionError {
    /// The state machine refuses `Promote` in the agent's status (Deleted: `Conflict`).
    #[error(transparent)]
    Agent(#[from] TransitionError),
    /// The deployment is absent or belongs to another agent.
    #[error("deployment not found")]
    DeploymentNotFound,
    /// The deployment is not Ready, or is expired (soft-deleted).
    #[error("deployment is not Ready or is expired")]
    DeploymentNotReady,
}

/// Everything one promotion changes. A store writes it in one transaction, only while the
/// agent still has `agent.version` and the deployment is still as it was read (its status,
/// `acp_url` and `expires_at` unchanged): it was decided on those.
#[derive(Debug, Clone, PartialEq)]
pub struct Promotion {
    /// The agent after: `production_deployment_id` and `acp_url` are the deployment's, its
    /// status went through the state machine (BuildOnly → Ready), `updated_at` is the promotion
    /// time. `version` is still the version read.
    pub agent: Agent,
    /// The status change, if any (for the audit trail).
    pub transition: Option<Transition>,
    /// The deployment after: production, `promoted_at` set.
    pub deployment: Deployment,
    /// The formerly production deployment, no longer production (`None` when there was none or
    /// it is the one promoted again).
    pub demoted: Option<DeploymentId>,
}

impl Agent {
    /// Promotes `deployment` (the one asked for, as read; `None` when absent) at `at` by `actor`
    /// (principal text). The agent's status is checked first, as the state machine says; then
    /// the deployment must be this agent's, Ready and not expired.
    pub fn promote(
        &self,
        deployment: Option<&Deployment>,
        at: Timestamp,
        actor: &str,
    ) -> Result<Promotion, PromotionError> {
        let mut agent = self.clone();
        let transition = apply(&mut agent, LifecycleEvent::Promote, at, actor)?;
        let deployment = deployment
            .filter(|d| d.agent_id == self.id)
            .ok_or(PromotionError::DeploymentNotFound)?;
        if !deployment.is_promotable() {
            return Err(PromotionError::DeploymentNotReady);
        }
        agent.updated_at = at;
        agent.production_deployment_id = Some(deployment.id);
        agent.acp_url = deployment.acp_url.clone();
        let promoted = Deployment {
            is_production: true,
            promoted_at: Some(at),
            ..deployment.clone()
        };
        Ok(Promotion {
            agent,
            transition,
            deployment: promoted,
            demoted: self
                .production_deployment_id
                .filter(|current| *current != deployment.id),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::state_machine::{create, REASON_REGISTERED};
    use crate::{
        AcpType, AgentId, AgentName, AgentStatus, DeploymentStatus, Description, NewAgent,
    };

    fn at(seconds: i64) -> Timestamp {
        time::OffsetDateTime::UNIX_EPOCH + time::Duration::seconds(seconds)
    }

    fn agent(event: LifecycleEvent) -> Agent {
        let new = NewAgent {
            name: AgentName::parse("a").unwrap(),
            description: Description::parse("d").unwrap(),
            acp_type: AcpType::Async,
            acp_url: Some("http://old:1".to_owned()),
            registration_metadata: None,
            agent_input_type: None,
        };
        create(new, event, at(0)).unwrap()
    }

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
            created_at: at(0),
            promoted_at: None,
            expires_at: None,
        }
    }

    #[test]
    fn promotion_points_the_agent_at_the_deployment() {
        let a = agent(LifecycleEvent::Register);
        let d = deployment(a.id, DeploymentStatus::Ready);
        let p = a.promote(Some(&d), at(5), "admin").unwrap();
        assert_eq!(p.agent.production_deployment_id, Some(d.id));
        assert_eq!(p.agent.acp_url.as_deref(), Some("http://d:1"));
        assert_eq!(p.agent.updated_at, at(5));
        assert_eq!(p.agent.version, a.version);
        assert_eq!((p.agent.status, p.transition), (AgentStatus::Ready, None));
        assert!(p.deployment.is_production);
        assert_eq!(p.deployment.promoted_at, Some(at(5)));
        assert_eq!(p.deployment.acp_url, d.acp_url);
        assert_eq!(p.demoted, None);
    }

    #[test]
    fn a_build_only_agent_becomes_ready() {
        let a = agent(LifecycleEvent::RegisterBuild);
        let d = deployment(a.id, DeploymentStatus::Ready);
        let p = a.promote(Some(&d), at(5), "admin").unwrap();
        assert_eq!(p.agent.status, AgentStatus::Ready);
        assert_eq!(p.agent.registered_at, Some(at(5)));
        assert_eq!(p.transition.map(|t| t.reason), Some(REASON_REGISTERED));
    }

    #[test]
    fn the_former_production_deployment_is_demoted_unless_promoted_again() {
        let a = agent(LifecycleEvent::Register);
        let (d1, d2) = (
            deployment(a.id, DeploymentStatus::Ready),
            deployment(a.id, DeploymentStatus::Ready),
        );
        let first = a.promote(Some(&d1), at(1), "admin").unwrap();
        let second = first.agent.promote(Some(&d2), at(2), "admin").unwrap();
        assert_eq!(second.demoted, Some(d1.id));
        let again = first.agent.promote(Some(&first.deployment), at(3), "admin");
        assert_eq!(again.unwrap().demoted, None);
    }

    #[test]
    fn only_this_agents_ready_live_deployments_are_promoted() {
        let a = agent(LifecycleEvent::Register);
        let pending = deployment(a.id, DeploymentStatus::Pending);
        let expired = Deployment {
            expires_at: Some(at(1)),
            ..deployment(a.id, DeploymentStatus::Ready)
        };
        let foreign = deployment(AgentId::new_random(), DeploymentStatus::Ready);
        let promote = |d: Option<&Deployment>| a.promote(d, at(5), "admin").unwrap_err();
        assert_eq!(promote(Some(&pending)), PromotionError::DeploymentNotReady);
        assert_eq!(promote(Some(&expired)), PromotionError::DeploymentNotReady);
        assert_eq!(promote(Some(&foreign)), PromotionError::DeploymentNotFound);
        assert_eq!(promote(None), PromotionError::DeploymentNotFound);
    }

    #[test]
    fn a_deleted_agent_refuses_before_its_deployment_is_looked_at() {
        let mut a = agent(LifecycleEvent::Register);
        apply(&mut a, LifecycleEvent::Delete, at(1), "admin").unwrap();
        let err = a.promote(None, at(5), "admin").unwrap_err();
        assert_eq!(err, PromotionError::Agent(TransitionError::Conflict));
    }
}
