//! `GET/POST /agents/{id}/grants`, `DELETE /agents/{id}/grants/{principal}`: sharing.

use crate::{Registry, RegistryError};
use registry_domain::{AgentId, Grant, Principal, Role};

impl Registry {
    /// Every grant on the agent. Owners and the admin only.
    ///
    /// Errors: `AgentNotFound`, `Forbidden` (readable, not owner), `Unavailable`, `Internal`.
    pub async fn list_grants(
        &self,
        caller: &Principal,
        agent_id: AgentId,
    ) -> Result<Vec<Grant>, RegistryError> {
        let _ = (caller, agent_id);
        unimplemented!("list_grants")
    }

    /// Gives `principal` the role `role` (replacing any). Owners and the admin only.
    ///
    /// Errors: `AgentNotFound`, `Forbidden`, `LastOwner`, `Unavailable`, `Internal`.
    pub async fn add_grant(
        &self,
        caller: &Principal,
        agent_id: AgentId,
        principal: Principal,
        role: Role,
    ) -> Result<Grant, RegistryError> {
        let _ = (caller, agent_id, principal, role);
        unimplemented!("add_grant")
    }

    /// Removes `principal`'s grant. Owners and the admin only.
    ///
    /// Errors: `AgentNotFound`, `Forbidden`, `GrantNotFound`, `LastOwner`, `Unavailable`,
    /// `Internal`.
    pub async fn revoke_grant(
        &self,
        caller: &Principal,
        agent_id: AgentId,
        principal: &Principal,
    ) -> Result<Grant, RegistryError> {
        let _ = (caller, agent_id, principal);
        unimplemented!("revoke_grant")
    }
}
