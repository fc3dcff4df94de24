//! Organizations (contract §9): tenants that own agents, tokens, grants and events, and the
//! quota rule on their live agents.

use crate::{OrgId, Timestamp, ValidationError};
use std::fmt;

/// Longest org slug, in characters.
pub const MAX_SLUG_LEN: usize = 63;
/// Longest display name, in characters.
pub const MAX_DISPLAY_NAME_LEN: usize = 255;
/// The slug of the org that holds everything that existed before orgs, and that the platform
/// admin acts in when it names none.
pub const DEFAULT_ORG_SLUG: &str = "default";

/// An org's immutable, unique handle: `^[a-z0-9-]{1,63}$`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct OrgSlug(String);

impl OrgSlug {
    /// Validates `value`, naming `field` in the error.
    pub fn parse(value: &str, field: &str) -> Result<Self, ValidationError> {
        let grammar = value
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
        if value.is_empty() || value.len() > MAX_SLUG_LEN || !grammar {
            return Err(ValidationError::new(
                field,
                format!("must match ^[a-z0-9-]{{1,{MAX_SLUG_LEN}}}$"),
            ));
        }
        Ok(Self(value.to_owned()))
    }

    /// The `default` org's slug.
    pub fn default_org() -> Self {
        Self(DEFAULT_ORG_SLUG.to_owned())
    }

    /// The slug as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for OrgSlug {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// An org as a request acts in it: its id (what the store filters by) and its slug (what
/// responses show, e.g. the `org` member of tokens and events).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct OrgRef {
    /// Id.
    pub id: OrgId,
    /// Slug.
    pub slug: OrgSlug,
}

impl OrgRef {
    /// The `default` org.
    pub fn default_org() -> Self {
        Self {
            id: OrgId::DEFAULT,
            slug: OrgSlug::default_org(),
        }
    }
}

/// Who a request is, and in which org it acts: what authentication resolves a credential to.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Actor {
    /// The principal.
    pub principal: crate::Principal,
    /// The org it acts in.
    pub org: OrgRef,
}

impl fmt::Display for Actor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}@{}", self.principal, self.org.slug)
    }
}

/// What `PATCH /orgs/{slug}` may change; `None` leaves a field as it is.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct OrgChanges {
    /// A new display name.
    pub display_name: Option<String>,
    /// A new quota (`Some(None)`: unlimited).
    pub max_agents: Option<Option<u32>>,
}

/// An organization.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Org {
    /// Id.
    pub id: OrgId,
    /// Unique, immutable handle.
    pub slug: OrgSlug,
    /// Human-readable name.
    pub display_name: String,
    /// Most live (non-Deleted) agents; `None`: unlimited.
    pub max_agents: Option<u32>,
    /// Creation time.
    pub created_at: Timestamp,
    /// Last change.
    pub updated_at: Timestamp,
}

/// Why a create is refused by the org's quota: the limit and the live agents at that moment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct QuotaExceeded {
    /// `max_agents`.
    pub limit: u32,
    /// Live agents when the create was refused.
    pub current: u64,
}

/// The quota rule: one more live agent is allowed while `live < max_agents` (lowering the limit
/// below `live` is allowed; it refuses creates until enough are deleted).
pub fn admits_one_more(max_agents: Option<u32>, live: u64) -> Result<(), QuotaExceeded> {
    match max_agents {
        Some(limit) if live >= u64::from(limit) => Err(QuotaExceeded {
            limit,
            current: live,
        }),
        _ => Ok(()),
    }
}

/// Validates a display name: 1..=255 characters, no NUL.
pub fn parse_display_name(value: &str, field: &str) -> Result<String, ValidationError> {
    crate::values::bounded_text(value, field, MAX_DISPLAY_NAME_LEN)?;
    if value.trim().is_empty() {
        return Err(ValidationError::new(field, "must not be empty"));
    }
    Ok(value.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_follow_their_grammar() {
        assert!(OrgSlug::parse("team-a1", "slug").is_ok());
        for bad in ["", "Team", "a_b", "a b", &"a".repeat(64)] {
            assert_eq!(
                OrgSlug::parse(bad, "slug").unwrap_err().field,
                "slug",
                "{bad:?}"
            );
        }
        assert_eq!(OrgSlug::default_org().as_str(), "default");
    }

    #[test]
    fn the_quota_admits_below_the_limit_and_reports_what_refused() {
        assert_eq!(admits_one_more(None, 1_000_000), Ok(()));
        assert_eq!(admits_one_more(Some(3), 2), Ok(()));
        assert_eq!(
            admits_one_more(Some(3), 3),
            Err(QuotaExceeded {
                limit: 3,
                current: 3
            })
        );
        assert_eq!(
            admits_one_more(Some(1), 5),
            Err(QuotaExceeded {
                limit: 1,
                current: 5
            }),
            "a limit lowered below the live count refuses"
        );
        assert_eq!(admits_one_more(Some(0), 0).unwrap_err().limit, 0);
    }

    #[test]
    fn display_names_are_bounded_and_not_blank() {
        assert!(parse_display_name("Team A", "display_name").is_ok());
        assert!(parse_display_name(" ", "display_name").is_err());
        assert!(parse_display_name(&"x".repeat(256), "display_name").is_err());
    }
}
