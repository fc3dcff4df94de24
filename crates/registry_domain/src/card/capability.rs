//! Capabilities (contract §11): `resource:action` strings carried as skill tags, each part
//! lowercase `[a-z0-9_-]+`, the action possibly `*` (every action on the resource).
//!
//! A query `data:read` matches a tag `data:read` or `data:*` (an agent that can do anything
//! with `data` can read it); a query `data:*` matches every `data:` tag. A tag that is not
//! capability-shaped (`Data:Read`, `search`) never matches.

use crate::ValidationError;
use std::fmt;

/// Longest capability, in bytes (`resource:action`).
pub const MAX_CAPABILITY_LEN: usize = 200;

/// The action part of a capability.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum CapabilityAction {
    /// `*`: every action on the resource.
    Any,
    /// One named action (`read`).
    Named(String),
}

/// A parsed `resource:action` capability.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Capability {
    resource: String,
    action: CapabilityAction,
}

/// How a store finds the tags a capability query matches, without parsing every tag: an exact
/// tag in a short list, or a prefix.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TagMatch {
    /// Any of these exact tags (`data:read`, `data:*`).
    AnyOf(Vec<String>),
    /// Any tag starting with this prefix (`data:`) whose rest is a valid action.
    Prefix(String),
}

impl Capability {
    /// Parses the `capability` query value, naming the field `capability` in its error.
    pub fn parse(value: &str) -> Result<Self, ValidationError> {
        Self::parse_field(value, "capability")
    }

    /// Parses `value`, naming `field` in its error.
    pub fn parse_field(value: &str, field: &str) -> Result<Self, ValidationError> {
        let refuse = |why: &str| {
            ValidationError::new(
                field,
                format!(
                    "must be a capability `resource:action` (lowercase letters, digits, `_` and \
                     `-`; the action may be `*`), e.g. `data:read` or `data:*`: {why}"
                ),
            )
        };
        if value.len() > MAX_CAPABILITY_LEN {
            return Err(refuse(&format!(
                "longer than {MAX_CAPABILITY_LEN} characters"
            )));
        }
        let Some((resource, action)) = value.split_once(':') else {
            return Err(refuse(&format!("{value:?} has no `:`")));
        };
        if !is_part(resource) {
            return Err(refuse(&format!(
                "the resource {resource:?} is not [a-z0-9_-]+"
            )));
        }
        let action = match action {
            "*" => CapabilityAction::Any,
            a if is_part(a) => CapabilityAction::Named(a.to_owned()),
            a => {
                return Err(refuse(&format!(
                    "the action {a:?} is neither `*` nor [a-z0-9_-]+"
                )))
            }
        };
        Ok(Self {
            resource: resource.to_owned(),
            action,
        })
    }

    /// The resource (`data`).
    pub fn resource(&self) -> &str {
        &self.resource
    }

    /// The action.
    pub fn action(&self) -> &CapabilityAction {
        &self.action
    }

    /// Whether an agent with the skill tag `tag` has this capability.
    pub fn matches_tag(&self, tag: &str) -> bool {
        let Ok(tag) = Self::parse_field(tag, "tag") else {
            return false;
        };
        if tag.resource != self.resource {
            return false;
        }
        match (&self.action, &tag.action) {
            (CapabilityAction::Any, _) | (_, CapabilityAction::Any) => true,
            (CapabilityAction::Named(wanted), CapabilityAction::Named(held)) => wanted == held,
        }
    }

    /// Whether any of `tags` carries this capability.
    pub fn matches_any<'a>(&self, tags: impl IntoIterator<Item = &'a str>) -> bool {
        tags.into_iter().any(|tag| self.matches_tag(tag))
    }

    /// The tags this capability matches, as a store looks them up.
    pub fn tag_match(&self) -> TagMatch {
        match &self.action {
            CapabilityAction::Any => TagMatch::Prefix(format!("{}:", self.resource)),
            CapabilityAction::Named(action) => TagMatch::AnyOf(vec![
                format!("{}:{action}", self.resource),
                format!("{}:*", self.resource),
            ]),
        }
    }
}

impl fmt::Display for Capability {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.action {
            CapabilityAction::Any => write!(f, "{}:*", self.resource),
            CapabilityAction::Named(action) => write!(f, "{}:{action}", self.resource),
        }
    }
}

/// Whether `part` is a non-empty run of `[a-z0-9_-]`.
fn is_part(part: &str) -> bool {
    !part.is_empty()
        && part
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_' || b == b'-')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cap(s: &str) -> Capability {
        Capability::parse(s).unwrap()
    }

    #[test]
    fn a_named_action_matches_itself_and_the_resource_wildcard() {
        let q = cap("data:read");
        assert!(q.matches_tag("data:read"));
        assert!(q.matches_tag("data:*"));
        assert!(!q.matches_tag("data:write"));
        assert!(!q.matches_tag("data:readx"));
        assert!(!q.matches_tag("database:read"));
        assert!(!q.matches_tag("metadata:read"));
        assert!(!q.matches_tag("Data:Read"));
        assert!(!q.matches_tag("data"));
        assert!(!q.matches_tag("data:read:extra"));
        assert!(!q.matches_tag("*:read"));
    }

    #[test]
    fn a_wildcard_query_matches_every_action_of_its_resource() {
        let q = cap("data:*");
        for tag in ["data:read", "data:write", "data:*", "data:bulk_export-v2"] {
            assert!(q.matches_tag(tag), "{tag}");
        }
        for tag in [
            "data",
            "data:",
            "datax:read",
            "files:read",
            "DATA:read",
            "data:Read",
        ] {
            assert!(!q.matches_tag(tag), "{tag}");
        }
    }

    #[test]
    fn matches_any_looks_at_every_tag() {
        let q = cap("files:write");
        assert!(q.matches_any(["search", "files:read", "files:*"]));
        assert!(!q.matches_any(["search", "files:read"]));
        assert!(!q.matches_any([]));
    }

    #[test]
    fn malformed_queries_are_refused_with_the_syntax() {
        for bad in [
            "",
            "data",
            ":read",
            "data:",
            "Data:read",
            "data:Read",
            "*:read",
            "*:*",
            "data:read:x",
            "da ta:read",
            "data:re*",
            "dätä:read",
        ] {
            let err = Capability::parse(bad).unwrap_err();
            assert_eq!(err.field, "capability", "{bad:?}");
            assert!(err.reason.contains("resource:action"), "{}", err.reason);
        }
        let long = format!("{}:read", "a".repeat(MAX_CAPABILITY_LEN));
        assert!(Capability::parse(&long).is_err());
    }

    #[test]
    fn parts_display_and_store_lookups() {
        let q = cap("data_2-x:read");
        assert_eq!(q.resource(), "data_2-x");
        assert_eq!(q.action(), &CapabilityAction::Named("read".into()));
        assert_eq!(q.to_string(), "data_2-x:read");
        assert_eq!(
            q.tag_match(),
            TagMatch::AnyOf(vec!["data_2-x:read".into(), "data_2-x:*".into()])
        );
        let any = cap("data:*");
        assert_eq!(any.action(), &CapabilityAction::Any);
        assert_eq!(any.to_string(), "data:*");
        assert_eq!(any.tag_match(), TagMatch::Prefix("data:".into()));
    }
}
