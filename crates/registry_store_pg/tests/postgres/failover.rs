//! What the pool does when its connections stop leading to a writable primary (a failover):
//! a connection that met a read-only server is closed, not kept, so the next request opens a
//! new one (which libpq's `target_session_attrs=read-write` sends to the primary); an idle
//! connection whose server side died is found by a ping at checkout and replaced, so a request
//! long after the failover does not fail on it.

use diesel::connection::SimpleConnection;
use registry_contract::fixtures::{event, ready_agent, save};
use registry_domain::EventKind;
use registry_ports::{Ports, RepoError};
use registry_store_pg::{PgStore, IDLE_BEFORE_PING};
use registry_test_db::TestDatabase;

/// Sets (or resets) `default_transaction_read_only` for new sessions of `db`.
fn read_only(db: &TestDatabase, on: bool) {
    let value = if on {
        "SET default_transaction_read_only = on"
    } else {
        "RESET default_transaction_read_only"
    };
    let mut conn = db.connect();
    // Its own statement: a multi-statement string is one transaction, read-only from the start.
    conn.batch_execute("SET default_transaction_read_only = off")
        .unwrap();
    conn.batch_execute(&format!(
        "DO $$ BEGIN EXECUTE format('ALTER DATABASE %I {value}', current_database()); END $$"
    ))
    .unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_connection_that_met_a_read_only_server_is_discarded() {
    let db = crate::database().await;
    // One connection: if the read-only one were kept, it would serve the next write too.
    let ports = Ports::from_store(PgStore::new(db.pool_of(1)));
    read_only(&db, true);
    let agent = ready_agent();
    let created = [event(agent.id, EventKind::Created, "admin")];
    let refused = ports.agents.create_if_absent(&agent, None, &created).await;
    assert!(
        matches!(refused, Err(RepoError::Unavailable(_))),
        "a write on a read-only server is Unavailable (503), got {refused:?}"
    );

    read_only(&db, false);
    let agent = save(&ports, &ready_agent()).await;
    let read = ports.agents.get(agent.id).await.unwrap();
    assert_eq!(read.map(|a| a.id), Some(agent.id));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_idle_connection_whose_server_died_is_replaced_at_checkout() {
    let db = crate::database().await;
    let ports = Ports::from_store(PgStore::new(db.pool_of(1)));
    let agent = save(&ports, &ready_agent()).await;

    // The pool's one connection dies on the server side (as every connection to a failed
    // primary does), then stays idle past the ping threshold.
    db.connect()
        .batch_execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity \
             WHERE datname = current_database() AND pid <> pg_backend_pid()",
        )
        .unwrap();
    tokio::time::sleep(IDLE_BEFORE_PING + std::time::Duration::from_millis(200)).await;

    let read = ports.agents.get(agent.id).await;
    assert_eq!(
        read.unwrap().map(|a| a.id),
        Some(agent.id),
        "the dead idle connection is replaced, not used"
    );
}
