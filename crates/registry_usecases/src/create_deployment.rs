//! `POST /agents/{id}/deployments`.

use crate::{Registry, RegistryError};
use registry_domain::{AgentId, Deployment, Metadata, Principal};

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
        let _ = (caller, input);
        unimplemented!("create_deployment")
    }
}
