//! The error every port returns.

/// Which database rule refused a write. Callers map each to a specific answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Constraint {
    /// Another non-Deleted agent already has this name.
    LiveAgentName,
    /// The agent changed since it was read (`version` mismatch): reload and retry.
    StaleVersion,
    /// The deployment is the agent's production deployment and cannot be deleted.
    ProductionDeployment,
    /// The deployment is not Ready or is expired, so it cannot be promoted.
    DeploymentNotReady,
    /// The deployment is expired (soft-deleted) and cannot be registered again.
    DeploymentExpired,
    /// An API key with this (agent, name, type) exists.
    ApiKeyName,
    /// A credential with this hash exists (never expected in practice).
    SecretHash,
    /// A service token with this name exists.
    ServiceTokenName,
    /// Removing this grant would leave the agent without an owner.
    LastOwner,
}

/// The error of every port method.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RepoError {
    /// The addressed row does not exist.
    #[error("not found")]
    NotFound,
    /// A rule of the store refused the write.
    #[error("conflict: {0:?}")]
    Conflict(Constraint),
    /// The store cannot be reached now (connection refused, pool timeout); retry later.
    #[error("store unavailable: {0}")]
    Unavailable(String),
    /// A list page would carry more stored data than `MAX_PAGE_BYTES`; `fitting` leading rows
    /// would fit (domain `rows_fitting_page_budget`).
    #[error("page too large: {fitting} rows fit")]
    PageTooLarge {
        /// The `limit` that would fit.
        fitting: u32,
    },
    /// Anything else; a bug or corrupt data. The text is for logs only.
    #[error("unexpected store error: {0}")]
    Unexpected(String),
}

/// Result alias for port methods.
pub type RepoResult<T> = Result<T, RepoError>;
