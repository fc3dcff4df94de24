//! The error of every use case.
//!
//! One enum serves all use cases (see docs/adr/0002-one-use-case-error.md): their failure modes
//! overlap almost entirely, and one `match` in the HTTP layer maps each variant to a status and
//! a stable `code`. Each use case documents which variants it returns.
//!
//! `Unavailable` and `Internal` keep the error that caused them ([`Cause`], with its sources);
//! nothing below the HTTP boundary logs them: it writes the whole chain once
//! (docs/adr/0005-access-and-errors.md).

use registry_domain::ValidationError;
use registry_ports::Cause;

/// Why a use case failed. Variants are specific; the HTTP layer owns the status codes.
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
    /// The agent's status forbids the operation, e.g. promote on a Deleted agent (409).
    #[error("agent status conflict: {0}")]
    StatusConflict(String),
    /// Deployment absent or another agent's (404). The string is the peer's message.
    #[error("{0}")]
    DeploymentNotFound(String),
    /// Deployment not Ready / expired, so it cannot be promoted or registered (409).
    #[error("{0}")]
    DeploymentNotReady(String),
    /// The production deployment cannot be deleted (409).
    #[error("{0}")]
    ProductionDeployment(String),
    /// Deployment-history row absent (404).
    #[error("{0}")]
    HistoryNotFound(String),
    /// API key absent or not visible (404). The string is the peer's message.
    #[error("{0}")]
    ApiKeyNotFound(String),
    /// A key with that (agent, name, type) exists (409). The string is the peer's message.
    #[error("{0}")]
    ApiKeyExists(String),
    /// Service token absent (404).
    #[error("service token not found")]
    ServiceTokenNotFound,
    /// Service token name taken (409).
    #[error("service token name is taken")]
    ServiceTokenExists,
    /// Grant absent (404).
    #[error("grant not found")]
    GrantNotFound,
    /// The operation would leave the agent without an owner (409).
    #[error("an agent must keep at least one owner")]
    LastOwner,
    /// A selector query is malformed in the peer's 400 way (deployment history, api keys).
    #[error("{0}")]
    BadSelector(String),
    /// A list page would exceed the memory budget of one response; `fitting` rows would fit
    /// (422 naming `limit`).
    #[error("page too large: at most {fitting} rows fit")]
    PageTooLarge {
        /// The largest `limit` that fits this page.
        fitting: u32,
    },
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
