//! [`CardRepository`] in memory: the same matching as PostgreSQL (facets from
//! [`AgentCard::facets`], every query word in the card's searched texts); a simpler score.

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
                .cards
                .values()
                .filter(|c| c.org == org)
                .filter_map(|c| {
                    let agent = s.agent(org, c.row.agent_id)?;
                    let card = &c.row.card;
                    let facets = card.facets();
                    let matched = readable(s, agent, query)
                        && (query.statuses.is_empty() || query.statuses.contains(&agent.status))
                        && wanted.all.iter().all(|f| facets.contains(f))
                        && wanted
                            .any
                            .iter()
                            .all(|one_of| one_of.iter().any(|f| facets.contains(f)))
                        && query.words.as_deref().is_none_or(|q| card.matches_words(q));
                    matched.then(|| SearchHit {
                        agent: agent.clone(),
                        card: c.row.clone(),
                        score: query.words.as_deref().map_or(0.0, |q| score(card, q)),
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

fn wanted_facets(query: &CardSearch) -> Wanted {
    let mut all: Vec<Facet> = Vec::new();
    all.extend(query.skills.iter().cloned().map(Facet::Skill));
    all.extend(query.tags.iter().cloned().map(Facet::Tag));
    all.extend(query.input_modes.iter().cloned().map(Facet::InputMode));
    all.extend(query.output_modes.iter().cloned().map(Facet::OutputMode));
    let any = query.capabilities.iter().map(capability_facets).collect();
    Wanted { all, any }
}

/// How often the query's words occur in the card's searched texts.
fn score(card: &AgentCard, query: &str) -> f64 {
    let wanted: BTreeSet<String> = search_words(query).collect();
    let hits = card
        .search_texts()
        .into_iter()
        .flat_map(search_words)
        .filter(|w| wanted.contains(w))
        .count();
    hits as f64
}
