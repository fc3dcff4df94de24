//! A list response's memory is bounded (contract §8, issue 13 item 3): pages over the byte
//! budget are refused naming `limit`, the largest pages that fit keep the server's peak RSS
//! bounded under parallel load, and oversized or compressed request bodies are refused.

use diesel::connection::SimpleConnection;
use registry_e2e::{Client, TestServer};

/// Peak and current resident set of a process, in MiB (`VmHWM`, `VmRSS`).
fn rss_mib(pid: u32) -> (f64, f64) {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    let field = |name: &str| {
        status
            .lines()
            .find(|l| l.starts_with(name))
            .and_then(|l| l.split_whitespace().nth(1))
            .map(|kb| kb.parse::<f64>().unwrap() / 1024.0)
            .unwrap()
    };
    (field("VmHWM:"), field("VmRSS:"))
}

/// `n` live agents with ~60 KB of metadata each, written in SQL (seconds, not minutes).
fn seed_fat_agents(server: &TestServer, n: usize) {
    let mut conn = server.db.connect();
    conn.batch_execute(&format!(
        "INSERT INTO agents (id, name, description, status, status_reason, acp_type,
                             registration_metadata, created_at, updated_at, version, org_id)
         SELECT gen_random_uuid(), 'fat-' || i, 'a fat agent', 'BuildOnly', 'seeded', 'async',
                jsonb_build_object('blob', repeat('x', 60000)), now(), now(), 1,
                '00000000-0000-0000-0000-000000000001'
           FROM generate_series(1, {n}) AS i"
    ))
    .unwrap();
}

/// Sends `GET path` from 16 threads, `rounds` times each; returns every status.
fn parallel_gets(client: &Client, path: &str, rounds: usize) -> Vec<u16> {
    let handles: Vec<_> = (0..16)
        .map(|_| {
            let c = client.clone();
            let path = path.to_owned();
            std::thread::spawn(move || (0..rounds).map(|_| c.get(&path).status).collect::<Vec<_>>())
        })
        .collect();
    handles
        .into_iter()
        .flat_map(|h| h.join().unwrap())
        .collect()
}

#[test]
fn fat_pages_are_refused_and_parallel_lists_keep_memory_bounded() {
    // Requests queue for the 4 connections instead of timing out: this test is about memory.
    let server = TestServer::start_with(&[("DB_POOL_TIMEOUT_MS", "120000")]);
    let admin = server.admin();
    seed_fat_agents(&server, 1000);
    let (_, before) = rss_mib(server.pid());

    let refused = admin.get("/agents?limit=1000");
    assert_eq!(refused.status, 422, "{}", refused.body);
    let problem = refused.json();
    assert_eq!(problem["errors"][0]["field"], "limit");
    let reason = problem["errors"][0]["reason"].as_str().unwrap();
    assert!(reason.contains("at most 87 per page"), "{reason}");

    let statuses = parallel_gets(&admin, "/agents?limit=1000", 4);
    assert!(statuses.iter().all(|s| *s == 422), "{statuses:?}");
    // The largest page that fits, 16 at a time. A debug build serializing 16 pages of 5 MB on
    // two workers may time some requests out (408/503): the point here is memory, so only
    // enough full pages must have been served.
    let statuses = parallel_gets(&admin, "/agents?limit=87", 4);
    let served = statuses.iter().filter(|s| **s == 200).count();
    assert!(served >= 32, "{statuses:?}");
    let (peak, _) = rss_mib(server.pid());
    // jemalloc's background thread returns freed pages about a second after the burst.
    std::thread::sleep(std::time::Duration::from_secs(3));
    let (_, after) = rss_mib(server.pid());
    println!(
        "RSS before {before:.1} MiB, peak {peak:.1} MiB, after {after:.1} MiB \
         (16 parallel limit=1000 refused, {served} limit=87 pages of 60 KB agents served 16 at a time)"
    );
    assert!(peak <= 256.0, "peak RSS {peak:.1} MiB");
    assert!(
        after <= 2.0 * before,
        "RSS {after:.1} MiB after the load, {before:.1} MiB before"
    );
}

/// A body over 1 MiB is refused with 413 over a real socket, a compressed one with 415, and the
/// binary keeps serving.
#[test]
fn oversized_and_compressed_request_bodies_are_refused() {
    let server = TestServer::start();
    let admin = server.admin();
    let huge = format!(
        r#"{{"name":"big","description":"{}"}}"#,
        "x".repeat(1024 * 1024 + 10)
    );
    let r = admin.post_raw("/agents/register-build", &huge);
    assert_eq!(r.status, 413, "{}", r.body);
    assert_eq!(
        r.header("content-type"),
        Some("application/problem+json"),
        "{:?}",
        r.headers
    );
    let req = admin
        .request("POST", "/agents/register-build")
        .set("Content-Encoding", "gzip");
    let r = Client::send(req, Some(r#"{"name": "zipped", "description": "d"}"#));
    assert_eq!(r.status, 415, "{}", r.body);
    assert_eq!(r.json()["code"], "unsupported_media_type");
    let after = admin.get("/agents");
    assert_eq!(after.status, 200, "still serving: {}", after.body);
    assert_eq!(
        after.header("x-total-count"),
        Some("0"),
        "nothing was created"
    );
}
