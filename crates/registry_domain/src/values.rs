//! Validated values: an instance of these types is valid by construction.

use crate::ValidationError;
use serde_json::{Map, Value};

/// Longest agent name, in characters (a DNS label).
pub const MAX_NAME_LEN: usize = 63;
/// Longest description, in characters.
pub const MAX_DESCRIPTION_LEN: usize = 4096;
/// Largest registration metadata, in bytes of compact JSON.
pub const MAX_METADATA_BYTES: usize = 64 * 1024;
/// Longest URL (`acp_url`), in characters.
pub const MAX_URL_LEN: usize = 2048;
/// Longest image reference (`docker_image`), in characters.
pub const MAX_IMAGE_LEN: usize = 1024;
/// Longest short identifier from another system (`helm_release_name`, `sgp_deploy_id`), in
/// characters.
pub const MAX_EXTERNAL_ID_LEN: usize = 255;

/// Free text from a client that has no grammar of its own (an image reference, a release
/// name): at most `max` characters and storable (no NUL), naming `field` otherwise. Every
/// string the registry stores has a documented maximum, so no single field can grow a row or
/// a list without bound.
pub fn bounded_text(value: &str, field: &str, max: usize) -> Result<(), ValidationError> {
    if value.chars().count() > max {
        return Err(ValidationError::new(
            field,
            format!("must be at most {max} characters"),
        ));
    }
    if value.contains('\0') {
        return Err(ValidationError::new(
            field,
            "must not contain the NUL character (\\u0000)",
        ));
    }
    Ok(())
}

/// An agent's name: `^[a-z0-9-]+$`, 1..=63 characters. Unique among non-Deleted agents.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct AgentName(String);

impl AgentName {
    /// Validates `value` as an agent name (reported as field `name`).
    pub fn parse(value: &str) -> Result<Self, ValidationError> {
        Self::parse_field(value, "name")
    }

    /// Validates `value`, naming `field` in the error.
    pub fn parse_field(value: &str, field: &str) -> Result<Self, ValidationError> {
        if value.is_empty() || value.len() > MAX_NAME_LEN {
            return Err(ValidationError::new(
                field,
                format!("must be 1 to {MAX_NAME_LEN} characters long"),
            ));
        }
        if !value
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        {
            return Err(ValidationError::new(field, "must match ^[a-z0-9-]+$"));
        }
        Ok(Self(value.to_owned()))
    }

    /// The name as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for AgentName {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// A free-text description of at most 4096 characters.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Description(String);

impl Description {
    /// Validates `value` as a description (reported as field `description`).
    pub fn parse(value: &str) -> Result<Self, ValidationError> {
        bounded_text(value, "description", MAX_DESCRIPTION_LEN)?;
        Ok(Self(value.to_owned()))
    }

    /// The description as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Registration metadata: a JSON object of at most 64 KiB (compact encoding).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Metadata(Map<String, Value>);

impl Metadata {
    /// Validates `value` as registration metadata (reported as field `registration_metadata`).
    pub fn parse(value: Value) -> Result<Self, ValidationError> {
        Self::parse_field(value, "registration_metadata")
    }

    /// Validates `value`, naming `field` in the error.
    pub fn parse_field(value: Value, field: &str) -> Result<Self, ValidationError> {
        match value {
            Value::Object(map) => Self::from_map(map, field),
            _ => Err(ValidationError::new(field, "must be a JSON object")),
        }
    }

    /// Validates an object (storable values, canonical numbers: [`crate::json`]) and its
    /// size, naming `field` in the error.
    pub fn from_map(map: Map<String, Value>, field: &str) -> Result<Self, ValidationError> {
        let map = crate::json::canonical_object(map, field)?;
        let size = serde_json::to_vec(&map)
            .map(|v| v.len())
            .unwrap_or(usize::MAX);
        if size > MAX_METADATA_BYTES {
            return Err(ValidationError::new(
                field,
                format!("must be at most {MAX_METADATA_BYTES} bytes of JSON"),
            ));
        }
        Ok(Self(map))
    }

    /// Metadata as a store hands it back: it was validated when written, so only its shape is
    /// checked (re-validating every read would cost a walk and a serialization per row, and
    /// would make a value the rules no longer accept unreadable).
    pub fn from_stored(value: Value) -> Result<Self, ValidationError> {
        match value {
            Value::Object(map) => Ok(Self(map)),
            _ => Err(ValidationError::new(
                "registration_metadata",
                "must be a JSON object",
            )),
        }
    }

    /// The object.
    pub fn as_map(&self) -> &Map<String, Value> {
        &self.0
    }

    /// Consumes the value, returning the object.
    pub fn into_map(self) -> Map<String, Value> {
        self.0
    }

    /// A string-valued top-level key, if present.
    pub fn str_field(&self, key: &str) -> Option<&str> {
        self.0.get(key).and_then(Value::as_str)
    }

    /// `current` with the JSON merge patch `patch` applied (RFC 7396: `null` removes a key,
    /// objects merge recursively, anything else replaces), validated as new metadata.
    pub fn merge_patched(
        current: Option<&Metadata>,
        patch: &Map<String, Value>,
    ) -> Result<Metadata, ValidationError> {
        let mut target = Value::Object(current.map(|m| m.0.clone()).unwrap_or_default());
        merge_patch(&mut target, &Value::Object(patch.clone()));
        Self::parse(target)
    }

    /// Shallow merge as the peer does (`existing.update(new)`): keys of `other` win.
    pub fn merged_with(&self, other: &Metadata) -> Result<Metadata, ValidationError> {
        let mut map = self.0.clone();
        for (k, v) in &other.0 {
            map.insert(k.clone(), v.clone());
        }
        Self::from_map(map, "registration_metadata")
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn merge_patch_follows_rfc_7396() {
        let mut target = serde_json::json!({"a": "b", "c": {"d": "e", "f": "g"}});
        merge_patch(
            &mut target,
            &serde_json::json!({"a": "z", "c": {"f": null}}),
        );
        assert_eq!(target, serde_json::json!({"a": "z", "c": {"d": "e"}}));
        let mut target = serde_json::json!({"a": [1]});
        merge_patch(&mut target, &serde_json::json!({"a": {"b": 1}}));
        assert_eq!(target, serde_json::json!({"a": {"b": 1}}));
    }

    #[test]
    fn names_follow_the_dns_label_rule() {
        assert!(AgentName::parse("my-agent-1").is_ok());
        assert!(AgentName::parse("").is_err());
        assert!(AgentName::parse("Upper").is_err());
        assert!(AgentName::parse("under_score").is_err());
        assert!(AgentName::parse(&"a".repeat(63)).is_ok());
        assert_eq!(AgentName::parse(&"a".repeat(64)).unwrap_err().field, "name");
    }

    #[test]
    fn bounded_text_counts_characters_and_refuses_nul() {
        assert!(bounded_text(&"é".repeat(10), "f", 10).is_ok());
        assert_eq!(
            bounded_text(&"é".repeat(11), "f", 10).unwrap_err().field,
            "f"
        );
        assert!(bounded_text("a\0b", "f", 10).is_err());
    }

    #[test]
    fn description_is_bounded_in_characters() {
        assert!(Description::parse(&"é".repeat(4096)).is_ok());
        assert!(Description::parse(&"é".repeat(4097)).is_err());
        assert_eq!(Description::parse("a\0b").unwrap_err().field, "description");
    }

    #[test]
    fn metadata_must_be_a_small_object() {
        assert!(Metadata::parse(serde_json::json!({"a": 1})).is_ok());
        assert!(Metadata::parse(serde_json::json!([1])).is_err());
        let big = "x".repeat(MAX_METADATA_BYTES);
        assert!(Metadata::parse(serde_json::json!({ "a": big })).is_err());
    }

    #[test]
    fn merge_is_shallow_and_new_keys_win() {
        let a = Metadata::parse(serde_json::json!({"a": 1, "b": {"x": 1}})).unwrap();
        let b = Metadata::parse(serde_json::json!({"b": {"y": 2}, "c": 3})).unwrap();
        let m = a.merged_with(&b).unwrap();
        assert_eq!(
            serde_json::Value::Object(m.into_map()),
            serde_json::json!({"a": 1, "b": {"y": 2}, "c": 3})
        );
    }
}
