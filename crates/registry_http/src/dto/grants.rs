//! Grants (sharing) on the wire.

use super::{rules, timestamp};
use registry_domain::Grant;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// A role held by a principal on an agent.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct GrantResponse {
    /// Agent id.
    pub agent_id: String,
    /// `user:<name>`, `service:<name>`, `agent:<uuid>` or `admin`.
    pub principal: String,
    /// `owner`, `editor` or `viewer`.
    #[schema(value_type = rules::Role)]
    pub role: String,
    /// RFC 3339 UTC.
    pub created_at: String,
}

impl From<&Grant> for GrantResponse {
    fn from(g: &Grant) -> Self {
        Self {
            agent_id: g.agent_id.to_string(),
            principal: g.principal.to_string(),
            role: g.role.as_str().to_owned(),
            created_at: timestamp(g.created_at),
        }
    }
}

/// `POST /agents/{agent_id}/grants` body.
#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct GrantRequest {
    /// Who gets the role.
    #[schema(value_type = rules::Grantee)]
    pub principal: String,
    /// `owner`, `editor` or `viewer`.
    #[schema(value_type = rules::Role)]
    pub role: String,
}
