//! Audit events on the wire.

use super::timestamp;
use registry_domain::{AuditEvent, OrgSlug};
use serde::Serialize;
use utoipa::ToSchema;

/// One audit event.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct EventResponse {
    /// Monotonic id.
    pub id: i64,
    /// Agent id.
    pub agent_id: String,
    /// `created`, `transition`, `updated`, `promoted`, `grant_added`, `grant_revoked`,
    /// `key_created`, `key_deleted` or `renamed` (detail `{"old_name", "new_name"}`).
    pub kind: String,
    /// Status before (transitions).
    pub from_status: Option<String>,
    /// Status after (transitions, creation).
    pub to_status: Option<String>,
    /// Who did it (`system` for the heartbeat monitor).
    pub actor: String,
    /// RFC 3339 UTC.
    pub at: String,
    /// Free-form detail.
    #[schema(value_type = Object)]
    pub detail: serde_json::Value,
    /// The org's slug (every event of a response is in the caller's org).
    pub org: String,
}

impl EventResponse {
    /// The wire form of `e`, an event of org `org`.
    pub fn new(e: &AuditEvent, org: &OrgSlug) -> Self {
        Self {
            id: e.id,
            agent_id: e.event.agent_id.to_string(),
            kind: e.event.kind.as_str().to_owned(),
            from_status: e.event.from_status.map(|s| s.as_str().to_owned()),
            to_status: e.event.to_status.map(|s| s.as_str().to_owned()),
            actor: e.event.actor.clone(),
            at: timestamp(e.event.at),
            detail: e.event.detail.clone(),
            org: org.to_string(),
        }
    }
}

/// One event of the change feed: its position, its agent's current name and the audit event.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct FeedEventResponse {
    /// Position in the org's feed (increasing, not dense; int64): resume after it.
    pub seq: i64,
    /// The agent's current name.
    pub agent_name: String,
    /// The audit event.
    #[serde(flatten)]
    pub event: EventResponse,
}

impl FeedEventResponse {
    /// The wire form of `e`, an event of org `org`.
    pub fn new(e: &registry_ports::FeedEvent, org: &OrgSlug) -> Self {
        Self {
            seq: e.seq,
            agent_name: e.agent_name.clone(),
            event: EventResponse::new(&e.event, org),
        }
    }
}

/// A page of the change feed (`GET /events`).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct FeedPageResponse {
    /// The events after `after`, in `seq` order.
    pub events: Vec<FeedEventResponse>,
    /// Pass as `after` to read on: the last event's `seq`, or `after` itself when empty.
    pub next_after: i64,
}
