//! A2A v1.0 Agent Cards (contract §11): validation with every bad field named by JSON pointer,
//! the canonical bytes that A2A SDKs verify signatures over, and capability matching.
//!
//! The card is kept as the JSON object the agent sent — the JSON form of `a2a.proto`
//! `AgentCard`, lowerCamelCase names only — once it has been checked against the A2A v1.0
//! schema (`schema.rs`, transcribed from the proto) and its numbers put in stored form.

mod canonical;
mod capability;
mod schema;
mod search;
mod stored;
mod validate;

pub use capability::{Capability, CapabilityAction, TagMatch, MAX_CAPABILITY_LEN};
pub use search::{capability_facets, search_words, Facet};
pub use stored::{CardVisibility, StoredCard};

use crate::ValidationError;
use serde_json::{Map, Value};
use std::fmt;

/// Largest card accepted, in bytes of its JSON.
pub const MAX_CARD_BYTES: usize = 64 * 1024;
/// Deepest nesting of objects and arrays accepted, the card itself being level 1. Below what
/// the A2A SDKs can parse (`a2a-sdk`'s protobuf parser stops at 100 nested messages, about 48
/// levels of `AgentExtension.params`) and canonicalize (128).
pub const MAX_CARD_DEPTH: usize = 32;
/// Most errors reported for one card; the walk stops collecting after that many.
pub const MAX_CARD_ERRORS: usize = 100;

/// A validated A2A v1.0 Agent Card: the card's JSON object as sent, with numbers inside
/// `google.protobuf.Struct` values in stored form (see [`crate::canonical_json`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AgentCard(Map<String, Value>);

/// Why a card was refused: every bad field, each named by its RFC 6901 JSON pointer relative to
/// the card (`/skills/1/tags`; `""` for the card as a whole) in [`ValidationError::field`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CardErrors(pub Vec<ValidationError>);

impl fmt::Display for CardErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "invalid agent card:")?;
        for (i, e) in self.0.iter().enumerate() {
            let sep = if i == 0 { " " } else { "; " };
            write!(f, "{sep}{}: {}", e.field, e.reason)?;
        }
        Ok(())
    }
}

impl std::error::Error for CardErrors {}

/// One JWS signature of a card (A2A `AgentCardSignature`, without the unprotected `header`):
/// the flattened JWS JSON members, both base64url.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AgentCardSignature {
    /// `BASE64URL(UTF8(JWS Protected Header))`.
    pub protected: String,
    /// `BASE64URL(JWS Signature)`.
    pub signature: String,
}

impl AgentCard {
    /// Validates `card` against A2A v1.0: required fields present and non-empty (a required list
    /// with at least one element, A2A §5.7), every value of its proto type, no field outside
    /// v1.0 (snake_case spellings included), `supportedInterfaces[].url` absolute http(s),
    /// unique skill ids, text PostgreSQL can store, at most [`MAX_CARD_BYTES`] bytes and
    /// [`MAX_CARD_DEPTH`] levels. Refused with every bad field (up to [`MAX_CARD_ERRORS`]).
    pub fn parse(card: Value) -> Result<Self, CardErrors> {
        validate::validate(card).map(Self).map_err(CardErrors)
    }

    /// A card as a store kept it. It passed [`AgentCard::parse`] when it was written, so it is
    /// taken as it is instead of being validated again on every read (a search reads up to a
    /// page of them per request; and a rule tightened later must not make stored cards
    /// unreadable). Only its shape is required: a JSON object (`None` otherwise).
    pub fn from_stored(card: Value) -> Option<Self> {
        match card {
            Value::Object(map) => Some(Self(map)),
            _ => None,
        }
    }

    /// The card's JSON object.
    pub fn as_json(&self) -> &Map<String, Value> {
        &self.0
    }

    /// The card as a JSON value.
    pub fn to_value(&self) -> Value {
        Value::Object(self.0.clone())
    }

    /// The card as a JSON value, consumed.
    pub fn into_value(self) -> Value {
        Value::Object(self.0)
    }

    /// The agent's name as its card gives it.
    pub fn name(&self) -> &str {
        self.str("name")
    }

    /// The card's description.
    pub fn description(&self) -> &str {
        self.str("description")
    }

    /// The skills' ids, in card order.
    pub fn skill_ids(&self) -> impl Iterator<Item = &str> {
        self.skills()
            .filter_map(|skill| skill.get("id").and_then(Value::as_str))
    }

    /// Every skill's tags, in card order (repeats kept).
    pub fn tags(&self) -> impl Iterator<Item = &str> {
        self.skills().flat_map(|skill| strings(skill.get("tags")))
    }

    /// The input media types: the defaults and every skill's own.
    pub fn input_modes(&self) -> impl Iterator<Item = &str> {
        self.modes("defaultInputModes", "inputModes")
    }

    /// The output media types: the defaults and every skill's own.
    pub fn output_modes(&self) -> impl Iterator<Item = &str> {
        self.modes("defaultOutputModes", "outputModes")
    }

    /// Whether a skill of this card is tagged with `capability` (see [`Capability`]).
    pub fn has_capability(&self, capability: &Capability) -> bool {
        capability.matches_any(self.tags())
    }

    /// The card's signatures (its own, and any the registry added).
    pub fn signatures(&self) -> Vec<AgentCardSignature> {
        let Some(Value::Array(items)) = self.0.get("signatures") else {
            return Vec::new();
        };
        items
            .iter()
            .map(|item| AgentCardSignature {
                protected: str_of(item, "protected").to_owned(),
                signature: str_of(item, "signature").to_owned(),
            })
            .collect()
    }

    /// The card with `signature` appended to its `signatures`. The canonical bytes are
    /// unchanged: they leave `signatures` out.
    pub fn with_signature(&self, signature: AgentCardSignature) -> Self {
        let mut map = self.0.clone();
        let mut entry = Map::new();
        entry.insert("protected".into(), Value::String(signature.protected));
        entry.insert("signature".into(), Value::String(signature.signature));
        match map.get_mut("signatures") {
            Some(Value::Array(items)) => items.push(Value::Object(entry)),
            _ => {
                map.insert(
                    "signatures".into(),
                    Value::Array(vec![Value::Object(entry)]),
                );
            }
        }
        Self(map)
    }

    /// The bytes a signature of this card covers, exactly as `a2a-sdk`'s verifier computes them:
    /// the card without `signatures`, protobuf defaults and empty strings, lists and objects
    /// removed, serialized by RFC 8785 (JCS). See docs/discovery.md.
    pub fn canonical_bytes(&self) -> Vec<u8> {
        canonical::canonical_card(&self.0)
    }

    fn str(&self, key: &str) -> &str {
        self.0.get(key).and_then(Value::as_str).unwrap_or_default()
    }

    fn skills(&self) -> impl Iterator<Item = &Value> {
        self.0
            .get("skills")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
    }

    fn modes<'a>(&'a self, default: &str, own: &'a str) -> impl Iterator<Item = &'a str> {
        strings(self.0.get(default)).chain(self.skills().flat_map(move |s| strings(s.get(own))))
    }
}

/// The strings of a JSON array of strings (nothing for anything else).
fn strings(value: Option<&Value>) -> impl Iterator<Item = &str> {
    value
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
}

fn str_of<'a>(value: &'a Value, key: &str) -> &'a str {
    value.get(key).and_then(Value::as_str).unwrap_or_default()
}

#[cfg(test)]
mod tests;
