//! [`AgentWire`]: an agent written straight from the domain value, byte for byte what
//! [`AgentResponse`](super::AgentResponse) writes, without building one first.
//!
//! `AgentResponse` owns its fields: each response built one copied every string of the agent
//! and the whole metadata document, then formatted four timestamps into new strings, only to
//! drop them after serialization — per agent, fifty times for a list page. `AgentResponse`
//! stays the documented shape (OpenAPI) and the form the composite responses embed; the hot
//! responses (one agent, a page of agents) are written through this view, and a test holds the
//! two to the same bytes.

use registry_domain::{Agent, Timestamp};
use serde::ser::{Error as _, SerializeStruct};
use serde::{Serialize, Serializer};

/// An agent serialized as [`AgentResponse`](super::AgentResponse), borrowing from it.
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

/// A timestamp serialized as [`super::timestamp`] writes it — RFC 3339 in UTC, the fraction
/// of a second with its trailing zeros cut, as `time` writes it; the empty string for a year
/// outside 0..=9999, which `time` refuses — written on the stack, digit by digit (`time`'s
/// general formatter cost about a thousand instructions per timestamp, four per agent).
#[derive(Clone, Copy)]
struct Rfc3339(Timestamp);

impl Serialize for Rfc3339 {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut buf = [0u8; 32];
        let len = rfc3339_utc(self.0, &mut buf);
        let text = std::str::from_utf8(&buf[..len]).map_err(S::Error::custom)?;
        serializer.serialize_str(text)
    }
}

/// Writes `ts` as `YYYY-MM-DDTHH:MM:SS[.fraction]Z` into `buf`; returns the length (0 when the
/// year has no four-digit form).
fn rfc3339_utc(ts: Timestamp, buf: &mut [u8; 32]) -> usize {
    let at = ts.to_offset(time::UtcOffset::UTC);
    let year = match u32::try_from(at.year()) {
        Ok(year) if year <= 9999 => year,
        _ => return 0,
    };
    let mut len = 0;
    for (digits, value, sep) in [
        (4, year, b'-'),
        (2, u32::from(u8::from(at.month())), b'-'),
        (2, u32::from(at.day()), b'T'),
        (2, u32::from(at.hour()), b':'),
        (2, u32::from(at.minute()), b':'),
    ] {
        len = put_digits(buf, len, digits, value);
        buf[len] = sep;
        len += 1;
    }
    len = put_digits(buf, len, 2, u32::from(at.second()));
    let mut nanos = at.nanosecond();
    if nanos != 0 {
        let mut digits = 9;
        while nanos.is_multiple_of(10) {
            nanos /= 10;
            digits -= 1;
        }
        buf[len] = b'.';
        len = put_digits(buf, len + 1, digits, nanos);
    }
    buf[len] = b'Z';
    len + 1
}

/// Writes the last `digits` decimal digits of `value` at `buf[at..]`, zero-padded; returns
/// the position after them.
fn put_digits(buf: &mut [u8], at: usize, digits: usize, mut value: u32) -> usize {
    for slot in buf[at..at + digits].iter_mut().rev() {
        *slot = b'0' + (value % 10) as u8;
        value /= 10;
    }
    at + digits
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
    fn timestamps_are_written_as_time_writes_them() {
        let cases = [
            datetime!(2026-11-27 10:00:00 UTC),
            datetime!(2026-11-27 10:00:00.000001 UTC),
            datetime!(2026-11-27 10:00:00.1 UTC),
            datetime!(2026-11-27 10:00:00.12 UTC),
            datetime!(2026-11-27 10:00:00.123456 UTC),
            datetime!(2026-11-27 10:00:00.123456789 UTC),
            datetime!(2026-11-27 10:00:00.100000001 UTC),
            datetime!(2026-01-01 00:30:00.5 +01:00),
            datetime!(0001-02-03 04:05:06.07 UTC),
            datetime!(9999-12-31 23:59:59.999999 UTC),
            datetime!(-0001-01-01 00:00:00 UTC),
        ];
        for at in cases {
            let ours = serde_json::to_string(&Rfc3339(at)).unwrap();
            let theirs = serde_json::to_string(&crate::dto::timestamp(at)).unwrap();
            assert_eq!(ours, theirs, "{at}");
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
