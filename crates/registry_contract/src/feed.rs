//! `EventLog::feed`: the change feed (contract §10) — one org's events in `seq` order, paged
//! with `after`, filtered, never skipping an event that commits while a reader pages.

use crate::fixtures::*;
use registry_domain::{AgentId, EventKind, NewEvent, Principal, Role};
use registry_ports::{FeedEvent, FeedQuery, Ports, MAX_FEED_LIMIT};
use std::collections::HashSet;
use std::sync::Arc;

/// Every page of `query` from `query.after` on, until an empty page (which answers the same
/// `next_after`); asserts `seq` increases throughout.
pub(crate) async fn read_all(ports: &Ports, query: FeedQuery) -> Vec<FeedEvent> {
    let mut query = query;
    let mut all: Vec<FeedEvent> = Vec::new();
    let mut empty_reads = 0;
    loop {
        let page = ports.events.feed(&query).await.unwrap();
        // The watermark may stay below a transaction of another database that ended a moment
        // ago (ADR 0010: counted until proven elsewhere): an empty page is read again twice.
        if page.events.is_empty() && empty_reads < 2 {
            empty_reads += 1;
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
            continue;
        }
        empty_reads = 0;
        if page.events.is_empty() {
            assert_eq!(
                page.next_after, query.after,
                "an empty page keeps the position"
            );
            return all;
        }
        assert!(page.events.len() <= query.bounded_limit() as usize);
        assert_eq!(page.next_after, page.events.last().unwrap().seq);
        for e in page.events {
            assert!(
                e.seq > query.after,
                "seq {} not after {}",
                e.seq,
                query.after
            );
            query.after = e.seq;
            all.push(e);
        }
    }
}

/// The events of `feed` as written (what was appended, in order).
fn written(feed: &[FeedEvent]) -> Vec<NewEvent> {
    feed.iter().map(|e| e.event.event.clone()).collect()
}

/// The feed pages through every event of the org once, in the order written (several events
/// of one write in their order), with the agent's name; pages of any size give the same feed;
/// a limit past the maximum reads as the maximum.
pub async fn pages_every_event_once_in_order(ports: Ports) {
    let one = saved_agent(&ports).await;
    let two = saved_agent(&ports).await;
    let batch = [
        event(one.id, EventKind::Updated, "admin"),
        event(two.id, EventKind::KeyCreated, "user:alice"),
        event(one.id, EventKind::KeyDeleted, "user:alice"),
    ];
    ports.events.append(&batch).await.unwrap();
    let renamed = event(two.id, EventKind::Renamed, "admin");
    ports
        .events
        .append(std::slice::from_ref(&renamed))
        .await
        .unwrap();
    let whole = read_all(&ports, FeedQuery::whole_org(0, 2)).await;
    let mut expected = vec![
        event(one.id, EventKind::Created, "admin"),
        event(two.id, EventKind::Created, "admin"),
    ];
    expected.extend(batch);
    expected.push(renamed);
    let kinds = |events: &[NewEvent]| -> Vec<(AgentId, EventKind)> {
        events.iter().map(|e| (e.agent_id, e.kind)).collect()
    };
    assert_eq!(kinds(&written(&whole)), kinds(&expected));
    assert_eq!(written(&whole)[2..], expected[2..]);
    assert_eq!(whole[0].agent_name, one.name.to_string());
    assert_eq!(whole[1].agent_name, two.name.to_string());
    let ids: HashSet<i64> = whole.iter().map(|e| e.event.id).collect();
    assert_eq!(ids.len(), whole.len(), "each event once");
    for limit in [1, 3, MAX_FEED_LIMIT, MAX_FEED_LIMIT + 5] {
        let again = read_all(&ports, FeedQuery::whole_org(0, limit)).await;
        assert_eq!(again, whole, "limit {limit}");
    }
    let big = ports
        .events
        .feed(&FeedQuery::whole_org(0, u32::MAX))
        .await
        .unwrap();
    assert_eq!(big.events, whole);
    let rest = read_all(&ports, FeedQuery::whole_org(whole[3].seq, 10)).await;
    assert_eq!(rest, whole[4..]);
    let end = whole.last().unwrap().seq;
    let empty = ports
        .events
        .feed(&FeedQuery::whole_org(end, 10))
        .await
        .unwrap();
    assert_eq!((empty.events.len(), empty.next_after), (0, end));
}

/// `agent_id`, `kind` and `granted_to` narrow the feed: a principal sees the events of the
/// agents it holds a grant on, all of them (past ones too), and none once revoked.
pub async fn filters_by_agent_kind_and_grant(ports: Ports) {
    let one = saved_agent(&ports).await;
    let two = saved_agent(&ports).await;
    ports
        .events
        .append(&[
            event(one.id, EventKind::Updated, "admin"),
            event(two.id, EventKind::Updated, "admin"),
        ])
        .await
        .unwrap();
    let of_one = read_all(
        &ports,
        FeedQuery {
            agent_id: Some(one.id),
            ..FeedQuery::whole_org(0, 10)
        },
    )
    .await;
    let kinds: Vec<EventKind> = of_one.iter().map(|e| e.event.event.kind).collect();
    assert_eq!(kinds, [EventKind::Created, EventKind::Updated]);
    let updated = read_all(
        &ports,
        FeedQuery {
            kind: Some(EventKind::Updated),
            ..FeedQuery::whole_org(0, 10)
        },
    )
    .await;
    let agents: Vec<AgentId> = updated.iter().map(|e| e.event.event.agent_id).collect();
    assert_eq!(agents, [one.id, two.id]);
    let carol: Principal = user("carol");
    let as_carol = FeedQuery {
        granted_to: Some(carol.clone()),
        ..FeedQuery::whole_org(0, 10)
    };
    assert!(read_all(&ports, as_carol.clone()).await.is_empty());
    grant(&ports, two.id, &carol, Role::Viewer).await;
    let seen = read_all(&ports, as_carol.clone()).await;
    let agents: Vec<AgentId> = seen.iter().map(|e| e.event.event.agent_id).collect();
    assert_eq!(
        agents,
        [two.id, two.id],
        "created and updated, granted after both"
    );
    ports.authorizer.revoke(two.id, &carol, &[]).await.unwrap();
    assert!(read_all(&ports, as_carol).await.is_empty());
}

/// A Deleted agent's events stay in the feed, the deletion's included.
pub async fn keeps_deleted_agents_events(ports: Ports) {
    let agent = saved_agent(&ports).await;
    let mut gone = agent.clone();
    registry_domain::apply(
        &mut gone,
        registry_domain::LifecycleEvent::Delete,
        now(),
        "admin",
    )
    .unwrap();
    ports
        .agents
        .update(&gone, &[event(agent.id, EventKind::Transition, "admin")])
        .await
        .unwrap();
    let feed = read_all(&ports, FeedQuery::whole_org(0, 10)).await;
    let kinds: Vec<EventKind> = feed.iter().map(|e| e.event.event.kind).collect();
    assert_eq!(kinds, [EventKind::Created, EventKind::Transition]);
    assert!(feed.iter().all(|e| e.agent_name == agent.name.to_string()));
}

/// The no-skip rule: 8 writers append events (one or three per write) while a reader pages
/// with `after` continuously; the reader sees every committed event exactly once, in `seq`
/// order.
pub async fn concurrent_writers_never_skip(ports: Ports) {
    const WRITERS: usize = 8;
    const WRITES: usize = 40;
    let agents: Vec<AgentId> = {
        let mut v = Vec::new();
        for _ in 0..WRITERS {
            v.push(saved_agent(&ports).await.id);
        }
        v
    };
    let start = read_all(&ports, FeedQuery::whole_org(0, 1000)).await;
    let after = start.last().map_or(0, |e| e.seq);
    let done = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let reader = {
        let (ports, done) = (ports.clone(), done.clone());
        tokio::spawn(async move {
            let mut seen: Vec<FeedEvent> = Vec::new();
            let mut query = FeedQuery::whole_org(after, 7);
            loop {
                let finished = done.load(std::sync::atomic::Ordering::SeqCst);
                let page = ports.events.feed(&query).await.unwrap();
                query.after = page.next_after;
                let empty = page.events.is_empty();
                seen.extend(page.events);
                if finished && empty {
                    return seen;
                }
            }
        })
    };
    let mut writers = Vec::new();
    for (w, agent) in agents.iter().copied().enumerate() {
        let ports = ports.clone();
        writers.push(tokio::spawn(async move {
            for i in 0..WRITES {
                let n = if (w + i) % 5 == 0 { 3 } else { 1 };
                let batch: Vec<NewEvent> = (0..n)
                    .map(|_| event(agent, EventKind::Updated, "admin"))
                    .collect();
                ports.events.append(&batch).await.unwrap();
            }
        }));
    }
    for w in writers {
        w.await.unwrap();
    }
    done.store(true, std::sync::atomic::Ordering::SeqCst);
    let seen = reader.await.unwrap();
    assert!(seen.windows(2).all(|w| w[0].seq < w[1].seq), "seq order");
    let ids: HashSet<i64> = seen.iter().map(|e| e.event.id).collect();
    assert_eq!(ids.len(), seen.len(), "no duplicates");
    let all = read_all(&ports, FeedQuery::whole_org(after, 1000)).await;
    assert_eq!(seen, all, "the live reader saw exactly the committed feed");
    let expected: usize = (0..WRITERS)
        .flat_map(|w| (0..WRITES).map(move |i| if (w + i) % 5 == 0 { 3 } else { 1 }))
        .sum();
    assert_eq!(seen.len(), expected);
}
