//! [`CardRepository`] in memory: the same matching as PostgreSQL (facets from
//! [`AgentCard::facets`], every query word in the agent's own name and description or every
//! one in its card's searched texts); a simpler score.

use crate::state::{Owned, State};
use crate::InMemoryStore;
use async_trait::async_trait;
use registry_domain::{
    capability_facets, search_words, Agent, AgentCard, AgentId, AgentRef, AgentStatus, Facet,
    NewEvent, OrgId, StoredCard,
};
use registry_ports::{CardRepository, CardSearch, RepoError, RepoResult, SearchHit, SearchPage};
use std::cmp::Ordering;
use std::collections::BTreeSet;

#[async_trait]
impl CardRepository for InMemoryStore {
    async fn put_card(&self, card: &StoredCard, event: &NewEvent) -> RepoResult<StoredCard> {
        let org = self.org;
        self.with_state(|s| {
            let live = s
                .agent(org, card.agent_id)
                .is_some_and(|a| a.status != AgentStatus::Deleted);
            if !live {
                return Err(RepoError::NotFound);
            }
            let row = Owned {
                org,
                row: card.clone(),
            };
            s.cards.insert(card.agent_id, row);
            s.append_events(org, std::slice::from_ref(event));
            Ok(card.clone())
        })
    }

    async fn get_card(&self, agent: AgentId) -> RepoResult<Option<StoredCard>> {
        self.with_state(|s| Ok(card_in(s, self.org, agent).cloned()))
    }

    async fn delete_card(&self, agent: AgentId, event: &NewEvent) -> RepoResult<bool> {
        let org = self.org;
        self.with_state(|s| {
            if card_in(s, org, agent).is_none() {
                return Ok(false);
            }
            s.cards.remove(&agent);
            s.append_events(org, std::slice::from_ref(event));
            Ok(true)
        })
    }

    async fn card_of(&self, at: &AgentRef) -> RepoResult<Option<(Agent, StoredCard)>> {
        let org = self.org;
        self.with_state(|s| {
            let agent = match at {
                AgentRef::Id(id) => s.agent(org, *id),
                AgentRef::Name(name) => s.live_agent_named(org, name),
            };
            Ok(agent
                .filter(|a| a.status != AgentStatus::Deleted)
                .and_then(|a| Some((a.clone(), card_in(s, org, a.id)?.clone()))))
        })
    }

    async fn search(&self, query: &CardSearch) -> RepoResult<SearchPage> {
        let org = self.org;
        self.with_state(|s| {
            let wanted = wanted_facets(query);
            let mut hits: Vec<SearchHit> = s
                .agents
                .values()
                .filter(|a| a.org == org)
                .map(|a| &a.row)
                .filter(|agent| {
                    readable(s, agent, query)
                        && (query.statuses.is_empty() || query.statuses.contains(&agent.status))
                })
                .filter_map(|agent| {
                    let card = card_in(s, org, agent.id);
                    // A facet filter needs a card that has the facets.
                    if !wanted.is_empty() && !card.is_some_and(|c| wanted.held_by(&c.card.facets()))
                    {
                        return None;
                    }
                    let score = match query.words.as_deref() {
                        None => 0.0,
                        Some(q) => word_score(agent, card.map(|c| &c.card), q)?,
                    };
                    Some(SearchHit {
                        agent: agent.clone(),
                        card: card.cloned(),
                        score,
                    })
                })
                .collect();
            hits.sort_by(|a, b| {
                b.score
                    .partial_cmp(&a.score)
                    .unwrap_or(Ordering::Equal)
                    .then_with(|| a.agent.name.as_str().cmp(b.agent.name.as_str()))
                    .then_with(|| a.agent.id.cmp(&b.agent.id))
            });
            let total = hits.len() as u64;
            let hits = hits
                .into_iter()
                .skip(query.offset as usize)
                .take(query.limit as usize)
                .collect();
            Ok(SearchPage { hits, total })
        })
    }
}

/// Agent `agent`'s card, if it is one of `org`'s.
fn card_in(s: &State, org: OrgId, agent: AgentId) -> Option<&StoredCard> {
    s.cards.get(&agent).filter(|c| c.org == org).map(|c| &c.row)
}

/// Whether `agent` is live and in the caller's scope.
fn readable(s: &State, agent: &Agent, query: &CardSearch) -> bool {
    agent.status != AgentStatus::Deleted
        && query
            .only_ids
            .as_ref()
            .is_none_or(|ids| ids.contains(&agent.id))
        && query
            .granted_to
            .as_ref()
            .is_none_or(|p| s.with_role(agent, p).role.is_some())
}

/// The facets a card must have: each of `all`, and one of each set in `any` (capabilities).
struct Wanted {
    all: Vec<Facet>,
    any: Vec<Vec<Facet>>,
}

impl Wanted {
    /// No facet filter: agents without a card may match.
    fn is_empty(&self) -> bool {
        self.all.is_empty() && self.any.is_empty()
    }

    /// Whether a card with `facets` satisfies every facet filter.
    fn held_by(&self, facets: &BTreeSet<Facet>) -> bool {
        self.all.iter().all(|f| facets.contains(f))
            && self
                .any
                .iter()
                .all(|one_of| one_of.iter().any(|f| facets.contains(f)))
    }
}

fn wanted_facets(query: &CardSearch) -> Wanted {
    let mut all: Vec<Facet> = Vec::new();
    all.extend(query.skills.iter().cloned().map(Facet::Skill));
    all.extend(query.tags.iter().cloned().map(Facet::Tag));
    all.extend(query.input_modes.iter().cloned().map(Facet::InputMode));
    all.extend(query.output_modes.iter().cloned().map(Facet::OutputMode));
    let any = query.capabilities.iter().map(capability_facets).collect();
    Wanted { all, any }
}

/// The score of `query` against the agent's own document and its card's, the better of the
/// two that hold every word of it; `None` when neither does (words split between the two do
/// not match).
fn word_score(agent: &Agent, card: Option<&AgentCard>, query: &str) -> Option<f64> {
    let own = agent
        .matches_words(query)
        .then(|| occurrences(agent.search_texts(), query));
    let carded = card
        .filter(|c| c.matches_words(query))
        .map(|c| occurrences(c.search_texts(), query));
    own.into_iter().chain(carded).reduce(f64::max)
}

/// How often the query's words occur in `texts`.
fn occurrences<'a>(texts: impl IntoIterator<Item = &'a str>, query: &str) -> f64 {
    let wanted: BTreeSet<String> = search_words(query).collect();
    let hits = texts
        .into_iter()
        .flat_map(search_words)
        .filter(|w| wanted.contains(w))
        .count();
    hits as f64
}
