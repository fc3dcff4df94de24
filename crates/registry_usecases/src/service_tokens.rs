//! `POST/GET /service_tokens`, `DELETE /service_tokens/{id}`: admin only.

use crate::{Registry, RegistryError};
use registry_domain::{Principal, ServiceToken, ServiceTokenId, ValidationError};

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
    /// Parses `user` / `service` (field `kind`).
    pub fn parse(value: &str) -> Result<Self, ValidationError> {
        match value {
            "user" => Ok(Self::User),
            "service" => Ok(Self::Service),
            _ => Err(ValidationError::new("kind", "must be one of: user, service")),
        }
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
        let _ = (caller, input);
        unimplemented!("create_service_token")
    }

    /// Every service token (metadata only). Admin only.
    pub async fn list_service_tokens(
        &self,
        caller: &Principal,
    ) -> Result<Vec<ServiceToken>, RegistryError> {
        let _ = caller;
        unimplemented!("list_service_tokens")
    }

    /// Revokes a token; it stops authenticating at once. Admin only.
    ///
    /// Errors: `Forbidden`, `ServiceTokenNotFound`, `Unavailable`, `Internal`.
    pub async fn revoke_service_token(
        &self,
        caller: &Principal,
        id: ServiceTokenId,
    ) -> Result<ServiceToken, RegistryError> {
        let _ = (caller, id);
        unimplemented!("revoke_service_token")
    }
}
