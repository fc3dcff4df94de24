//! `GET /agents/{id}/deployments/{did}`.

use crate::{Registry, RegistryError};
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
        let _ = (caller, agent_id, deployment_id);
        unimplemented!("get_deployment")
    }
}
