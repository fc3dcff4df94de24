//! Operations surface of the binary: request ids in its log, metrics of its pool, shutdown.

use registry_e2e::TestServer;

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
        server.logs().contains("abc-123"),
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

#[test]
fn sigterm_stops_the_server_cleanly() {
    let mut server = TestServer::start();
    assert_eq!(server.admin().get("/agents").status, 200);
    let status = server.terminate();
    assert!(status.success(), "exit status {status}");
}
