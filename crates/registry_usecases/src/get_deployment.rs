//! `GET /agents/{id}/deployments/{did}`.

use crate::repo_error::repo_error;
use crate::{Registry, RegistryError};
use registry_domain::{AgentRef, Need};

/// The peer's 404 for a deployment that is absent or another agent's.
pub(crate) fn deployment_not_found(agent_id: AgentId, id: DeploymentId) -> RegistryError {
    RegistryError::DeploymentNotFound {
        agent: AgentRef::Id(agent_id),
        deployment: id,
    }
}
use registry_domain::{AgentId, Deployment, DeploymentId, Principal};

impl Registry {
    /// One deployment of the agent (soft-deleted ones included). Needs `read`.
    ///
    /// Errors: `AgentNotFound`, `DeploymentNotFound`, `Unavailable`, `Internal`.
    pub async fn get_deployment(
        &self,
        caller: &Principal,
        agent_id: AgentId,
        deployment_id: DeploymentId,
    ) -> Result<Deployment, RegistryError> {
        let agent = self
            .read_agent_for(caller, &AgentRef::Id(agent_id), Need::Read)
            .await?;
        self.deployments
            .get(agent.id, deployment_id)
            .await
            .map_err(repo_error)?
            .ok_or_else(|| deployment_not_found(agent_id, deployment_id))
    }
}
