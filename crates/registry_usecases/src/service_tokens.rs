//! `POST/GET /service_tokens`, `DELETE /service_tokens/{id}`: admins only (the platform admin
//! in any org, an org admin in its own), each token in one org.

use crate::audit::now;
use crate::repo_error::repo_error;
use crate::secrets::{generate_secret, hash_secret, SERVICE_TOKEN_PREFIX};
use crate::{Registry, RegistryError};
use registry_domain::{
    OrgRef, OrgSlug, Page, PageRequest, Principal, ServiceToken, ServiceTokenId, ValidationError,
};
use registry_ports::{Constraint, RepoError};

/// Whom a service token stands for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ServiceTokenKind {
    /// A person: principal `user:<name>` (the default).
    #[default]
    User,
    /// A machine: principal `service:<name>`.
    Service,
    /// An org admin: principal `admin:<name>`, unrestricted inside its org.
    Admin,
}

impl ServiceTokenKind {
    /// Every kind.
    pub const ALL: &'static [ServiceTokenKind] = &[Self::User, Self::Service, Self::Admin];

    /// The wire spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::User => "user",
            Self::Service => "service",
            Self::Admin => "admin",
        }
    }

    /// Parses `user` / `service` (field `kind`).
    pub fn parse(value: &str) -> Result<Self, ValidationError> {
        Self::ALL
            .iter()
            .copied()
            .find(|kind| kind.as_str() == value)
            .ok_or_else(|| ValidationError::new("kind", "must be one of: user, service, admin"))
    }
}

/// Body of create-service-token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CreateServiceTokenInput {
    /// Token name, also the principal's name (`[A-Za-z0-9-_.@]`, 1..=128; field `name`).
    pub name: String,
    /// Kind.
    pub kind: ServiceTokenKind,
    /// The org it belongs to (field `org`); `None`: the org the request acts in.
    pub org: Option<OrgSlug>,
}

/// A created token with its plaintext secret, shown once.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CreatedServiceToken {
    /// Token metadata.
    pub token: ServiceToken,
    /// The secret (`art_…`); never stored, never shown again.
    pub secret: String,
    /// The org it belongs to.
    pub org: OrgRef,
}

impl Registry {
    /// Creates a service token in `input.org` (default: the org acted in). Admins only; an org
    /// admin only in its own org.
    ///
    /// Errors: `Forbidden`, `Validation`, `OrgNotFound` (an unknown `org`),
    /// `ServiceTokenExists`, `Unavailable`, `Internal`.
    pub async fn create_service_token(
        &self,
        caller: &Principal,
        input: CreateServiceTokenInput,
    ) -> Result<CreatedServiceToken, RegistryError> {
        self.require_admin(caller)?;
        match &input.org {
            Some(slug) if *slug != self.org.slug => {
                if !caller.is_platform_admin() && self.config.authorization_enabled {
                    return Err(RegistryError::Forbidden);
                }
                let org = self
                    .find_org(slug)
                    .await?
                    .ok_or(RegistryError::OrgNotFound)?;
                Box::pin(self.in_org(&org).create_token_here(input)).await
            }
            _ => self.create_token_here(input).await,
        }
    }

    /// Creates the token in the org this registry acts in.
    async fn create_token_here(
        &self,
        input: CreateServiceTokenInput,
    ) -> Result<CreatedServiceToken, RegistryError> {
        let principal = match input.kind {
            ServiceTokenKind::User => Principal::User(input.name.clone()),
            ServiceTokenKind::Service => Principal::Service(input.name.clone()),
            ServiceTokenKind::Admin => Principal::OrgAdmin(input.name.clone()),
        };
        // The principal grammar is the name rule: parse its textual form back.
        Principal::parse(&principal.to_string(), "name").map_err(|_| {
            ValidationError::new("name", "must be 1 to 128 characters of [A-Za-z0-9-_.@]")
        })?;
        let secret = generate_secret(SERVICE_TOKEN_PREFIX)?;
        let token = ServiceToken {
            id: ServiceTokenId::new_random(),
            name: input.name,
            principal,
            created_at: now(),
        };
        let hash = hash_secret(&self.config.key_hash_secret, &secret);
        match self.tokens.create(&token, &hash).await {
            Ok(token) => Ok(CreatedServiceToken {
                token,
                secret,
                org: self.org.clone(),
            }),
            Err(RepoError::Conflict(Constraint::ServiceTokenName)) => {
                Err(RegistryError::ServiceTokenExists)
            }
            Err(e) => Err(repo_error(e)),
        }
    }

    /// A page of the org's service tokens (metadata only), oldest first. Admins only.
    pub async fn list_service_tokens(
        &self,
        caller: &Principal,
        page: PageRequest,
    ) -> Result<Page<ServiceToken>, RegistryError> {
        self.require_admin(caller)?;
        self.tokens.list(page).await.map_err(repo_error)
    }

    /// Revokes one of the org's tokens; it stops authenticating at once. Admins only.
    ///
    /// Errors: `Forbidden`, `ServiceTokenNotFound`, `Unavailable`, `Internal`.
    pub async fn revoke_service_token(
        &self,
        caller: &Principal,
        id: ServiceTokenId,
    ) -> Result<ServiceToken, RegistryError> {
        self.require_admin(caller)?;
        match self.tokens.revoke(id).await {
            Ok(token) => Ok(token),
            Err(RepoError::NotFound) => Err(RegistryError::ServiceTokenNotFound),
            Err(e) => Err(repo_error(e)),
        }
    }

    /// `Forbidden` unless the caller is an admin of this org (or authorization is disabled).
    pub(crate) fn require_admin(&self, caller: &Principal) -> Result<(), RegistryError> {
        if caller.is_admin() || !self.config.authorization_enabled {
            Ok(())
        } else {
            Err(RegistryError::Forbidden)
        }
    }
}
