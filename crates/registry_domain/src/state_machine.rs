//! The agent state machine of contract §3: a total function from (status, event) to a decision,
//! and [`apply`], the only code that changes an agent's status.
//!
//! `docs/state-machine.md` holds the same table; a test renders [`decide`] with
//! [`Decision::cell`] and compares every cell, so the doc cannot drift.

use crate::{Agent, AgentId, AgentStatus, NewAgent, Timestamp};

/// Something that happens to an agent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum LifecycleEvent {
    /// `POST /agents/register-build`.
    RegisterBuild,
    /// `POST /agents/register` without a deployment id.
    Register,
    /// Promotion of one of its deployments.
    Promote,
    /// A heartbeat from the agent.
    Heartbeat,
    /// The heartbeat monitor found its last heartbeat older than the TTL.
    HeartbeatExpired,
    /// `DELETE`.
    Delete,
}

impl LifecycleEvent {
    /// Every event, in the column order of the doc table.
    pub const ALL: &'static [LifecycleEvent] = &[
        LifecycleEvent::RegisterBuild,
        LifecycleEvent::Register,
        LifecycleEvent::Promote,
        LifecycleEvent::Heartbeat,
        LifecycleEvent::HeartbeatExpired,
        LifecycleEvent::Delete,
    ];
}

/// Why an event is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum TransitionError {
    /// There is no (visible) agent for this event: 404.
    #[error("agent not found")]
    NotFound,
    /// The agent exists but the event is not allowed in its status: 409.
    #[error("agent is in a status that does not allow this")]
    Conflict,
}

/// A status change with its reason.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Transition {
    /// The new status.
    pub to: AgentStatus,
    /// The new `status_reason`.
    pub reason: &'static str,
}

/// The outcome of an event in a given status.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    /// The agent does not exist yet and is created in this status.
    Create(Transition),
    /// The status changes (possibly to the same value, which still refreshes reason/timestamps).
    Change(Transition),
    /// Nothing about the status changes.
    Unchanged,
    /// The event is refused.
    Reject(TransitionError),
}

/// Reason recorded on a transition to Ready by registration or promotion.
pub const REASON_REGISTERED: &str = "Agent registered successfully.";
/// Reason recorded on creation by register-build.
pub const REASON_BUILD: &str = "Agent build registered; not yet deployed.";
/// Reason recorded when a heartbeat brings an Unhealthy agent back.
pub const REASON_HEARTBEAT: &str = "Agent heartbeat received.";
/// Reason recorded by the heartbeat monitor.
pub const REASON_EXPIRED: &str = "Agent heartbeat expired.";
/// Reason recorded on deletion.
pub const REASON_DELETED: &str = "Agent deleted successfully";

const fn to(to: AgentStatus, reason: &'static str) -> Transition {
    Transition { to, reason }
}

/// The total transition function of contract §3. `current` is `None` when no visible agent
/// exists (Deleted agents are invisible to name lookups, so by name they reach this row).
pub fn decide(current: Option<AgentStatus>, event: LifecycleEvent) -> Decision {
    use AgentStatus::*;
    use Decision::*;
    use LifecycleEvent::*;
    let ready = to(Ready, REASON_REGISTERED);
    match (current, event) {
        (None, RegisterBuild) => Create(to(BuildOnly, REASON_BUILD)),
        (None, Register) => Create(ready),
        (None, _) => Reject(TransitionError::NotFound),

        (Some(Deleted), Promote) => Reject(TransitionError::Conflict),
        (Some(Deleted), HeartbeatExpired) => Unchanged,
        (Some(Deleted), _) => Reject(TransitionError::NotFound),

        (Some(_), Delete) => Change(to(Deleted, REASON_DELETED)),
        (Some(_), RegisterBuild) => Unchanged,
        (Some(_), Register) => Change(ready),

        (Some(BuildOnly), Promote) => Change(ready),
        (Some(Ready), HeartbeatExpired) => Change(to(Unhealthy, REASON_EXPIRED)),
        (Some(Unhealthy), Heartbeat) => Change(to(Ready, REASON_HEARTBEAT)),
        (
            Some(BuildOnly | Ready | Unhealthy | Failed | Unknown),
            Promote | Heartbeat | HeartbeatExpired,
        ) => Unchanged,
    }
}

impl Decision {
    /// The cell text used in `docs/state-machine.md`: `→ Status`, `unchanged`, `404` or `409`.
    pub fn cell(self) -> String {
        match self {
            Decision::Create(t) | Decision::Change(t) => format!("→ {}", t.to),
            Decision::Unchanged => "unchanged".to_owned(),
            Decision::Reject(TransitionError::NotFound) => "404".to_owned(),
            Decision::Reject(TransitionError::Conflict) => "409".to_owned(),
        }
    }
}

/// Builds a new agent for a creating event (`RegisterBuild` or `Register`).
pub fn create(
    new: NewAgent,
    event: LifecycleEvent,
    now: Timestamp,
) -> Result<Agent, TransitionError> {
    let Decision::Create(t) = decide(None, event) else {
        return Err(TransitionError::NotFound);
    };
    Ok(Agent {
        id: AgentId::new_random(),
        name: new.name,
        description: new.description,
        status: t.to,
        status_reason: Some(t.reason.to_owned()),
        acp_type: new.acp_type,
        acp_url: new.acp_url,
        registration_metadata: new.registration_metadata,
        agent_input_type: new.agent_input_type,
        production_deployment_id: None,
        created_at: now,
        updated_at: now,
        registered_at: (t.to == AgentStatus::Ready).then_some(now),
        last_seen_at: None,
        deleted_at: None,
        deleted_by: None,
        version: 1,
    })
}

/// Applies `event` to `agent` at `now` by `actor` (principal text). Returns the transition that
/// happened (`None` when the status is unchanged). The only code that writes `agent.status`.
///
/// A transition sets `status_reason` and `updated_at`; to Ready also `registered_at`; to Deleted
/// also `deleted_at` and `deleted_by`.
pub fn apply(
    agent: &mut Agent,
    event: LifecycleEvent,
    now: Timestamp,
    actor: &str,
) -> Result<Option<Transition>, TransitionError> {
    match decide(Some(agent.status), event) {
        Decision::Reject(e) => Err(e),
        Decision::Unchanged => Ok(None),
        Decision::Create(_) => Err(TransitionError::Conflict),
        Decision::Change(t) => {
            agent.status = t.to;
            agent.status_reason = Some(t.reason.to_owned());
            agent.updated_at = now;
            match t.to {
                AgentStatus::Ready => agent.registered_at = Some(now),
                AgentStatus::Deleted => {
                    agent.deleted_at = Some(now);
                    agent.deleted_by = Some(actor.to_owned());
                }
                _ => {}
            }
            Ok(Some(t))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{AcpType, AgentName, Description};
    use proptest::prelude::*;

    fn now() -> Timestamp {
        time::OffsetDateTime::UNIX_EPOCH
    }

    fn new_agent() -> NewAgent {
        NewAgent {
            name: AgentName::parse("a").unwrap(),
            description: Description::parse("d").unwrap(),
            acp_type: AcpType::Async,
            acp_url: None,
            registration_metadata: None,
            agent_input_type: None,
        }
    }

    fn any_event() -> impl Strategy<Value = LifecycleEvent> {
        proptest::sample::select(LifecycleEvent::ALL.to_vec())
    }

    fn any_creating_event() -> impl Strategy<Value = LifecycleEvent> {
        prop_oneof![
            Just(LifecycleEvent::RegisterBuild),
            Just(LifecycleEvent::Register)
        ]
    }

    #[test]
    fn register_build_creates_build_only() {
        let a = create(new_agent(), LifecycleEvent::RegisterBuild, now()).unwrap();
        assert_eq!(a.status, AgentStatus::BuildOnly);
        assert_eq!(a.status_reason.as_deref(), Some(REASON_BUILD));
        assert_eq!(a.registered_at, None);
    }

    #[test]
    fn non_creating_events_cannot_create() {
        assert!(create(new_agent(), LifecycleEvent::Promote, now()).is_err());
    }

    #[test]
    fn delete_records_who_and_when() {
        let mut a = create(new_agent(), LifecycleEvent::Register, now()).unwrap();
        apply(&mut a, LifecycleEvent::Delete, now(), "user:alice").unwrap();
        assert_eq!(a.status, AgentStatus::Deleted);
        assert_eq!(a.deleted_by.as_deref(), Some("user:alice"));
        assert_eq!(a.deleted_at, Some(now()));
    }

    proptest! {
        #[test]
        fn deleted_is_absorbing(first in any_creating_event(), events in proptest::collection::vec(any_event(), 0..20)) {
            let mut a = create(new_agent(), first, now()).unwrap();
            apply(&mut a, LifecycleEvent::Delete, now(), "t").unwrap();
            for e in events {
                let _ = apply(&mut a, e, now(), "t");
                prop_assert_eq!(a.status, AgentStatus::Deleted);
            }
        }

        #[test]
        fn build_only_is_entered_only_at_creation(first in any_creating_event(), events in proptest::collection::vec(any_event(), 0..30)) {
            let mut a = create(new_agent(), first, now()).unwrap();
            let mut was_other = a.status != AgentStatus::BuildOnly;
            for e in events {
                let _ = apply(&mut a, e, now(), "t");
                if was_other {
                    prop_assert_ne!(a.status, AgentStatus::BuildOnly);
                }
                was_other |= a.status != AgentStatus::BuildOnly;
            }
        }

        #[test]
        fn every_step_is_a_cell_of_the_table(first in any_creating_event(), events in proptest::collection::vec(any_event(), 0..30)) {
            let mut a = create(new_agent(), first, now()).unwrap();
            for e in events {
                let before = a.status;
                let result = apply(&mut a, e, now(), "t");
                match decide(Some(before), e) {
                    Decision::Change(t) => { prop_assert_eq!(result, Ok(Some(t))); prop_assert_eq!(a.status, t.to); }
                    Decision::Unchanged => { prop_assert_eq!(result, Ok(None)); prop_assert_eq!(a.status, before); }
                    Decision::Reject(err) => { prop_assert_eq!(result, Err(err)); prop_assert_eq!(a.status, before); }
                    Decision::Create(_) => prop_assert!(false, "create for an existing agent"),
                }
                prop_assert!(matches!(a.status, AgentStatus::Ready | AgentStatus::BuildOnly | AgentStatus::Unhealthy | AgentStatus::Deleted));
            }
        }
    }
}
