//! The audit trail: an append-only record of every transition and every access change.

use crate::{AgentId, AgentStatus, Timestamp};

/// What an audit event records.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum EventKind {
    /// Agent created (register-build, register, PUT upsert).
    Created,
    /// A status transition (from/to set).
    Transition,
    /// Fields changed without a status change (PATCH, PUT, register of a Ready agent).
    Updated,
    /// A deployment was promoted.
    Promoted,
    /// A grant was added.
    GrantAdded,
    /// A grant was revoked.
    GrantRevoked,
    /// An API key was created.
    KeyCreated,
    /// An API key was deleted.
    KeyDeleted,
    /// The agent was renamed (register by id with another name); detail
    /// `{"old_name", "new_name"}`.
    Renamed,
    /// The agent's A2A card was stored, replaced or removed (contract §11); detail
    /// `{"visibility"}` (the new card's) or `{"removed": true}`.
    CardUpdated,
}

impl EventKind {
    /// Every kind.
    pub const ALL: &'static [EventKind] = &[
        EventKind::Created,
        EventKind::Transition,
        EventKind::Updated,
        EventKind::Promoted,
        EventKind::GrantAdded,
        EventKind::GrantRevoked,
        EventKind::KeyCreated,
        EventKind::KeyDeleted,
        EventKind::Renamed,
        EventKind::CardUpdated,
    ];

    /// Stable snake_case spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            EventKind::Created => "created",
            EventKind::Transition => "transition",
            EventKind::Updated => "updated",
            EventKind::Promoted => "promoted",
            EventKind::GrantAdded => "grant_added",
            EventKind::GrantRevoked => "grant_revoked",
            EventKind::KeyCreated => "key_created",
            EventKind::KeyDeleted => "key_deleted",
            EventKind::Renamed => "renamed",
            EventKind::CardUpdated => "card_updated",
        }
    }

    /// Parses the stable spelling.
    pub fn parse(value: &str) -> Option<Self> {
        Self::ALL.iter().copied().find(|k| k.as_str() == value)
    }
}

/// An event to append, written in the same transaction as the change it records.
#[derive(Debug, Clone, PartialEq)]
pub struct NewEvent {
    /// The agent concerned.
    pub agent_id: AgentId,
    /// What happened.
    pub kind: EventKind,
    /// Status before (transitions).
    pub from_status: Option<AgentStatus>,
    /// Status after (transitions, creation).
    pub to_status: Option<AgentStatus>,
    /// Principal text of who did it (`system` for the monitor).
    pub actor: String,
    /// When.
    pub at: Timestamp,
    /// Free-form detail (reason, key id, grantee...).
    pub detail: serde_json::Value,
}

/// An audit event to append once for each agent a bulk write changes: a [`NewEvent`] whose
/// agent is not known yet (the heartbeat monitor's statement picks its agents itself).
#[derive(Debug, Clone, PartialEq)]
pub struct EventTemplate {
    /// What happened.
    pub kind: EventKind,
    /// Status before (transitions).
    pub from_status: Option<AgentStatus>,
    /// Status after (transitions, creation).
    pub to_status: Option<AgentStatus>,
    /// Principal text of who did it (`system` for the monitor).
    pub actor: String,
    /// When.
    pub at: Timestamp,
    /// Free-form detail (reason, key id, grantee...).
    pub detail: serde_json::Value,
}

impl EventTemplate {
    /// The event for `agent_id`.
    pub fn for_agent(&self, agent_id: AgentId) -> NewEvent {
        NewEvent {
            agent_id,
            kind: self.kind,
            from_status: self.from_status,
            to_status: self.to_status,
            actor: self.actor.clone(),
            at: self.at,
            detail: self.detail.clone(),
        }
    }
}

/// A stored audit event.
#[derive(Debug, Clone, PartialEq)]
pub struct AuditEvent {
    /// Monotonic id (ordering).
    pub id: i64,
    /// The event.
    pub event: NewEvent,
}
