//! Operations surface of the binary: health, readiness, metrics, OpenAPI, request ids, shutdown.

use registry_e2e::TestServer;

#[test]
fn health_readiness_metrics_and_openapi_answer() {
    let server = TestServer::start();
    let anon = server.anonymous();
    assert_eq!(anon.get("/healthz").status, 200);
    assert_eq!(anon.get("/readyz").status, 200);
    server.admin().get("/agents");
    let metrics = anon.get("/metrics");
    assert_eq!(metrics.status, 200);
    assert!(
        metrics.body.contains("/agents"),
        "requests by route template: {}",
        metrics.body
    );
    let spec = anon.get("/openapi.json");
    assert_eq!(spec.status, 200);
    assert!(spec.json()["paths"]["/agents/register-build"].is_object());
}

#[test]
fn request_ids_are_echoed_or_generated() {
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
}

#[test]
fn sigterm_stops_the_server_cleanly() {
    let mut server = TestServer::start();
    assert_eq!(server.admin().get("/agents").status, 200);
    let status = server.terminate();
    assert!(status.success(), "exit status {status}");
}
