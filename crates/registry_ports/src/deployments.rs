//! Deployments and deployment history.

use crate::RepoResult;
use async_trait::async_trait;
use registry_domain::{
    Agent, AgentId, Deployment, DeploymentHistory, DeploymentId, HistoryId, NewEvent, Page,
    PageRequest, Promotion, SortDirection, Timestamp,
};

/// Storage of deployments.
#[cfg_attr(feature = "mock", mockall::automock)]
#[async_trait]
pub trait DeploymentRepository: Send + Sync {
    /// Inserts a new deployment. `NotFound` if its agent does not exist.
    async fn create(&self, deployment: &Deployment) -> RepoResult<Deployment>;

    /// The deployment `id` of agent `agent_id` (expired ones included); `None` when absent or
    /// when it belongs to another agent.
    async fn get(&self, agent_id: AgentId, id: DeploymentId) -> RepoResult<Option<Deployment>>;

    /// A page of the agent's non-expired deployments ordered by `created_at` in `direction`
    /// (id as tiebreak), with the total count.
    async fn list(
        &self,
        agent_id: AgentId,
        page: PageRequest,
        direction: SortDirection,
    ) -> RepoResult<Page<Deployment>>;

    /// Soft-deletes (sets `expires_at = now`) and returns the row.
    /// Errors: `NotFound` (absent, another agent's, or already deleted: a second delete finds
    /// nothing, as for agents), `Conflict(ProductionDeployment)`.
    /// Decided in one statement, so it cannot race a promotion.
    async fn soft_delete(
        &self,
        agent_id: AgentId,
        id: DeploymentId,
        now: Timestamp,
    ) -> RepoResult<Deployment>;

    /// Deployment-scoped registration: the deployment becomes Ready with `acp_url`.
    /// Errors: `NotFound` (absent or another agent's), `Conflict(DeploymentExpired)`.
    async fn mark_ready(
        &self,
        agent_id: AgentId,
        id: DeploymentId,
        acp_url: &str,
    ) -> RepoResult<Deployment>;

    /// Persists `promotion` (decided by `Agent::promote`) as given, in one transaction: the
    /// agent row must still have version `promotion.agent.version` and the deployment must
    /// still be as the promotion read it — same status, `acp_url` and `expires_at` (else
    /// `Conflict(StaleVersion)`: reload and decide again); `NotFound` if either is absent (or
    /// the deployment is another agent's). `promotion.demoted` loses `is_production` first,
    /// then the deployment gets `is_production` and `promoted_at`, the agent is stored as given
    /// with its version bumped, and `events` are appended. Returns both rows as stored.
    async fn promote(
        &self,
        promotion: &Promotion,
        events: &[NewEvent],
    ) -> RepoResult<(Deployment, Agent)>;
}

/// Storage of deployment history.
#[cfg_attr(feature = "mock", mockall::automock)]
#[async_trait]
pub trait HistoryRepository: Send + Sync {
    /// Appends `entry` unless the agent's latest row (by `deployment_timestamp`) has the same
    /// `commit_hash`. Returns whether it wrote.
    async fn record(&self, entry: &DeploymentHistory) -> RepoResult<bool>;

    /// One row by id.
    async fn get(&self, id: HistoryId) -> RepoResult<Option<DeploymentHistory>>;

    /// A page of the agent's rows ordered by `deployment_timestamp` in `direction` (id as
    /// tiebreak), with the total count.
    async fn list(
        &self,
        agent_id: AgentId,
        page: PageRequest,
        direction: SortDirection,
    ) -> RepoResult<Page<DeploymentHistory>>;
}
