//! Abuse resistance of the binary (issue 13): bounded metrics under random methods, slow bodies,
//! per-principal fairness, HEAD on the wire. Loopback only; every load is bounded in count.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use registry_e2e::load::{Conn, Rng};
use registry_e2e::TestServer;

/// Issue 13 item 4: 10,000 requests with random method tokens (up to 64 characters) answer 501
/// and grow `/metrics` by less than 10 KB.
#[test]
fn random_methods_are_501_and_do_not_grow_metrics() {
    let server = TestServer::start();
    let initial = server.anonymous().get("/metrics").body.len();
    let paths = ["/agents", "/healthz", "/nowhere", "/agents/name/x"];
    let mut conn = Conn::open(&server.base).unwrap();
    for path in paths {
        assert_eq!(conn.exchange("BREW", path, &[]).unwrap().status, 501);
    }
    // From here on the series of `other` exist: only their counts may change.
    let before = server.anonymous().get("/metrics").body.len();
    let mut rng = Rng::new();
    let mut statuses = std::collections::BTreeMap::new();
    let mut longest = String::new();
    for i in 0..10_000 {
        let method = rng.method(64);
        if method.len() > longest.len() {
            longest.clone_from(&method);
        }
        let r = conn
            .exchange(&method, paths[i % paths.len()], &[])
            .unwrap_or_else(|e| panic!("request {i} {method:?}: {e}"));
        *statuses.entry(r.status).or_insert(0) += 1;
    }
    let after = server.anonymous().get("/metrics").body.len();
    let growth = after.saturating_sub(before);
    println!(
        "/metrics: {initial} B at start, {before} B after one unserved method on each of 4 paths, \
         {after} B after 10,000 random methods (+{growth} B; +{} B from the start); {statuses:?}",
        after - initial
    );
    assert!(growth < 10 * 1024, "metrics grew by {growth} B");
    assert!(
        statuses.keys().all(|s| [400, 501].contains(s)),
        "{statuses:?}"
    );
    assert!(statuses[&501] >= 5_000, "{statuses:?}");
    let logs = server.logs();
    assert!(logs.contains(r#""method":"other""#));
    assert!(
        !logs.contains(&longest),
        "a client's method token reached the log"
    );
}
