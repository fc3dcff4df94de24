//! PostgreSQL-only races: invariants hold under many parallel writers on separate connections.

use crate::database;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Text};
use registry_contract::fixtures::{
    agent_named, event, later, now, promotion, ready_deployment, save, unique_name, user,
};
use registry_domain::state_machine::REASON_EXPIRED;
use registry_domain::{
    apply, AgentName, AgentStatus, EventKind, EventTemplate, LifecycleEvent, Transition,
};
use registry_ports::{AgentQuery, Constraint, HeartbeatExpiry, Ports, RepoError};
use registry_store_pg::PgStore;
use registry_test_db::TestDatabase;
use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, Ordering};
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

/// A heartbeat monitor's expiry: Ready agents seen before now become Unhealthy.
fn expiry() -> HeartbeatExpiry {
    let at = now();
    HeartbeatExpiry {
        from: AgentStatus::Ready,
        seen_before: at,
        transition: Transition {
            to: AgentStatus::Unhealthy,
            reason: REASON_EXPIRED,
        },
        at,
        event: EventTemplate {
            kind: EventKind::Transition,
            from_status: Some(AgentStatus::Ready),
            to_status: Some(AgentStatus::Unhealthy),
            actor: "system".to_owned(),
            at,
            detail: serde_json::json!({}),
        },
    }
}

/// One writer's rounds, each on whichever pooled connection (so count row) it gets: per four
/// rounds one agent ends Ready (built, then promoted), one Unhealthy (left for the monitors),
/// one Deleted (Ready → Unhealthy → Ready → Deleted) and one BuildOnly.
async fn write_rounds(agents: Arc<dyn registry_ports::AgentRepository>, rounds: u32) {
    let change = |mut agent: registry_domain::Agent, event| {
        let agents = agents.clone();
        async move {
            apply(&mut agent, event, now(), "admin").unwrap();
            agents.update(&agent, &[]).await.unwrap()
        }
    };
    for round in 0..rounds {
        let (event, seen) = match round % 4 {
            0 | 3 => (LifecycleEvent::RegisterBuild, None),
            1 => (LifecycleEvent::Register, Some(later(now(), -3600))),
            _ => (LifecycleEvent::Register, None),
        };
        let mut agent = agent_named(unique_name("cnt"), event, now());
        agent.last_seen_at = seen;
        let stored = agents
            .create_if_absent(&agent, None, &[])
            .await
            .unwrap()
            .agent;
        match round % 4 {
            0 => {
                change(stored, LifecycleEvent::Promote).await;
            }
            2 => {
                let unhealthy = change(stored, LifecycleEvent::HeartbeatExpired).await;
                let ready = change(unhealthy, LifecycleEvent::Heartbeat).await;
                change(ready, LifecycleEvent::Delete).await;
            }
            _ => {}
        }
    }
}

/// The per-status counts the trigger keeps (the status-filtered and unfiltered lists'
/// `X-Total-Count`) stay equal to real counts while 16 connections create agents, change their
/// statuses and delete them in parallel — a change often landing on another connection (so
/// another count row) than the create — and two heartbeat monitors expire stale agents, many
/// per statement, meanwhile. No write fails (no deadlock between count rows).
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_kept_status_counts_match_real_counts_under_parallel_writes() {
    let db = database().await;
    let ports = ports_on(&db, 18);
    let writing = Arc::new(AtomicBool::new(true));
    let monitors: Vec<_> = (0..2)
        .map(|_| {
            let (agents, writing) = (ports.agents.clone(), writing.clone());
            tokio::spawn(async move {
                let mut expired = 0;
                while writing.load(Ordering::Relaxed) {
                    expired += agents.expire_heartbeats(&expiry()).await.unwrap().len();
                    tokio::task::yield_now().await;
                }
                expired
            })
        })
        .collect();
    let writers: Vec<_> = (0..16)
        .map(|_| tokio::spawn(write_rounds(ports.agents.clone(), 12)))
        .collect();
    for t in writers {
        t.await.unwrap();
    }
    writing.store(false, Ordering::Relaxed);
    let mut expired = 0;
    for m in monitors {
        expired += m.await.unwrap();
    }
    expired += ports
        .agents
        .expire_heartbeats(&expiry())
        .await
        .unwrap()
        .len();
    assert_eq!(expired, 16 * 3, "every stale agent expired once");

    let by_status = |sql: &str| {
        let mut conn = db.connect();
        diesel::sql_query(sql)
            .load::<StatusCount>(&mut conn)
            .unwrap()
            .into_iter()
            .filter(|c| c.n != 0)
            .map(|c| (c.status, c.n))
            .collect::<BTreeMap<String, i64>>()
    };
    let real = by_status(
        "SELECT status, count(*) AS n FROM agents WHERE status <> 'Deleted' GROUP BY status",
    );
    let expected: BTreeMap<String, i64> = ["BuildOnly", "Ready", "Unhealthy"]
        .into_iter()
        .map(|s| (s.to_owned(), 16 * 3))
        .collect();
    assert_eq!(real, expected);
    let kept =
        by_status("SELECT status, sum(n)::bigint AS n FROM agent_status_counts GROUP BY status");
    assert_eq!(kept, real);
    for status in AgentStatus::ALL {
        let query = AgentQuery {
            statuses: vec![*status],
            ..AgentQuery::default()
        };
        let listed = ports.agents.list(&query).await.unwrap();
        let want = real.get(status.as_str()).copied().unwrap_or(0);
        assert_eq!(listed.total, u64::try_from(want).unwrap(), "{status}");
        assert!(!listed.total_capped);
    }
    let all = ports.agents.list(&AgentQuery::default()).await.unwrap();
    assert_eq!(all.total, 16 * 9);
}

#[derive(QueryableByName)]
struct StatusCount {
    #[diesel(sql_type = Text)]
    status: String,
    #[diesel(sql_type = BigInt)]
    n: i64,
}
