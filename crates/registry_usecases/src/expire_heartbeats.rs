//! The heartbeat monitor's tick.

use crate::audit::{self, SYSTEM_ACTOR};
use crate::repo_error::repo_error;
use crate::{Registry, RegistryError};
use registry_domain::{decide, AgentId, AgentStatus, Decision, LifecycleEvent, Timestamp};
use registry_ports::{Cause, HeartbeatExpiry};

impl Registry {
    /// Marks Ready agents whose last heartbeat is older than `config.heartbeat_ttl` Unhealthy
    /// (actor `system`). The transition comes from the state machine and the event is built
    /// here; the store applies both in one idempotent statement, safe on many replicas.
    /// Returns the ids transitioned.
    ///
    /// Errors: `Unavailable`, `Internal`.
    pub async fn expire_heartbeats(&self, now: Timestamp) -> Result<Vec<AgentId>, RegistryError> {
        let from = AgentStatus::Ready;
        let Decision::Change(transition) = decide(Some(from), LifecycleEvent::HeartbeatExpired)
        else {
            return Err(RegistryError::Internal(
                "the state machine no longer expires Ready agents".into(),
            ));
        };
        let ttl = time::Duration::try_from(self.config.heartbeat_ttl).map_err(|e| {
            RegistryError::Internal(Cause::context("heartbeat TTL out of range", e))
        })?;
        let expiry = HeartbeatExpiry {
            from,
            seen_before: now - ttl,
            transition,
            at: now,
            event: audit::transition_of_any(from, transition, SYSTEM_ACTOR.to_owned(), now),
        };
        self.agents
            .expire_heartbeats(&expiry)
            .await
            .map_err(repo_error)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::Mocks;
    use registry_domain::state_machine::REASON_EXPIRED;
    use registry_domain::EventKind;

    #[tokio::test]
    async fn the_store_gets_the_state_machines_transition_and_the_event_to_write() {
        let now = time::OffsetDateTime::now_utc();
        let expired = AgentId::new_random();
        let mut m = Mocks::default();
        m.agents
            .expect_expire_heartbeats()
            .withf(move |e| {
                e.from == AgentStatus::Ready
                    && e.seen_before == now - time::Duration::seconds(60)
                    && e.transition.to == AgentStatus::Unhealthy
                    && e.transition.reason == REASON_EXPIRED
                    && e.at == now
                    && e.event.kind == EventKind::Transition
                    && e.event.from_status == Some(AgentStatus::Ready)
                    && e.event.to_status == Some(AgentStatus::Unhealthy)
                    && e.event.actor == "system"
                    && e.event.at == now
                    && e.event.detail == serde_json::json!({ "reason": REASON_EXPIRED })
            })
            .times(1)
            .returning(move |_| Ok(vec![expired]));
        let ids = m.registry().expire_heartbeats(now).await.unwrap();
        assert_eq!(ids, vec![expired]);
    }
}
