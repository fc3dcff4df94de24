//! The search statement's plans at 100,000 agents, most with cards (contract §11: "GIN
//! indexes, no sequential scan at 100k agents"): a one-word query reaches the agents through
//! `agents_search_idx` and the cards through `agent_cards_search_idx`; a tag filter and a
//! capability filter reach the cards through `agent_cards_facets_idx` (with a word too, the
//! agents whose own document holds it through `agents_search_idx`) — for the admin and for an
//! ordinary principal.

use diesel::connection::SimpleConnection;
use registry_domain::{Capability, Principal};
use registry_ports::CardSearch;
use registry_store_pg::{build_pool, PgStore, PoolSettings};
use std::time::Duration;

/// Agents written: the size the contract names.
const AGENTS: u32 = 100_000;

/// 100,000 live agents of the default org, 1,000 distinct description words; every agent but
/// each 10th has a card: 1,000 distinct skill words, 500 tags, 100 capability resources; each
/// agent has an owner among 1,000 users, and `user:alice` a viewer grant on every 50th. Written
/// with the
/// triggers off (`session_replication_role = replica`: the rows are consistent by
/// construction, and the per-row count and grant triggers would make the load minutes long);
/// the indexes are maintained as usual.
fn populate(conn: &mut diesel::PgConnection) {
    conn.batch_execute(&format!(
        "SET session_replication_role = replica;
         INSERT INTO agents (id, name, description, status, acp_type, created_at, updated_at,
                             version, org_id)
         SELECT md5(i::text)::uuid, 'agent-' || i, 'agent ' || i || ' about subject' || (i % 1000),
                'Ready', 'async', now(), now(),
                1, '00000000-0000-0000-0000-000000000001'
           FROM generate_series(1, {AGENTS}) AS i;
         INSERT INTO agent_cards (agent_id, org_id, card, visibility, facets, updated_at)
         SELECT md5(i::text)::uuid, '00000000-0000-0000-0000-000000000001',
                jsonb_build_object(
                    'name', 'agent-' || i, 'description', 'card of agent ' || i,
                    'skills', jsonb_build_array(jsonb_build_object(
                        'id', 's' || i, 'name', 'skill w' || (i % 1000),
                        'description', 'handles topic' || (i % 1000),
                        'tags', jsonb_build_array('t' || (i % 500), 'r' || (i % 100) || ':read'),
                        'examples', jsonb_build_array('example ' || i)))),
                'org',
                ARRAY['skill:s' || i, 'tag:t' || (i % 500), 'tag:r' || (i % 100) || ':read',
                      'res:r' || (i % 100), 'in:text/plain', 'out:application/json'],
                now()
           FROM generate_series(1, {AGENTS}) AS i WHERE i % 10 <> 0;
         INSERT INTO grants (agent_id, principal, role, created_at, org_id, agent_updated_at)
         SELECT md5(i::text)::uuid, 'user:owner' || (i % 1000), 'owner', now(),
                '00000000-0000-0000-0000-000000000001', now()
           FROM generate_series(1, {AGENTS}) AS i;
         INSERT INTO grants (agent_id, principal, role, created_at, org_id, agent_updated_at)
         SELECT md5(i::text)::uuid, 'user:alice', 'viewer', now(),
                '00000000-0000-0000-0000-000000000001', now()
           FROM generate_series(50, {AGENTS}, 50) AS i;
         SET session_replication_role = DEFAULT;
         ANALYZE agents; ANALYZE agent_cards; ANALYZE grants;"
    ))
    .unwrap();
}

#[tokio::test(flavor = "multi_thread")]
async fn search_uses_the_gin_indexes_at_100k_agents() {
    let db = super::database().await;
    let url = db.url().to_owned();
    let started = std::time::Instant::now();
    tokio::task::spawn_blocking(move || populate(&mut db_connect(&url)))
        .await
        .unwrap();
    println!(
        "{AGENTS} agents (9 in 10 with a card) written in {:?}",
        started.elapsed()
    );
    let pool = build_pool(
        db.url(),
        PoolSettings {
            max_size: 1,
            connection_timeout: Duration::from_secs(30),
            statement_timeout: None,
        },
    );
    let store = PgStore::new(pool);
    let base = CardSearch {
        limit: 20,
        ..CardSearch::default()
    };
    let cases = [
        (
            "q=topic7",
            CardSearch {
                words: Some("topic7".to_owned()),
                ..base.clone()
            },
            &["agents_search_idx", "agent_cards_search_idx"][..],
        ),
        (
            "q=subject7",
            CardSearch {
                words: Some("subject7".to_owned()),
                ..base.clone()
            },
            &["agents_search_idx", "agent_cards_search_idx"][..],
        ),
        (
            "tag=t42",
            CardSearch {
                tags: vec!["t42".to_owned()],
                ..base.clone()
            },
            &["agent_cards_facets_idx"][..],
        ),
        (
            "q=subject7&tag=t42",
            CardSearch {
                words: Some("subject7".to_owned()),
                tags: vec!["t42".to_owned()],
                ..base.clone()
            },
            &["agent_cards_facets_idx", "agents_search_idx"][..],
        ),
        (
            "capability=r7:read",
            CardSearch {
                capabilities: vec![Capability::parse("r7:read").unwrap()],
                ..base.clone()
            },
            &["agent_cards_facets_idx"][..],
        ),
        (
            "capability=r7:*",
            CardSearch {
                capabilities: vec![Capability::parse("r7:*").unwrap()],
                ..base.clone()
            },
            &["agent_cards_facets_idx"][..],
        ),
    ];
    for (name, query, indexes) in cases {
        for scope in [None, Some(Principal::parse("user:alice", "p").unwrap())] {
            let query = CardSearch {
                granted_to: scope.clone(),
                ..query.clone()
            };
            let plan = store.explain_search(&query).await.unwrap().join("\n");
            println!("-- {name} (granted_to {scope:?})\n{plan}\n");
            assert!(
                !plan.contains("Seq Scan"),
                "{name}: a sequential scan\n{plan}"
            );
            for index in indexes {
                assert!(plan.contains(index), "{name}: {index} unused\n{plan}");
            }
        }
    }
}

fn db_connect(url: &str) -> diesel::PgConnection {
    use diesel::Connection;
    diesel::PgConnection::establish(url).unwrap()
}
