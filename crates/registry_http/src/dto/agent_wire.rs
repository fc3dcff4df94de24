//! [`AgentWire`]: an agent written straight from the domain value as JSON bytes, byte for byte
//! what [`AgentResponse`](super::AgentResponse) serializes to, without building one first.
//!
//! `AgentResponse` owns its fields: each response built one copied every string of the agent
//! and the whole metadata document, then formatted four timestamps into new strings, only to
//! drop them after serialization — per agent, fifty times for a list page. Serializing through
//! serde's map API still escaped every key and value byte by byte (a sixth of a list's
//! instructions) and grew the output from 128 bytes by doubling. `AgentResponse` stays the
//! documented shape (OpenAPI) and the form the composite responses embed; the hot responses
//! (one agent, a page of agents) are written here: the keys are constants, ids, enums and
//! timestamps ([`Rfc3339Text`]) need no escaping, free text is copied whole after one
//! branch-free scan finds nothing to escape (else serde_json escapes it), the metadata goes
//! through serde_json, and the buffer is sized once. A test holds the bytes to `AgentResponse`'s.

use super::Rfc3339Text;
use registry_domain::{Agent, Timestamp};
use uuid::Uuid;

/// An agent written as [`AgentResponse`](super::AgentResponse) serializes, borrowing the agent.
#[derive(Debug, Clone, Copy)]
pub struct AgentWire<'a>(pub &'a Agent);

/// A slice of agents written as a JSON array of [`AgentWire`]s.
#[derive(Debug, Clone, Copy)]
pub struct AgentsWire<'a>(pub &'a [Agent]);

/// Room for one agent without metadata (its fixed keys, id, four timestamps and short texts).
const AGENT_BYTES: usize = 512;

impl AgentWire<'_> {
    /// The agent's JSON.
    pub fn to_json(self) -> Vec<u8> {
        let mut out = Vec::with_capacity(AGENT_BYTES);
        self.write(&mut out);
        out
    }

    /// Appends the agent's JSON to `out`.
    pub fn write(self, out: &mut Vec<u8>) {
        let a = self.0;
        out.extend_from_slice(b"{\"id\":");
        uuid(out, a.id.as_uuid());
        out.extend_from_slice(b",\"name\":");
        text(out, a.name.as_str());
        out.extend_from_slice(b",\"description\":");
        text(out, a.description.as_str());
        out.extend_from_slice(b",\"status\":");
        text(out, a.status.as_str());
        out.extend_from_slice(b",\"acp_type\":");
        text(out, a.acp_type.as_str());
        out.extend_from_slice(b",\"status_reason\":");
        or_null(out, a.status_reason.as_deref(), text);
        out.extend_from_slice(b",\"created_at\":");
        timestamp(out, a.created_at);
        out.extend_from_slice(b",\"updated_at\":");
        timestamp(out, a.updated_at);
        out.extend_from_slice(b",\"registration_metadata\":");
        or_null(out, a.registration_metadata.as_ref(), |out, m| {
            // Writing a JSON map into a Vec cannot fail (string keys, finite numbers).
            let _ = serde_json::to_writer(&mut *out, m.as_map());
        });
        out.extend_from_slice(b",\"registered_at\":");
        or_null(out, a.registered_at, timestamp);
        out.extend_from_slice(b",\"agent_input_type\":");
        or_null(out, a.agent_input_type.map(|t| t.as_str()), text);
        out.extend_from_slice(b",\"production_deployment_id\":");
        or_null(out, a.production_deployment_id.map(|d| d.as_uuid()), uuid);
        out.extend_from_slice(b",\"last_seen_at\":");
        or_null(out, a.last_seen_at, timestamp);
        out.push(b'}');
    }
}

impl AgentsWire<'_> {
    /// The agents' JSON array.
    pub fn to_json(self) -> Vec<u8> {
        let mut out = Vec::with_capacity(2 + self.0.len() * (AGENT_BYTES + 1));
        out.push(b'[');
        for (i, agent) in self.0.iter().enumerate() {
            if i > 0 {
                out.push(b',');
            }
            AgentWire(agent).write(&mut out);
        }
        out.push(b']');
        out
    }
}

/// `value` through `write`, or `null`.
fn or_null<T>(out: &mut Vec<u8>, value: Option<T>, write: impl FnOnce(&mut Vec<u8>, T)) {
    match value {
        Some(value) => write(out, value),
        None => out.extend_from_slice(b"null"),
    }
}

/// A UUID as its quoted hyphenated lowercase text.
fn uuid(out: &mut Vec<u8>, id: Uuid) {
    let mut buf = [0; uuid::fmt::Hyphenated::LENGTH];
    out.push(b'"');
    out.extend_from_slice(id.hyphenated().encode_lower(&mut buf).as_bytes());
    out.push(b'"');
}

/// A timestamp as its quoted RFC 3339 text ([`super::timestamp`]'s).
fn timestamp(out: &mut Vec<u8>, ts: Timestamp) {
    out.push(b'"');
    out.extend_from_slice(Rfc3339Text::of(ts).as_bytes());
    out.push(b'"');
}

/// A JSON string of `s`: copied whole when nothing in it needs escaping (the common case,
/// found by one branch-free, vectorizable scan), else escaped by serde_json.
fn text(out: &mut Vec<u8>, s: &str) {
    let needs_escape = s.bytes().fold(false, |any, b| {
        any | (b < 0x20) | (b == b'"') | (b == b'\\')
    });
    if needs_escape {
        // Writing a string into a Vec cannot fail.
        let _ = serde_json::to_writer(&mut *out, s);
    } else {
        out.push(b'"');
        out.extend_from_slice(s.as_bytes());
        out.push(b'"');
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
        // Non-ASCII and DEL need no escaping: the plain copy must write what serde_json does.
        let unescaped = Agent {
            description: Description::parse("café – naïve \u{7f} ✓").unwrap(),
            status_reason: Some(String::new()),
            ..bare()
        };
        for agent in [bare(), full(), unescaped] {
            let documented = serde_json::to_string(&AgentResponse::from(&agent)).unwrap();
            let view = String::from_utf8(AgentWire(&agent).to_json()).unwrap();
            assert_eq!(view, documented);
        }
        let agents = [bare(), full()];
        let documented: Vec<AgentResponse> = agents.iter().map(AgentResponse::from).collect();
        assert_eq!(
            String::from_utf8(AgentsWire(&agents).to_json()).unwrap(),
            serde_json::to_string(&documented).unwrap()
        );
        let empty: [Agent; 0] = [];
        assert_eq!(AgentsWire(&empty).to_json(), b"[]");
    }
}
