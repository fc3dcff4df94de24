//! What browsers, proxies and scrapers meet (contract §8, issue 15): CORS, compression, the
//! request deadline, `Retry-After` on contention, the protected `/metrics`.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use actix_web::test::TestRequest;
use common::{admin, app, as_admin, register_build, send, state};
use registry_http::{AppState, Limits};
use registry_ports::{AuthError, Authenticator, Credential};
use registry_usecases::CredentialAuthenticator;
use std::io::Read;
use std::sync::Arc;
use std::time::Duration;

const ORIGIN: &str = "https://console.example.com";

fn preflight(uri: &str, origin: &str) -> TestRequest {
    TestRequest::default()
        .method(actix_web::http::Method::OPTIONS)
        .uri(uri)
        .insert_header(("Origin", origin))
        .insert_header(("Access-Control-Request-Method", "PATCH"))
        .insert_header(("Access-Control-Request-Headers", "authorization, if-match"))
}

#[actix_web::test]
async fn a_preflight_from_an_allowed_origin_needs_no_credentials() {
    let app = app(state().with_cors_origins(vec![ORIGIN.to_owned()])).await;
    let r = send(
        &app,
        preflight("/agents/6f1c2a3e-2d4b-4c5a-9e8f-0a1b2c3d4e5f", ORIGIN),
    )
    .await;
    assert_eq!(r.status.as_u16(), 204);
    assert_eq!(
        r.header("access-control-allow-origin").as_deref(),
        Some(ORIGIN)
    );
    let methods = r.header("access-control-allow-methods").unwrap();
    assert!(
        methods.contains("PATCH") && methods.contains("DELETE"),
        "{methods}"
    );
    let headers = r.header("access-control-allow-headers").unwrap();
    for h in [
        "authorization",
        "content-type",
        "if-match",
        "x-agent-api-key",
        "x-registry-org",
    ] {
        assert!(headers.contains(h), "{h} in {headers}");
    }

    // An actual request from that origin exposes the headers a client reads.
    let listed = send(
        &app,
        as_admin(TestRequest::get(), "/agents").insert_header(("Origin", ORIGIN)),
    )
    .await;
    let exposed = listed.header("access-control-expose-headers").unwrap();
    for h in [
        "etag",
        "x-total-count",
        "x-total-count-capped",
        "location",
        "retry-after",
    ] {
        assert!(exposed.contains(h), "{h} in {exposed}");
    }
    let other = send(&app, preflight("/agents", "https://evil.example")).await;
    assert!(other.header("access-control-allow-origin").is_none());
}

#[actix_web::test]
async fn without_configured_origins_no_cors_headers_are_sent() {
    let app = app(state()).await;
    let listed = send(
        &app,
        as_admin(TestRequest::get(), "/agents").insert_header(("Origin", ORIGIN)),
    )
    .await;
    assert_eq!(listed.status.as_u16(), 200);
    assert!(listed.header("access-control-allow-origin").is_none());
}

#[actix_web::test]
async fn lists_are_compressed_when_the_client_asks() {
    let app = app(state()).await;
    for i in 0..20 {
        register_build(&app, &format!("agent-{i}")).await;
    }
    for (encoding, decode) in [("gzip", gunzip as fn(&[u8]) -> Vec<u8>), ("br", unbrotli)] {
        let r = send(
            &app,
            as_admin(TestRequest::get(), "/agents?limit=1000")
                .insert_header(("Accept-Encoding", encoding)),
        )
        .await;
        assert_eq!(r.header("content-encoding").as_deref(), Some(encoding));
        let plain: serde_json::Value = serde_json::from_slice(&decode(&r.raw)).unwrap();
        assert_eq!(plain.as_array().unwrap().len(), 20);
    }
    let identity = send(&app, as_admin(TestRequest::get(), "/agents")).await;
    assert!(identity.header("content-encoding").is_none());
}

fn gunzip(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    flate2::read::GzDecoder::new(bytes)
        .read_to_end(&mut out)
        .unwrap();
    out
}

fn unbrotli(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    brotli::Decompressor::new(bytes, 4096)
        .read_to_end(&mut out)
        .unwrap();
    out
}

/// An authenticator slower than the request deadline.
struct Stuck(Arc<dyn Authenticator>);

#[async_trait::async_trait]
impl Authenticator for Stuck {
    async fn authenticate(
        &self,
        credential: &Credential,
        org: Option<registry_domain::OrgSlug>,
    ) -> Result<registry_domain::Actor, AuthError> {
        actix_web::rt::time::sleep(Duration::from_millis(300)).await;
        self.0.authenticate(credential, org).await
    }
}

#[actix_web::test]
async fn a_request_past_its_deadline_is_503_with_retry_after() {
    let registry = common::registry(true);
    let authenticator = Arc::new(CredentialAuthenticator::from_registry(&registry));
    let limits = Limits {
        request_timeout: Duration::from_millis(50),
        ..Limits::default()
    };
    let state = AppState::new(registry, Arc::new(Stuck(authenticator))).with_limits(limits);
    let app = app(state).await;
    let r = send(&app, as_admin(TestRequest::get(), "/agents")).await;
    r.problem(503, "unavailable");
    assert_eq!(r.header("retry-after").as_deref(), Some("1"));
    let health = send(&app, TestRequest::get().uri("/healthz")).await;
    assert_eq!(
        health.status.as_u16(),
        200,
        "operational routes have no deadline"
    );
}

#[actix_web::test]
async fn metrics_need_the_metrics_token_when_one_is_set() {
    let token = "metrics-token-0123456789";
    let app = app(state().with_metrics_token(Some(token.to_owned()))).await;
    let anonymous = send(&app, TestRequest::get().uri("/metrics")).await;
    anonymous.problem(401, "unauthenticated");
    let wrong = send(
        &app,
        TestRequest::get().uri("/metrics").insert_header(admin()),
    )
    .await;
    wrong.problem(401, "unauthenticated");
    let right = send(
        &app,
        TestRequest::get()
            .uri("/metrics")
            .insert_header(("Authorization", format!("Bearer {token}"))),
    )
    .await;
    assert_eq!(right.status.as_u16(), 200);
    let text = String::from_utf8(right.raw).unwrap();
    assert!(
        text.contains("http_request_duration_seconds_bucket{route=\"/metrics\",status=\"401\""),
        "latency by route and status: {text}"
    );
}
