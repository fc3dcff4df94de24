//! Organizations under concurrency, on PostgreSQL: the quota holds across server replicas
//! (separate pools), and the kept per-org counts stay exact under parallel writes in two orgs.

use crate::concurrency::{expiry, write_rounds};
use crate::database;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Text};
use registry_contract::fixtures::{event, ready_agent, user};
use registry_contract::subject::org_named;
use registry_domain::{AgentStatus, EventKind, OrgId, QuotaExceeded};
use registry_ports::{AgentQuery, Ports, RepoError, Tenancy};
use registry_store_pg::PgStore;
use registry_test_db::TestDatabase;
use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use tokio::sync::Barrier;

/// Live agents of `org`, counted in the table itself.
fn live_in(db: &TestDatabase, org: OrgId) -> i64 {
    #[derive(QueryableByName)]
    struct Count {
        #[diesel(sql_type = BigInt)]
        n: i64,
    }
    let mut conn = db.connect();
    diesel::sql_query(
        "SELECT count(*) AS n FROM agents WHERE org_id = $1::uuid AND status <> 'Deleted'",
    )
    .bind::<Text, _>(org.as_uuid().to_string())
    .get_result::<Count>(&mut conn)
    .unwrap()
    .n
}

/// Creates a fresh Ready agent in `ports`' org, owned by `user:alice`, with an event.
async fn create(ports: &Ports) -> Result<(), RepoError> {
    let agent = ready_agent();
    let events = [event(agent.id, EventKind::Created, "user:alice")];
    let outcome = ports
        .agents
        .create_if_absent(&agent, Some(user("alice")), &events)
        .await?;
    assert!(outcome.created, "a fresh name is created");
    Ok(())
}

/// Three servers (three pools, 8 connections each) race 24 creates of distinct names into an
/// org at `current = limit − 1`, all released at once, in several rounds (a fresh org each):
/// exactly one is created, the 23 others are `QuotaExceeded { limit, current: limit }`, and
/// the database holds exactly `limit` live agents in that org.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_quota_holds_across_three_servers() {
    const RACERS: usize = 24;
    let db = database().await;
    let servers: Vec<Arc<PgStore>> = (0..3).map(|_| PgStore::new(db.pool_of(8))).collect();
    for (round, limit) in [1_u32, 5, 12].into_iter().enumerate() {
        let org = org_named(&format!("race-{round}"), Some(limit));
        let org_ports = servers[0].ports(OrgId::DEFAULT).orgs;
        org_ports.create_org(&org).await.unwrap();
        let setup = servers[0].ports(org.id);
        for _ in 1..limit {
            create(&setup).await.unwrap();
        }
        let start = Arc::new(Barrier::new(RACERS));
        let racers: Vec<_> = (0..RACERS)
            .map(|i| {
                let ports = servers[i % 3].ports(org.id);
                let start = start.clone();
                tokio::spawn(async move {
                    start.wait().await;
                    create(&ports).await
                })
            })
            .collect();
        let mut created = 0;
        for racer in racers {
            match racer.await.unwrap() {
                Ok(()) => created += 1,
                Err(err) => assert_eq!(
                    err,
                    RepoError::QuotaExceeded(QuotaExceeded {
                        limit,
                        current: u64::from(limit),
                    }),
                    "limit {limit}"
                ),
            }
        }
        assert_eq!(created, 1, "limit {limit}: exactly one create wins");
        assert_eq!(live_in(&db, org.id), i64::from(limit), "limit {limit}");
        let listed = setup.agents.list(&AgentQuery::default()).await.unwrap();
        assert_eq!(listed.total, u64::from(limit), "the kept count agrees");
    }
}

#[derive(QueryableByName)]
struct OrgStatusCount {
    #[diesel(sql_type = Text)]
    org: String,
    #[diesel(sql_type = Text)]
    status: String,
    #[diesel(sql_type = BigInt)]
    n: i64,
}

/// `(org, status) → n` from `sql`, zero counts left out.
fn by_org_and_status(db: &TestDatabase, sql: &str) -> BTreeMap<(String, String), i64> {
    let mut conn = db.connect();
    diesel::sql_query(sql)
        .load::<OrgStatusCount>(&mut conn)
        .unwrap()
        .into_iter()
        .filter(|c| c.n != 0)
        .map(|c| ((c.org, c.status), c.n))
        .collect()
}

/// 16 connections create, change and delete agents in two orgs at once (8 writers each: one
/// org with a quota, so its creates take the locked path, one without), while two heartbeat
/// monitors expire stale agents across both: afterwards the kept counts equal real counts per
/// org and status, and each org's list totals (unfiltered and per status) are its own.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_kept_counts_are_exact_per_org_under_parallel_writes() {
    let db = database().await;
    let store = PgStore::new(db.pool_of(18));
    let capped = org_named("counted-capped", Some(10_000));
    let free = org_named("counted-free", None);
    for org in [&capped, &free] {
        let orgs = store.ports(OrgId::DEFAULT).orgs;
        orgs.create_org(org).await.unwrap();
    }
    let writing = Arc::new(AtomicBool::new(true));
    let monitors: Vec<_> = (0..2)
        .map(|_| {
            let (agents, writing) = (store.ports(OrgId::DEFAULT).agents, writing.clone());
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
        .map(|i| {
            let org = if i % 2 == 0 { capped.id } else { free.id };
            tokio::spawn(write_rounds(store.ports(org).agents, 12))
        })
        .collect();
    for writer in writers {
        writer.await.unwrap();
    }
    writing.store(false, Ordering::Relaxed);
    let mut expired = 0;
    for monitor in monitors {
        expired += monitor.await.unwrap();
    }
    let monitor = store.ports(OrgId::DEFAULT).agents;
    expired += monitor.expire_heartbeats(&expiry()).await.unwrap().len();
    assert_eq!(expired, 16 * 3, "every stale agent expired once");

    let real = by_org_and_status(
        &db,
        "SELECT org_id::text AS org, status, count(*) AS n FROM agents
          WHERE status <> 'Deleted' GROUP BY org_id, status",
    );
    let mut expected = BTreeMap::new();
    for org in [&capped, &free] {
        for status in ["BuildOnly", "Ready", "Unhealthy"] {
            let key = (org.id.as_uuid().to_string(), status.to_owned());
            expected.insert(key, 8 * 3);
        }
    }
    assert_eq!(real, expected);
    let kept = by_org_and_status(
        &db,
        "SELECT org_id::text AS org, status, sum(n)::bigint AS n FROM agent_status_counts
          GROUP BY org_id, status",
    );
    assert_eq!(kept, real);
    for org in [&capped, &free] {
        let agents = store.ports(org.id).agents;
        let all = agents.list(&AgentQuery::default()).await.unwrap();
        assert_eq!(all.total, 8 * 9, "{}", org.slug);
        for status in AgentStatus::ALL {
            let query = AgentQuery {
                statuses: vec![*status],
                ..AgentQuery::default()
            };
            let listed = agents.list(&query).await.unwrap();
            let want = real
                .get(&(org.id.as_uuid().to_string(), status.as_str().to_owned()))
                .copied()
                .unwrap_or(0);
            assert_eq!(listed.total, u64::try_from(want).unwrap(), "{status}");
        }
    }
    let in_default = store.ports(OrgId::DEFAULT).agents;
    assert_eq!(
        in_default.list(&AgentQuery::default()).await.unwrap().total,
        0
    );
}
