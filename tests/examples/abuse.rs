//! `just abuse`: the latency figures of issue 13 on the release binary, loopback only, bounded
//! (about a minute): `/healthz` while 2,000 bodies stall, and one user's reads while another
//! floods `limit=1000` lists with 64 and 256 connections. Environment: MAX_INFLIGHT_PER_PRINCIPAL
//! (32), ABUSE_CONNECTIONS (64,256), ABUSE_RUST_LOG (warn).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use registry_e2e::load::{percentile, stall_bodies, timed, while_flooding, Conn};
use registry_e2e::{seed_agents, TestServer, ADMIN_TOKEN};
use std::time::{Duration, Instant};

fn summary(mut samples: Vec<Duration>) -> String {
    format!(
        "n {}, p50 {:.2?}, p99 {:.2?}, max {:.2?}",
        samples.len(),
        percentile(&mut samples, 50.0),
        percentile(&mut samples, 99.0),
        percentile(&mut samples, 100.0)
    )
}

fn main() {
    let log = std::env::var("ABUSE_RUST_LOG").unwrap_or_else(|_| "warn".to_owned());
    let inflight = std::env::var("MAX_INFLIGHT_PER_PRINCIPAL").unwrap_or_else(|_| "32".to_owned());
    println!("release agent-registry, WORKERS=2, DB_POOL_SIZE=4, RUST_LOG={log}");

    // Item 2: 2,000 bodies stalled by one principal (its in-flight cap lifted: with the cap,
    // all but 32 would be refused at once), /healthz probed meanwhile on fresh connections.
    let server = TestServer::start_with(&[
        ("RUST_LOG", log.as_str()),
        ("MAX_INFLIGHT_PER_PRINCIPAL", "100000"),
    ]);
    let healthz = || {
        let mut c = Conn::open(&server.base).unwrap();
        assert_eq!(c.exchange("GET", "/healthz", &[]).unwrap().status, 200);
    };
    println!("/healthz idle: {}", summary(timed(500, healthz)));
    let started = Instant::now();
    let stalled = stall_bodies(&server.base, 2_000, "/agents/register-build", ADMIN_TOKEN).unwrap();
    let sent = started.elapsed();
    let probes = timed(1_000, healthz);
    let probed = started.elapsed();
    let mut timeouts = 0;
    for mut c in stalled {
        c.read_timeout(Duration::from_secs(30)).unwrap();
        timeouts += usize::from(c.read_response(false).is_ok_and(|r| r.status == 408));
    }
    println!(
        "/healthz with 2,000 stalled bodies (sent in {sent:.2?}, probes done at {probed:.2?}): {}; \
         {timeouts}/2000 stalled requests got 408, the last by {:.2?} (BODY_READ_TIMEOUT_SECONDS=10)",
        summary(probes),
        started.elapsed()
    );
    drop(server);

    let server = TestServer::start_with(&[
        ("RUST_LOG", log.as_str()),
        ("MAX_INFLIGHT_PER_PRINCIPAL", inflight.as_str()),
    ]);
    println!("MAX_INFLIGHT_PER_PRINCIPAL={inflight}");
    // Item 6: alice floods lists of 1,000 agents; bob reads his agent by id.
    let alice = server.user("alice");
    seed_agents(&alice, 1_000);
    let bob = server.user("bob");
    let id = bob.register_build("bobs-agent")["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let read = || {
        let r = bob.get(&format!("/agents/{id}"));
        assert_eq!(r.status, 200, "{}", r.body);
    };
    println!(
        "bob's GET /agents/{{id}} idle: {}",
        summary(timed(500, read))
    );
    let floods = std::env::var("ABUSE_CONNECTIONS").unwrap_or_else(|_| "64,256".to_owned());
    for connections in floods
        .split(',')
        .map(|n| n.trim().parse::<usize>().unwrap())
    {
        let (flood, reads) = while_flooding(
            &server.base,
            alice.token().unwrap(),
            connections,
            "/agents?limit=1000",
            || timed(300, read),
        );
        println!(
            "bob's GET /agents/{{id}} while alice floods with {connections} connections: {}; \
             alice got {} × 200, {} × 429 ({} other, {} connection errors)",
            summary(reads),
            flood.count(200),
            flood.count(429),
            flood.total() - flood.count(200) - flood.count(429),
            flood.connection_errors
        );
    }
}
