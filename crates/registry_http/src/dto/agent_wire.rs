//! [`AgentWire`]: an agent written straight from the domain value, byte for byte what
//! [`AgentResponse`](super::AgentResponse) writes, without building one first.
//!
//! `AgentResponse` owns its fields: each response built one copied every string of the agent
//! and the whole metadata document, then formatted four timestamps into new strings, only to
//! drop them after serialization — per agent, fifty times for a list page. `AgentResponse`
//! stays the documented shape (OpenAPI) and the form the composite responses embed; the hot
//! responses (one agent, a page of agents) are written through this view (timestamps from the
//! stack: [`Rfc3339Text`]), and a test holds the two to the same bytes.

use super::Rfc3339Text;
use registry_domain::{Agent, Timestamp};
use serde::ser::SerializeStruct;
use serde::{Serialize, Serializer};

/// An agent serialized as [`AgentResponse`](super::AgentResponse), borrowing the agent.
#[derive(Debug, Clone, Copy)]
pub struct AgentWire<'a>(pub &'a Agent);

/// A slice of agents serialized as a JSON array of [`AgentWire`]s.
#[derive(Debug, Clone, Copy)]
pub struct AgentsWire<'a>(pub &'a [Agent]);

impl Serialize for AgentWire<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let a = self.0;
        let mut s = serializer.serialize_struct("AgentResponse", 13)?;
        s.serialize_field("id", &Displayed(&a.id))?;
        s.serialize_field("name", a.name.as_str())?;
        s.serialize_field("description", a.description.as_str())?;
        s.serialize_field("status", a.status.as_str())?;
        s.serialize_field("acp_type", a.acp_type.as_str())?;
        s.serialize_field("status_reason", &a.status_reason)?;
        s.serialize_field("created_at", &Rfc3339(a.created_at))?;
        s.serialize_field("updated_at", &Rfc3339(a.updated_at))?;
        s.serialize_field(
            "registration_metadata",
            &a.registration_metadata.as_ref().map(|m| m.as_map()),
        )?;
        s.serialize_field("registered_at", &a.registered_at.map(Rfc3339))?;
        s.serialize_field("agent_input_type", &a.agent_input_type.map(|t| t.as_str()))?;
        s.serialize_field(
            "production_deployment_id",
            &a.production_deployment_id.as_ref().map(Displayed),
        )?;
        s.serialize_field("last_seen_at", &a.last_seen_at.map(Rfc3339))?;
        s.end()
    }
}

impl Serialize for AgentsWire<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(self.0.iter().map(AgentWire))
    }
}

/// A value serialized as the string its `Display` writes (no intermediate `String`).
struct Displayed<'a, T: std::fmt::Display>(&'a T);

impl<T: std::fmt::Display> Serialize for Displayed<'_, T> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self.0)
    }
}

/// A timestamp serialized as [`super::timestamp`] writes it, from the stack.
#[derive(Clone, Copy)]
struct Rfc3339(Timestamp);

impl Serialize for Rfc3339 {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(Rfc3339Text::of(self.0).as_str())
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::dto::AgentResponse;
    use registry_domain::enums::{AgentInputType, AgentStatus, DEFAULT_ACP_TYPE};
    use registry_domain::{AgentId, AgentName, DeploymentId, Description, Metadata};
    use serde_json::json;
    use time::macros::datetime;

    fn bare() -> Agent {
        Agent {
            id: AgentId::new_random(),
            name: AgentName::parse("wire-bot").unwrap(),
            description: Description::parse("plain").unwrap(),
            status: AgentStatus::BuildOnly,
            status_reason: None,
            acp_type: DEFAULT_ACP_TYPE,
            acp_url: Some("http://hidden.example".to_owned()),
            registration_metadata: None,
            agent_input_type: None,
            production_deployment_id: None,
            created_at: datetime!(2026-11-27 10:00:00.123456 UTC),
            updated_at: datetime!(2026-11-27 10:00:01 UTC),
            registered_at: None,
            last_seen_at: None,
            deleted_at: None,
            deleted_by: None,
            version: 1,
        }
    }

    fn full() -> Agent {
        let metadata =
            json!({"team": "a \"quoted\" \\ team", "n": 1.5, "deep": {"list": [1, null, "é"]}});
        Agent {
            description: Description::parse("line\nbreak, \"quotes\", tab\t and é").unwrap(),
            status: AgentStatus::Ready,
            status_reason: Some("promoted \"now\"".to_owned()),
            registration_metadata: Some(Metadata::parse_field(metadata, "m").unwrap()),
            agent_input_type: Some(AgentInputType::Json),
            production_deployment_id: Some(DeploymentId::new_random()),
            registered_at: Some(datetime!(2026-11-27 10:00:02.5 +02:00)),
            last_seen_at: Some(datetime!(1999-01-01 00:00:00 UTC)),
            ..bare()
        }
    }

    #[test]
    fn the_view_writes_the_bytes_the_documented_response_writes() {
        for agent in [bare(), full()] {
            let documented = serde_json::to_string(&AgentResponse::from(&agent)).unwrap();
            let view = serde_json::to_string(&AgentWire(&agent)).unwrap();
            assert_eq!(view, documented);
        }
        let agents = [bare(), full()];
        let documented: Vec<AgentResponse> = agents.iter().map(AgentResponse::from).collect();
        assert_eq!(
            serde_json::to_string(&AgentsWire(&agents)).unwrap(),
            serde_json::to_string(&documented).unwrap()
        );
        let empty: [Agent; 0] = [];
        assert_eq!(serde_json::to_string(&AgentsWire(&empty)).unwrap(), "[]");
    }
}
