//! `PATCH /agents/{id}` bodies: a JSON merge patch (RFC 7396) read field by field.

use registry_domain::{AgentId, AgentInputType, Description, ValidationError};
use registry_usecases::PatchAgentInput;
use serde_json::{Map, Value};

/// Agent fields that exist but cannot be changed by PATCH (422 "is immutable").
const IMMUTABLE: &[&str] = &[
    "id",
    "name",
    "status",
    "status_reason",
    "acp_type",
    "acp_url",
    "production_deployment_id",
    "created_at",
    "updated_at",
    "registered_at",
    "last_seen_at",
    "deleted_at",
    "deleted_by",
    "version",
];

/// Reads a merge patch of agent `id`: `description` (a string), `registration_metadata` (an
/// object to merge, or null to remove), `agent_input_type` (a value, or null to remove).
/// Immutable and unknown fields are refused naming them.
pub fn agent_patch(
    id: AgentId,
    patch: Map<String, Value>,
    if_match: Option<String>,
) -> Result<PatchAgentInput, ValidationError> {
    let mut input = PatchAgentInput {
        id,
        description: None,
        registration_metadata: None,
        agent_input_type: None,
        if_match,
    };
    for (key, value) in patch {
        match (key.as_str(), value) {
            ("description", Value::String(text)) => {
                input.description = Some(Description::parse(&text)?);
            }
            ("description", _) => {
                return Err(ValidationError::new("description", "must be a string"))
            }
            ("registration_metadata", Value::Null) => input.registration_metadata = Some(None),
            ("registration_metadata", Value::Object(map)) => {
                input.registration_metadata = Some(Some(map));
            }
            ("registration_metadata", _) => {
                return Err(ValidationError::new(
                    "registration_metadata",
                    "must be a JSON object or null",
                ))
            }
            ("agent_input_type", Value::Null) => input.agent_input_type = Some(None),
            ("agent_input_type", Value::String(text)) => {
                input.agent_input_type = Some(Some(AgentInputType::parse(&text)?));
            }
            ("agent_input_type", _) => {
                return Err(ValidationError::new(
                    "agent_input_type",
                    "must be one of: text, json, or null",
                ))
            }
            (k, _) if IMMUTABLE.contains(&k) => {
                return Err(ValidationError::new(k, "is immutable"))
            }
            (k, _) => return Err(ValidationError::new(k, "is not a field of an agent")),
        }
    }
    Ok(input)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn read(v: Value) -> Result<PatchAgentInput, ValidationError> {
        agent_patch(AgentId::new_random(), v.as_object().cloned().unwrap(), None)
    }

    #[test]
    fn immutable_and_unknown_fields_are_named() {
        let e = read(json!({"status": "Ready"})).unwrap_err();
        assert_eq!(
            (e.field.as_str(), e.reason.as_str()),
            ("status", "is immutable")
        );
        assert_eq!(
            read(json!({"created_at": "x"})).unwrap_err().field,
            "created_at"
        );
        assert_eq!(read(json!({"bogus": 1})).unwrap_err().field, "bogus");
        let ok = read(json!({"description": "x", "agent_input_type": null})).unwrap();
        assert_eq!(ok.agent_input_type, Some(None));
        assert_eq!(
            ok.description.map(|d| d.as_str().to_owned()),
            Some("x".into())
        );
    }

    #[test]
    fn fields_of_the_wrong_type_are_named() {
        for (body, field) in [
            (json!({"description": 1}), "description"),
            (
                json!({"registration_metadata": [1]}),
                "registration_metadata",
            ),
            (json!({"agent_input_type": 3}), "agent_input_type"),
        ] {
            assert_eq!(read(body).unwrap_err().field, field);
        }
    }
}
