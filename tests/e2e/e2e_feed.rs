//! The change feed end to end (contract §10): a reader paging `GET /events?after=` while 16
//! clients write through two replicas sees every event exactly once, in `seq` order; the
//! Server-Sent Events stream delivers a write made on either replica within a second,
//! resumes after `Last-Event-ID`, and keeps the connection alive.

use registry_e2e::{Client, TestServer};
use serde_json::Value;
use std::collections::HashSet;
use std::io::{BufRead, BufReader};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Pages `/events` from `after` with `limit` until an empty page; returns the events.
fn drain(client: &Client, mut after: i64, limit: u32) -> Vec<Value> {
    let mut all = Vec::new();
    loop {
        let r = client.get(&format!("/events?after={after}&limit={limit}"));
        assert_eq!(r.status, 200, "{}", r.body);
        let page = r.json();
        let events = page["events"].as_array().unwrap().clone();
        if events.is_empty() {
            assert_eq!(page["next_after"], after);
            return all;
        }
        after = page["next_after"].as_i64().unwrap();
        all.extend(events);
    }
}

#[test]
fn a_reader_paging_during_16_parallel_writers_sees_every_event_once_in_order() {
    const WRITERS: usize = 16;
    const WRITES: usize = 25;
    let server = TestServer::start();
    let replica = server.replica(&[]);
    let done = Arc::new(AtomicBool::new(false));
    let reader = {
        let (client, done) = (server.admin(), done.clone());
        std::thread::spawn(move || {
            let (mut after, mut seen, mut pages) = (0i64, Vec::new(), 0);
            loop {
                let finished = done.load(Ordering::SeqCst);
                let page = client
                    .get(&format!("/events?after={after}&limit=37"))
                    .json();
                pages += 1;
                let events = page["events"].as_array().unwrap().clone();
                after = page["next_after"].as_i64().unwrap();
                let empty = events.is_empty();
                seen.extend(events);
                if finished && empty {
                    return (seen, pages);
                }
            }
        })
    };
    let writers: Vec<_> = (0..WRITERS)
        .map(|w| {
            let client = if w % 2 == 0 {
                server.admin()
            } else {
                replica.admin()
            };
            std::thread::spawn(move || {
                for i in 0..WRITES {
                    let agent = client.register_build(&format!("feed-{w}-{i}"));
                    if i % 3 == 0 {
                        let id = agent["id"].as_str().unwrap();
                        let body = serde_json::json!({"description": format!("v{i}")});
                        assert_eq!(client.patch(&format!("/agents/{id}"), &body).status, 200);
                    }
                }
            })
        })
        .collect();
    for w in writers {
        w.join().unwrap();
    }
    done.store(true, Ordering::SeqCst);
    let (seen, pages) = reader.join().unwrap();
    let all = drain(&server.admin(), 0, 1000);
    let seqs: Vec<i64> = seen.iter().map(|e| e["seq"].as_i64().unwrap()).collect();
    let ids: HashSet<i64> = seen.iter().map(|e| e["id"].as_i64().unwrap()).collect();
    let missing = all
        .iter()
        .filter(|e| !ids.contains(&e["id"].as_i64().unwrap()))
        .count();
    println!(
        "e2e no-skip: {} events written by {WRITERS} clients on 2 replicas, read {} in {pages} \
         pages, gaps {missing}, duplicates {}",
        all.len(),
        seen.len(),
        seen.len() - ids.len()
    );
    assert!(all.len() >= WRITERS * WRITES, "{} events", all.len());
    assert_eq!((missing, seen.len() - ids.len()), (0, 0));
    assert!(seqs.windows(2).all(|w| w[0] < w[1]), "seq order");
    assert_eq!(seen, all);
}

/// One frame of an event stream.
#[derive(Debug, Clone, PartialEq)]
enum Frame {
    /// A `: ...` comment line.
    Comment(String),
    /// An event: `id`, `event` and the parsed `data`.
    Event(i64, String, Value),
}

/// An open `GET /events/stream`, read by a thread of its own into a channel of frames.
struct Stream {
    frames: mpsc::Receiver<Frame>,
}

impl Stream {
    /// Opens the stream as `client` with `Last-Event-ID` when given; asserts the headers.
    fn open(client: &Client, query: &str, last_event_id: Option<i64>) -> Self {
        let mut req = client.request("GET", &format!("/events/stream{query}"));
        if let Some(id) = last_event_id {
            req = req.set("Last-Event-ID", &id.to_string());
        }
        let resp = req.call().expect("the stream opens");
        assert_eq!(resp.status(), 200);
        assert_eq!(resp.header("content-type"), Some("text/event-stream"));
        let (tx, frames) = mpsc::channel();
        std::thread::spawn(move || {
            let reader = BufReader::new(resp.into_reader());
            let mut fields: Vec<String> = Vec::new();
            for line in reader.lines() {
                let Ok(line) = line else { return };
                if !line.is_empty() {
                    fields.push(line);
                    continue;
                }
                let frame = parse(&fields);
                fields.clear();
                if tx.send(frame).is_err() {
                    return;
                }
            }
        });
        Self { frames }
    }

    /// The next frame within `within`, if one came.
    fn next(&self, within: Duration) -> Option<Frame> {
        self.frames.recv_timeout(within).ok()
    }

    /// The next event frame within `within`, skipping comments.
    fn next_event(&self, within: Duration) -> Option<(i64, String, Value)> {
        let until = Instant::now() + within;
        loop {
            let left = until.checked_duration_since(Instant::now())?;
            if let Frame::Event(id, kind, data) = self.next(left)? {
                return Some((id, kind, data));
            }
        }
    }
}

/// The frame of one block of lines.
fn parse(lines: &[String]) -> Frame {
    if let [only] = lines {
        if let Some(comment) = only.strip_prefix(':') {
            return Frame::Comment(comment.trim().to_owned());
        }
    }
    let field = |name: &str| {
        lines
            .iter()
            .find_map(|l| l.strip_prefix(&format!("{name}: ")))
            .unwrap_or_else(|| panic!("no {name} in {lines:?}"))
            .to_owned()
    };
    Frame::Event(
        field("id").parse().unwrap(),
        field("event"),
        serde_json::from_str(&field("data")).unwrap(),
    )
}

#[test]
fn the_stream_delivers_writes_of_either_replica_within_a_second_resumes_and_keeps_alive() {
    let env = [("SSE_KEEPALIVE_MS", "500")];
    let mut server = TestServer::start_with(&env);
    let replica = server.replica(&env);
    let admin = server.admin();
    admin.register_build("sse-before");
    let stream = Stream::open(&admin, "?after=0", None);
    assert_eq!(
        stream.next(Duration::from_secs(5)),
        Some(Frame::Comment("stream open".to_owned()))
    );
    let (first, kind, data) = stream.next_event(Duration::from_secs(5)).unwrap();
    assert_eq!(
        (kind.as_str(), &data["agent_name"]),
        ("created", &Value::from("sse-before"))
    );
    assert_eq!(data["seq"], first);

    let mut worst = Duration::ZERO;
    let mut last = first;
    for (client, name) in [
        (replica.admin(), "sse-on-replica"),
        (admin.clone(), "sse-on-server"),
        (replica.admin(), "sse-on-replica-again"),
    ] {
        client.register_build(name);
        let committed = Instant::now();
        let (id, _, data) = stream
            .next_event(Duration::from_secs(1))
            .unwrap_or_else(|| panic!("{name} not delivered within 1 s of its commit"));
        worst = worst.max(committed.elapsed());
        assert_eq!(data["agent_name"], name);
        assert!(id > last);
        last = id;
    }
    println!("sse: worst delivery {worst:?} after the write's response");

    let quiet = Instant::now();
    let keep_alive = stream.next(Duration::from_secs(2));
    assert_eq!(keep_alive, Some(Frame::Comment("keep-alive".to_owned())));
    assert!(
        quiet.elapsed() <= Duration::from_millis(1500),
        "{:?}",
        quiet.elapsed()
    );

    // Resumption: events written while no stream listens come first, once each.
    drop(stream);
    let (on_replica_id, resume_after) = {
        let all = drain(&admin, 0, 1000);
        let of = |name: &str| {
            all.iter().find(|e| e["agent_name"] == name).unwrap()["seq"]
                .as_i64()
                .unwrap()
        };
        (of("sse-on-replica"), of("sse-on-server"))
    };
    admin.register_build("sse-while-away");
    let resumed = Stream::open(&admin, "?after=0", Some(resume_after));
    let names: Vec<String> = std::iter::from_fn(|| resumed.next_event(Duration::from_secs(2)))
        .take(2)
        .map(|(_, _, d)| d["agent_name"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(names, ["sse-on-replica-again", "sse-while-away"]);
    let by_after = Stream::open(&admin, &format!("?after={on_replica_id}"), None);
    let (_, _, next) = by_after.next_event(Duration::from_secs(2)).unwrap();
    assert_eq!(next["agent_name"], "sse-on-server");

    // A user sees only what it may read: nothing here, yet its stream stays alive.
    let nobody = server.user("nobody");
    let theirs = Stream::open(&nobody, "?after=0", None);
    let frames: Vec<Frame> = std::iter::from_fn(|| theirs.next(Duration::from_secs(2)))
        .take(3)
        .collect();
    assert_eq!(frames[0], Frame::Comment("stream open".to_owned()));
    assert!(frames[1..]
        .iter()
        .all(|f| *f == Frame::Comment("keep-alive".to_owned())));
    assert_eq!(frames.len(), 3);

    // A graceful stop ends the open streams rather than waiting its timeout out for them.
    let stopping = Stream::open(&admin, "?after=0", None);
    assert!(stopping.next(Duration::from_secs(2)).is_some());
    let asked = Instant::now();
    server.send_sigterm();
    let status = server.wait_exit(Duration::from_secs(10));
    assert!(status.success(), "{status:?}");
    assert!(asked.elapsed() < Duration::from_secs(10));
    while stopping.next(Duration::from_secs(2)).is_some() {}
}
