//! The error of every use case.
//!
//! One enum serves all use cases (see docs/adr/0002-one-use-case-error.md): their failure modes
//! overlap almost entirely, and one `match` in the HTTP layer maps each variant to a status, a
//! stable `code` and the wire text. Variants carry the ids the text needs, never the text.
//! Each use case documents which variants it returns.
//!
//! `Unavailable` and `Internal` keep the error that caused them ([`Cause`], with its sources);
//! nothing below the HTTP boundary logs them: it writes the whole chain once
//! (docs/adr/0005-access-and-errors.md).

use registry_domain::{
    AgentId, AgentRef, AgentStatus, ApiKeyId, ApiKeyType, DeploymentId, HistoryId, ValidationError,
};
use registry_ports::Cause;

/// Why a use case failed. Variants are specific; the HTTP layer owns the status codes and the
/// words.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum RegistryError {
    /// Input failed validation (422, naming the field).
    #[error(transparent)]
    Validation(#[from] ValidationError),
    /// Agent absent, Deleted, or not readable by the caller — deliberately indistinguishable.
    #[error("agent not found")]
    AgentNotFound,
    /// The name belongs to an agent the caller may not read, or a rename hit a live name.
    #[error("agent name is taken")]
    NameTaken,
    /// The caller may read the agent but not do this (403).
    #[error("forbidden")]
    Forbidden,
    /// `If-Match` did not match the current ETag (412).
    #[error("precondition failed")]
    PreconditionFailed,
    /// The agent's status forbids promoting its deployments, e.g. Deleted (409).
    #[error("agent {agent} is {status}: its deployments cannot be promoted")]
    AgentStatusConflict {
        /// The agent.
        agent: AgentId,
        /// Its status.
        status: AgentStatus,
    },
    /// Deployment absent or another agent's (404).
    #[error("deployment {deployment} not found for agent {agent}")]
    DeploymentNotFound {
        /// The agent as addressed.
        agent: AgentRef,
        /// The deployment.
        deployment: DeploymentId,
    },
    /// Deployment not Ready or expired: it cannot be promoted (409).
    #[error("deployment {0} is not promotable")]
    DeploymentNotPromotable(DeploymentId),
    /// Deployment expired (soft-deleted): it cannot be registered (409).
    #[error("deployment {0} has been deleted")]
    DeploymentExpired(DeploymentId),
    /// The production deployment cannot be deleted (409).
    #[error("the production deployment cannot be deleted")]
    ProductionDeployment,
    /// Deployment-history row absent or its agent unreadable (404).
    #[error("deployment history {0} not found")]
    HistoryNotFound(HistoryId),
    /// API key absent or not visible (404), as it was looked up.
    #[error("api key not found")]
    ApiKeyNotFound(ApiKeyLookup),
    /// A key with that (agent, name, type) exists (409).
    #[error("{api_key_type} key {name} exists for agent {agent}")]
    ApiKeyExists {
        /// The agent.
        agent: AgentId,
        /// The key's name.
        name: String,
        /// The key's type.
        api_key_type: ApiKeyType,
    },
    /// Service token absent (404).
    #[error("service token not found")]
    ServiceTokenNotFound,
    /// Service token name taken (409).
    #[error("service token name is taken")]
    ServiceTokenExists,
    /// Grant absent (404).
    #[error("grant not found")]
    GrantNotFound,
    /// The agent is readable but has no A2A card (404).
    #[error("the agent has no card")]
    CardNotFound,
    /// The operation would leave the agent without an owner (409).
    #[error("an agent must keep at least one owner")]
    LastOwner,
    /// A list page would exceed the memory budget of one response; `fitting` rows would fit
    /// (422 naming `limit`).
    #[error("page too large: at most {fitting} rows fit")]
    PageTooLarge {
        /// The largest `limit` that fits this page.
        fitting: u32,
    },
    /// Creating the agent would exceed its org's `max_agents` (403); nothing was written.
    #[error("the org's agent quota is reached: {current} of {limit}")]
    QuotaExceeded {
        /// The org's `max_agents`.
        limit: u32,
        /// Its live agents when the create was refused.
        current: u64,
    },
    /// No org with this slug (404).
    #[error("org not found")]
    OrgNotFound,
    /// An org with this slug exists (409).
    #[error("org slug is taken")]
    OrgExists,
    /// The org still has live agents, or is the `default` org: it cannot be deleted (409).
    #[error("the org cannot be deleted")]
    OrgInUse,
    /// No webhook subscription with this id in the org (404).
    #[error("webhook not found")]
    WebhookNotFound,
    /// Contention did not settle after retries (409, retry).
    #[error("the agent is being changed concurrently; retry")]
    Contention,
    /// The store is unreachable (503 with Retry-After). The cause goes to the log only.
    #[error("store unavailable")]
    Unavailable(#[source] Cause),
    /// A bug or corrupt data (500). The cause goes to the log only.
    #[error("internal error")]
    Internal(#[source] Cause),
}

/// How a missing API key was looked up (the peer words the two 404s differently).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ApiKeyLookup {
    /// By id.
    Id(ApiKeyId),
    /// By (agent, name, type).
    Name,
}
