//! Validation of a card against the schema table, collecting every bad field by JSON pointer.

use super::schema::{Check, Msg, Ty, AGENT_CARD};
use super::{MAX_CARD_BYTES, MAX_CARD_DEPTH, MAX_CARD_ERRORS};
use crate::json::canonical_number;
use crate::{parse_acp_url, ValidationError};
use serde_json::{Map, Value};
use std::collections::HashMap;

/// `card` checked and with its numbers in stored form, or every bad field (at most
/// [`MAX_CARD_ERRORS`]).
pub(crate) fn validate(mut card: Value) -> Result<Map<String, Value>, Vec<ValidationError>> {
    let size = serde_json::to_vec(&card).map_or(usize::MAX, |bytes| bytes.len());
    if size > MAX_CARD_BYTES {
        return Err(vec![ValidationError::new(
            "",
            format!("the card must be at most {MAX_CARD_BYTES} bytes of JSON (it is {size})"),
        )]);
    }
    let mut walk = Walk::default();
    let mut pointer = String::new();
    walk.message(&AGENT_CARD, &mut card, &mut pointer, 1);
    if let Value::Object(map) = &card {
        walk.unique_skill_ids(map);
    }
    match card {
        Value::Object(map) if walk.errors.is_empty() => Ok(map),
        _ => Err(walk.errors),
    }
}

/// Appends `key` to `pointer` as one RFC 6901 reference token (`~` → `~0`, `/` → `~1`). A NUL
/// is written `\u0000` so that the pointer itself stays storable and printable.
pub(crate) fn push_token(pointer: &mut String, key: &str) {
    pointer.push('/');
    for c in key.chars() {
        match c {
            '~' => pointer.push_str("~0"),
            '/' => pointer.push_str("~1"),
            '\0' => pointer.push_str("\\u0000"),
            c => pointer.push(c),
        }
    }
}

#[derive(Default)]
struct Walk {
    errors: Vec<ValidationError>,
}

impl Walk {
    fn error(&mut self, pointer: &str, reason: impl Into<String>) {
        if self.errors.len() < MAX_CARD_ERRORS {
            self.errors.push(ValidationError::new(pointer, reason));
        }
    }

    /// Whether `depth` (open containers, the card itself at 1) is still allowed here.
    fn within_depth(&mut self, pointer: &str, depth: usize) -> bool {
        if depth > MAX_CARD_DEPTH {
            self.error(
                pointer,
                format!("nests deeper than {MAX_CARD_DEPTH} levels of objects and arrays"),
            );
            return false;
        }
        true
    }

    fn message(&mut self, msg: &Msg, value: &mut Value, pointer: &mut String, depth: usize) {
        let Value::Object(map) = value else {
            self.error(
                pointer,
                format!("must be an object (A2A {}), not {}", msg.name, kind(value)),
            );
            return;
        };
        if !self.within_depth(pointer, depth) {
            return;
        }
        let len = pointer.len();
        for (key, item) in map.iter_mut() {
            push_token(pointer, key);
            match msg.field(key) {
                Some(field) => {
                    self.value(field.ty, field.check, item, pointer, depth + 1);
                }
                None => self.error(pointer, unknown_field(msg, key)),
            }
            pointer.truncate(len);
        }
        for field in msg.fields.iter().filter(|f| f.required) {
            push_token(pointer, field.name);
            match map.get(field.name) {
                None => self.error(pointer, "is required"),
                Some(Value::String(s)) if s.is_empty() => self.error(pointer, "must not be empty"),
                Some(Value::Array(items)) if items.is_empty() => {
                    self.error(pointer, "must have at least one element");
                }
                Some(Value::Object(entries))
                    if entries.is_empty() && matches!(field.ty, Ty::Map(_)) =>
                {
                    self.error(pointer, "must have at least one entry");
                }
                Some(_) => {}
            }
            pointer.truncate(len);
        }
        if msg.oneof {
            let set: Vec<&str> = msg
                .fields
                .iter()
                .filter(|f| map.contains_key(f.name))
                .map(|f| f.name)
                .collect();
            if set.len() != 1 {
                let names: Vec<&str> = msg.fields.iter().map(|f| f.name).collect();
                let found = if set.is_empty() {
                    "none is".to_owned()
                } else {
                    format!("{} are", set.join(", "))
                };
                self.error(
                    pointer,
                    format!(
                        "must set exactly one of {} (A2A {} is a oneof); {found} set",
                        names.join(", "),
                        msg.name
                    ),
                );
            }
        }
    }

    fn value(
        &mut self,
        ty: Ty,
        check: Check,
        value: &mut Value,
        pointer: &mut String,
        depth: usize,
    ) {
        match ty {
            Ty::Str => match value {
                Value::String(s) => {
                    if self.storable(pointer, s) && check == Check::HttpUrl && !s.is_empty() {
                        if let Err(e) = parse_acp_url(s, pointer) {
                            self.error(pointer, e.reason);
                        }
                    }
                }
                other => self.error(pointer, format!("must be a string, not {}", kind(other))),
            },
            Ty::Bool { .. } => {
                if !value.is_boolean() {
                    self.error(pointer, format!("must be a boolean, not {}", kind(value)));
                }
            }
            Ty::Struct => match value {
                Value::Object(_) => self.free_json(value, pointer, depth),
                other => self.error(
                    pointer,
                    format!(
                        "must be an object (google.protobuf.Struct), not {}",
                        kind(other)
                    ),
                ),
            },
            Ty::Msg(msg) => self.message(msg, value, pointer, depth),
            Ty::List(item_ty) => match value {
                Value::Array(items) => self.items(items, pointer, depth, |this, item, at, d| {
                    this.value(*item_ty, check, item, at, d)
                }),
                other => self.error(pointer, format!("must be an array, not {}", kind(other))),
            },
            Ty::Map(item_ty) => match value {
                Value::Object(entries) => {
                    if !self.within_depth(pointer, depth) {
                        return;
                    }
                    let len = pointer.len();
                    for (key, item) in entries.iter_mut() {
                        push_token(pointer, key);
                        if self.storable(pointer, key) {
                            self.value(*item_ty, check, item, pointer, depth + 1);
                        }
                        pointer.truncate(len);
                    }
                }
                other => self.error(
                    pointer,
                    format!("must be an object (a map), not {}", kind(other)),
                ),
            },
        }
    }

    /// Visits each item of an array at `pointer/<index>`, one level deeper (nothing past the
    /// depth bound, which is reported once).
    fn items(
        &mut self,
        items: &mut [Value],
        pointer: &mut String,
        depth: usize,
        mut visit: impl FnMut(&mut Self, &mut Value, &mut String, usize),
    ) {
        if !self.within_depth(pointer, depth) {
            return;
        }
        let len = pointer.len();
        for (i, item) in items.iter_mut().enumerate() {
            pointer.push('/');
            pointer.push_str(&i.to_string());
            visit(self, item, pointer, depth + 1);
            pointer.truncate(len);
        }
    }

    /// Any JSON (`google.protobuf.Struct` contents): storable text, numbers in stored form.
    fn free_json(&mut self, value: &mut Value, pointer: &mut String, depth: usize) {
        match value {
            Value::String(s) => {
                self.storable(pointer, s);
            }
            Value::Number(n) => match canonical_number(&n.to_string(), pointer) {
                Ok(stored) => *n = stored,
                Err(e) => self.error(pointer, e.reason),
            },
            Value::Array(items) => self.items(items, pointer, depth, Self::free_json),
            Value::Object(entries) => {
                if !self.within_depth(pointer, depth) {
                    return;
                }
                let len = pointer.len();
                for (key, item) in entries.iter_mut() {
                    push_token(pointer, key);
                    if self.storable(pointer, key) {
                        self.free_json(item, pointer, depth + 1);
                    }
                    pointer.truncate(len);
                }
            }
            Value::Null | Value::Bool(_) => {}
        }
    }

    /// Refuses text PostgreSQL cannot store (the NUL character); whether it was storable.
    fn storable(&mut self, pointer: &str, text: &str) -> bool {
        if text.contains('\0') {
            self.error(pointer, "must not contain the NUL character (\\u0000)");
            return false;
        }
        true
    }

    /// Skill ids are unique within the card (contract §11).
    fn unique_skill_ids(&mut self, card: &Map<String, Value>) {
        let Some(Value::Array(skills)) = card.get("skills") else {
            return;
        };
        let mut first: HashMap<&str, usize> = HashMap::new();
        for (i, skill) in skills.iter().enumerate() {
            let Some(id) = skill.get("id").and_then(Value::as_str) else {
                continue;
            };
            if id.is_empty() {
                continue;
            }
            match first.get(id) {
                Some(j) => self.error(
                    &format!("/skills/{i}/id"),
                    format!("duplicates /skills/{j}/id: skill ids must be unique"),
                ),
                None => {
                    first.insert(id, i);
                }
            }
        }
    }
}

/// The reason an unknown member `key` of `msg` is refused, with a hint when it is a known
/// field misspelled the protobuf way or an A2A v0.3 field.
fn unknown_field(msg: &Msg, key: &str) -> String {
    let base = format!("is not a field of A2A v1.0 {}", msg.name);
    if let Some(field) = msg.fields.iter().find(|f| f.proto_name == key) {
        return format!(
            "{base}: card JSON uses the lowerCamelCase name `{}`",
            field.name
        );
    }
    let v03 = match (msg.name, key) {
        (
            "AgentCard",
            "url" | "preferredTransport" | "additionalInterfaces" | "protocolVersion",
        ) => Some("supportedInterfaces"),
        ("AgentCard", "security") | ("AgentSkill", "security") => Some("securityRequirements"),
        ("AgentCard", "supportsAuthenticatedExtendedCard") => {
            Some("capabilities.extendedAgentCard")
        }
        _ => None,
    };
    match v03 {
        Some(instead) => format!("{base} (an A2A v0.3 field; v1.0 has `{instead}`)"),
        None => base,
    }
}

/// The JSON type of `value`, for messages.
fn kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}
