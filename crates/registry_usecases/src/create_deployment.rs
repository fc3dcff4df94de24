//! `POST /agents/{id}/deployments`.

use crate::audit::now;
use crate::repo_error::repo_error;
use crate::{Registry, RegistryError};
use registry_domain::{
    AgentId, Deployment, DeploymentId, DeploymentStatus, Metadata, Principal, ValidationError,
};
use registry_domain::{AgentRef, Need};
use registry_ports::RepoError;

/// Body of create-deployment, validated, plus the agent from the path.
#[derive(Debug, Clone, PartialEq)]
pub struct CreateDeploymentInput {
    /// The agent.
    pub agent_id: AgentId,
    /// Image reference (non-empty; field `docker_image`).
    pub docker_image: String,
    /// Metadata.
    pub registration_metadata: Option<Metadata>,
    /// External deploy id.
    pub sgp_deploy_id: Option<String>,
    /// Helm release name.
    pub helm_release_name: Option<String>,
}

impl Registry {
    /// Creates a Pending deployment. Needs `execute`.
    ///
    /// Errors: `Validation`, `AgentNotFound`, `Forbidden`, `Unavailable`, `Internal`.
    pub async fn create_deployment(
        &self,
        caller: &Principal,
        input: CreateDeploymentInput,
    ) -> Result<Deployment, RegistryError> {
        if input.docker_image.trim().is_empty() {
            return Err(ValidationError::new("docker_image", "must not be empty").into());
        }
        let agent = self
            .read_agent_for(caller, &AgentRef::Id(input.agent_id), Need::Execute)
            .await?;
        let deployment = Deployment {
            id: DeploymentId::new_random(),
            agent_id: agent.id,
            docker_image: input.docker_image,
            registration_metadata: input.registration_metadata,
            status: DeploymentStatus::Pending,
            acp_url: None,
            is_production: false,
            sgp_deploy_id: input.sgp_deploy_id,
            helm_release_name: input.helm_release_name,
            created_at: now(),
            promoted_at: None,
            expires_at: None,
        };
        match self.deployments.create(&deployment).await {
            Ok(stored) => Ok(stored),
            Err(RepoError::NotFound) => Err(RegistryError::AgentNotFound),
            Err(e) => Err(repo_error(e)),
        }
    }
}
