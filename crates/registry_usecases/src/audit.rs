//! Builders of the audit events written along with each change.

use registry_domain::{
    AgentId, AgentName, AgentStatus, EventKind, EventTemplate, NewEvent, Principal, Timestamp,
    Transition,
};
use serde_json::Value;

/// An event without a status change.
pub(crate) fn event(
    agent_id: AgentId,
    kind: EventKind,
    actor: &Principal,
    at: Timestamp,
    detail: Value,
) -> NewEvent {
    NewEvent {
        agent_id,
        kind,
        from_status: None,
        to_status: None,
        actor: actor.to_string(),
        at,
        detail,
    }
}

/// The creation of an agent in the status the state machine chose.
pub(crate) fn created(
    agent_id: AgentId,
    status: AgentStatus,
    reason: Option<&str>,
    actor: &Principal,
    at: Timestamp,
) -> NewEvent {
    NewEvent {
        to_status: Some(status),
        ..event(
            agent_id,
            EventKind::Created,
            actor,
            at,
            serde_json::json!({ "reason": reason }),
        )
    }
}

/// A status change decided by the state machine; a change to the same status is recorded as
/// `Updated` (fields changed, status kept).
pub(crate) fn transition(
    agent_id: AgentId,
    from: AgentStatus,
    transition: Transition,
    actor: &Principal,
    at: Timestamp,
) -> NewEvent {
    transition_of_any(from, transition, actor.to_string(), at).for_agent(agent_id)
}

/// Who the registry's own changes (the heartbeat monitor's) are recorded as.
pub(crate) const SYSTEM_ACTOR: &str = "system";

/// [`transition`] for whichever agents a bulk write changes, by `actor` (principal text).
pub(crate) fn transition_of_any(
    from: AgentStatus,
    transition: Transition,
    actor: String,
    at: Timestamp,
) -> EventTemplate {
    let kind = if from == transition.to {
        EventKind::Updated
    } else {
        EventKind::Transition
    };
    EventTemplate {
        kind,
        from_status: Some(from),
        to_status: Some(transition.to),
        actor,
        at,
        detail: serde_json::json!({ "reason": transition.reason }),
    }
}

/// The current time (UTC).
pub(crate) fn now() -> Timestamp {
    time::OffsetDateTime::now_utc()
}

/// The creation of an API key (never its secret).
pub(crate) fn key_created(
    key: &registry_domain::ApiKey,
    actor: &Principal,
    at: Timestamp,
) -> NewEvent {
    event(
        key.agent_id,
        EventKind::KeyCreated,
        actor,
        at,
        serde_json::json!({
            "key_id": key.id.to_string(),
            "name": key.name,
            "api_key_type": key.api_key_type.as_str(),
        }),
    )
}

/// A rename, with the old and the new name.
pub(crate) fn renamed(
    agent_id: AgentId,
    old_name: &AgentName,
    new_name: &AgentName,
    actor: &Principal,
    at: Timestamp,
) -> NewEvent {
    event(
        agent_id,
        EventKind::Renamed,
        actor,
        at,
        serde_json::json!({ "old_name": old_name.as_str(), "new_name": new_name.as_str() }),
    )
}
