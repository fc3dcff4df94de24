//! Enumerations with their exact wire spellings (Agentex-compatible).

use crate::ValidationError;

macro_rules! wire_enum {
    ($(#[$doc:meta])* $name:ident, $field:literal { $($(#[$vdoc:meta])* $variant:ident => $wire:literal),+ $(,)? }) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum $name {
            $($(#[$vdoc])* $variant),+
        }

        impl $name {
            /// Every value, in declaration order.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The wire (and database) spelling.
            pub fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => $wire),+
                }
            }

            /// Parses the wire spelling (exact match).
            pub fn parse(value: &str) -> Result<Self, ValidationError> {
                match value {
                    $($wire => Ok($name::$variant),)+
                    _ => Err(ValidationError::new(
                        $field,
                        format!(
                            "must be one of: {}",
                            [$($wire),+].join(", ")
                        ),
                    )),
                }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

wire_enum!(
    /// Lifecycle status of an agent. Changed only by [`crate::state_machine::apply`].
    AgentStatus, "status" {
        /// Deployed and serving.
        Ready => "Ready",
        /// Legacy: failed; nothing sets it any more.
        Failed => "Failed",
        /// Legacy: unknown; nothing sets it any more.
        Unknown => "Unknown",
        /// Terminal: deleted; never visible by name, never resurrected.
        Deleted => "Deleted",
        /// Heartbeat older than the TTL.
        Unhealthy => "Unhealthy",
        /// Registered at build time, not yet deployed.
        BuildOnly => "BuildOnly",
    }
);

wire_enum!(
    /// How the registry talks to the agent (ACP flavour). `agentic` is kept verbatim.
    AcpType, "acp_type" {
        /// Synchronous ACP.
        Sync => "sync",
        /// Asynchronous ACP (the default).
        Async => "async",
        /// Deprecated alias of `async`, stored and returned as sent.
        Agentic => "agentic",
    }
);

wire_enum!(
    /// What input the agent takes.
    AgentInputType, "agent_input_type" {
        /// Free text.
        Text => "text",
        /// JSON documents.
        Json => "json",
    }
);

wire_enum!(
    /// Status of one deployment of an agent.
    DeploymentStatus, "status" {
        /// Created, not yet registered by the running deployment.
        Pending => "Pending",
        /// Registered: it has an ACP URL and may be promoted.
        Ready => "Ready",
        /// Legacy: failed.
        Failed => "Failed",
    }
);

wire_enum!(
    /// The purpose of an agent API key.
    ApiKeyType, "api_key_type" {
        /// Server ↔ agent pod.
        Internal => "internal",
        /// Callers of the agent.
        External => "external",
        /// GitHub webhook secret.
        Github => "github",
        /// Slack signing secret.
        Slack => "slack",
    }
);

impl ApiKeyType {
    /// The one type that is a credential: an `internal` key authenticates as its agent. The
    /// others are secrets kept for integrations (external callers, GitHub, Slack) and never
    /// authenticate (docs/security.md).
    pub const CREDENTIAL: ApiKeyType = ApiKeyType::Internal;
}

/// The peer's column default.
pub const DEFAULT_ACP_TYPE: AcpType = AcpType::Async;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_round_trip_through_their_wire_spelling() {
        for s in AgentStatus::ALL {
            assert_eq!(AgentStatus::parse(s.as_str()).unwrap(), *s);
        }
        assert_eq!(AgentStatus::parse("ready").unwrap_err().field, "status");
    }

    #[test]
    fn agentic_is_kept_verbatim() {
        assert_eq!(AcpType::parse("agentic").unwrap().as_str(), "agentic");
    }
}
