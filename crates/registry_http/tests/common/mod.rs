//! Shared setup of the HTTP tests: an app over the in-memory store.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use actix_web::body::MessageBody;
use actix_web::dev::{Service, ServiceResponse};
use actix_web::http::StatusCode;
use actix_web::test::{self, TestRequest};
use registry_http::{build_app, AppState};
use registry_ports::Tenancy;
use registry_store_memory::InMemoryStore;
use registry_usecases::{CredentialAuthenticator, Registry, RegistryConfig};
use serde_json::Value;
use std::sync::Arc;
use std::time::Duration;

/// The admin token of every test app.
pub const ADMIN: &str = "http-test-admin-token-0123456789";

/// A registry over a fresh in-memory store.
pub fn registry(authorization_enabled: bool) -> Registry {
    registry_over(InMemoryStore::new(), authorization_enabled)
}

/// A registry over `store` (each org's requests get that org's ports).
pub fn registry_over(store: Arc<dyn Tenancy>, authorization_enabled: bool) -> Registry {
    let config = RegistryConfig {
        admin_token: ADMIN.to_owned(),
        key_hash_secret: vec![42; 32],
        creators: Default::default(),
        authorization_enabled,
        heartbeat_ttl: Duration::from_secs(90),
        default_org_max_agents: None,
        webhook_targets: registry_domain::TargetRules::default(),
        webhook_secret_overlap: std::time::Duration::from_secs(86_400),
    };
    Registry::with_tenancy(store, config)
}

/// State over a fresh in-memory store.
pub fn state_with(authorization_enabled: bool) -> AppState {
    state_of(registry(authorization_enabled))
}

/// State serving `registry`.
pub fn state_of(registry: Registry) -> AppState {
    let authenticator = Arc::new(CredentialAuthenticator::from_registry(&registry));
    AppState::new(registry, authenticator)
}

/// State with authorization on.
pub fn state() -> AppState {
    state_with(true)
}

/// `Authorization: Bearer <admin>`.
pub fn admin() -> (&'static str, String) {
    ("Authorization", format!("Bearer {ADMIN}"))
}

/// `request` to `uri` with the admin's bearer token.
pub fn as_admin(request: TestRequest, uri: &str) -> TestRequest {
    request.uri(uri).insert_header(admin())
}

/// Starts the app.
pub async fn app(
    state: AppState,
) -> impl Service<
    actix_http::Request,
    Response = ServiceResponse<impl MessageBody>,
    Error = actix_web::Error,
> {
    test::init_service(build_app(state)).await
}

/// A response read fully: status, headers and JSON body (Null if not JSON).
pub struct Reply {
    pub status: StatusCode,
    pub headers: actix_web::http::header::HeaderMap,
    pub raw: Vec<u8>,
    pub json: Value,
}

impl Reply {
    /// A header as text.
    pub fn header(&self, name: &str) -> Option<String> {
        self.headers
            .get(name)
            .map(|v| v.to_str().unwrap().to_owned())
    }

    /// Asserts a problem+json body with this status and code, and returns it.
    pub fn problem(&self, status: u16, code: &str) -> &Value {
        assert_eq!(self.status.as_u16(), status, "body: {}", self.json);
        assert_eq!(
            self.header("content-type").as_deref(),
            Some("application/problem+json"),
            "body: {}",
            self.json
        );
        assert_eq!(self.json["code"], code, "body: {}", self.json);
        assert_eq!(self.json["status"], status);
        assert_eq!(self.json["status_code"], status, "the peer's member");
        assert_eq!(self.json["message"], self.json["detail"]);
        assert!(self.json["type"].as_str().unwrap().ends_with(code));
        &self.json
    }
}

/// Sends `req` and reads the reply.
pub async fn send<S, B>(app: &S, req: TestRequest) -> Reply
where
    S: Service<actix_http::Request, Response = ServiceResponse<B>, Error = actix_web::Error>,
    B: MessageBody,
{
    let res = test::call_service(app, req.to_request()).await;
    let status = res.status();
    let headers = res.headers().clone();
    let raw = test::read_body(res).await.to_vec();
    let json = serde_json::from_slice(&raw).unwrap_or(Value::Null);
    Reply {
        status,
        headers,
        raw,
        json,
    }
}

/// Registers a build as the admin and returns the agent JSON.
pub async fn register_build<S, B>(app: &S, name: &str) -> Value
where
    S: Service<actix_http::Request, Response = ServiceResponse<B>, Error = actix_web::Error>,
    B: MessageBody,
{
    let r = send(
        app,
        TestRequest::post()
            .uri("/agents/register-build")
            .insert_header(admin())
            .set_json(serde_json::json!({"name": name, "description": "d"})),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.json);
    assert_eq!(r.header("registry-created").as_deref(), Some("true"));
    r.json
}
