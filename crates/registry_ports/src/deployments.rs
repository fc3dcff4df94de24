//! Deployments and deployment history.

use crate::RepoResult;
use async_trait::async_trait;
use registry_domain::{
    Agent, AgentId, Deployment, DeploymentHistory, DeploymentId, HistoryId, NewEvent, Page,
    PageRequest, SortDirection, Timestamp,
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

    /// Soft-deletes (sets `expires_at = now` unless already set) and returns the row.
    /// Errors: `NotFound` (absent or another agent's), `Conflict(ProductionDeployment)`.
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

    /// Promotes deployment `id` of `agent.id` in one transaction: the agent row must still have
    /// version `agent.version` (else `Conflict(StaleVersion)`); the deployment must exist for
    /// this agent (else `NotFound`), be Ready and not expired (else
    /// `Conflict(DeploymentNotReady)`). The previous production deployment is demoted, the target
    /// gets `is_production` and `promoted_at = now`; the agent is stored as given (its status was
    /// decided by the state machine) with `production_deployment_id = id` and the deployment's
    /// `acp_url`, version bumped; `events` are appended. Returns both rows as stored.
    async fn promote(
        &self,
        agent: &Agent,
        id: DeploymentId,
        now: Timestamp,
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
