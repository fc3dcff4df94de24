//! Operations surface of the binary: request ids in its log, metrics of its pool, shutdown.

use registry_e2e::{text, unique_name, TestServer};
use serde_json::json;
use std::time::Duration;

/// What only the binary wires: its request log carries the request id, and `/metrics` counts
/// requests by route template beside the gauges of the real pool (`DB_POOL_SIZE=4`). (Health,
/// readiness, the metrics' format and the OpenAPI document are the HTTP tests' `http_ops`; every
/// e2e server start waits for `/readyz` on the real database.)
#[test]
fn request_ids_reach_the_log_and_metrics_show_the_real_pool() {
    let server = TestServer::start();
    let admin = server.admin();
    let r = registry_e2e::Client::send(
        admin
            .request("GET", "/agents")
            .set("X-Request-Id", "abc-123"),
        None,
    );
    assert_eq!(r.header("x-request-id"), Some("abc-123"));
    let r = admin.get("/agents");
    assert!(r.header("x-request-id").is_some_and(|v| !v.is_empty()));
    assert!(
        server.logs_containing("abc-123").contains("abc-123"),
        "the request id is in the request log"
    );
    let metrics = server.anonymous().get("/metrics");
    assert_eq!(metrics.status, 200);
    assert!(
        metrics.body.contains("/agents"),
        "requests by route template: {}",
        metrics.body
    );
    assert!(
        metrics.body.contains("db_pool_max_connections 4"),
        "{}",
        metrics.body
    );
}

/// SIGTERM while a request is in flight: the request completes with its normal answer, then the
/// process exits 0. The request is made slow deterministically: the test holds a lock on
/// `agents`, so the PATCH's statement waits in PostgreSQL (seen in `pg_stat_activity`) until the
/// test releases it, after the signal.
#[test]
fn sigterm_drains_a_slow_request_then_exits_0() {
    let mut server = TestServer::start();
    let admin = server.admin();
    let id = text(&admin.register_build(&unique_name("drain")), "id");
    let lock = server.lock_table("agents");
    let in_flight = std::thread::spawn(move || {
        admin.patch(
            &format!("/agents/{id}"),
            &json!({"description": "after SIGTERM"}),
        )
    });
    server.wait_for_lock_waiter();
    server.send_sigterm();
    std::thread::sleep(Duration::from_millis(500));
    assert!(
        server.exited().is_none(),
        "the server exited with a request in flight"
    );
    lock.release();
    let r = in_flight.join().unwrap();
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.json()["description"], "after SIGTERM");
    let status = server.wait_exit(Duration::from_secs(30));
    assert!(status.success(), "exit status {status}");
}

/// `LOG_FORMAT=pretty` with stderr to a file (not a terminal): readable lines, no ANSI escape
/// sequences.
#[test]
fn pretty_logs_to_a_file_have_no_escape_sequences() {
    let server = TestServer::start_with(&[("LOG_FORMAT", "pretty")]);
    assert_eq!(server.admin().get("/agents").status, 200);
    let logs = server.logs_containing("/agents");
    assert!(logs.contains("agent-registry listening"), "{logs}");
    assert!(logs.contains("/agents"), "the request line: {logs}");
    assert!(
        !logs.contains('\u{1b}'),
        "escape sequences in the log: {logs:?}"
    );
}

/// With `METRICS_TOKEN` set, `/metrics` needs it: 401 without it or with another credential
/// (even the admin's), 200 with it.
#[test]
fn metrics_need_the_metrics_token_when_it_is_set() {
    const TOKEN: &str = "e2e-metrics-token-0123456789";
    let server = TestServer::start_with(&[("METRICS_TOKEN", TOKEN)]);
    for client in [server.anonymous(), server.admin()] {
        let r = client.get("/metrics");
        assert_eq!(r.status, 401, "{}", r.body);
        assert_eq!(r.json()["code"], "unauthenticated");
    }
    let r = server.with_token(TOKEN).get("/metrics");
    assert_eq!(r.status, 200, "{}", r.body);
    assert!(r.body.contains("db_pool_max_connections 4"), "{}", r.body);
}
