//! The change feed's no-skip rule on PostgreSQL (ADR 0010): events whose transactions commit
//! out of `seq` order are never skipped by a reader paging with `after`, an older transaction
//! still in flight holds newer events back, and a transaction in another database does not.

use crate::database;
use diesel::connection::Connection;
use diesel::pg::PgConnection;
use diesel::prelude::*;
use registry_contract::fixtures::{event, saved_agent};
use registry_domain::{AgentId, EventKind};
use registry_ports::{FeedQuery, Ports};
use registry_store_pg::PgStore;
use registry_test_db::TestDatabase;
use std::collections::HashSet;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

/// The `default` org's id.
const DEFAULT_ORG: &str = "00000000-0000-0000-0000-000000000001";

/// Inserts `n` events of `agent` in the current transaction of `conn`, numbered 0..n.
fn insert_events(conn: &mut PgConnection, agent: AgentId, n: i32) {
    diesel::sql_query(format!(
        "INSERT INTO agent_events (seq, agent_id, org_id, kind, actor, at)
         SELECT agent_event_seq(g), '{agent}', '{DEFAULT_ORG}', 'updated', 'writer', now()
           FROM generate_series(0, {n} - 1) g"
    ))
    .execute(conn)
    .unwrap();
}

/// Every event of the default org's feed after `after`, in pages of 1000.
async fn drain(ports: &Ports, after: i64) -> Vec<(i64, i64)> {
    let mut query = FeedQuery::whole_org(after, 1000);
    let mut all = Vec::new();
    loop {
        let page = ports.events.feed(&query).await.unwrap();
        if page.events.is_empty() {
            return all;
        }
        all.extend(page.events.iter().map(|e| (e.seq, e.event.id)));
        query.after = page.next_after;
    }
}

/// A small deterministic generator (xorshift), so the test needs no random crate.
struct Jitter(u64);

impl Jitter {
    fn next(&mut self, below: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 % below
    }
}

/// 16 writers, each on its own connection, commit ≥ 5,000 events in transactions of 1..=4
/// events that stay open 0..=4 ms after writing (so they commit out of `seq` order), one in
/// ten rolled back instead (abandoned positions), while a reader pages with `after` as fast
/// as it can: the reader sees every committed event exactly once, in `seq` order, and nothing
/// rolled back.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_reader_paging_during_16_writers_sees_every_event_once_in_order() {
    const WRITERS: u64 = 16;
    const TRANSACTIONS: u64 = 150;
    let db = database().await;
    let ports = Ports::from_store(PgStore::new(db.pool_of(4)));
    let mut agents = Vec::new();
    for _ in 0..WRITERS {
        agents.push(saved_agent(&ports).await.id);
    }
    let start = drain(&ports, 0).await;
    let after = start.last().map_or(0, |e| e.0);
    let done = Arc::new(AtomicBool::new(false));
    let reader = {
        let (ports, done) = (ports.clone(), done.clone());
        tokio::spawn(async move {
            let (mut query, mut seen, mut pages) =
                (FeedQuery::whole_org(after, 100), Vec::new(), 0);
            loop {
                let finished = done.load(Ordering::SeqCst);
                let page = ports.events.feed(&query).await.unwrap();
                pages += 1;
                query.after = page.next_after;
                let empty = page.events.is_empty();
                seen.extend(page.events.iter().map(|e| (e.seq, e.event.id)));
                if finished && empty {
                    return (seen, pages);
                }
            }
        })
    };
    let writers: Vec<_> = agents
        .iter()
        .copied()
        .zip(1u64..)
        .map(|(agent, w)| {
            let url = db.url().to_owned();
            std::thread::spawn(move || {
                let mut conn = PgConnection::establish(&url).unwrap();
                let mut jitter = Jitter(0x9E37_79B9_7F4A_7C15 ^ w);
                let (mut committed, mut abandoned) = (0u64, 0u64);
                for _ in 0..TRANSACTIONS {
                    let n = 1 + jitter.next(4);
                    let hold = jitter.next(5);
                    let keep = jitter.next(10) != 0;
                    let outcome = conn.transaction::<_, diesel::result::Error, _>(|conn| {
                        insert_events(conn, agent, n as i32);
                        std::thread::sleep(Duration::from_millis(hold));
                        if keep {
                            Ok(())
                        } else {
                            Err(diesel::result::Error::RollbackTransaction)
                        }
                    });
                    match outcome {
                        Ok(()) => committed += n,
                        Err(_) => abandoned += n,
                    }
                }
                (committed, abandoned)
            })
        })
        .collect();
    let (mut written, mut rolled_back) = (0, 0);
    for w in writers {
        let (c, a) = tokio::task::spawn_blocking(move || w.join().unwrap())
            .await
            .unwrap();
        written += c;
        rolled_back += a;
    }
    done.store(true, Ordering::SeqCst);
    let (seen, pages) = reader.await.unwrap();
    let committed = drain(&ports, after).await;
    let ids: HashSet<i64> = seen.iter().map(|e| e.1).collect();
    let duplicates = seen.len() - ids.len();
    let missing = committed.iter().filter(|e| !ids.contains(&e.1)).count();
    println!(
        "no-skip: {WRITERS} writers, {written} events committed, {rolled_back} rolled back, \
         read {} in {pages} pages, gaps {missing}, duplicates {duplicates}",
        seen.len()
    );
    assert!(written >= 5_000, "only {written} events written");
    assert_eq!(
        committed.len() as u64,
        written,
        "the feed holds every committed event"
    );
    assert_eq!((missing, duplicates), (0, 0));
    assert!(seen.windows(2).all(|w| w[0].0 < w[1].0), "seq order");
    assert_eq!(seen, committed);
}

/// An older transaction still in flight holds the newer events back (they would otherwise
/// be read before it commits below them, and its events skipped); once it commits, both come
/// in `seq` order. A transaction holding an xid in another database holds nothing back.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_open_older_writer_holds_the_feed_and_another_databases_does_not() {
    let db = database().await;
    let ports = Ports::from_store(PgStore::new(db.pool_of(2)));
    let agent = saved_agent(&ports).await.id;
    let after = drain(&ports, 0).await.last().map_or(0, |e| e.0);

    let mut elsewhere = PgConnection::establish(&TestDatabase::server_url()).unwrap();
    diesel::sql_query("BEGIN").execute(&mut elsewhere).unwrap();
    diesel::sql_query("SELECT pg_current_xact_id()")
        .execute(&mut elsewhere)
        .unwrap();
    ports
        .events
        .append(&[event(agent, EventKind::Updated, "admin")])
        .await
        .unwrap();
    assert_eq!(
        drain(&ports, after).await.len(),
        1,
        "another database holds nothing back"
    );
    let after = drain(&ports, after).await[0].0;

    let mut older = db.connect();
    diesel::sql_query("BEGIN").execute(&mut older).unwrap();
    insert_events(&mut older, agent, 1);
    ports
        .events
        .append(&[event(agent, EventKind::Renamed, "admin")])
        .await
        .unwrap();
    assert!(
        drain(&ports, after).await.is_empty(),
        "the newer event waits for the older writer"
    );
    diesel::sql_query("COMMIT").execute(&mut older).unwrap();
    let both = drain(&ports, after).await;
    assert_eq!(both.len(), 2);
    let feed = ports
        .events
        .feed(&FeedQuery::whole_org(after, 10))
        .await
        .unwrap();
    let kinds: Vec<EventKind> = feed.events.iter().map(|e| e.event.event.kind).collect();
    assert_eq!(
        kinds,
        [EventKind::Updated, EventKind::Renamed],
        "older first"
    );
    diesel::sql_query("ROLLBACK")
        .execute(&mut elsewhere)
        .unwrap();
}
