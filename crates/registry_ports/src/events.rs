//! The audit trail.

use crate::RepoResult;
use async_trait::async_trait;
use registry_domain::{AgentId, AuditEvent, NewEvent, Page, PageRequest};

/// Read side of the append-only audit trail (writes ride along with the change they record).
#[cfg_attr(feature = "mock", mockall::automock)]
#[async_trait]
pub trait EventLog: Send + Sync {
    /// Appends events that are not part of another write.
    async fn append(&self, events: &[NewEvent]) -> RepoResult<()>;

    /// A page of the agent's events, newest first (by id), with the total count. Works for
    /// Deleted agents too.
    async fn list(&self, agent_id: AgentId, page: PageRequest) -> RepoResult<Page<AuditEvent>>;
}
