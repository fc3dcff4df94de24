//! Authorization: the grants that give principals roles on agents.

use crate::RepoResult;
use async_trait::async_trait;
use registry_domain::{Action, AgentId, Grant, NewEvent, Page, PageRequest, Principal, Role};

/// The grants store behind every authorization decision. Identity rules (the admin, agent keys,
/// who may create) are decided by the caller with `registry_domain::Standing`; this port answers
/// only from grants.
#[cfg_attr(feature = "mock", mockall::automock)]
#[async_trait]
pub trait Authorizer: Send + Sync {
    /// Whether a grant of `principal` on `agent_id` allows `action`.
    async fn check(
        &self,
        principal: &Principal,
        agent_id: AgentId,
        action: Action,
    ) -> RepoResult<bool>;

    /// Gives `principal` the role `role` on `agent_id` (replacing any role it had) and appends
    /// `events`, in one transaction. Returns the stored grant. `NotFound` if the agent is absent.
    /// Demoting the last owner is `Conflict(LastOwner)`.
    async fn grant(
        &self,
        agent_id: AgentId,
        principal: &Principal,
        role: Role,
        events: &[NewEvent],
    ) -> RepoResult<Grant>;

    /// Removes `principal`'s grant on `agent_id` and appends `events`, in one transaction.
    /// `NotFound` if it had none; `Conflict(LastOwner)` if it is the only owner.
    async fn revoke(
        &self,
        agent_id: AgentId,
        principal: &Principal,
        events: &[NewEvent],
    ) -> RepoResult<Grant>;

    /// A page of the grants on the agent, owners first, then by principal, with the total.
    async fn grants(&self, agent_id: AgentId, page: PageRequest) -> RepoResult<Page<Grant>>;
}
