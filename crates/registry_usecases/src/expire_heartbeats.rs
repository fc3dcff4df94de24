//! The heartbeat monitor's tick.

use crate::{Registry, RegistryError};
use registry_domain::{AgentId, Timestamp};

impl Registry {
    /// Marks Ready agents whose last heartbeat is older than `config.heartbeat_ttl` Unhealthy
    /// (actor `system`). Idempotent; safe on many replicas. Returns the ids transitioned.
    ///
    /// Errors: `Unavailable`, `Internal`.
    pub async fn expire_heartbeats(&self, now: Timestamp) -> Result<Vec<AgentId>, RegistryError> {
        let _ = now;
        unimplemented!("expire_heartbeats")
    }
}
