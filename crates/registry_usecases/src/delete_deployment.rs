//! `DELETE /agents/{id}/deployments/{did}` (soft delete).

use crate::audit::now;
use crate::get_deployment::deployment_not_found;
use crate::repo_error::repo_error;
use crate::{Registry, RegistryError};
use registry_domain::{AgentRef, Need};
use registry_ports::{Constraint, RepoError};

use registry_domain::{AgentId, Deployment, DeploymentId, Principal};

impl Registry {
    /// Soft-deletes a deployment (`expires_at = now`). Needs `delete`.
    ///
    /// Errors: `AgentNotFound`, `Forbidden`, `DeploymentNotFound`, `ProductionDeployment`,
    /// `Unavailable`, `Internal`.
    pub async fn delete_deployment(
        &self,
        caller: &Principal,
        agent_id: AgentId,
        deployment_id: DeploymentId,
    ) -> Result<Deployment, RegistryError> {
        let agent = self
            .read_agent_for(caller, &AgentRef::Id(agent_id), Need::Delete)
            .await?;
        match self
            .deployments
            .soft_delete(agent.id, deployment_id, now())
            .await
        {
            Ok(deployment) => Ok(deployment),
            Err(RepoError::NotFound) => Err(deployment_not_found(agent_id, deployment_id)),
            Err(RepoError::Conflict(Constraint::ProductionDeployment)) => {
                Err(RegistryError::ProductionDeployment)
            }
            Err(e) => Err(repo_error(e)),
        }
    }
}
