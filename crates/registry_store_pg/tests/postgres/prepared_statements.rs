//! The hot statements are prepared once per connection and reused (issue 8): diesel only
//! caches a statement it can prove has a fixed text, and an uncached one is parsed and planned
//! by PostgreSQL on every request. Checked on the server itself: after the calls, the one
//! pooled connection's `pg_prepared_statements` must hold each statement.

use diesel::prelude::*;
use diesel::sql_types::Text;
use registry_contract::fixtures::{agent_named, event, now, unique_name, user};
use registry_domain::{AgentStatus, EventKind, LifecycleEvent, Role};
use registry_ports::{AgentQuery, AgentRepository};
use registry_store_pg::{PgPool, PgStore};

#[derive(QueryableByName)]
struct Statement {
    #[diesel(sql_type = Text)]
    statement: String,
}

/// The statements prepared on the one connection of `pool`, as the server lists them.
async fn prepared_on(pool: PgPool) -> Vec<String> {
    tokio::task::spawn_blocking(move || {
        let mut conn = pool.get().unwrap();
        diesel::sql_query("SELECT statement FROM pg_prepared_statements")
            .load::<Statement>(&mut conn)
            .unwrap()
            .into_iter()
            .map(|s| s.statement)
            .collect()
    })
    .await
    .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hot_agent_statements_are_prepared_once_and_reused() {
    let db = crate::database().await;
    let pool = db.pool_of(1);
    let store = PgStore::new(pool.clone());
    let agent = agent_named(unique_name("prep"), LifecycleEvent::RegisterBuild, now());
    let events = [event(agent.id, EventKind::Created, "user:alice")];
    let created = store
        .create_if_absent(&agent, Some(user("alice")), &events)
        .await
        .unwrap();
    assert!(created.created);
    store.get(agent.id).await.unwrap().unwrap();
    store.get_live_by_name(&agent.name).await.unwrap().unwrap();
    let alice = user("alice");
    let mine = store.get_with_role(agent.id, &alice).await.unwrap();
    assert_eq!(mine.unwrap().role, Some(Role::Owner));
    let mine = store.get_live_by_name_with_role(&agent.name, &alice);
    assert_eq!(mine.await.unwrap().unwrap().role, Some(Role::Owner));
    store.list(&AgentQuery::default()).await.unwrap();
    let filtered = AgentQuery {
        statuses: vec![AgentStatus::BuildOnly],
        ..AgentQuery::default()
    };
    assert_eq!(store.list(&filtered).await.unwrap().total, 1);
    let granted = AgentQuery {
        granted_to: Some(alice.clone()),
        ..AgentQuery::default()
    };
    assert_eq!(store.list(&granted).await.unwrap().total, 1);
    let seen = store
        .record_heartbeat(agent.id, AgentStatus::BuildOnly, now())
        .await
        .unwrap();
    assert!(seen.is_some());

    let prepared = prepared_on(pool).await;
    let holds = |needles: &[&str]| {
        prepared
            .iter()
            .any(|s| needles.iter().all(|needle| s.contains(needle)))
    };
    let join = r#"LEFT OUTER JOIN "grants""#;
    for (what, needles) in [
        (
            "create-if-absent",
            &[
                "WITH inserted AS (INSERT INTO agents",
                "WHERE NOT EXISTS (SELECT 1 FROM orgs WHERE orgs.id = $",
            ][..],
        ),
        (
            "get by id",
            &[r#"WHERE (("agents"."id" = $1) AND ("agents"."org_id" = $2))"#],
        ),
        (
            "live agent by name",
            &[r#"("agents"."org_id" = $1) AND ("agents"."name" = $2)) AND agents.status"#],
        ),
        (
            "agent and role by id",
            &[join, r#"("agents"."id" = $2) AND ("agents"."org_id" = $3)"#],
        ),
        (
            "agent and role by name",
            &[
                join,
                r#"("agents"."org_id" = $2) AND ("agents"."name" = $3)"#,
            ],
        ),
        (
            "unfiltered list with the kept total",
            &["FROM agent_status_counts WHERE agent_status_counts.org_id = $"],
        ),
        (
            "status-filtered list with the kept total",
            &[
                "FROM agent_status_counts WHERE agent_status_counts.org_id = $",
                "AND agent_status_counts.status = ANY($",
            ],
        ),
        (
            "filtered list with the bounded count",
            &["(SELECT count(*) FROM (SELECT 1 FROM"],
        ),
        (
            "list of the agents granted to a principal",
            &["agents.id = ANY(ARRAY(SELECT \"grants\".\"agent_id\""],
        ),
        (
            "heartbeat (last_seen_at alone)",
            &["UPDATE agents SET last_seen_at = $1"],
        ),
    ] {
        assert!(
            holds(needles),
            "{what} is not prepared; prepared: {prepared:#?}"
        );
    }
}

/// Key authentication, with the minter rule in the statement (issue 13), stays one prepared
/// statement.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn key_authentication_is_prepared_once_and_reused() {
    use registry_contract::fixtures::{hash, minted_key};
    use registry_ports::{ApiKeyRepository, CredentialStore};
    let db = crate::database().await;
    let pool = db.pool_of(1);
    let store = PgStore::new(pool.clone());
    let agent = agent_named(unique_name("keyed"), LifecycleEvent::Register, now());
    let created = store.create_if_absent(&agent, None, &[]).await.unwrap();
    assert!(created.created);
    let key = minted_key(agent.id, "k", &user("alice"));
    let secret = hash();
    store.create(&key, &secret, &[]).await.unwrap();
    for _ in 0..2 {
        assert_eq!(store.find_key(&secret).await.unwrap(), None);
    }
    let prepared = prepared_on(pool).await;
    assert!(
        prepared
            .iter()
            .any(|s| s.contains("agent_api_keys.created_by = 'admin'")),
        "key authentication is not prepared; prepared: {prepared:#?}"
    );
}
