//! Path and query parameters as OpenAPI sees them (`params(AgentPath, PageQuery)` on a route):
//! each parameter's rule is declared once here, from the schemas of `rules.rs`. Handlers read
//! parameters with `InPath` and `QueryParams`, whose parsers enforce these rules; these structs
//! only describe them, so nothing ever builds one.
#![allow(dead_code)] // read by utoipa's derive only

use super::rules;
use utoipa::IntoParams;

/// `{agent_id}`.
#[derive(IntoParams)]
#[into_params(parameter_in = Path)]
pub struct AgentPath {
    /// Agent id (UUID; anything else is 422).
    #[param(inline)]
    agent_id: rules::Id,
}

/// `{agent_name}` of a lookup or a delete (a name outside the rule names no agent: 404).
#[derive(IntoParams)]
#[into_params(parameter_in = Path)]
pub struct AgentNamePath {
    /// Agent name.
    #[param(inline)]
    agent_name: rules::AgentName,
}

/// `{agent_id}` and `{deployment_id}`.
#[derive(IntoParams)]
#[into_params(parameter_in = Path)]
pub struct DeploymentPath {
    /// Agent id (UUID).
    #[param(inline)]
    agent_id: rules::Id,
    /// Deployment id (UUID).
    #[param(inline)]
    deployment_id: rules::Id,
}

/// `{agent_id}` and `{principal}` of a grant.
#[derive(IntoParams)]
#[into_params(parameter_in = Path)]
pub struct GrantPath {
    /// Agent id (UUID).
    #[param(inline)]
    agent_id: rules::Id,
    /// The grantee, e.g. `user:alice`.
    #[param(inline)]
    principal: rules::Principal,
}

/// `{id}` of an agent API key or a service token.
#[derive(IntoParams)]
#[into_params(parameter_in = Path)]
pub struct IdPath {
    /// Id (UUID).
    #[param(inline)]
    id: rules::Id,
}

/// `{deployment_id}` of a deployment-history row.
#[derive(IntoParams)]
#[into_params(parameter_in = Path)]
pub struct HistoryPath {
    /// History row id (UUID).
    #[param(inline)]
    deployment_id: rules::Id,
}

/// `{name}` of an agent API key.
#[derive(IntoParams)]
#[into_params(parameter_in = Path)]
pub struct KeyNamePath {
    /// Key name.
    #[param(inline)]
    name: rules::ApiKeyName,
}

/// `limit` and `page_number` of every list.
#[derive(IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PageQuery {
    /// Rows per page.
    #[param(inline)]
    limit: Option<rules::Limit>,
    /// 1-based page number.
    #[param(inline)]
    page_number: Option<rules::PageNumber>,
}

/// The filters and order of `GET /agents`.
#[derive(IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AgentListQuery {
    /// Sort key: `updated_at` (default), `created_at`, `name`, or `last_seen_at` (never-seen
    /// agents last).
    #[param(inline)]
    order_by: Option<rules::AgentOrderBy>,
    /// Sort direction.
    #[param(inline)]
    order_direction: Option<rules::OrderDirection>,
    /// Only agents with one of these statuses (repeat the parameter).
    #[param(inline)]
    status: Option<Vec<rules::AgentStatus>>,
    /// Containment filter on `registration_metadata.agent_card.metadata`.
    #[param(inline)]
    agent_card_metadata: Option<rules::CardMetadataFilter>,
    /// Accepted; matches nothing (there are no tasks here).
    #[param(inline)]
    task_id: Option<rules::FreeText>,
}

/// The order of `GET /agents/{agent_id}/deployments`.
#[derive(IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DeploymentListQuery {
    /// The only sort key.
    #[param(inline)]
    order_by: Option<rules::DeploymentOrderBy>,
    /// Sort direction.
    #[param(inline)]
    order_direction: Option<rules::OrderDirection>,
}

/// The order of `GET /deployment-history`.
#[derive(IntoParams)]
#[into_params(parameter_in = Query)]
pub struct HistoryListQuery {
    /// The only sort key.
    #[param(inline)]
    order_by: Option<rules::HistoryOrderBy>,
    /// Sort direction.
    #[param(inline)]
    order_direction: Option<rules::OrderDirection>,
}

/// The peer's agent selector in a query: `agent_id=…` or `agent_name=…`, exactly one.
#[derive(IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SelectorQuery {
    /// Its members are the query parameters `agent_id` and `agent_name` (form style, exploded).
    #[param(inline, style = Form, explode)]
    selector: rules::AgentSelector,
}

/// `api_key_type` of a key lookup by name.
#[derive(IntoParams)]
#[into_params(parameter_in = Query)]
pub struct KeyTypeQuery {
    /// Default `external`.
    #[param(inline)]
    api_key_type: Option<rules::ApiKeyType>,
}

/// `{org_slug}` (a slug outside the rule names no org: 404).
#[derive(IntoParams)]
#[into_params(parameter_in = Path)]
pub struct OrgPath {
    /// Org slug.
    #[param(inline)]
    org_slug: rules::OrgSlug,
}

/// `{org_slug}` and `{agent_name}` of a mirrored agent.
#[derive(IntoParams)]
#[into_params(parameter_in = Path)]
pub struct OrgAgentPath {
    /// Org slug.
    #[param(inline)]
    org_slug: rules::OrgSlug,
    /// Agent name.
    #[param(inline)]
    agent_name: rules::AgentName,
}

/// The query of `GET /events` and `GET /events/stream`.
#[derive(IntoParams)]
#[into_params(parameter_in = Query)]
pub struct FeedParams {
    /// Read after this position (exclusive; default 0, the feed's start). On the stream,
    /// `Last-Event-ID` wins over it.
    #[param(minimum = 0)]
    after: Option<i64>,
    /// Events per page (1..=1000, default 100); on the stream, per read.
    #[param(minimum = 1, maximum = 1000)]
    limit: Option<u32>,
    /// Only this agent's events (UUID).
    #[param(inline)]
    agent_id: Option<rules::Id>,
    /// Only events of this kind.
    #[param(inline)]
    kind: Option<EventKindParam>,
}

/// The kinds of audit event as the feed's `kind` filter. Its schema is built from
/// `registry_domain::EventKind::ALL`, so a kind added to the domain is in the document too.
pub struct EventKindParam;

impl utoipa::PartialSchema for EventKindParam {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        utoipa::openapi::ObjectBuilder::new()
            .schema_type(utoipa::openapi::schema::Type::String)
            .enum_values(Some(
                registry_domain::EventKind::ALL.iter().map(|k| k.as_str()),
            ))
            .into()
    }
}

impl utoipa::ToSchema for EventKindParam {}

/// `GET /agents/search` (contract §11). Repeated `skill`, `tag`, `capability`, `input_mode`,
/// `output_mode` values must all match (only agents with a card match these); repeated
/// `status` values any.
#[derive(IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SearchQuery {
    /// Words that must all occur (any case, no stemming) in the agent's own name and
    /// description, or all in its card's name, description, or a skill's name, description,
    /// tags or examples; ranked by full-text relevance. Agents without a card are found too.
    #[param(inline)]
    q: Option<rules::SearchText>,
    /// A skill id the card must have.
    #[param(inline)]
    skill: Option<rules::SearchText>,
    /// A skill tag the card must carry (exact).
    #[param(inline)]
    tag: Option<rules::SearchText>,
    /// `resource:action` (lowercase `[a-z0-9_-]`, action may be `*`): `data:read` matches tags
    /// `data:read` and `data:*`; `data:*` matches every `data:` tag.
    #[param(inline)]
    capability: Option<rules::CapabilityFilter>,
    /// A media type the card accepts (its defaults or a skill's).
    #[param(inline)]
    input_mode: Option<rules::SearchText>,
    /// A media type the card produces (its defaults or a skill's).
    #[param(inline)]
    output_mode: Option<rules::SearchText>,
    /// Only agents in this status (repeatable).
    #[param(inline)]
    status: Option<rules::AgentStatus>,
    /// Page size, 1..=100 (default 20).
    #[param(inline)]
    limit: Option<rules::SearchLimit>,
    /// Results skipped, 0..=10000 (default 0).
    #[param(inline)]
    offset: Option<rules::SearchOffset>,
}
