//! The database goes away and comes back: while it is away, requests answer 503 `unavailable`
//! (problem+json, `Retry-After`) within the pool timeout and `/readyz` answers 503; when it is
//! back, the same server answers again by itself. The outage is a TCP proxy between the server
//! and PostgreSQL that the test cuts (every open connection reset, new ones refused) and
//! restores.

use registry_e2e::{text, unique_name, TestServer};
use registry_test_db::TestDatabase;
use serde_json::json;
use std::io;
use std::net::{Shutdown, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::{Duration, Instant};

/// A TCP proxy to one upstream address that can be cut and restored.
struct Proxy {
    port: u16,
    open: Arc<AtomicBool>,
    streams: Arc<Mutex<Vec<TcpStream>>>,
}

impl Proxy {
    /// Listens on a free 127.0.0.1 port and forwards each connection to `upstream`.
    fn start(upstream: String) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let open = Arc::new(AtomicBool::new(true));
        let streams = Arc::new(Mutex::new(Vec::new()));
        let (accept_open, accept_streams) = (open.clone(), streams.clone());
        thread::spawn(move || {
            for client in listener.incoming() {
                let Ok(client) = client else { continue };
                if !accept_open.load(Ordering::SeqCst) {
                    let _ = client.shutdown(Shutdown::Both);
                    continue;
                }
                let Ok(server) = TcpStream::connect(&upstream) else {
                    continue;
                };
                let mut kept = accept_streams.lock().unwrap();
                kept.push(client.try_clone().unwrap());
                kept.push(server.try_clone().unwrap());
                pipe(client.try_clone().unwrap(), server.try_clone().unwrap());
                pipe(server, client);
            }
        });
        Proxy {
            port,
            open,
            streams,
        }
    }

    /// Resets every forwarded connection and refuses new ones.
    fn cut(&self) {
        self.open.store(false, Ordering::SeqCst);
        for stream in self.streams.lock().unwrap().drain(..) {
            let _ = stream.shutdown(Shutdown::Both);
        }
    }

    /// Forwards new connections again.
    fn restore(&self) {
        self.open.store(true, Ordering::SeqCst);
    }
}

/// Copies `from` into `to` on a thread until either side closes.
fn pipe(mut from: TcpStream, mut to: TcpStream) {
    thread::spawn(move || {
        let _ = io::copy(&mut from, &mut to);
        let _ = to.shutdown(Shutdown::Both);
    });
}

/// `url` with its `host:port` replaced by 127.0.0.1:`port`.
fn through_port(url: &str, port: u16) -> (String, String) {
    let (scheme, rest) = url.split_once("://").unwrap();
    let (userinfo, rest) = rest.split_once('@').unwrap();
    let (authority, path) = rest.split_once('/').unwrap();
    let proxied = format!("{scheme}://{userinfo}@127.0.0.1:{port}/{path}");
    (proxied, authority.to_owned())
}

#[test]
fn an_outage_is_503_with_retry_after_and_the_server_recovers_by_itself() {
    let db = TestDatabase::new();
    let (url, upstream) = through_port(db.url(), 0);
    let proxy = Proxy::start(upstream);
    let (proxied, _) = through_port(&url, proxy.port);
    let server = TestServer::start_on(
        db,
        &[
            ("DATABASE_URL", proxied.as_str()),
            ("DB_POOL_TIMEOUT_MS", "500"),
        ],
    );
    let admin = server.admin();
    let created = admin.post(
        "/agents/register-build",
        &json!({"name": "outage", "description": "survives an outage"}),
    );
    assert_eq!(created.status, 200, "{}", created.body);
    let path = format!("/agents/{}", created.json()["id"].as_str().unwrap());

    proxy.cut();
    let started = Instant::now();
    let during = admin.get(&path);
    assert_eq!(during.status, 503, "{}", during.body);
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "answered after {:?}",
        started.elapsed()
    );
    assert_eq!(during.header("retry-after"), Some("1"));
    assert_eq!(during.json()["code"], "unavailable");
    assert_eq!(
        during.header("content-type"),
        Some("application/problem+json")
    );
    assert_eq!(server.anonymous().get("/readyz").status, 503);

    proxy.restore();
    let deadline = Instant::now() + Duration::from_secs(20);
    let mut after = admin.get(&path);
    while after.status != 200 && Instant::now() < deadline {
        thread::sleep(Duration::from_millis(100));
        after = admin.get(&path);
    }
    assert_eq!(after.status, 200, "not recovered: {}", after.body);
    assert_eq!(after.json()["name"], "outage");
    assert_eq!(server.anonymous().get("/readyz").status, 200);
}

/// A statement past `DB_STATEMENT_TIMEOUT_MS` (300 ms here): a lock the test holds on `agents`
/// makes the request's statement wait until PostgreSQL cancels it. The request answers 503
/// `unavailable` with `Retry-After`, no statement is left waiting, and the next request is
/// served — on the same connection, as the pool holds only one.
#[test]
fn a_statement_past_the_statement_timeout_is_503_and_the_next_request_is_served() {
    let server = TestServer::start_with(&[
        ("DB_STATEMENT_TIMEOUT_MS", "300"),
        ("DB_POOL_SIZE", "1"),
        // No monitor run competes for the one connection.
        ("HEARTBEAT_CHECK_INTERVAL_SECONDS", "3600"),
    ]);
    let admin = server.admin();
    let id = text(&admin.register_build(&unique_name("slow")), "id");
    let path = format!("/agents/{id}");
    let lock = server.lock_table("agents");
    let started = Instant::now();
    let slow = admin.get(&path);
    let took = started.elapsed();
    println!(
        "a statement held by a table lock answered {} after {took:?}",
        slow.status
    );
    assert_eq!(slow.status, 503, "{}", slow.body);
    assert_eq!(slow.json()["code"], "unavailable");
    assert_eq!(slow.header("retry-after"), Some("1"));
    assert!(
        took >= Duration::from_millis(300) && took < Duration::from_secs(5),
        "answered after {took:?}"
    );
    assert_eq!(server.lock_waiters(), 0, "the statement was cancelled");
    lock.release();
    let next = admin.get(&path);
    assert_eq!(next.status, 200, "{}", next.body);
    assert_eq!(next.json()["id"], id.as_str());
}
