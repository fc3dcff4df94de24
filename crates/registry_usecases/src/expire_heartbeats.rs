//! The heartbeat monitor's tick.

use crate::repo_error::repo_error;
use crate::{Registry, RegistryError};
use registry_domain::{decide, AgentId, AgentStatus, Decision, LifecycleEvent, Timestamp};
use registry_ports::Cause;

impl Registry {
    /// Marks Ready agents whose last heartbeat is older than `config.heartbeat_ttl` Unhealthy
    /// (actor `system`). The transition comes from the state machine; the store applies it in
    /// one idempotent statement, safe on many replicas. Returns the ids transitioned.
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
        self.agents
            .expire_heartbeats(from, transition, now - ttl, now)
            .await
            .map_err(repo_error)
    }
}
