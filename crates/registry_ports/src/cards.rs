//! A2A agent cards (contract §11): one per agent, stored with its audit event, served at the
//! well-known paths, and searched.

use crate::RepoResult;
use async_trait::async_trait;
use registry_domain::{
    Agent, AgentId, AgentRef, AgentStatus, Capability, NewEvent, Principal, StoredCard,
};

/// Most results one search page returns.
pub const MAX_SEARCH_LIMIT: u32 = 100;
/// Results of a search page when `limit` is not given.
pub const DEFAULT_SEARCH_LIMIT: u32 = 20;
/// Largest `offset` of a search (deeper pages are refused, not scanned).
pub const MAX_SEARCH_OFFSET: u32 = 10_000;

/// A search over one org's live agents and their cards (an agent without a card is found by
/// its own words, never by a facet filter). Every filter narrows (they are ANDed, and so are
/// repeated values of one filter); `granted_to` / `only_ids` say what the caller may read,
/// applied by the store.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct CardSearch {
    /// Words that must all occur in the agent's own name and description, or all in its card's
    /// name, description, or a skill's name, description, tags or examples (case-insensitive,
    /// no stemming; words split between the two documents do not match). `None`: no text
    /// filter.
    pub words: Option<String>,
    /// Skill ids the card must have.
    pub skills: Vec<String>,
    /// Skill tags the card must carry (exact).
    pub tags: Vec<String>,
    /// Capabilities the card must have (see [`Capability`]).
    pub capabilities: Vec<Capability>,
    /// Input media types the card must accept (its defaults or a skill's).
    pub input_modes: Vec<String>,
    /// Output media types the card must produce (its defaults or a skill's).
    pub output_modes: Vec<String>,
    /// Only agents in these statuses (empty: every live one). Deleted matches nothing.
    pub statuses: Vec<AgentStatus>,
    /// Page size, 1..=[`MAX_SEARCH_LIMIT`].
    pub limit: u32,
    /// Results skipped, ≤ [`MAX_SEARCH_OFFSET`].
    pub offset: u32,
    /// `Some(ids)`: only these agents (an agent key sees itself).
    pub only_ids: Option<Vec<AgentId>>,
    /// `Some(p)`: only agents on which `p` holds a grant (an ordinary principal).
    pub granted_to: Option<Principal>,
}

/// One search result.
#[derive(Debug, Clone, PartialEq)]
pub struct SearchHit {
    /// The agent.
    pub agent: Agent,
    /// Its card, when it has one.
    pub card: Option<StoredCard>,
    /// Relevance: higher first. Comparable only within one search and one store.
    pub score: f64,
}

/// A page of search results.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct SearchPage {
    /// The results, most relevant first, ties by agent name then id.
    pub hits: Vec<SearchHit>,
    /// How many agents match in all.
    pub total: u64,
}

/// Storage of agent cards.
#[cfg_attr(feature = "mock", mockall::automock)]
#[async_trait]
pub trait CardRepository: Send + Sync {
    /// Stores `card` as the card of agent `card.agent_id` (replacing any), and appends `event`,
    /// in one transaction — only while that agent is live in this org: `NotFound` (nothing
    /// written) otherwise.
    async fn put_card(&self, card: &StoredCard, event: &NewEvent) -> RepoResult<StoredCard>;

    /// The card of agent `agent`, if it has one (whatever the agent's status).
    async fn get_card(&self, agent: AgentId) -> RepoResult<Option<StoredCard>>;

    /// Removes the card of agent `agent` and appends `event`, in one transaction. `false` (and
    /// nothing written) when it had none.
    async fn delete_card(&self, agent: AgentId, event: &NewEvent) -> RepoResult<bool>;

    /// The live agent `at` (by id or live name) and its card, in one read; `None` when the
    /// agent is absent, Deleted or has no card.
    async fn card_of(&self, at: &AgentRef) -> RepoResult<Option<(Agent, StoredCard)>>;

    /// A page of the live agents that match `query` (by their own words or their cards'), each
    /// with its card when it has one, the most relevant first.
    async fn search(&self, query: &CardSearch) -> RepoResult<SearchPage>;
}
