//! `PATCH /agents/{id}` bodies: a JSON merge patch (RFC 7396) read field by field.

use super::rules;
use registry_domain::{AgentId, AgentInputType, Description, ValidationError};
use registry_usecases::PatchAgentInput;
use serde_json::{Map, Value};
use utoipa::ToSchema;

/// `PATCH /agents/{agent_id}` body as the document states it (read by [`agent_patch`]): a merge
/// patch of the three changeable members. The agent's other members are immutable (422 naming
/// each); other names are ignored. The schema admits only these three
/// (`additionalProperties: false`), so what it calls valid is always accepted.
#[derive(serde::Deserialize, ToSchema)]
#[serde(deny_unknown_fields)] // for the schema: `additionalProperties: false`
#[schema(as = AgentPatch)]
#[allow(dead_code)] // describes the body; `agent_patch` reads it
pub struct AgentPatchSchema {
    /// New description.
    #[schema(value_type = rules::Description, required = false)]
    description: Option<String>,
    /// Merged into the stored metadata (RFC 7396: a null member removes it); null removes all.
    #[schema(value_type = Option<rules::RegistrationMetadata>)]
    registration_metadata: Option<Value>,
    /// New input type; null removes it.
    #[schema(value_type = Option<rules::AgentInputType>)]
    agent_input_type: Option<String>,
}

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
/// The agent's other fields are immutable here: 422 naming each. Unknown fields are ignored,
/// as in every other body (contract §2, ADR 0007). Every failing field is reported.
pub fn agent_patch(
    id: AgentId,
    patch: Map<String, Value>,
    if_match: Option<String>,
) -> Result<PatchAgentInput, Vec<ValidationError>> {
    let mut input = PatchAgentInput {
        id,
        description: None,
        registration_metadata: None,
        agent_input_type: None,
        if_match,
    };
    let mut errors = Vec::new();
    for (key, value) in patch {
        let read = match (key.as_str(), value) {
            ("description", Value::String(text)) => {
                Description::parse(&text).map(|d| input.description = Some(d))
            }
            ("description", _) => Err(ValidationError::new("description", "must be a string")),
            ("registration_metadata", Value::Null) => {
                input.registration_metadata = Some(None);
                Ok(())
            }
            ("registration_metadata", Value::Object(map)) => {
                input.registration_metadata = Some(Some(map));
                Ok(())
            }
            ("registration_metadata", _) => Err(ValidationError::new(
                "registration_metadata",
                "must be a JSON object or null",
            )),
            ("agent_input_type", Value::Null) => {
                input.agent_input_type = Some(None);
                Ok(())
            }
            ("agent_input_type", Value::String(text)) => {
                AgentInputType::parse(&text).map(|t| input.agent_input_type = Some(Some(t)))
            }
            ("agent_input_type", _) => Err(ValidationError::new(
                "agent_input_type",
                "must be one of: text, json, or null",
            )),
            (k, _) if IMMUTABLE.contains(&k) => Err(ValidationError::new(k, "is immutable")),
            _ => Ok(()),
        };
        if let Err(e) = read {
            errors.push(e);
        }
    }
    if errors.is_empty() {
        Ok(input)
    } else {
        Err(errors)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn read(v: Value) -> Result<PatchAgentInput, ValidationError> {
        agent_patch(AgentId::new_random(), v.as_object().cloned().unwrap(), None)
            .map_err(|mut errors| errors.remove(0))
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
        let ignored = read(json!({"bogus": 1, "description": "x"})).unwrap();
        assert_eq!(
            ignored.description.map(|d| d.as_str().to_owned()),
            Some("x".into())
        );
        let ok = read(json!({"description": "x", "agent_input_type": null})).unwrap();
        assert_eq!(ok.agent_input_type, Some(None));
        assert_eq!(
            ok.description.map(|d| d.as_str().to_owned()),
            Some("x".into())
        );
    }

    #[test]
    fn every_failing_field_is_named() {
        let body = json!({"status": "Ready", "description": 1, "agent_input_type": "xml"});
        let errors = agent_patch(
            AgentId::new_random(),
            body.as_object().cloned().unwrap(),
            None,
        )
        .unwrap_err();
        let mut fields: Vec<String> = errors.into_iter().map(|e| e.field).collect();
        fields.sort();
        assert_eq!(fields, ["agent_input_type", "description", "status"]);
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
