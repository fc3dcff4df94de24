//! The `agent_events` rows (what diesel reads and appends) and their conversions.

use crate::rows::corrupt;
use crate::schema::agent_events;
use crate::stored_json::StoredJson;
use diesel::prelude::*;
use registry_domain::{AgentId, AgentStatus, AuditEvent, EventKind, NewEvent, Timestamp};
use registry_ports::{RepoError, RepoResult};
use serde_json::Value;
use uuid::Uuid;

/// One `agent_events` row as read.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = agent_events, check_for_backend(diesel::pg::Pg))]
pub(crate) struct EventRow {
    pub(crate) id: i64,
    pub(crate) agent_id: Uuid,
    pub(crate) kind: String,
    pub(crate) from_status: Option<String>,
    pub(crate) to_status: Option<String>,
    pub(crate) actor: String,
    pub(crate) at: Timestamp,
    pub(crate) detail: StoredJson,
}

/// One `agent_events` row to append (the id comes from the sequence), in the org of its agent.
#[derive(Debug, Insertable)]
#[diesel(table_name = agent_events)]
pub(crate) struct NewEventRow {
    pub(crate) agent_id: Uuid,
    pub(crate) org_id: Uuid,
    pub(crate) kind: &'static str,
    pub(crate) from_status: Option<&'static str>,
    pub(crate) to_status: Option<&'static str>,
    pub(crate) actor: String,
    pub(crate) at: Timestamp,
    pub(crate) detail: Value,
}

impl NewEventRow {
    /// The row of `e`, an event of an agent of `org` (the foreign key refuses any other).
    pub(crate) fn new(org: Uuid, e: &NewEvent) -> Self {
        Self {
            agent_id: e.agent_id.as_uuid(),
            org_id: org,
            kind: e.kind.as_str(),
            from_status: e.from_status.map(AgentStatus::as_str),
            to_status: e.to_status.map(AgentStatus::as_str),
            actor: e.actor.clone(),
            at: e.at,
            detail: e.detail.clone(),
        }
    }
}

impl TryFrom<EventRow> for AuditEvent {
    type Error = RepoError;

    fn try_from(r: EventRow) -> RepoResult<Self> {
        let bad = |e| corrupt(&format!("agent_events row {}", r.id), e);
        let status = |s: Option<String>| {
            s.as_deref()
                .map(AgentStatus::parse)
                .transpose()
                .map_err(bad)
        };
        let kind = EventKind::parse(&r.kind).ok_or_else(|| {
            RepoError::Unexpected(format!("corrupt agent_events row: kind {}", r.kind).into())
        })?;
        Ok(AuditEvent {
            id: r.id,
            event: NewEvent {
                agent_id: AgentId::from_uuid(r.agent_id),
                kind,
                from_status: status(r.from_status)?,
                to_status: status(r.to_status)?,
                actor: r.actor,
                at: r.at,
                detail: r.detail.0.map_err(|reason| {
                    RepoError::Unexpected(
                        format!("corrupt agent_events row {}: detail: {reason}", r.id).into(),
                    )
                })?,
            },
        })
    }
}
