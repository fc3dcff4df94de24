//! Wire shapes (serde + utoipa), with the peer's field names and enum spellings, and their
//! conversions from domain values. Enum-valued request fields are received as strings and
//! parsed by the domain, so an unknown value is a 422 naming its field.

mod agent_wire;
mod agents;
mod api_keys;
mod cards;
mod deployments;
mod events;
mod grants;
mod orgs;
pub mod params;
mod patch;
pub mod rules;
mod service_tokens;
mod timestamp_text;
mod webhooks;
mod whoami;

pub use agent_wire::{AgentWire, AgentsWire};
pub use agents::*;
pub use api_keys::*;
pub use cards::*;
pub use deployments::*;
pub use events::*;
pub use grants::*;
pub use orgs::*;
pub use patch::{agent_patch, AgentPatchSchema};
pub use service_tokens::*;
pub use timestamp_text::Rfc3339Text;
pub use webhooks::*;
pub use whoami::*;

use registry_domain::{Metadata, Timestamp, ValidationError};
use serde::Serialize;
use utoipa::ToSchema;

/// RFC 3339 in UTC (`Z`), as the peer ([`Rfc3339Text`]).
pub fn timestamp(ts: Timestamp) -> String {
    Rfc3339Text::of(ts).as_str().to_owned()
}

/// Optional [`timestamp`].
pub fn opt_timestamp(ts: Option<Timestamp>) -> Option<String> {
    ts.map(timestamp)
}

/// Metadata as a JSON value.
pub fn metadata_json(m: &Option<Metadata>) -> Option<serde_json::Value> {
    m.as_ref()
        .map(|m| serde_json::Value::Object(m.as_map().clone()))
}

/// Parses optional metadata (null/absent → `None`), naming `field`.
pub fn parse_metadata(
    value: Option<serde_json::Value>,
    field: &str,
) -> Result<Option<Metadata>, ValidationError> {
    value.map(|v| Metadata::parse_field(v, field)).transpose()
}

/// `{id, message}`: the peer's delete response.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct DeleteResponse {
    /// Id of what was deleted.
    pub id: String,
    /// Human-readable confirmation (the peer's text).
    pub message: String,
}

/// `/healthz` and `/readyz` body.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct HealthResponse {
    /// `ok` or `ready`.
    pub status: String,
}
