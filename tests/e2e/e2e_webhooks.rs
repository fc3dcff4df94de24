//! Webhooks on the real binary (contract §10): a receiver on 127.0.0.1 (allowed by
//! `WEBHOOK_ALLOW_HTTP` / `WEBHOOK_ALLOW_PRIVATE_TARGETS`) gets every event at least once, the
//! first successes in `seq` order, signatures that `standardwebhooks` (PyPI) and our own check
//! verify, through failures and a SIGKILL of the server; two replicas deliver each event once;
//! a rotation sends both signatures; unsafe targets are refused.

use registry_e2e::{Client, TestServer};
use serde_json::{json, Value};
use std::collections::{BTreeMap, HashMap, HashSet};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const OPEN: &[(&str, &str)] = &[
    ("WEBHOOK_ALLOW_HTTP", "true"),
    ("WEBHOOK_ALLOW_PRIVATE_TARGETS", "true"),
    ("WEBHOOK_TIMEOUT_SECONDS", "2"),
];

/// One request the receiver got.
#[derive(Debug, Clone)]
struct Received {
    headers: BTreeMap<String, String>,
    body: String,
    /// Whether the receiver answered 2xx.
    accepted: bool,
}

impl Received {
    fn id(&self) -> &str {
        &self.headers["webhook-id"]
    }

    fn seq(&self) -> i64 {
        let body: Value = serde_json::from_str(&self.body).unwrap();
        body["data"]["seq"].as_i64().unwrap()
    }
}

/// A tiny HTTP/1.1 receiver: answers 500 to its first `fail_first` requests, 204 after.
struct Receiver {
    url: String,
    got: Arc<Mutex<Vec<Received>>>,
}

impl Receiver {
    fn start(fail_first: usize) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}/hook", listener.local_addr().unwrap());
        let got = Arc::new(Mutex::new(Vec::new()));
        let failures = Arc::new(AtomicUsize::new(fail_first));
        let (log, left) = (got.clone(), failures);
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let (log, left) = (log.clone(), left.clone());
                std::thread::spawn(move || serve(stream, &log, &left));
            }
        });
        Self { url, got }
    }

    fn received(&self) -> Vec<Received> {
        self.got.lock().unwrap().clone()
    }

    /// Waits (up to `within`) until `ids` were all accepted; panics with what arrived.
    fn wait_for(&self, ids: &HashSet<String>, within: Duration) {
        let deadline = Instant::now() + within;
        loop {
            let accepted: HashSet<String> = self
                .received()
                .iter()
                .filter(|r| r.accepted)
                .map(|r| r.id().to_owned())
                .collect();
            if ids.is_subset(&accepted) {
                return;
            }
            assert!(
                Instant::now() < deadline,
                "{} of {} events delivered after {within:?}",
                ids.intersection(&accepted).count(),
                ids.len()
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

/// Reads requests off one connection and answers each.
fn serve(stream: TcpStream, log: &Mutex<Vec<Received>>, left: &AtomicUsize) {
    let mut reader = BufReader::new(stream.try_clone().unwrap());
    let mut out = stream;
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).unwrap_or(0) == 0 {
            return;
        }
        let mut headers = BTreeMap::new();
        loop {
            let mut h = String::new();
            if reader.read_line(&mut h).unwrap_or(0) == 0 {
                return;
            }
            let h = h.trim_end();
            if h.is_empty() {
                break;
            }
            if let Some((k, v)) = h.split_once(':') {
                headers.insert(k.trim().to_ascii_lowercase(), v.trim().to_owned());
            }
        }
        let length: usize = headers
            .get("content-length")
            .and_then(|l| l.parse().ok())
            .unwrap_or(0);
        let mut body = vec![0; length];
        if reader.read_exact(&mut body).is_err() {
            return;
        }
        let fail = left
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1))
            .is_ok();
        log.lock().unwrap().push(Received {
            headers,
            body: String::from_utf8(body).unwrap(),
            accepted: !fail,
        });
        let answer = if fail {
            "HTTP/1.1 500 Internal Server Error\r\ncontent-length: 9\r\n\r\nnot today"
        } else {
            "HTTP/1.1 204 No Content\r\n\r\n"
        };
        if out.write_all(answer.as_bytes()).is_err() {
            return;
        }
    }
}

fn subscribe(admin: &Client, url: &str) -> (String, String) {
    let created = admin.post("/webhooks", &json!({"url": url}));
    assert_eq!(created.status, 201, "{}", created.body);
    let body = created.json();
    (
        body["id"].as_str().unwrap().to_owned(),
        body["secret"].as_str().unwrap().to_owned(),
    )
}

/// Registers `n` agents named `<prefix>-<i>`: one `created` event each.
fn write_events(admin: &Client, prefix: &str, n: usize) {
    for i in 0..n {
        let r = admin.post(
            "/agents/register-build",
            &json!({"name": format!("{prefix}-{i}"), "description": "d"}),
        );
        assert_eq!(r.status, 200, "{}", r.body);
    }
}

/// The ids of the org's events after `after`, as the database holds them.
fn event_ids(server: &TestServer, after: i64) -> HashSet<String> {
    server
        .texts(&format!(
            "SELECT id::text AS t FROM agent_events WHERE seq > {after}"
        ))
        .into_iter()
        .collect()
}

fn position(server: &TestServer, webhook: &str) -> i64 {
    server.texts(&format!(
        "SELECT position::text AS t FROM webhooks WHERE id = '{webhook}'"
    ))[0]
        .parse()
        .unwrap()
}

/// Verifies every request with `standardwebhooks` under every secret given; returns how many
/// request × secret checks passed.
fn python_verifies(requests: &[(&Received, Vec<String>)]) -> u64 {
    let python =
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../target/webhooks-venv/bin/python");
    assert!(
        python.exists(),
        "the Standard Webhooks verifier is not installed: run `just tools` (creates target/webhooks-venv with standardwebhooks==1.0.0)"
    );
    let script = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("compat/webhook_verify.py");
    let cases: Vec<Value> = requests
        .iter()
        .map(|(r, secrets)| json!({"secrets": secrets, "headers": r.headers, "body": r.body}))
        .collect();
    let file = std::env::temp_dir().join(format!("webhooks-{}.json", uuid::Uuid::new_v4()));
    std::fs::write(&file, serde_json::to_vec(&cases).unwrap()).unwrap();
    let out = std::process::Command::new(python)
        .arg(script)
        .arg(&file)
        .output()
        .unwrap();
    let _ = std::fs::remove_file(&file);
    assert!(
        out.status.success(),
        "standardwebhooks refused a request: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    report["checks"].as_u64().unwrap()
}

/// Our own check of a request's signatures.
fn our_check_verifies(r: &Received, secret: &str) -> bool {
    let key = registry_signing::parse_webhook_secret(secret).unwrap();
    let ts: i64 = r.headers["webhook-timestamp"].parse().unwrap();
    registry_signing::verify_webhook_signature(
        &r.headers["webhook-signature"],
        &key,
        r.id(),
        ts,
        r.body.as_bytes(),
    )
}

#[test]
fn every_event_arrives_in_order_signed_through_failures_and_a_kill() {
    let receiver = Receiver::start(3);
    let mut server = TestServer::start_with(OPEN);
    let admin = server.admin();
    let (webhook, secret) = subscribe(&admin, &receiver.url);
    let start = position(&server, &webhook);
    write_events(&admin, "early", 20);
    // Kill the server (SIGKILL) once some, not all, are delivered; restart it on the same
    // database; then write more.
    let deadline = Instant::now() + Duration::from_secs(60);
    while receiver.received().iter().filter(|r| r.accepted).count() < 5 {
        assert!(Instant::now() < deadline, "nothing delivered");
        std::thread::sleep(Duration::from_millis(20));
    }
    server.kill_and_restart(OPEN);
    let admin = server.admin();
    write_events(&admin, "late", 20);
    let expected = event_ids(&server, start);
    assert_eq!(expected.len(), 40);
    receiver.wait_for(&expected, Duration::from_secs(90));

    let received = receiver.received();
    // The first successful delivery of each event, in arrival order, is in seq order.
    let mut firsts: Vec<i64> = Vec::new();
    let mut seen = HashSet::new();
    for r in received.iter().filter(|r| r.accepted) {
        if seen.insert(r.id().to_owned()) {
            firsts.push(r.seq());
        }
    }
    assert!(
        firsts.windows(2).all(|w| w[0] < w[1]),
        "out of order: {firsts:?}"
    );
    assert_eq!(firsts.len(), 40);
    // A duplicate (a retry, or a resend after the kill) carries the same id and body.
    let mut bodies: HashMap<&str, &str> = HashMap::new();
    for r in &received {
        let body = bodies.entry(r.id()).or_insert(&r.body);
        assert_eq!(*body, r.body, "the same webhook-id with another body");
    }
    let failures = received.iter().filter(|r| !r.accepted).count();
    assert_eq!(failures, 3);
    // Every request: JSON, Standard Webhooks headers, a signature both checks accept.
    for r in &received {
        assert_eq!(r.headers["content-type"], "application/json");
        assert!(r.headers.contains_key("content-length"));
        assert!(
            our_check_verifies(r, &secret),
            "our check refused {}",
            r.id()
        );
        let body: Value = serde_json::from_str(&r.body).unwrap();
        assert_eq!(
            body["type"],
            format!("agent.{}", body["data"]["kind"].as_str().unwrap())
        );
        assert_eq!(body["data"]["id"].to_string(), r.id());
        assert_eq!(body["data"]["org"], "default");
    }
    let with_secret: Vec<(&Received, Vec<String>)> =
        received.iter().map(|r| (r, vec![secret.clone()])).collect();
    assert_eq!(python_verifies(&with_secret), received.len() as u64);
    let last = firsts.last().copied().unwrap();
    let deadline = Instant::now() + Duration::from_secs(10);
    while position(&server, &webhook) != last {
        assert!(
            Instant::now() < deadline,
            "the position never reached the last delivered event"
        );
        std::thread::sleep(Duration::from_millis(50));
    }

    // The delivery log: the three 500s, each retried, newest first.
    let log = admin.get(&format!("/webhooks/{webhook}/deliveries?limit=1000"));
    assert_eq!(log.status, 200);
    let log = log.json();
    let rows = log.as_array().unwrap();
    let failed: Vec<&Value> = rows.iter().filter(|d| d["status_code"] == 500).collect();
    assert_eq!(failed.len(), 3, "{log}");
    assert!(failed.iter().all(|d| d["error"]
        .as_str()
        .unwrap()
        .starts_with("HTTP 500: not today")));
    assert!(failed.iter().all(|d| d["next_attempt_at"].is_string()));
    assert!(rows.iter().filter(|d| d["error"].is_null()).count() >= 40 - 20);
    // One log line per attempt; metrics by outcome and the backlog's age.
    let logs = server.logs_containing("webhook attempt");
    assert!(logs.contains("\"outcome\":\"delivered\""), "{logs}");
    let metrics = admin.get("/metrics").body;
    assert!(
        metrics.contains("webhook_deliveries_total{outcome=\"delivered\"}"),
        "{metrics}"
    );
    assert!(metrics.contains(&format!(
        "webhook_oldest_undelivered_seconds{{webhook_id=\"{webhook}\"}}"
    )));
    println!(
        "webhook e2e: events 40, requests {}, failures injected {failures}, restarts 1, delivered at least once 40/40",
        received.len()
    );
}

#[test]
fn a_rotation_signs_with_both_secrets_during_the_overlap() {
    let receiver = Receiver::start(0);
    let server = TestServer::start_with(OPEN);
    let admin = server.admin();
    let (webhook, old) = subscribe(&admin, &receiver.url);
    let rotated = admin.post_empty(&format!("/webhooks/{webhook}/rotate-secret"));
    assert_eq!(rotated.status, 200, "{}", rotated.body);
    let new = rotated.json()["secret"].as_str().unwrap().to_owned();
    assert_ne!(new, old);
    write_events(&admin, "rotated", 1);
    receiver.wait_for(&event_ids(&server, 0), Duration::from_secs(30));
    let received = receiver.received();
    let r = &received[0];
    assert_eq!(
        r.headers["webhook-signature"].matches("v1,").count(),
        2,
        "{:?}",
        r.headers
    );
    assert!(our_check_verifies(r, &old) && our_check_verifies(r, &new));
    assert_eq!(python_verifies(&[(r, vec![old, new])]), 2);
}

#[test]
fn two_replicas_deliver_each_event_exactly_once() {
    let receiver = Receiver::start(0);
    let server = TestServer::start_with(OPEN);
    let replica = server.replica(OPEN);
    let admin = server.admin();
    let mut hooks = Vec::new();
    for _ in 0..4 {
        hooks.push(subscribe(&admin, &receiver.url).0);
    }
    // Writes through both replicas.
    write_events(&admin, "one", 15);
    write_events(&replica.admin(), "two", 15);
    let expected = event_ids(&server, 0);
    assert_eq!(expected.len(), 30);
    let deadline = Instant::now() + Duration::from_secs(60);
    while receiver.received().len() < 4 * 30 {
        assert!(
            Instant::now() < deadline,
            "{} of 120 delivered",
            receiver.received().len()
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    std::thread::sleep(Duration::from_millis(1500));
    let received = receiver.received();
    assert_eq!(
        received.len(),
        120,
        "each event once per subscription, no more"
    );
    let per_id: HashMap<&str, usize> = received.iter().fold(HashMap::new(), |mut m, r| {
        *m.entry(r.id()).or_default() += 1;
        m
    });
    assert_eq!(per_id.len(), 30);
    assert!(per_id.values().all(|n| *n == 4), "{per_id:?}");
    let log_total: usize = hooks
        .iter()
        .map(|h| {
            admin
                .get(&format!("/webhooks/{h}/deliveries"))
                .header("x-total-count")
                .unwrap()
                .parse::<usize>()
                .unwrap()
        })
        .sum();
    assert_eq!(log_total, 120);
}

/// A name other than `localhost` that the system resolves to a loopback address (from
/// /etc/hosts), to prove names are resolved before they are trusted.
fn loopback_name() -> String {
    let hosts = std::fs::read_to_string("/etc/hosts").unwrap_or_default();
    hosts
        .lines()
        .filter_map(|l| {
            let mut words = l.split_whitespace();
            let ip: std::net::IpAddr = words.next()?.parse().ok()?;
            ip.is_loopback()
                .then_some(words.map(str::to_owned).collect::<Vec<_>>())
        })
        .flatten()
        .find(|name| !name.starts_with('#') && !name.ends_with("localhost"))
        .expect("/etc/hosts names a host other than localhost on a loopback address")
}

#[test]
fn unsafe_targets_are_refused_at_create_and_at_delivery() {
    let receiver = Receiver::start(0);
    let server = TestServer::start_with(&[("WEBHOOK_ALLOW_HTTP", "true")]);
    let admin = server.admin();
    let alias = loopback_name();
    for url in [
        receiver.url.clone(),
        "http://localhost:9/".to_owned(),
        format!("http://{alias}:9/"),
        "https://10.1.2.3/".to_owned(),
        "https://192.168.1.1/".to_owned(),
        "https://169.254.169.254/latest/meta-data".to_owned(),
        "https://[::1]/".to_owned(),
        "https://[fe80::1]/".to_owned(),
        "https://0.0.0.0/".to_owned(),
    ] {
        let refused = admin.post("/webhooks", &json!({"url": url}));
        assert_eq!(refused.status, 422, "{url}: {}", refused.body);
        assert_eq!(refused.json()["errors"][0]["field"], "url", "{url}");
    }
    let https_only = TestServer::start();
    let plain = https_only
        .admin()
        .post("/webhooks", &json!({"url": "http://hooks.example.com/"}));
    assert_eq!(
        (plain.status, plain.json()["errors"][0]["field"].clone()),
        (422, json!("url"))
    );

    // A target that became unsafe after it was stored is refused again at delivery, against
    // the address the name resolves to then.
    server.texts(&format!(
        "INSERT INTO webhooks (id, org_id, url, status, secret, position, next_attempt_at, \
         created_at, updated_at) VALUES ('00000000-0000-0000-0000-0000000000aa', \
         '00000000-0000-0000-0000-000000000001', 'http://{alias}:{}/hook', 'enabled', \
         decode(repeat('ab', 32), 'hex'), 0, now(), now(), now()) RETURNING id::text AS t",
        receiver
            .url
            .rsplit(':')
            .next()
            .unwrap()
            .trim_end_matches("/hook")
    ));
    write_events(&admin, "guarded", 1);
    let deadline = Instant::now() + Duration::from_secs(30);
    let log = loop {
        let log = admin
            .get("/webhooks/00000000-0000-0000-0000-0000000000aa/deliveries")
            .json();
        if !log.as_array().unwrap().is_empty() {
            break log;
        }
        assert!(Instant::now() < deadline, "no attempt logged");
        std::thread::sleep(Duration::from_millis(50));
    };
    let error = log[0]["error"].as_str().unwrap();
    assert!(error.starts_with("refused target"), "{error}");
    assert!(
        receiver.received().is_empty(),
        "nothing reached the receiver"
    );
}
