//! `POST/GET /service_tokens`, `DELETE /service_tokens/{id}`: admin only.

use crate::audit::now;
use crate::repo_error::repo_error;
use crate::secrets::{generate_secret, hash_secret, SERVICE_TOKEN_PREFIX};
use crate::{Registry, RegistryError};
use registry_domain::{
    Page, PageRequest, Principal, ServiceToken, ServiceTokenId, ValidationError,
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
}

impl ServiceTokenKind {
    /// Every kind.
    pub const ALL: &'static [ServiceTokenKind] = &[Self::User, Self::Service];

    /// The wire spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::User => "user",
            Self::Service => "service",
        }
    }

    /// Parses `user` / `service` (field `kind`).
    pub fn parse(value: &str) -> Result<Self, ValidationError> {
        Self::ALL
            .iter()
            .copied()
            .find(|kind| kind.as_str() == value)
            .ok_or_else(|| ValidationError::new("kind", "must be one of: user, service"))
    }
}

/// Body of create-service-token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CreateServiceTokenInput {
    /// Token name, also the principal's name (`[A-Za-z0-9-_.@]`, 1..=128; field `name`).
    pub name: String,
    /// Kind.
    pub kind: ServiceTokenKind,
}

/// A created token with its plaintext secret, shown once.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CreatedServiceToken {
    /// Token metadata.
    pub token: ServiceToken,
    /// The secret (`art_…`); never stored, never shown again.
    pub secret: String,
}

impl Registry {
    /// Creates a service token. Admin only.
    ///
    /// Errors: `Forbidden`, `Validation`, `ServiceTokenExists`, `Unavailable`, `Internal`.
    pub async fn create_service_token(
        &self,
        caller: &Principal,
        input: CreateServiceTokenInput,
    ) -> Result<CreatedServiceToken, RegistryError> {
        self.require_admin(caller)?;
        let principal = match input.kind {
            ServiceTokenKind::User => Principal::User(input.name.clone()),
            ServiceTokenKind::Service => Principal::Service(input.name.clone()),
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
            Ok(token) => Ok(CreatedServiceToken { token, secret }),
            Err(RepoError::Conflict(Constraint::ServiceTokenName)) => {
                Err(RegistryError::ServiceTokenExists)
            }
            Err(e) => Err(repo_error(e)),
        }
    }

    /// A page of the service tokens (metadata only), oldest first. Admin only.
    pub async fn list_service_tokens(
        &self,
        caller: &Principal,
        page: PageRequest,
    ) -> Result<Page<ServiceToken>, RegistryError> {
        self.require_admin(caller)?;
        self.tokens.list(page).await.map_err(repo_error)
    }

    /// Revokes a token; it stops authenticating at once. Admin only.
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

    /// `Forbidden` unless the caller is the admin (or authorization is disabled).
    fn require_admin(&self, caller: &Principal) -> Result<(), RegistryError> {
        if caller.is_admin() || !self.config.authorization_enabled {
            Ok(())
        } else {
            Err(RegistryError::Forbidden)
        }
    }
}
