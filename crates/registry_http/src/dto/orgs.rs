//! Organizations on the wire (contract §9).

use super::{rules, timestamp};
use registry_domain::{parse_display_name, Org, OrgChanges, OrgSlug, ValidationError};
use serde::{Deserialize, Deserializer, Serialize};
use utoipa::ToSchema;

/// An org.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct OrgResponse {
    /// Id (UUID).
    pub id: String,
    /// Unique, immutable handle.
    pub slug: String,
    /// Human-readable name.
    pub display_name: String,
    /// Most live agents; `null`: unlimited.
    pub max_agents: Option<u32>,
    /// RFC 3339 UTC.
    pub created_at: String,
    /// RFC 3339 UTC.
    pub updated_at: String,
}

impl From<&Org> for OrgResponse {
    fn from(o: &Org) -> Self {
        Self {
            id: o.id.to_string(),
            slug: o.slug.to_string(),
            display_name: o.display_name.clone(),
            max_agents: o.max_agents,
            created_at: timestamp(o.created_at),
            updated_at: timestamp(o.updated_at),
        }
    }
}

/// `POST /orgs` body.
#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct CreateOrgRequest {
    /// `^[a-z0-9-]{1,63}$`, unique, immutable.
    #[schema(value_type = rules::OrgSlug)]
    pub slug: String,
    /// 1..=255 characters (default: the slug).
    #[schema(value_type = Option<rules::OrgDisplayName>)]
    pub display_name: Option<String>,
    /// Most live agents; `null`: unlimited; absent: the server's `DEFAULT_ORG_MAX_AGENTS`.
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<rules::MaxAgents>)]
    pub max_agents: Option<Option<u32>>,
}

/// `PATCH /orgs/{org_slug}` body: only the members present change.
#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct UpdateOrgRequest {
    /// 1..=255 characters.
    #[schema(value_type = Option<rules::OrgDisplayName>)]
    pub display_name: Option<String>,
    /// Most live agents; `null`: unlimited. May go below the live count (creates are then
    /// refused until enough agents are deleted).
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<rules::MaxAgents>)]
    pub max_agents: Option<Option<u32>>,
}

/// Tells an absent member (`None`) from an explicit `null` (`Some(None)`). Any JSON number of
/// integral value in range is accepted (`470.0` as JSON Schema's `integer` does).
fn present<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Option<u32>>, D::Error> {
    let Some(number) = Option::<serde_json::Number>::deserialize(d)? else {
        return Ok(Some(None));
    };
    let integral = number.as_u64().or_else(|| {
        number
            .as_f64()
            .filter(|f| f.fract() == 0.0 && *f >= 0.0)
            .map(|f| f as u64)
    });
    match integral
        .and_then(|n| u32::try_from(n).ok())
        .filter(|n| *n <= i32::MAX as u32)
    {
        Some(n) => Ok(Some(Some(n))),
        None => Err(serde::de::Error::custom(
            "must be an integer from 0 to 2147483647, or null",
        )),
    }
}

impl CreateOrgRequest {
    /// The validated slug and display name.
    pub fn parsed(&self) -> Result<(OrgSlug, Option<String>), ValidationError> {
        let slug = OrgSlug::parse(&self.slug, "slug")?;
        let display_name = self
            .display_name
            .as_deref()
            .map(|n| parse_display_name(n, "display_name"))
            .transpose()?;
        Ok((slug, display_name))
    }
}

impl UpdateOrgRequest {
    /// The validated changes.
    pub fn changes(&self) -> Result<OrgChanges, ValidationError> {
        Ok(OrgChanges {
            display_name: self
                .display_name
                .as_deref()
                .map(|n| parse_display_name(n, "display_name"))
                .transpose()?,
            max_agents: self.max_agents,
        })
    }
}
