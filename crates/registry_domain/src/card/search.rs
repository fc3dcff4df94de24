//! What search looks at (contract §11): a card's structured facets a filter matches exactly,
//! and the words a full-text query matches — in the card, or in the agent's own registry
//! document (its name and description). Both stores use these, so a filter means the same on
//! each; PostgreSQL stores the facets in an indexed array and builds its own `tsvector`s from
//! the same fields.

use super::{AgentCard, Capability, CapabilityAction};
use crate::Agent;
use serde_json::Value;
use std::collections::BTreeSet;

/// One exact-match facet of a card, as stored in its facet set.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Facet {
    /// A skill id.
    Skill(String),
    /// A skill tag, exactly as written.
    Tag(String),
    /// An input media type (the defaults or a skill's).
    InputMode(String),
    /// An output media type (the defaults or a skill's).
    OutputMode(String),
    /// The resource of a capability-shaped tag (`data` of `data:read`): what `data:*` matches.
    Resource(String),
}

impl Facet {
    /// The stored spelling: `skill:…`, `tag:…`, `in:…`, `out:…`, `res:…`.
    pub fn key(&self) -> String {
        match self {
            Facet::Skill(v) => format!("skill:{v}"),
            Facet::Tag(v) => format!("tag:{v}"),
            Facet::InputMode(v) => format!("in:{v}"),
            Facet::OutputMode(v) => format!("out:{v}"),
            Facet::Resource(v) => format!("res:{v}"),
        }
    }
}

/// The facets that satisfy a capability query: any one of them is enough.
pub fn capability_facets(capability: &Capability) -> Vec<Facet> {
    match capability.action() {
        CapabilityAction::Any => vec![Facet::Resource(capability.resource().to_owned())],
        CapabilityAction::Named(action) => vec![
            Facet::Tag(format!("{}:{action}", capability.resource())),
            Facet::Tag(format!("{}:*", capability.resource())),
        ],
    }
}

/// The words of `text` as full-text search compares them: lowercase runs of letters and
/// digits (PostgreSQL's `simple` configuration gives the same words for plain text).
pub fn search_words(text: &str) -> impl Iterator<Item = String> + '_ {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
}

/// Whether every word of `query` is a word of one of `texts` (a query without a word
/// matches).
pub(crate) fn words_match<'a>(texts: impl IntoIterator<Item = &'a str>, query: &str) -> bool {
    let words: BTreeSet<String> = texts.into_iter().flat_map(search_words).collect();
    search_words(query).all(|w| words.contains(&w))
}

impl Agent {
    /// The agent's own registry document full-text search looks at: its name and description
    /// (whether or not it has a card).
    pub fn search_texts(&self) -> [&str; 2] {
        [self.name.as_str(), self.description.as_str()]
    }

    /// Whether every word of `query` is a word of the agent's name or description.
    pub fn matches_words(&self, query: &str) -> bool {
        words_match(self.search_texts(), query)
    }
}

impl AgentCard {
    /// Every facet of the card (sorted, without repeats).
    pub fn facets(&self) -> BTreeSet<Facet> {
        let mut facets = BTreeSet::new();
        facets.extend(self.skill_ids().map(|id| Facet::Skill(id.to_owned())));
        for tag in self.tags() {
            facets.insert(Facet::Tag(tag.to_owned()));
            if let Ok(capability) = Capability::parse_field(tag, "tag") {
                facets.insert(Facet::Resource(capability.resource().to_owned()));
            }
        }
        facets.extend(self.input_modes().map(|m| Facet::InputMode(m.to_owned())));
        facets.extend(self.output_modes().map(|m| Facet::OutputMode(m.to_owned())));
        facets
    }

    /// The texts full-text search looks at: the card's name and description, and each skill's
    /// name, description, tags and examples.
    pub fn search_texts(&self) -> Vec<&str> {
        let mut texts = vec![self.name(), self.description()];
        for skill in self.skills() {
            for key in ["name", "description"] {
                texts.extend(skill.get(key).and_then(Value::as_str));
            }
            for key in ["tags", "examples"] {
                texts.extend(super::strings(skill.get(key)));
            }
        }
        texts
    }

    /// Whether every word of `query` is a word of the card's searched texts.
    pub fn matches_words(&self, query: &str) -> bool {
        words_match(self.search_texts(), query)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn card() -> AgentCard {
        AgentCard::parse(json!({
            "name": "Reporter",
            "description": "Writes weekly reports",
            "supportedInterfaces": [{"url": "https://r.example/a2a", "protocolBinding": "JSONRPC", "protocolVersion": "1.0"}],
            "version": "1.0.0",
            "capabilities": {},
            "defaultInputModes": ["text/plain"],
            "defaultOutputModes": ["application/json"],
            "skills": [{
                "id": "summarise", "name": "Summarise-docs",
                "description": "Condenses quarterly figures", "tags": ["data:*", "Finance"],
                "examples": ["summarise Q3"], "inputModes": ["application/pdf"]
            }]
        }))
        .unwrap()
    }

    #[test]
    fn facets_name_skills_tags_modes_and_capability_resources() {
        let keys: Vec<String> = card().facets().iter().map(Facet::key).collect();
        assert_eq!(
            keys,
            [
                "skill:summarise",
                "tag:Finance",
                "tag:data:*",
                "in:application/pdf",
                "in:text/plain",
                "out:application/json",
                "res:data",
            ]
        );
    }

    #[test]
    fn capability_queries_become_facets() {
        let read = Capability::parse("data:read").unwrap();
        let keys: Vec<String> = capability_facets(&read).iter().map(Facet::key).collect();
        assert_eq!(keys, ["tag:data:read", "tag:data:*"]);
        let any = Capability::parse("data:*").unwrap();
        let keys: Vec<String> = capability_facets(&any).iter().map(Facet::key).collect();
        assert_eq!(keys, ["res:data"]);
    }

    #[test]
    fn every_query_word_must_be_in_the_card() {
        let c = card();
        assert!(c.matches_words("QUARTERLY"));
        assert!(c.matches_words("weekly figures q3"));
        assert!(c.matches_words("docs"), "a part of a hyphenated skill name");
        assert!(c.matches_words("finance"), "tags are text too");
        assert!(!c.matches_words("weekly budget"));
        assert!(!c.matches_words("quarter"), "no stemming");
    }

    #[test]
    fn an_agent_matches_words_of_its_name_and_description_only() {
        let mut agent = crate::state_machine::create(
            crate::NewAgent {
                name: crate::AgentName::parse("invoice-reader").unwrap(),
                description: crate::Description::parse("Reads Supplier PDFs").unwrap(),
                acp_type: crate::AcpType::Async,
                acp_url: None,
                registration_metadata: None,
                agent_input_type: None,
            },
            crate::LifecycleEvent::RegisterBuild,
            time::OffsetDateTime::UNIX_EPOCH,
        )
        .unwrap();
        assert_eq!(
            agent.search_texts(),
            ["invoice-reader", "Reads Supplier PDFs"]
        );
        assert!(
            agent.matches_words("invoice"),
            "a part of the hyphenated name"
        );
        assert!(
            agent.matches_words("READER supplier"),
            "name and description together"
        );
        assert!(!agent.matches_words("invoice budget"));
        assert!(!agent.matches_words("invoices"), "no stemming");
        agent.description = crate::Description::parse("").unwrap();
        assert!(!agent.matches_words("supplier"));
    }
}
