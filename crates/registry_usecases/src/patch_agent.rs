//! `PATCH /agents/{id}`: JSON merge patch (RFC 7396).

use crate::access::Need;
use crate::audit::{self, now};
use crate::repo_error::{repo_error, MAX_ATTEMPTS};
use crate::upsert_agent::if_match_admits;
use crate::{Registry, RegistryError};
use registry_domain::{
    Agent, AgentId, AgentInputType, Description, EventKind, Metadata, Principal, ValidationError,
};
use registry_ports::{Constraint, RepoError};
use serde_json::{Map, Value};

/// A merge patch as received, with the request's `If-Match` header.
#[derive(Debug, Clone, PartialEq)]
pub struct PatchAgentInput {
    /// The agent.
    pub id: AgentId,
    /// The raw patch object: `description`, `registration_metadata`, `agent_input_type` may be
    /// set (null clears where allowed); immutable fields are `Validation` ("is immutable").
    pub patch: serde_json::Map<String, serde_json::Value>,
    /// `If-Match` header value.
    pub if_match: Option<String>,
}

/// Agent fields that exist but cannot be changed by PATCH.
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

/// Checks the patch's keys before anything is loaded.
fn check_fields(patch: &Map<String, Value>) -> Result<(), ValidationError> {
    for key in patch.keys() {
        match key.as_str() {
            "description" | "registration_metadata" | "agent_input_type" => {}
            k if IMMUTABLE.contains(&k) => return Err(ValidationError::new(k, "is immutable")),
            k => return Err(ValidationError::new(k, "is not a field of an agent")),
        }
    }
    Ok(())
}

/// RFC 7396 `MergePatch(target, patch)`.
fn merge_patch(target: &mut Value, patch: &Value) {
    let Value::Object(patch) = patch else {
        *target = patch.clone();
        return;
    };
    if !target.is_object() {
        *target = Value::Object(Map::new());
    }
    if let Value::Object(target) = target {
        for (key, value) in patch {
            if value.is_null() {
                target.remove(key);
            } else {
                merge_patch(target.entry(key.clone()).or_insert(Value::Null), value);
            }
        }
    }
}

/// Applies the (checked) patch to a copy of `agent`'s editable fields.
fn patched(agent: &Agent, patch: &Map<String, Value>) -> Result<Agent, ValidationError> {
    let mut next = agent.clone();
    if let Some(value) = patch.get("description") {
        let text = value
            .as_str()
            .ok_or_else(|| ValidationError::new("description", "must be a string"))?;
        next.description = Description::parse(text)?;
    }
    if let Some(value) = patch.get("registration_metadata") {
        next.registration_metadata = match value {
            Value::Null => None,
            Value::Object(_) => {
                let mut current = Value::Object(
                    agent
                        .registration_metadata
                        .clone()
                        .map(Metadata::into_map)
                        .unwrap_or_default(),
                );
                merge_patch(&mut current, value);
                Some(Metadata::parse(current)?)
            }
            _ => {
                return Err(ValidationError::new(
                    "registration_metadata",
                    "must be a JSON object or null",
                ))
            }
        };
    }
    if let Some(value) = patch.get("agent_input_type") {
        next.agent_input_type = match value {
            Value::Null => None,
            Value::String(s) => Some(AgentInputType::parse(s)?),
            _ => {
                return Err(ValidationError::new(
                    "agent_input_type",
                    "must be one of: text, json, or null",
                ))
            }
        };
    }
    Ok(next)
}

impl Registry {
    /// Applies the merge patch. Needs `update`. A patch that changes nothing writes nothing.
    ///
    /// Errors: `Validation`, `AgentNotFound`, `Forbidden`, `PreconditionFailed`, `Contention`,
    /// `Unavailable`, `Internal`.
    pub async fn patch_agent(
        &self,
        caller: &Principal,
        input: PatchAgentInput,
    ) -> Result<Agent, RegistryError> {
        check_fields(&input.patch)?;
        let mut agent = self.load_live(caller, input.id, Need::Update).await?;
        for _ in 0..MAX_ATTEMPTS {
            if !if_match_admits(input.if_match.as_deref(), &agent) {
                return Err(RegistryError::PreconditionFailed);
            }
            let mut next = patched(&agent, &input.patch)?;
            if next == agent {
                return Ok(agent);
            }
            let at = now();
            next.updated_at = at;
            let fields: Vec<&String> = input.patch.keys().collect();
            let event = audit::event(
                agent.id,
                EventKind::Updated,
                caller,
                at,
                serde_json::json!({ "via": "patch", "fields": fields }),
            );
            match self.agents.update(&next, &[event]).await {
                Ok(stored) => return Ok(stored),
                Err(RepoError::Conflict(Constraint::StaleVersion)) => {
                    agent = self.load_live(caller, input.id, Need::Update).await?;
                }
                Err(RepoError::NotFound) => return Err(RegistryError::AgentNotFound),
                Err(e) => return Err(repo_error(e)),
            }
        }
        Err(RegistryError::Contention)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn merge_patch_follows_rfc_7396() {
        let mut target = json!({"a": "b", "c": {"d": "e", "f": "g"}});
        merge_patch(&mut target, &json!({"a": "z", "c": {"f": null}}));
        assert_eq!(target, json!({"a": "z", "c": {"d": "e"}}));
        let mut target = json!({"a": [1]});
        merge_patch(&mut target, &json!({"a": {"b": 1}}));
        assert_eq!(target, json!({"a": {"b": 1}}));
    }

    #[test]
    fn immutable_and_unknown_fields_are_named() {
        let patch = |v: Value| v.as_object().cloned().unwrap();
        let e = check_fields(&patch(json!({"status": "Ready"}))).unwrap_err();
        assert_eq!(
            (e.field.as_str(), e.reason.as_str()),
            ("status", "is immutable")
        );
        let e = check_fields(&patch(json!({"created_at": "x"}))).unwrap_err();
        assert_eq!(e.field, "created_at");
        assert_eq!(
            check_fields(&patch(json!({"bogus": 1}))).unwrap_err().field,
            "bogus"
        );
        assert!(check_fields(&patch(
            json!({"description": "x", "agent_input_type": null})
        ))
        .is_ok());
    }
}
