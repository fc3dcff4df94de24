//! The audit trail and the change feed it is read as (contract §5.6, §10).

use crate::RepoResult;
use async_trait::async_trait;
use registry_domain::{AgentId, AuditEvent, EventKind, NewEvent, Page, PageRequest, Principal};

/// The most events one feed page returns (contract §10: `limit` 1..=1000).
pub const MAX_FEED_LIMIT: u32 = 1000;

/// Which events of the store's org a feed read returns: those after `after`, in `seq` order,
/// at most `limit`, narrowed by the filters. Only events below the feed's watermark are ever
/// returned (no writer still in flight can commit an event below it), so paging with the
/// returned `next_after` never skips one (docs/adr/0010-change-feed.md).
#[derive(Debug, Clone, PartialEq)]
pub struct FeedQuery {
    /// The position read after (exclusive); 0 is the feed's start.
    pub after: i64,
    /// At most this many events (1..=[`MAX_FEED_LIMIT`]; larger is read as the maximum).
    pub limit: u32,
    /// Only this agent's events.
    pub agent_id: Option<AgentId>,
    /// Only events of this kind.
    pub kind: Option<EventKind>,
    /// `Some(p)`: only events of agents on which `p` holds a grant (an ordinary principal's
    /// visible set, filtered where the events are); `None`: the whole org.
    pub granted_to: Option<Principal>,
}

impl FeedQuery {
    /// Every event of the org after `after`, at most `limit` (what the webhook worker reads).
    pub fn whole_org(after: i64, limit: u32) -> Self {
        Self {
            after,
            limit,
            agent_id: None,
            kind: None,
            granted_to: None,
        }
    }

    /// The limit actually applied (1..=[`MAX_FEED_LIMIT`]).
    pub fn bounded_limit(&self) -> u32 {
        self.limit.clamp(1, MAX_FEED_LIMIT)
    }
}

/// One event as the feed shows it.
#[derive(Debug, Clone, PartialEq)]
pub struct FeedEvent {
    /// Its position in the org's feed (increasing, not dense).
    pub seq: i64,
    /// The agent's current name (the event itself names the agent by id).
    pub agent_name: String,
    /// The audit event.
    pub event: AuditEvent,
}

/// A page of the feed.
#[derive(Debug, Clone, PartialEq)]
pub struct FeedPage {
    /// The events, in `seq` order.
    pub events: Vec<FeedEvent>,
    /// Where the next read starts: the last event's `seq`, or the query's `after` when the
    /// page is empty.
    pub next_after: i64,
}

impl FeedPage {
    /// The page of `events` (in `seq` order) read after `after`.
    pub fn new(after: i64, events: Vec<FeedEvent>) -> Self {
        let next_after = events.last().map_or(after, |e| e.seq);
        Self { events, next_after }
    }
}

/// Read side of the append-only audit trail (writes ride along with the change they record).
#[cfg_attr(feature = "mock", mockall::automock)]
#[async_trait]
pub trait EventLog: Send + Sync {
    /// Appends events that are not part of another write.
    async fn append(&self, events: &[NewEvent]) -> RepoResult<()>;

    /// A page of the agent's events, newest first (by id), with the total count. Works for
    /// Deleted agents too.
    async fn list(&self, agent_id: AgentId, page: PageRequest) -> RepoResult<Page<AuditEvent>>;

    /// The org's feed after `query.after`: committed events in `seq` order, never one that a
    /// writer still in flight could precede (the no-skip rule, contract §10). Deleted agents'
    /// events included.
    async fn feed(&self, query: &FeedQuery) -> RepoResult<FeedPage>;
}
