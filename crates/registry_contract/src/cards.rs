//! `CardRepository`: A2A cards stored with their event, served with their live agent, and
//! searched — the matching rules (contract §11) pinned on every store; scores are the store's.

use crate::fixtures::*;
use crate::Subject;
use registry_domain::{
    Agent, AgentCard, AgentRef, AgentStatus, Capability, CardVisibility, EventKind, Role,
    StoredCard,
};
use registry_ports::{CardSearch, Ports, RepoError};
use serde_json::{json, Value};

/// One skill of a test card: id, description, tags, examples.
type Skill<'a> = (&'a str, &'a str, &'a [&'a str], &'a [&'a str]);

/// A valid card named `name` with `description` and these skills (each its own input mode
/// `application/x-<id>`); without skills, one skill `main` described like the card and tagged
/// `general` (a card needs one).
pub fn card(name: &str, description: &str, skills: &[Skill<'_>]) -> AgentCard {
    let main: [Skill<'_>; 1] = [("main", description, &["general"], &[])];
    let skills = if skills.is_empty() { &main[..] } else { skills };
    let skills: Vec<Value> = skills
        .iter()
        .map(|(id, description, tags, examples)| {
            json!({
                "id": id, "name": format!("skill {id}"), "description": description,
                "tags": tags, "examples": examples,
                "inputModes": [format!("application/x-{id}")],
            })
        })
        .collect();
    AgentCard::parse(json!({
        "name": name,
        "description": description,
        "supportedInterfaces": [
            {"url": "https://agents.example.com/a2a", "protocolBinding": "JSONRPC", "protocolVersion": "1.0"}
        ],
        "version": "1.0.0",
        "capabilities": {"streaming": true},
        "defaultInputModes": ["text/plain"],
        "defaultOutputModes": ["application/json"],
        "skills": skills,
    }))
    .expect("test card is valid")
}

fn stored(agent: &Agent, card: AgentCard, visibility: CardVisibility) -> StoredCard {
    StoredCard {
        agent_id: agent.id,
        card,
        visibility,
        updated_at: now(),
    }
}

/// Puts a card on `agent` (it must be live).
async fn put(ports: &Ports, agent: &Agent, card: AgentCard) -> StoredCard {
    let event = event(agent.id, EventKind::CardUpdated, "admin");
    let card = stored(agent, card, CardVisibility::Org);
    ports.cards.put_card(&card, &event).await.expect("put card")
}

/// A live agent with this card.
async fn carded(ports: &Ports, card: AgentCard) -> Agent {
    let agent = saved_agent(ports).await;
    put(ports, &agent, card).await;
    agent
}

/// Marks `agent` Deleted.
async fn delete(ports: &Ports, agent: &Agent) {
    let mut deleted = ports.agents.get(agent.id).await.unwrap().unwrap();
    deleted.status = AgentStatus::Deleted;
    ports.agents.update(&deleted, &[]).await.unwrap();
}

fn search() -> CardSearch {
    CardSearch {
        limit: 100,
        ..CardSearch::default()
    }
}

/// The ids `query` finds, sorted.
async fn found(ports: &Ports, query: CardSearch) -> Vec<registry_domain::AgentId> {
    let page = ports.cards.search(&query).await.unwrap();
    assert_eq!(page.total as usize, page.hits.len(), "one page holds all");
    let mut ids: Vec<_> = page.hits.iter().map(|h| h.agent.id).collect();
    ids.sort();
    ids
}

fn sorted(agents: &[&Agent]) -> Vec<registry_domain::AgentId> {
    let mut ids: Vec<_> = agents.iter().map(|a| a.id).collect();
    ids.sort();
    ids
}

async fn card_events(ports: &Ports, agent: &Agent) -> Vec<Value> {
    let events = ports.events.list(agent.id, page(50, 1)).await.unwrap();
    events
        .items
        .into_iter()
        .filter(|e| e.event.kind == EventKind::CardUpdated)
        .map(|e| e.event.detail)
        .collect()
}

/// A card is stored, read back as stored, replaced, and removed; each change appends its event
/// in the same write, and removing nothing writes nothing.
pub async fn put_get_replace_delete_with_events(ports: Ports) {
    let agent = saved_agent(&ports).await;
    assert_eq!(ports.cards.get_card(agent.id).await.unwrap(), None);
    let first = stored(&agent, card("A", "first", &[]), CardVisibility::Org);
    let mut ev = event(agent.id, EventKind::CardUpdated, "user:alice");
    ev.detail = json!({"visibility": "org"});
    assert_eq!(ports.cards.put_card(&first, &ev).await.unwrap(), first);
    assert_eq!(ports.cards.get_card(agent.id).await.unwrap(), Some(first));
    let second = stored(&agent, card("A", "second", &[]), CardVisibility::Public);
    ev.detail = json!({"visibility": "public"});
    ports.cards.put_card(&second, &ev).await.unwrap();
    assert_eq!(ports.cards.get_card(agent.id).await.unwrap(), Some(second));
    ev.detail = json!({"removed": true});
    assert!(ports.cards.delete_card(agent.id, &ev).await.unwrap());
    assert_eq!(ports.cards.get_card(agent.id).await.unwrap(), None);
    assert!(!ports.cards.delete_card(agent.id, &ev).await.unwrap());
    assert_eq!(
        card_events(&ports, &agent).await,
        [
            json!({"removed": true}),
            json!({"visibility": "public"}),
            json!({"visibility": "org"})
        ]
    );
}

/// A card cannot be put on an absent or Deleted agent: `NotFound`, and no event.
pub async fn put_needs_a_live_agent(ports: Ports) {
    let ghost = ready_agent();
    let ev = event(ghost.id, EventKind::CardUpdated, "admin");
    let refused = ports
        .cards
        .put_card(
            &stored(&ghost, card("G", "g", &[]), CardVisibility::Org),
            &ev,
        )
        .await;
    assert_eq!(refused, Err(RepoError::NotFound));
    let agent = saved_agent(&ports).await;
    delete(&ports, &agent).await;
    let ev = event(agent.id, EventKind::CardUpdated, "admin");
    let refused = ports
        .cards
        .put_card(
            &stored(&agent, card("D", "d", &[]), CardVisibility::Org),
            &ev,
        )
        .await;
    assert_eq!(refused, Err(RepoError::NotFound));
    assert_eq!(card_events(&ports, &agent).await, Vec::<Value>::new());
    assert_eq!(ports.cards.get_card(agent.id).await.unwrap(), None);
}

/// `card_of` reads a live agent with its card by id or by name; none without a card, none
/// once the agent is Deleted.
pub async fn card_of_reads_the_live_agent_with_its_card(ports: Ports) {
    let agent = carded(&ports, card("C", "c", &[])).await;
    let bare = saved_agent(&ports).await;
    for at in [AgentRef::Id(agent.id), AgentRef::Name(agent.name.clone())] {
        let (read, card) = ports.cards.card_of(&at).await.unwrap().unwrap();
        assert_eq!((read.id, card.agent_id), (agent.id, agent.id));
        assert_eq!(card.card.description(), "c");
    }
    assert_eq!(
        ports.cards.card_of(&AgentRef::Id(bare.id)).await.unwrap(),
        None
    );
    delete(&ports, &agent).await;
    for at in [AgentRef::Id(agent.id), AgentRef::Name(agent.name.clone())] {
        assert_eq!(ports.cards.card_of(&at).await.unwrap(), None);
    }
}

/// Words: every word must occur (any case) in the card's name, description, or a skill's name,
/// description, tags or examples; no stemming.
pub async fn search_matches_every_word_of_the_query(ports: Ports) {
    let reports = carded(
        &ports,
        card(
            "Reporter",
            "Writes weekly reports",
            &[(
                "sum",
                "Condenses quarterly figures",
                &["finance"],
                &["summarise Q3"],
            )],
        ),
    )
    .await;
    let recipes = carded(
        &ports,
        card(
            "Chef",
            "Finds recipes",
            &[("find", "Searches weekly menus", &["cooking"], &[])],
        ),
    )
    .await;
    let bare = saved_agent(&ports).await; // no card: found by its own words only
    let words = |q: &str| CardSearch {
        words: Some(q.to_owned()),
        ..search()
    };
    assert_eq!(found(&ports, words("QUARTERLY")).await, sorted(&[&reports]));
    assert_eq!(found(&ports, words("finance")).await, sorted(&[&reports]));
    assert_eq!(found(&ports, words("q3")).await, sorted(&[&reports]));
    assert_eq!(found(&ports, words("chef")).await, sorted(&[&recipes]));
    assert_eq!(
        found(&ports, words("weekly")).await,
        sorted(&[&reports, &recipes])
    );
    assert_eq!(
        found(&ports, words("weekly menus")).await,
        sorted(&[&recipes])
    );
    assert_eq!(found(&ports, words("weekly budget")).await, sorted(&[]));
    assert_eq!(found(&ports, words("quarter")).await, sorted(&[]));
    assert_eq!(
        found(&ports, search()).await,
        sorted(&[&reports, &recipes, &bare])
    );
}

/// A live agent without a card (`q` rule 3 of docs/discovery.md).
async fn bare(ports: &Ports, prefix: &str, description: &str) -> Agent {
    let mut agent = agent_named(
        unique_name(prefix),
        registry_domain::LifecycleEvent::Register,
        now(),
    );
    agent.description = registry_domain::Description::parse(description).unwrap();
    save(ports, &agent).await
}

/// An agent without a card is found by a word of its name and by words of its description
/// (its hit has no card), listed by a search without words or filters, kept to the scope and
/// statuses, and never found by a facet filter.
pub async fn search_finds_agents_without_a_card_by_their_own_words(ports: Ports) {
    let ledger = bare(&ports, "ledger", "Reconciles supplier invoices").await;
    let carded = carded(&ports, card("Other", "files invoices", &[])).await;
    let words = |q: &str| CardSearch {
        words: Some(q.to_owned()),
        ..search()
    };
    assert_eq!(found(&ports, words("LEDGER")).await, sorted(&[&ledger]));
    assert_eq!(
        found(&ports, words("supplier reconciles")).await,
        sorted(&[&ledger])
    );
    assert_eq!(
        found(&ports, words("ledger supplier")).await,
        sorted(&[&ledger]),
        "name and description are one document"
    );
    assert_eq!(
        found(&ports, words("invoices")).await,
        sorted(&[&ledger, &carded])
    );
    assert_eq!(found(&ports, words("reconcile")).await, sorted(&[]));
    let page = ports.cards.search(&words("ledger")).await.unwrap();
    assert_eq!(page.hits.len(), 1);
    assert_eq!(page.hits[0].agent, ledger);
    assert_eq!(page.hits[0].card, None);
    assert!(page.hits[0].score > 0.0, "a word match scores");
    let all = ports.cards.search(&search()).await.unwrap();
    let cards: Vec<_> = all
        .hits
        .iter()
        .map(|h| (h.agent.id, h.card.as_ref().map(|c| c.agent_id)))
        .collect();
    let mut expected = [(&ledger, None), (&carded, Some(carded.id))];
    expected.sort_by(|a, b| a.0.name.as_str().cmp(b.0.name.as_str()));
    let expected: Vec<_> = expected.iter().map(|(a, card)| (a.id, *card)).collect();
    assert_eq!(
        cards, expected,
        "every live agent, with its card when it has one"
    );
    for facet in [
        CardSearch {
            tags: vec!["general".to_owned()],
            ..words("invoices")
        },
        CardSearch {
            skills: vec!["main".to_owned()],
            ..search()
        },
        CardSearch {
            input_modes: vec!["text/plain".to_owned()],
            ..search()
        },
        CardSearch {
            capabilities: vec![Capability::parse("data:*").unwrap()],
            ..words("ledger")
        },
    ] {
        let hits = found(&ports, facet.clone()).await;
        assert!(!hits.contains(&ledger.id), "{facet:?}");
    }
    let granted = CardSearch {
        granted_to: Some(user("bob")),
        ..words("ledger")
    };
    assert_eq!(found(&ports, granted).await, sorted(&[]));
    let only = CardSearch {
        only_ids: Some(vec![ledger.id]),
        ..words("invoices")
    };
    assert_eq!(found(&ports, only).await, sorted(&[&ledger]));
    let ready = CardSearch {
        statuses: vec![AgentStatus::Unhealthy],
        ..words("ledger")
    };
    assert_eq!(found(&ports, ready).await, sorted(&[]));
    delete(&ports, &ledger).await;
    assert_eq!(found(&ports, words("ledger")).await, sorted(&[]));
}

/// `q` matches when every word is in the agent's own document (name, description) or every
/// word is in its card's; a query whose words are split between the two matches neither. With
/// a facet filter, the agent's own words still count (the facets need the card).
pub async fn search_needs_every_word_in_one_document(ports: Ports) {
    let mut agent = agent_named(
        unique_name("falcon"),
        registry_domain::LifecycleEvent::Register,
        now(),
    );
    agent.description = registry_domain::Description::parse("watches the sky").unwrap();
    let agent = save(&ports, &agent).await;
    put(
        &ports,
        &agent,
        card(
            "Stargazer",
            "telescope control",
            &[("aim", "points", &["optics"], &[])],
        ),
    )
    .await;
    let words = |q: &str| CardSearch {
        words: Some(q.to_owned()),
        ..search()
    };
    for q in ["falcon", "sky watches", "telescope", "stargazer optics"] {
        assert_eq!(found(&ports, words(q)).await, sorted(&[&agent]), "{q}");
    }
    for q in ["falcon telescope", "sky optics"] {
        assert_eq!(found(&ports, words(q)).await, sorted(&[]), "split: {q}");
    }
    let hit = ports.cards.search(&words("falcon")).await.unwrap().hits;
    assert_eq!(
        hit[0].card.as_ref().map(|c| c.card.name()),
        Some("Stargazer"),
        "found by its own words, with its card"
    );
    let tagged = |q: &str| CardSearch {
        tags: vec!["optics".to_owned()],
        ..words(q)
    };
    assert_eq!(found(&ports, tagged("falcon")).await, sorted(&[&agent]));
    assert_eq!(found(&ports, tagged("telescope")).await, sorted(&[&agent]));
    assert_eq!(found(&ports, tagged("falcon telescope")).await, sorted(&[]));
    let other_tag = CardSearch {
        tags: vec!["general".to_owned()],
        ..words("falcon")
    };
    assert_eq!(found(&ports, other_tag).await, sorted(&[]));
}

/// Skill ids, tags and media types match exactly, each given value must match, and the filters
/// combine with words.
pub async fn search_filters_by_skill_tag_and_modes(ports: Ports) {
    let both = carded(
        &ports,
        card(
            "Both",
            "two skills",
            &[("a", "alpha", &["x", "Y"], &[]), ("b", "beta", &["z"], &[])],
        ),
    )
    .await;
    let one = carded(
        &ports,
        card("One", "one skill", &[("a", "alpha", &["x"], &[])]),
    )
    .await;
    let q = |f: &dyn Fn(&mut CardSearch)| {
        let mut s = search();
        f(&mut s);
        s
    };
    let skills = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    assert_eq!(
        found(&ports, q(&|s| s.skills = skills(&["a"]))).await,
        sorted(&[&both, &one])
    );
    assert_eq!(
        found(&ports, q(&|s| s.skills = skills(&["a", "b"]))).await,
        sorted(&[&both])
    );
    assert_eq!(
        found(&ports, q(&|s| s.tags = skills(&["x"]))).await,
        sorted(&[&both, &one])
    );
    assert_eq!(
        found(&ports, q(&|s| s.tags = skills(&["Y"]))).await,
        sorted(&[&both])
    );
    assert_eq!(
        found(&ports, q(&|s| s.tags = skills(&["y"]))).await,
        sorted(&[]),
        "tags are exact"
    );
    let pdf = |s: &mut CardSearch| s.input_modes = skills(&["application/x-b"]);
    assert_eq!(
        found(&ports, q(&pdf)).await,
        sorted(&[&both]),
        "a skill's own mode"
    );
    let text = |s: &mut CardSearch| s.input_modes = skills(&["text/plain"]);
    assert_eq!(
        found(&ports, q(&text)).await,
        sorted(&[&both, &one]),
        "the default mode"
    );
    let json = |s: &mut CardSearch| s.output_modes = skills(&["application/json"]);
    assert_eq!(found(&ports, q(&json)).await, sorted(&[&both, &one]));
    let not_out = |s: &mut CardSearch| s.output_modes = skills(&["text/plain"]);
    assert_eq!(found(&ports, q(&not_out)).await, sorted(&[]));
    let mixed = |s: &mut CardSearch| {
        s.tags = skills(&["x"]);
        s.words = Some("beta".to_owned());
    };
    assert_eq!(found(&ports, q(&mixed)).await, sorted(&[&both]));
}

/// `data:read` matches tags `data:read` and `data:*`; `data:*` matches every `data:` tag;
/// neither matches another resource, a prefix of one, or a tag that is not capability-shaped.
pub async fn search_matches_capabilities(ports: Ports) {
    let tagged =
        |tags: &'static [&'static str]| card("cap", "capabilities", &[("s", "d", tags, &[])]);
    let reader = carded(&ports, tagged(&["data:read"])).await;
    let wildcard = carded(&ports, tagged(&["data:*"])).await;
    let writer = carded(&ports, tagged(&["data:write"])).await;
    carded(
        &ports,
        tagged(&["database:read", "Data:Read", "data", "datax:*"]),
    )
    .await;
    let cap = |c: &[&str]| CardSearch {
        capabilities: c.iter().map(|c| Capability::parse(c).unwrap()).collect(),
        ..search()
    };
    assert_eq!(
        found(&ports, cap(&["data:read"])).await,
        sorted(&[&reader, &wildcard])
    );
    assert_eq!(
        found(&ports, cap(&["data:write"])).await,
        sorted(&[&wildcard, &writer])
    );
    assert_eq!(
        found(&ports, cap(&["data:*"])).await,
        sorted(&[&reader, &wildcard, &writer])
    );
    assert_eq!(
        found(&ports, cap(&["data:read", "data:write"])).await,
        sorted(&[&wildcard])
    );
    assert_eq!(
        found(&ports, cap(&["data:delete"])).await,
        sorted(&[&wildcard])
    );
    assert_eq!(found(&ports, cap(&["datab:read"])).await, sorted(&[]));
}

/// Only what the scope allows (grants, own id), in the given statuses, never Deleted.
pub async fn search_keeps_to_the_scope_and_statuses(ports: Ports) {
    let bob = user("bob");
    let mine = carded(&ports, card("s", "scoped", &[])).await;
    let theirs = carded(&ports, card("s", "scoped", &[])).await;
    let gone = carded(&ports, card("s", "scoped", &[])).await;
    ports
        .authorizer
        .grant(mine.id, &bob, Role::Viewer, &[])
        .await
        .unwrap();
    ports
        .authorizer
        .grant(gone.id, &bob, Role::Owner, &[])
        .await
        .unwrap();
    delete(&ports, &gone).await;
    let q = CardSearch {
        words: Some("scoped".to_owned()),
        ..search()
    };
    assert_eq!(found(&ports, q.clone()).await, sorted(&[&mine, &theirs]));
    let granted = CardSearch {
        granted_to: Some(bob),
        ..q.clone()
    };
    assert_eq!(found(&ports, granted).await, sorted(&[&mine]));
    let only = CardSearch {
        only_ids: Some(vec![theirs.id, gone.id]),
        ..q.clone()
    };
    assert_eq!(found(&ports, only).await, sorted(&[&theirs]));
    let ready = CardSearch {
        statuses: vec![AgentStatus::Ready],
        ..q.clone()
    };
    assert_eq!(found(&ports, ready).await, sorted(&[&mine, &theirs]));
    let deleted = CardSearch {
        statuses: vec![AgentStatus::Deleted],
        ..q.clone()
    };
    assert_eq!(found(&ports, deleted).await, sorted(&[]));
    let unhealthy = CardSearch {
        statuses: vec![AgentStatus::Unhealthy],
        ..q
    };
    assert_eq!(found(&ports, unhealthy).await, sorted(&[]));
}

/// Pages by limit and offset with the total of every match; equal scores (no words) come in
/// agent-name order, then id; a page past the end is empty with the total.
pub async fn search_pages_in_a_stable_order(ports: Ports) {
    let mut agents = Vec::new();
    for _ in 0..5 {
        agents.push(carded(&ports, card("p", "paged", &[])).await);
    }
    agents.sort_by(|a, b| a.name.as_str().cmp(b.name.as_str()).then(a.id.cmp(&b.id)));
    let page_of = |limit, offset| CardSearch {
        limit,
        offset,
        ..search()
    };
    let mut seen = Vec::new();
    for offset in [0, 2, 4] {
        let page = ports.cards.search(&page_of(2, offset)).await.unwrap();
        assert_eq!(page.total, 5);
        seen.extend(page.hits.into_iter().map(|h| h.agent.id));
    }
    assert_eq!(seen, agents.iter().map(|a| a.id).collect::<Vec<_>>());
    let past = ports.cards.search(&page_of(2, 10)).await.unwrap();
    assert_eq!((past.hits.len(), past.total), (0, 5));
}

/// A better match ranks first: the words in the card's name and a skill outrank a single
/// mention in an example.
pub async fn search_ranks_the_better_match_first(ports: Ports) {
    let weak = carded(
        &ports,
        card(
            "Generic",
            "does things",
            &[("x", "misc", &["misc"], &["ask about invoices"])],
        ),
    )
    .await;
    let strong = carded(
        &ports,
        card(
            "Invoices",
            "Reads invoices and invoices",
            &[("inv", "invoices parser", &["invoices"], &[])],
        ),
    )
    .await;
    let q = CardSearch {
        words: Some("invoices".to_owned()),
        ..search()
    };
    let page = ports.cards.search(&q).await.unwrap();
    let order: Vec<_> = page.hits.iter().map(|h| h.agent.id).collect();
    assert_eq!(order, [strong.id, weak.id]);
    assert!(page.hits[0].score > page.hits[1].score);
}

/// Another org's cards are absent: get, card_of and search find nothing, put and delete are
/// `NotFound` / `false` and change nothing.
pub async fn cards_stay_in_their_org(subject: Subject) {
    let (_, ours) = subject.new_org("cards-a", None).await;
    let (_, theirs) = subject.new_org("cards-b", None).await;
    let agent = carded(&ours, card("iso", "isolated", &[])).await;
    for probe in [theirs, subject.default_ports()] {
        assert_eq!(probe.cards.get_card(agent.id).await.unwrap(), None);
        for at in [AgentRef::Id(agent.id), AgentRef::Name(agent.name.clone())] {
            assert_eq!(probe.cards.card_of(&at).await.unwrap(), None);
        }
        let q = CardSearch {
            words: Some("isolated".to_owned()),
            ..search()
        };
        assert_eq!(probe.cards.search(&q).await.unwrap().total, 0);
        let ev = event(agent.id, EventKind::CardUpdated, "admin");
        let other = stored(&agent, card("x", "x", &[]), CardVisibility::Public);
        assert_eq!(
            probe.cards.put_card(&other, &ev).await,
            Err(RepoError::NotFound)
        );
        assert!(!probe.cards.delete_card(agent.id, &ev).await.unwrap());
    }
    let kept = ours.cards.get_card(agent.id).await.unwrap().unwrap();
    assert_eq!(kept.card.description(), "isolated");
    assert_eq!(card_events(&ours, &agent).await.len(), 1);
}
