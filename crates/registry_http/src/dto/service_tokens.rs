//! Service tokens on the wire.

use super::{rules, timestamp};
use registry_domain::{OrgSlug, ServiceToken};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// A service token's metadata (never the secret).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ServiceTokenResponse {
    /// Id.
    pub id: String,
    /// Name.
    pub name: String,
    /// `user:<name>`, `service:<name>` or `admin:<name>` (an org admin).
    pub principal: String,
    /// The slug of the org it belongs to.
    pub org: String,
    /// RFC 3339 UTC.
    pub created_at: String,
}

impl ServiceTokenResponse {
    /// The wire form of `t`, a token of org `org`.
    pub fn new(t: &ServiceToken, org: &OrgSlug) -> Self {
        Self {
            id: t.id.to_string(),
            name: t.name.clone(),
            principal: t.principal.to_string(),
            org: org.to_string(),
            created_at: timestamp(t.created_at),
        }
    }
}

/// `POST /service_tokens` response: the token, shown once.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CreateServiceTokenResponse {
    /// Metadata.
    #[serde(flatten)]
    pub token: ServiceTokenResponse,
    /// The secret (`art_…`), never shown again.
    #[serde(rename = "token")]
    pub secret: String,
}

/// `POST /service_tokens` body.
#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct CreateServiceTokenRequest {
    /// `[A-Za-z0-9-_.@]`, 1..=128 characters.
    #[schema(value_type = rules::ServiceTokenName)]
    pub name: String,
    /// `user` (default), `service`, or `admin` (an org admin).
    #[schema(value_type = Option<rules::ServiceTokenKind>)]
    pub kind: Option<String>,
    /// The org's slug (default: the org the request acts in). Only the platform admin may
    /// name another org.
    #[schema(value_type = Option<rules::OrgSlug>)]
    pub org: Option<String>,
}
