//! `POST /agents/{id}/deployments/{did}/promote`.

use crate::{Registry, RegistryError};
use registry_domain::{Agent, AgentId, Deployment, DeploymentId, Principal};

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
        let _ = (caller, agent_id, deployment_id);
        unimplemented!("promote_deployment")
    }
}
