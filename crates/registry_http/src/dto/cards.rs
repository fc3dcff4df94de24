//! A2A agent cards and search on the wire (contract §11).

use super::{timestamp, AgentResponse};
use registry_domain::StoredCard;
use registry_ports::SearchHit;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::ToSchema;

/// `PUT /agents/{agent_id}/card` body.
#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct CardRequest {
    /// The A2A v1.0 `AgentCard` (JSON form of `a2a.proto`, lowerCamelCase names only), at most
    /// 64 KiB. Every bad field is reported by its JSON pointer under `/card`.
    #[schema(value_type = Object)]
    pub card: Value,
    /// `org` (default: served to whoever may read the agent) or `public` (served at the
    /// well-known paths without credentials).
    #[schema(value_type = Option<String>, example = "org")]
    pub visibility: Option<String>,
}

/// An agent's card as stored.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CardResponse {
    /// The A2A card, as stored (without the registry's signature, which is added when served).
    #[schema(value_type = Object)]
    pub card: Value,
    /// `org` or `public`.
    pub visibility: String,
    /// RFC 3339 UTC.
    pub updated_at: String,
}

impl From<&StoredCard> for CardResponse {
    fn from(c: &StoredCard) -> Self {
        Self {
            card: c.card.to_value(),
            visibility: c.visibility.as_str().to_owned(),
            updated_at: timestamp(c.updated_at),
        }
    }
}

/// One search result.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SearchResult {
    /// The agent.
    pub agent: AgentResponse,
    /// Its A2A card, as stored; absent when the agent has none (it was found by its own name
    /// or description).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Object, required = false)]
    pub card: Option<Value>,
    /// Relevance (higher first; 0 without `q`).
    pub score: f64,
}

impl From<&SearchHit> for SearchResult {
    fn from(h: &SearchHit) -> Self {
        Self {
            agent: AgentResponse::from(&h.agent),
            card: h.card.as_ref().map(|c| c.card.to_value()),
            score: h.score,
        }
    }
}

/// `GET /agents/search` answer.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SearchResponse {
    /// The page, most relevant first (ties by agent name, then id).
    pub results: Vec<SearchResult>,
    /// How many agents match in all.
    pub total: u64,
}
