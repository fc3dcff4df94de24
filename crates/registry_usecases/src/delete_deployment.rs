//! `DELETE /agents/{id}/deployments/{did}` (soft delete).

use crate::{Registry, RegistryError};
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
        let _ = (caller, agent_id, deployment_id);
        unimplemented!("delete_deployment")
    }
}
