//! `GET/POST /agents/{id}/grants`, `DELETE /agents/{id}/grants/{principal}`: sharing.

use crate::audit::{self, now};
use crate::repo_error::repo_error;
use crate::{Registry, RegistryError};
use registry_domain::{
    AgentId, AgentRef, EventKind, Grant, Need, Page, PageRequest, Principal, Role, ValidationError,
};
use registry_ports::{Constraint, RepoError};

/// Grants give roles to users and services: the admin needs none and an agent key never gets
/// anything from grants.
fn check_grantee(principal: &Principal) -> Result<(), ValidationError> {
    match principal {
        Principal::User(_) | Principal::Service(_) => Ok(()),
        Principal::Admin | Principal::OrgAdmin(_) | Principal::Agent(_) => {
            Err(ValidationError::new(
                "principal",
                "grants apply to user:<name> and service:<name> principals only",
            ))
        }
    }
}

/// Maps the grant port's errors.
fn grant_error(error: RepoError) -> RegistryError {
    match error {
        RepoError::Conflict(Constraint::LastOwner) => RegistryError::LastOwner,
        other => repo_error(other),
    }
}

impl Registry {
    /// Every grant on the agent. Owners and the admin only.
    ///
    /// Errors: `AgentNotFound`, `Forbidden` (readable, not owner), `Unavailable`, `Internal`.
    pub async fn list_grants(
        &self,
        caller: &Principal,
        agent_id: AgentId,
        page: PageRequest,
    ) -> Result<Page<Grant>, RegistryError> {
        self.load_for_sharing(caller, agent_id).await?;
        self.authorizer
            .grants(agent_id, page)
            .await
            .map_err(repo_error)
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
        check_grantee(&principal)?;
        self.load_for_sharing(caller, agent_id).await?;
        let event = audit::event(
            agent_id,
            EventKind::GrantAdded,
            caller,
            now(),
            serde_json::json!({ "principal": principal.to_string(), "role": role.as_str() }),
        );
        match self
            .authorizer
            .grant(agent_id, &principal, role, &[event])
            .await
        {
            Ok(grant) => Ok(grant),
            Err(RepoError::NotFound) => Err(RegistryError::AgentNotFound),
            Err(e) => Err(grant_error(e)),
        }
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
        self.load_for_sharing(caller, agent_id).await?;
        let event = audit::event(
            agent_id,
            EventKind::GrantRevoked,
            caller,
            now(),
            serde_json::json!({ "principal": principal.to_string() }),
        );
        match self.authorizer.revoke(agent_id, principal, &[event]).await {
            Ok(grant) => Ok(grant),
            Err(RepoError::NotFound) => Err(RegistryError::GrantNotFound),
            Err(e) => Err(grant_error(e)),
        }
    }

    /// `Ok` if the agent is live and the caller is one of its owners or the admin.
    async fn load_for_sharing(
        &self,
        caller: &Principal,
        agent_id: AgentId,
    ) -> Result<(), RegistryError> {
        self.read_agent_for(caller, &AgentRef::Id(agent_id), Need::Share)
            .await
            .map(drop)
    }
}
