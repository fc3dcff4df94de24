//! Deployments and deployment history on the wire.

use super::{metadata_json, opt_timestamp, rules, timestamp};
use registry_domain::{Deployment, DeploymentHistory};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// A deployment (the peer's `Deployment`).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct DeploymentResponse {
    /// Id.
    pub id: String,
    /// Agent id.
    pub agent_id: String,
    /// Image reference.
    pub docker_image: String,
    /// Free-form JSON object.
    #[schema(value_type = Option<Object>)]
    pub registration_metadata: Option<serde_json::Value>,
    /// `Pending`, `Ready` or `Failed`.
    pub status: String,
    /// Where it serves, once registered.
    pub acp_url: Option<String>,
    /// The agent's production deployment.
    pub is_production: bool,
    /// External deploy id.
    pub sgp_deploy_id: Option<String>,
    /// Helm release name.
    pub helm_release_name: Option<String>,
    /// RFC 3339 UTC.
    pub created_at: Option<String>,
    /// Last promotion.
    pub promoted_at: Option<String>,
    /// Soft-deletion time.
    pub expires_at: Option<String>,
}

impl From<&Deployment> for DeploymentResponse {
    fn from(d: &Deployment) -> Self {
        Self {
            id: d.id.to_string(),
            agent_id: d.agent_id.to_string(),
            docker_image: d.docker_image.clone(),
            registration_metadata: metadata_json(&d.registration_metadata),
            status: d.status.as_str().to_owned(),
            acp_url: d.acp_url.clone(),
            is_production: d.is_production,
            sgp_deploy_id: d.sgp_deploy_id.clone(),
            helm_release_name: d.helm_release_name.clone(),
            created_at: Some(timestamp(d.created_at)),
            promoted_at: opt_timestamp(d.promoted_at),
            expires_at: opt_timestamp(d.expires_at),
        }
    }
}

/// `POST /agents/{agent_id}/deployments` body.
#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct CreateDeploymentRequest {
    /// Image reference (at most 1024 characters, not blank).
    #[schema(value_type = rules::DockerImage)]
    pub docker_image: String,
    /// Free-form JSON object, at most 64 KiB.
    #[schema(value_type = Option<rules::RegistrationMetadata>)]
    pub registration_metadata: Option<serde_json::Value>,
    /// External deploy id (at most 255 characters).
    #[schema(value_type = Option<rules::ExternalId>)]
    pub sgp_deploy_id: Option<String>,
    /// Helm release name (at most 255 characters).
    #[schema(value_type = Option<rules::ExternalId>)]
    pub helm_release_name: Option<String>,
}

/// A deployment-history row (the peer's `DeploymentHistory`).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct DeploymentHistoryResponse {
    /// Id.
    pub id: String,
    /// Agent id.
    pub agent_id: String,
    /// Commit author (`N/A` when unknown).
    pub author_name: String,
    /// Commit author e-mail (`N/A` when unknown).
    pub author_email: String,
    /// Branch.
    pub branch_name: String,
    /// RFC 3339 UTC.
    pub build_timestamp: String,
    /// RFC 3339 UTC.
    pub deployment_timestamp: String,
    /// Commit.
    pub commit_hash: String,
}

impl From<&DeploymentHistory> for DeploymentHistoryResponse {
    fn from(h: &DeploymentHistory) -> Self {
        Self {
            id: h.id.to_string(),
            agent_id: h.agent_id.to_string(),
            author_name: h.author_name.clone(),
            author_email: h.author_email.clone(),
            branch_name: h.branch_name.clone(),
            build_timestamp: timestamp(h.build_timestamp),
            deployment_timestamp: timestamp(h.deployment_timestamp),
            commit_hash: h.commit_hash.clone(),
        }
    }
}
