//! HTTP tests of the operational endpoints and the OpenAPI copy in docs/.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use actix_web::test::TestRequest;
use common::{admin, app, send, state};
use registry_http::ErrorCode;
use std::sync::Arc;

#[actix_web::test]
async fn health_ready_metrics_need_no_credentials() {
    let st = state().with_pool_stats(Arc::new(|| registry_http::PoolStats {
        connections: 3,
        idle_connections: 2,
        max_size: 16,
    }));
    let app = app(st).await;
    for path in ["/healthz", "/healthcheck"] {
        let h = send(&app, TestRequest::get().uri(path)).await;
        assert_eq!(h.status.as_u16(), 200, "{path}");
        assert_eq!(h.json["status"], "ok", "{path}");
    }
    let r = send(&app, TestRequest::get().uri("/readyz")).await;
    assert_eq!(r.status.as_u16(), 200);
    let _ = send(
        &app,
        TestRequest::get().uri("/agents").insert_header(admin()),
    )
    .await;
    let m = send(&app, TestRequest::get().uri("/metrics")).await;
    assert_eq!(m.status.as_u16(), 200);
    let text = String::from_utf8(m.raw).unwrap();
    assert!(
        text.contains(r#"http_requests_total{method="GET",route="/agents",status="200"} 1"#),
        "{text}"
    );
    assert!(text.contains("http_request_duration_seconds_bucket{route=\"/agents\""));
    assert!(text.contains("db_pool_max_connections 16"));
    assert!(text.contains("db_pool_idle_connections 2"));
}

#[actix_web::test]
async fn openapi_json_is_served_and_docs_copy_is_in_sync() {
    let app = app(state()).await;
    let r = send(&app, TestRequest::get().uri("/openapi.json")).await;
    assert_eq!(r.status.as_u16(), 200);
    assert!(r.json["paths"]["/agents/register-build"]["post"].is_object());
    assert!(r.json["components"]["schemas"]["AgentResponse"].is_object());
    let served = String::from_utf8(r.raw).unwrap();
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/openapi.json");
    if std::env::var("UPDATE_OPENAPI").as_deref() == Ok("1") {
        std::fs::write(&path, format!("{served}\n")).unwrap();
    }
    let on_disk = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        on_disk.trim_end() == served.trim_end(),
        "docs/openapi.json is stale: run UPDATE_OPENAPI=1 cargo test -p registry_http --test http_ops"
    );
}

#[actix_web::test]
async fn docs_errors_md_lists_every_code() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/errors.md");
    let doc = std::fs::read_to_string(path).unwrap();
    for code in ErrorCode::ALL {
        let status = code.status().as_u16();
        assert!(
            doc.contains(&format!("| `{code}` | {status} |")),
            "docs/errors.md lacks `{code}` ({status})"
        );
        let row = format!("| `{code}` | {status} | {} |", code.description());
        assert!(
            doc.lines().any(|line| line == row),
            "docs/errors.md's row of `{code}` differs from ErrorCode: {row}"
        );
    }
    let rows = doc.lines().filter(|l| l.starts_with("| `")).count();
    assert_eq!(
        rows,
        ErrorCode::ALL.len(),
        "docs/errors.md lists a code ErrorCode lacks"
    );
}
