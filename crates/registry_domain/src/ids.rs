//! Identifier newtypes. Each wraps a UUID so ids of different entities cannot be mixed up.

use crate::{AgentName, ValidationError};
use std::fmt;
use uuid::Uuid;

macro_rules! uuid_id {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub struct $name(Uuid);

        impl $name {
            /// A fresh random (v4) id.
            pub fn new_random() -> Self {
                Self(Uuid::new_v4())
            }

            /// Wraps an existing UUID (e.g. one read from the database).
            pub fn from_uuid(uuid: Uuid) -> Self {
                Self(uuid)
            }

            /// Parses the textual form; `field` names the input in the error.
            pub fn parse(value: &str, field: &str) -> Result<Self, ValidationError> {
                Uuid::parse_str(value)
                    .map(Self)
                    .map_err(|_| ValidationError::new(field, "must be a UUID"))
            }

            /// The underlying UUID.
            pub fn as_uuid(&self) -> Uuid {
                self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.fmt(f)
            }
        }
    };
}

uuid_id!(
    /// Identifies an agent for its whole life, Deleted included.
    AgentId
);
uuid_id!(
    /// Identifies a deployment of an agent.
    DeploymentId
);
uuid_id!(
    /// Identifies an agent API key (never the secret itself).
    ApiKeyId
);
uuid_id!(
    /// Identifies a deployment-history row.
    HistoryId
);
uuid_id!(
    /// Identifies a service token (never the secret itself).
    ServiceTokenId
);
uuid_id!(
    /// Identifies a webhook subscription (contract §10).
    WebhookId
);

/// An agent addressed by id, or by name among the live agents (Deleted agents have no name
/// anyone can address them by).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum AgentRef {
    /// By id (Deleted agents included: the caller decides what Deleted means).
    Id(AgentId),
    /// By the name of a live agent.
    Name(AgentName),
}

impl fmt::Display for AgentRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            AgentRef::Id(id) => id.fmt(f),
            AgentRef::Name(name) => name.fmt(f),
        }
    }
}

uuid_id!(
    /// Identifies an organization (tenant); every tenant-owned row carries its org's id.
    OrgId
);

impl OrgId {
    /// The `default` org's fixed id: the migration that introduced orgs gave it every row that
    /// existed before, and the platform admin acts in it when it names no org.
    pub const DEFAULT: OrgId = OrgId(Uuid::from_u128(1));
}
