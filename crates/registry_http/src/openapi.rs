//! The OpenAPI document, generated from the handlers' annotations and the DTOs, and its route.

use crate::dto::rules;
use crate::error::Problem;
use crate::routes::{
    agents, api_keys, deployments, events, grants, history, ops, orgs, service_tokens, webhooks,
};
use actix_web::HttpResponse;
use utoipa::openapi::schema::AllOfBuilder;
use utoipa::openapi::security::{ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

/// The API description served at `/openapi.json` (and kept in `docs/openapi.json`).
#[derive(OpenApi)]
#[openapi(
    info(title = "Agent Registry", description = "Registry of AI agents through their lifecycle; wire-compatible with the Agentex registry API."),
    paths(
        agents::list_agents, agents::get_agent, agents::get_agent_by_name, agents::register_build,
        agents::register, agents::upsert_agent, agents::patch_agent, agents::delete_agent,
        agents::delete_agent_by_name, agents::heartbeat, agents::list_events,
        deployments::create_deployment, deployments::list_deployments, deployments::get_deployment,
        deployments::delete_deployment, deployments::promote_deployment,
        history::get_history, history::list_history,
        events::list_feed, events::stream_feed,
        api_keys::create_api_key, api_keys::list_api_keys, api_keys::get_api_key,
        api_keys::get_api_key_by_name, api_keys::delete_api_key, api_keys::delete_api_key_by_name,
        grants::list_grants, grants::add_grant, grants::revoke_grant,
        service_tokens::create_service_token, service_tokens::list_service_tokens,
        service_tokens::revoke_service_token,
        orgs::create_org, orgs::list_orgs, orgs::get_org, orgs::update_org, orgs::delete_org,
        orgs::upsert_agent_in_org,
        webhooks::create_webhook, webhooks::list_webhooks, webhooks::get_webhook,
        webhooks::update_webhook, webhooks::delete_webhook, webhooks::rotate_webhook_secret,
        webhooks::list_deliveries, webhooks::replay_webhook,
        ops::healthz, ops::healthcheck, ops::readyz, ops::metrics, openapi,
    ),
    // The problem responses (`crate::error::NotFound`...) name `Problem` without registering it;
    // `AgentSelector` (inlined in query parameters) names `AgentName` and `Id`.
    components(schemas(Problem, rules::AgentName, rules::Id)),
    modifiers(&Security, &OneSelector),
    security(("bearer" = []), ("agent_key" = [])),
)]
pub struct ApiDoc;

struct Security;

impl Modify for Security {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
        components.add_security_scheme(
            "agent_key",
            SecurityScheme::ApiKey(ApiKey::Header(ApiKeyValue::new("X-Agent-API-Key"))),
        );
    }
}

/// States the selector rule of `POST /agent_api_keys`' body, which a derived schema cannot:
/// exactly one of `agent_id` / `agent_name` (neither or both is the peer's 400).
struct OneSelector;

impl Modify for OneSelector {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let Some(components) = openapi.components.as_mut() else {
            return;
        };
        if let Some(body) = components.schemas.remove("CreateApiKeyRequest") {
            let both = AllOfBuilder::new()
                .item(body)
                .item(rules::exactly_one_selector())
                .description(Some(
                    "Exactly one of `agent_id` and `agent_name` (neither or both: 400).",
                ));
            components
                .schemas
                .insert("CreateApiKeyRequest".to_owned(), both.into());
        }
    }
}

/// The document as pretty JSON (what `/openapi.json` serves, byte for byte).
pub fn openapi_json() -> String {
    ApiDoc::openapi().to_pretty_json().unwrap_or_default()
}

/// This document.
#[utoipa::path(get, path = "/openapi.json", tag = "operations",
    responses((status = 200, body = Object, content_type = "application/json")))]
pub async fn openapi() -> HttpResponse {
    HttpResponse::Ok()
        .content_type("application/json")
        .body(openapi_json())
}
