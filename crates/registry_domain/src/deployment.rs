//! Deployments of an agent and the deployment history.

use crate::{AgentId, DeploymentId, DeploymentStatus, HistoryId, Metadata, Timestamp};

/// One deployment (a versioned running instance) of an agent. At most one per agent is the
/// production deployment. `expires_at` set means soft-deleted.
#[derive(Debug, Clone, PartialEq)]
pub struct Deployment {
    /// Id.
    pub id: DeploymentId,
    /// Owning agent.
    pub agent_id: AgentId,
    /// Image reference.
    pub docker_image: String,
    /// Free-form metadata.
    pub registration_metadata: Option<Metadata>,
    /// Pending until the deployment registers itself, then Ready.
    pub status: DeploymentStatus,
    /// Where it serves, once registered.
    pub acp_url: Option<String>,
    /// True for the agent's production deployment.
    pub is_production: bool,
    /// External deploy id.
    pub sgp_deploy_id: Option<String>,
    /// Helm release name.
    pub helm_release_name: Option<String>,
    /// Creation time.
    pub created_at: Timestamp,
    /// Last promotion.
    pub promoted_at: Option<Timestamp>,
    /// Soft-deletion time.
    pub expires_at: Option<Timestamp>,
}

impl Deployment {
    /// Whether it may be promoted: Ready and not soft-deleted.
    pub fn is_promotable(&self) -> bool {
        self.status == DeploymentStatus::Ready && self.expires_at.is_none()
    }
}

/// A record of a deploy-time registration with a commit (written by register).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeploymentHistory {
    /// Id.
    pub id: HistoryId,
    /// Agent.
    pub agent_id: AgentId,
    /// Commit author, `N/A` when unknown.
    pub author_name: String,
    /// Commit author e-mail, `N/A` when unknown.
    pub author_email: String,
    /// Branch.
    pub branch_name: String,
    /// Build time.
    pub build_timestamp: Timestamp,
    /// Deploy (registration) time.
    pub deployment_timestamp: Timestamp,
    /// Commit.
    pub commit_hash: String,
}

impl DeploymentHistory {
    /// The history row register writes for `metadata`, or `None` unless both `agent_commit`
    /// and `branch_name` are present (peer rule).
    pub fn from_registration(
        agent_id: AgentId,
        metadata: &Metadata,
        registered_at: Timestamp,
        now: Timestamp,
    ) -> Option<Self> {
        let commit = metadata.str_field("agent_commit")?;
        let branch = metadata.str_field("branch_name")?;
        let build_timestamp = metadata
            .str_field("build_timestamp")
            .and_then(|s| {
                time::OffsetDateTime::parse(s, &time::format_description::well_known::Rfc3339).ok()
            })
            .unwrap_or(now);
        Some(Self {
            id: HistoryId::new_random(),
            agent_id,
            author_name: metadata
                .str_field("author_name")
                .unwrap_or("N/A")
                .to_owned(),
            author_email: metadata
                .str_field("author_email")
                .unwrap_or("N/A")
                .to_owned(),
            branch_name: branch.to_owned(),
            build_timestamp,
            deployment_timestamp: registered_at,
            commit_hash: commit.to_owned(),
        })
    }
}
