//! Agents: the aggregate root.

use crate::RepoResult;
use async_trait::async_trait;
use registry_domain::{
    Agent, AgentId, AgentName, AgentStatus, EventTemplate, NewEvent, Page, PageRequest, Principal,
    Role, SortDirection, Timestamp, Transition,
};

/// Sort key of agent lists.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum AgentOrder {
    /// `created_at`.
    CreatedAt,
    /// `updated_at` (the default, as the peer).
    #[default]
    UpdatedAt,
    /// `name`.
    Name,
    /// `last_seen_at`, agents that never heartbeated last in either direction (descending:
    /// the order a fleet tracker lists agents in).
    LastSeenAt,
}

/// A list query over non-Deleted agents. Results are ordered by `order_by` in `direction`, with
/// the id (same direction) as tiebreak so pages are stable.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct AgentQuery {
    /// Which page.
    pub page: PageRequest,
    /// Sort key.
    pub order_by: AgentOrder,
    /// Sort direction.
    pub direction: SortDirection,
    /// Only these statuses (empty: all non-Deleted). `Deleted` here matches nothing.
    pub statuses: Vec<AgentStatus>,
    /// JSON containment on `registration_metadata.agent_card.metadata`.
    pub card_metadata: Option<serde_json::Map<String, serde_json::Value>>,
    /// `None`: every agent; `Some(ids)`: only these (an agent key sees itself).
    pub only_ids: Option<Vec<AgentId>>,
    /// `Some(p)`: only agents on which `p` holds a grant of any role (each role may read):
    /// an ordinary principal's visible set, filtered where the agents are.
    pub granted_to: Option<Principal>,
}

impl AgentQuery {
    /// Whether this query's total is one every store keeps exactly (every live agent, or those
    /// in the given statuses), so it is exact at any size. Any other filter's total is counted
    /// up to the store's `CountBound` and marked capped past it (docs/adr/0008-bounded-totals.md).
    pub fn total_is_kept(&self) -> bool {
        let AgentQuery {
            page: _,
            order_by: _,
            direction: _,
            statuses: _,
            card_metadata,
            only_ids,
            granted_to,
        } = self;
        card_metadata.is_none() && only_ids.is_none() && granted_to.is_none()
    }
}

/// Result of [`AgentRepository::create_if_absent`].
#[derive(Debug, Clone, PartialEq)]
pub struct CreateOutcome {
    /// The live agent with the requested name: the new one, or the one that already existed.
    pub agent: Agent,
    /// Whether this call created it.
    pub created: bool,
    /// The role the given `owner` holds on `agent`: `Owner` when this call created it, its
    /// grant (if any) on an existing agent, `None` when no owner was given. Saves the caller a
    /// second read to decide whether it may see an existing agent.
    pub owner_role: Option<Role>,
}

/// An agent with the role one principal holds on it: what an access check by grants needs.
#[derive(Debug, Clone, PartialEq)]
pub struct AgentWithRole {
    /// The agent.
    pub agent: Agent,
    /// The principal's role on it; `None` without a grant.
    pub role: Option<Role>,
}

/// One run of the heartbeat monitor, decided by the caller: which agents expire, and what is
/// written on each (the state machine's transition, the audit event). The store selects the
/// agents and persists exactly this.
#[derive(Debug, Clone, PartialEq)]
pub struct HeartbeatExpiry {
    /// Only agents in this status expire...
    pub from: AgentStatus,
    /// ...whose last heartbeat is older than this.
    pub seen_before: Timestamp,
    /// The new status and its reason.
    pub transition: Transition,
    /// The new `updated_at`.
    pub at: Timestamp,
    /// The audit event appended for each expired agent.
    pub event: EventTemplate,
}

/// Storage of agents.
#[cfg_attr(feature = "mock", mockall::automock)]
#[async_trait]
pub trait AgentRepository: Send + Sync {
    /// Inserts `agent` unless a non-Deleted agent named `agent.name` exists — atomically: of any
    /// number of concurrent calls for one name, exactly one gets `created: true`. When it creates,
    /// the same transaction grants `owner` (if given) the Owner role and appends `events`; when
    /// it does not, nothing is written and the existing live agent is returned.
    async fn create_if_absent(
        &self,
        agent: &Agent,
        owner: Option<Principal>,
        events: &[NewEvent],
    ) -> RepoResult<CreateOutcome>;

    /// The agent with this id, Deleted included (callers decide what Deleted means); `None` if
    /// there is none.
    async fn get(&self, id: AgentId) -> RepoResult<Option<Agent>>;

    /// The non-Deleted agent with this name, if any. Deleted agents are never returned.
    async fn get_live_by_name(&self, name: &AgentName) -> RepoResult<Option<Agent>>;

    /// [`get`](Self::get) together with the role `principal` holds on the agent, in one read
    /// (a request by an ordinary principal needs both; one round trip instead of two).
    async fn get_with_role(
        &self,
        id: AgentId,
        principal: &Principal,
    ) -> RepoResult<Option<AgentWithRole>>;

    /// [`get_live_by_name`](Self::get_live_by_name) together with the role `principal` holds
    /// on the agent, in one read.
    async fn get_live_by_name_with_role(
        &self,
        name: &AgentName,
        principal: &Principal,
    ) -> RepoResult<Option<AgentWithRole>>;

    /// A page of non-Deleted agents matching `query`, with the total count of matches: exact
    /// when [`AgentQuery::total_is_kept`], else counted up to the store's bound.
    async fn list(&self, query: &AgentQuery) -> RepoResult<Page<Agent>>;

    /// Stores `agent` (every field) if the stored row still has version `agent.version`, and
    /// appends `events`, in one transaction. The stored version becomes `agent.version + 1`; the
    /// stored agent is returned. When `production_deployment_id` goes from set to `None`, the
    /// formerly production deployment is demoted in the same transaction.
    ///
    /// Errors: `NotFound` (no such agent), `Conflict(StaleVersion)` (changed since read),
    /// `Conflict(LiveAgentName)` (renamed onto a live agent's name).
    async fn update(&self, agent: &Agent, events: &[NewEvent]) -> RepoResult<Agent>;

    /// Heartbeat monitor: in one statement, every agent in status `expiry.from` whose
    /// `last_seen_at` is older than `expiry.seen_before` (agents that never heartbeated are left
    /// alone) gets `expiry.transition` (status and `status_reason`), `updated_at =
    /// expiry.at` and its `version` bumped, and `expiry.event` is appended for it — all exactly
    /// as given. Idempotent and safe to run on many replicas at once: an agent is transitioned
    /// (and evented) once. Returns the ids transitioned, in id order.
    async fn expire_heartbeats(&self, expiry: &HeartbeatExpiry) -> RepoResult<Vec<AgentId>>;

    /// A heartbeat that changes no status: sets `last_seen_at = at` on agent `id` if its status
    /// is still `status`, without bumping `version` (the ETag) or `updated_at` — observed
    /// state is not an edit, so heartbeats never make a concurrent `If-Match` fail. Returns the
    /// agent as stored, or `None` when it is absent or its status is no longer `status` (the
    /// caller then decides again).
    async fn record_heartbeat(
        &self,
        id: AgentId,
        status: AgentStatus,
        at: Timestamp,
    ) -> RepoResult<Option<Agent>>;

    /// Whether the store answers (for `/readyz`).
    async fn ping(&self) -> RepoResult<()>;
}
