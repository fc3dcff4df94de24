//! PostgreSQL-only races: invariants hold under many parallel writers on separate connections.

use crate::database;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Text};
use registry_contract::fixtures::{
    agent_named, event, now, promotion, ready_deployment, save, unique_name, user,
};
use registry_domain::{apply, AgentName, EventKind, LifecycleEvent};
use registry_ports::{Constraint, Ports, RepoError};
use registry_store_pg::PgStore;
use registry_test_db::TestDatabase;
use std::sync::Arc;

/// The ports over `db` with a pool of `connections`.
fn ports_on(db: &TestDatabase, connections: u32) -> Ports {
    Ports::from_store(PgStore::new(db.pool_of(connections)))
}

#[derive(QueryableByName)]
struct Count {
    #[diesel(sql_type = BigInt)]
    n: i64,
}

fn count(db: &TestDatabase, sql: &str, name: &str) -> i64 {
    let mut conn = db.connect();
    diesel::sql_query(sql)
        .bind::<Text, _>(name)
        .get_result::<Count>(&mut conn)
        .unwrap()
        .n
}

fn live_agents_named(db: &TestDatabase, name: &AgentName) -> i64 {
    count(
        db,
        "SELECT count(*) AS n FROM agents WHERE name = $1 AND status <> 'Deleted'",
        name.as_str(),
    )
}

/// 64 parallel create_if_absent of one name, each on its own pooled connection: one row, one
/// `created`, one owner grant, one event.
#[tokio::test(flavor = "multi_thread", worker_threads = 8)]
async fn parallel_create_if_absent_creates_one_row() {
    let db = database().await;
    let ports = ports_on(&db, 64);
    let name = unique_name("race");
    let barrier = Arc::new(tokio::sync::Barrier::new(64));
    let tasks: Vec<_> = (0..64)
        .map(|i| {
            let (agents, barrier) = (ports.agents.clone(), barrier.clone());
            let agent = agent_named(name.clone(), LifecycleEvent::RegisterBuild, now());
            tokio::spawn(async move {
                barrier.wait().await;
                let evs = [event(agent.id, EventKind::Created, "t")];
                agents
                    .create_if_absent(&agent, Some(user(&format!("u{i}"))), &evs)
                    .await
            })
        })
        .collect();
    let mut outcomes = Vec::new();
    for t in tasks {
        outcomes.push(t.await.unwrap().unwrap());
    }
    assert_eq!(outcomes.iter().filter(|o| o.created).count(), 1);
    let id = outcomes[0].agent.id;
    assert!(outcomes.iter().all(|o| o.agent.id == id));
    assert_eq!(
        count(
            &db,
            "SELECT count(*) AS n FROM agents WHERE name = $1",
            name.as_str()
        ),
        1
    );
    let grants = count(
        &db,
        "SELECT count(*) AS n FROM grants WHERE agent_id::text = $1",
        &id.to_string(),
    );
    assert_eq!(grants, 1);
    let events = count(
        &db,
        "SELECT count(*) AS n FROM agent_events WHERE agent_id::text = $1",
        &id.to_string(),
    );
    assert_eq!(events, 1);
}

/// Two parallel promotes of different Ready deployments of one agent, many times: exactly one
/// production deployment each time, and the agent points at it.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn parallel_promotes_leave_one_production_deployment() {
    let db = database().await;
    let ports = ports_on(&db, 8);
    for _ in 0..20 {
        let agent = save(&ports, &registry_contract::fixtures::ready_agent()).await;
        let d1 = ready_deployment(&ports, agent.id).await;
        let d2 = ready_deployment(&ports, agent.id).await;
        let promote = |d| {
            let (deployments, decided) = (ports.deployments.clone(), promotion(&agent, d, now()));
            tokio::spawn(async move { deployments.promote(&decided, &[]).await })
        };
        let (a, b) = (promote(&d1), promote(&d2));
        let results = [a.await.unwrap(), b.await.unwrap()];
        let winners: Vec<_> = results.iter().filter_map(|r| r.as_ref().ok()).collect();
        assert_eq!(winners.len(), 1, "{results:?}");
        for r in &results {
            if let Err(e) = r {
                assert_eq!(*e, RepoError::Conflict(Constraint::StaleVersion));
            }
        }
        let production = count(
            &db,
            "SELECT count(*) AS n FROM deployments WHERE is_production AND agent_id::text = $1",
            &agent.id.to_string(),
        );
        assert_eq!(production, 1);
        let stored = ports.agents.get(agent.id).await.unwrap().unwrap();
        assert_eq!(stored.production_deployment_id, Some(winners[0].0.id));
    }
}

/// register-build (create_if_absent) racing a delete of the same name, many times: never two
/// live agents with that name, and every outcome is consistent.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn register_build_racing_delete_never_leaves_two_live_agents() {
    let db = database().await;
    let ports = ports_on(&db, 16);
    for _ in 0..40 {
        let name = unique_name("flip");
        let first = save(
            &ports,
            &agent_named(name.clone(), LifecycleEvent::Register, now()),
        )
        .await;
        let deleter = {
            let agents = ports.agents.clone();
            let mut gone = first.clone();
            tokio::spawn(async move {
                apply(&mut gone, LifecycleEvent::Delete, now(), "admin").unwrap();
                agents.update(&gone, &[]).await
            })
        };
        let builders: Vec<_> = (0..3)
            .map(|_| {
                let agents = ports.agents.clone();
                let agent = agent_named(name.clone(), LifecycleEvent::RegisterBuild, now());
                tokio::spawn(async move { agents.create_if_absent(&agent, None, &[]).await })
            })
            .collect();
        deleter.await.unwrap().unwrap();
        let mut created = 0;
        for b in builders {
            let out = b.await.unwrap().unwrap();
            created += usize::from(out.created);
            if !out.created {
                // Either it saw the old agent before the delete, or the one a racer created.
                assert!(out.agent.id == first.id || out.agent.name == name);
            }
        }
        assert!(created <= 1, "{created} agents created for one free name");
        let live = live_agents_named(&db, &name);
        assert_eq!(live, i64::try_from(created).unwrap());
        let by_name = ports.agents.get_live_by_name(&name).await.unwrap();
        assert_eq!(by_name.is_some(), created == 1);
    }
}

/// The trigger-kept live count (the unfiltered list's `X-Total-Count`) stays equal to a real
/// count while 16 connections create and delete agents in parallel, deletes often landing on a
/// different connection (so a different count row) than the create.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_kept_live_count_matches_a_real_count_under_parallel_writes() {
    let db = database().await;
    let ports = ports_on(&db, 16);
    let tasks: Vec<_> = (0..16)
        .map(|_| {
            let agents = ports.agents.clone();
            tokio::spawn(async move {
                for round in 0..12 {
                    let agent = agent_named(unique_name("cnt"), LifecycleEvent::Register, now());
                    let mut stored = agents
                        .create_if_absent(&agent, None, &[])
                        .await
                        .unwrap()
                        .agent;
                    if round % 3 != 0 {
                        apply(&mut stored, LifecycleEvent::Delete, now(), "admin").unwrap();
                        agents.update(&stored, &[]).await.unwrap();
                    }
                }
            })
        })
        .collect();
    for t in tasks {
        t.await.unwrap();
    }
    let real = count(
        &db,
        "SELECT count(*) AS n FROM agents WHERE status <> 'Deleted' AND $1 = $1",
        "",
    );
    assert_eq!(real, 16 * 4, "4 of every 12 agents stay live");
    let listed = ports
        .agents
        .list(&registry_ports::AgentQuery::default())
        .await
        .unwrap();
    assert_eq!(listed.total, 16 * 4);
    let kept = count(
        &db,
        "SELECT sum(n)::bigint AS n FROM agent_live_counts WHERE $1 = $1",
        "",
    );
    assert_eq!(kept, real);
}
