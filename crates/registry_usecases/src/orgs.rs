//! `/orgs` (contract §9): the platform admin manages orgs; an org admin may read its own;
//! `PUT /orgs/{slug}/agents/{name}` mirrors an agent into a named org.

use crate::audit::now;
use crate::repo_error::repo_error;
use crate::{AgentWritten, Registry, RegistryError, UpsertAgentInput};
use registry_domain::{
    Org, OrgChanges, OrgId, OrgRef, OrgSlug, Page, PageRequest, Principal, DEFAULT_ORG_SLUG,
};
use registry_ports::{Constraint, RepoError};

/// Body of `POST /orgs`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CreateOrgInput {
    /// Unique, immutable handle.
    pub slug: OrgSlug,
    /// Human-readable name; `None`: the slug.
    pub display_name: Option<String>,
    /// Quota; `None`: `DEFAULT_ORG_MAX_AGENTS`; `Some(None)`: unlimited.
    pub max_agents: Option<Option<u32>>,
}

impl Registry {
    /// Creates an org. Platform admin only.
    ///
    /// Errors: `Forbidden`, `OrgExists`, `Unavailable`, `Internal`.
    pub async fn create_org(
        &self,
        caller: &Principal,
        input: CreateOrgInput,
    ) -> Result<Org, RegistryError> {
        self.require_platform_admin(caller)?;
        let at = now();
        let org = Org {
            id: OrgId::new_random(),
            display_name: input
                .display_name
                .unwrap_or_else(|| input.slug.as_str().to_owned()),
            slug: input.slug,
            max_agents: input
                .max_agents
                .unwrap_or(self.config.default_org_max_agents),
            created_at: at,
            updated_at: at,
        };
        match self.orgs.create_org(&org).await {
            Ok(org) => Ok(org),
            Err(RepoError::Conflict(Constraint::OrgSlug)) => Err(RegistryError::OrgExists),
            Err(e) => Err(repo_error(e)),
        }
    }

    /// A page of orgs by slug. Platform admin only.
    pub async fn list_orgs(
        &self,
        caller: &Principal,
        page: PageRequest,
    ) -> Result<Page<Org>, RegistryError> {
        self.require_platform_admin(caller)?;
        self.orgs.list_orgs(page).await.map_err(repo_error)
    }

    /// One org: any for the platform admin; its own for an org admin (others: `Forbidden`,
    /// whether or not the slug exists, so nothing about other orgs is revealed).
    ///
    /// Errors: `Forbidden`, `OrgNotFound`, `Unavailable`, `Internal`.
    pub async fn get_org(&self, caller: &Principal, slug: &OrgSlug) -> Result<Org, RegistryError> {
        let own_admin = caller.is_admin() && *slug == self.org.slug;
        if !own_admin {
            self.require_platform_admin(caller)?;
        }
        self.org_named_whole(slug)
            .await?
            .ok_or(RegistryError::OrgNotFound)
    }

    /// Changes an org's display name or quota. Platform admin only. Lowering `max_agents`
    /// below the live count is allowed: creates are refused until enough are deleted.
    ///
    /// Errors: `Forbidden`, `OrgNotFound`, `Unavailable`, `Internal`.
    pub async fn update_org(
        &self,
        caller: &Principal,
        slug: &OrgSlug,
        changes: OrgChanges,
    ) -> Result<Org, RegistryError> {
        self.require_platform_admin(caller)?;
        match self.orgs.update_org(slug, &changes, now()).await {
            Ok(org) => Ok(org),
            Err(RepoError::NotFound) => Err(RegistryError::OrgNotFound),
            Err(e) => Err(repo_error(e)),
        }
    }

    /// Deletes an org with no live agents, and everything it still owns. Platform admin only;
    /// the `default` org is never deleted.
    ///
    /// Errors: `Forbidden`, `OrgNotFound`, `OrgInUse`, `Unavailable`, `Internal`.
    pub async fn delete_org(
        &self,
        caller: &Principal,
        slug: &OrgSlug,
    ) -> Result<Org, RegistryError> {
        self.require_platform_admin(caller)?;
        if slug.as_str() == DEFAULT_ORG_SLUG {
            return Err(RegistryError::OrgInUse);
        }
        match self.orgs.delete_org(slug).await {
            Ok(org) => Ok(org),
            Err(RepoError::NotFound) => Err(RegistryError::OrgNotFound),
            Err(RepoError::Conflict(Constraint::OrgHasLiveAgents)) => Err(RegistryError::OrgInUse),
            Err(e) => Err(repo_error(e)),
        }
    }

    /// `PUT /orgs/{slug}/agents/{name}`: the §4 upsert inside the named org, for integrations
    /// that mirror agents from another system. Platform admin only.
    ///
    /// Errors: `Forbidden`, `OrgNotFound`, and those of [`Registry::upsert_agent`].
    pub async fn upsert_agent_in_org(
        &self,
        caller: &Principal,
        slug: &OrgSlug,
        input: UpsertAgentInput,
    ) -> Result<AgentWritten, RegistryError> {
        self.require_platform_admin(caller)?;
        let org = self
            .find_org(slug)
            .await?
            .ok_or(RegistryError::OrgNotFound)?;
        self.in_org(&org).upsert_agent(caller, input).await
    }

    /// The org with this slug as a request acts in it, if it exists (no authorization: it
    /// resolves what a caller names, e.g. `X-Registry-Org`).
    pub async fn find_org(&self, slug: &OrgSlug) -> Result<Option<OrgRef>, RegistryError> {
        if *slug == self.org.slug {
            return Ok(Some(self.org.clone()));
        }
        Ok(self.org_named_whole(slug).await?.map(|org| OrgRef {
            id: org.id,
            slug: org.slug,
        }))
    }

    async fn org_named_whole(&self, slug: &OrgSlug) -> Result<Option<Org>, RegistryError> {
        self.orgs.org_by_slug(slug).await.map_err(repo_error)
    }

    /// `Forbidden` unless the caller is the platform admin (or authorization is disabled).
    fn require_platform_admin(&self, caller: &Principal) -> Result<(), RegistryError> {
        if caller.is_platform_admin() || !self.config.authorization_enabled {
            Ok(())
        } else {
            Err(RegistryError::Forbidden)
        }
    }
}
