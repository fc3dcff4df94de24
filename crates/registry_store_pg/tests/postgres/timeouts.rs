//! `statement_timeout`: a statement that runs too long is `Unavailable` (503 + `Retry-After`
//! at the HTTP boundary), and the connection it ran on serves the next request.

use diesel::connection::SimpleConnection;
use registry_contract::fixtures::{ready_agent, save};
use registry_ports::{Ports, RepoError};
use registry_store_pg::{build_pool, PgStore, PoolSettings};
use std::time::{Duration, Instant};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_statement_past_the_timeout_is_unavailable_and_the_connection_recovers() {
    let db = crate::database().await;
    // One connection: the one that timed out must be the one that serves next.
    let pool = build_pool(
        db.url(),
        PoolSettings {
            max_size: 1,
            connection_timeout: Duration::from_secs(10),
            statement_timeout: Some(Duration::from_millis(300)),
        },
    );
    let ports = Ports::from_store(PgStore::new(pool));
    let agent = save(&ports, &ready_agent()).await;

    // Another session holds the table: every read of it waits.
    let mut locker = db.connect();
    locker
        .batch_execute("BEGIN; LOCK TABLE agents IN ACCESS EXCLUSIVE MODE;")
        .unwrap();
    let started = Instant::now();
    let blocked = ports.agents.get(agent.id).await;
    let waited = started.elapsed();
    assert!(
        matches!(blocked, Err(RepoError::Unavailable(_))),
        "{blocked:?}"
    );
    assert!(
        waited < Duration::from_secs(5),
        "cancelled after {waited:?}"
    );

    locker.batch_execute("COMMIT").unwrap();
    let served = ports.agents.get(agent.id).await.unwrap();
    assert_eq!(served.map(|a| a.id), Some(agent.id));
}
