#![doc = include_str!("../README.md")]

mod auth;
mod browser;
mod console;
mod deadline;
mod dto;
mod error;
mod extract;
mod fair;
mod feed_wake;
mod hold;
mod inflight;
mod metrics;
mod observe;
mod openapi;
mod path;
mod routes;
mod state;
mod valid;

pub use error::ErrorCode;
pub use feed_wake::{FeedWake, OnWrite};
pub use metrics::{PoolStats, PoolStatsFn};
pub use observe::{current_request_id, observe};
pub use state::{AppState, Limits};

use actix_web::body::MessageBody;
use actix_web::dev::{HttpServiceFactory, ServiceFactory, ServiceRequest, ServiceResponse};
use actix_web::middleware::{from_fn, Compress};
use actix_web::{guard, web, App, Resource};
use routes::{
    agents, api_keys, cards, deployments, events, grants, history, ops, orgs, service_tokens,
    webhooks, whoami,
};

/// Registers every route, the app data and the extractor configuration on `cfg`.
/// Specific paths come before `{id}` patterns so they are matched first. actix tries the
/// resources in this order and each pattern with a `{…}` costs a regex match, so the hot
/// single-agent paths come right after the static `/agents…` paths they must yield to, and the
/// console's pages come last. The registry routes' handlers ask for a `Caller` (`auth`); the
/// operational ones do not.
pub fn configure(cfg: &mut web::ServiceConfig, state: AppState) {
    cfg.app_data(web::Data::new(state))
        .app_data(web::PayloadConfig::new(extract::BODY_LIMIT))
        .service(web::resource("/healthz").route(get().to(ops::healthz)))
        .service(web::resource("/healthcheck").route(get().to(ops::healthcheck)))
        .service(web::resource("/readyz").route(get().to(ops::readyz)))
        .service(web::resource("/metrics").route(get().to(ops::metrics)))
        .service(web::resource("/openapi.json").route(get().to(openapi::openapi)))
        .service(
            web::resource("/.well-known/jwks.json")
                .route(get().to(cards::jwks))
                .wrap(from_fn(deadline::within_deadline)),
        )
        .service(registry(
            web::resource("/whoami").route(get().to(whoami::whoami)),
        ))
        .service(registry(
            web::resource("/agents").route(get().to(agents::list_agents)),
        ))
        .service(registry(
            web::resource("/agents/search").route(get().to(cards::search_agents)),
        ))
        .service(registry(
            web::resource("/agents/register-build").route(web::post().to(agents::register_build)),
        ))
        .service(
            web::resource("/agents/register")
                .route(web::post().to(agents::register))
                .wrap(from_fn(deadline::within_deadline))
                .wrap(from_fn(auth::refuse_before_405::<auth::Registrant>)),
        )
        .service(registry(
            web::resource("/agents/{agent_id}")
                .route(get().to(agents::get_agent))
                .route(web::patch().to(agents::patch_agent))
                .route(web::delete().to(agents::delete_agent)),
        ))
        .service(registry(
            web::resource("/agents/name/{agent_name}")
                .route(get().to(agents::get_agent_by_name))
                .route(web::put().to(agents::upsert_agent))
                .route(web::delete().to(agents::delete_agent_by_name)),
        ))
        .service(registry(
            web::resource("/agents/{agent_id}/heartbeat").route(web::post().to(agents::heartbeat)),
        ))
        .service(well_known(
            "/agents/name/{agent_name}/.well-known/agent-card.json",
            web::to(cards::well_known_by_name),
        ))
        .service(well_known(
            "/agents/{agent_id}/.well-known/agent-card.json",
            web::to(cards::well_known_by_id),
        ))
        .service(well_known(
            "/orgs/{org_slug}/agents/{agent_name}/.well-known/agent-card.json",
            web::to(cards::well_known_in_org),
        ))
        .service(registry(
            web::resource("/agents/{agent_id}/card")
                .route(web::put().to(cards::put_card))
                .route(get().to(cards::get_card))
                .route(web::delete().to(cards::delete_card)),
        ))
        .service(registry(
            web::resource("/agents/{agent_id}/events").route(get().to(agents::list_events)),
        ))
        .service(registry(
            web::resource("/agents/{agent_id}/deployments")
                .route(web::post().to(deployments::create_deployment))
                .route(get().to(deployments::list_deployments)),
        ))
        .service(registry(
            web::resource("/agents/{agent_id}/deployments/{deployment_id}")
                .route(get().to(deployments::get_deployment))
                .route(web::delete().to(deployments::delete_deployment)),
        ))
        .service(registry(
            web::resource("/agents/{agent_id}/deployments/{deployment_id}/promote")
                .route(web::post().to(deployments::promote_deployment)),
        ))
        .service(registry(
            web::resource("/agents/{agent_id}/grants")
                .route(get().to(grants::list_grants))
                .route(web::post().to(grants::add_grant)),
        ))
        .service(registry(
            web::resource("/agents/{agent_id}/grants/{principal}")
                .route(web::delete().to(grants::revoke_grant)),
        ))
        .service(registry(
            web::resource("/events").route(get().to(events::list_feed)),
        ))
        .service(registry(
            web::resource("/events/stream").route(get().to(events::stream_feed)),
        ))
        .service(registry(
            web::resource("/deployment-history").route(get().to(history::list_history)),
        ))
        .service(registry(
            web::resource("/deployment-history/{deployment_id}")
                .route(get().to(history::get_history)),
        ))
        .service(registry(
            web::resource("/agent_api_keys")
                .route(web::post().to(api_keys::create_api_key))
                .route(get().to(api_keys::list_api_keys)),
        ))
        .service(registry(
            web::resource("/agent_api_keys/name/{name}")
                .route(get().to(api_keys::get_api_key_by_name))
                .route(web::delete().to(api_keys::delete_api_key_by_name)),
        ))
        .service(registry(
            web::resource("/agent_api_keys/{id}")
                .route(get().to(api_keys::get_api_key))
                .route(web::delete().to(api_keys::delete_api_key)),
        ))
        .service(registry(
            web::resource("/service_tokens")
                .route(web::post().to(service_tokens::create_service_token))
                .route(get().to(service_tokens::list_service_tokens)),
        ))
        .service(registry(
            web::resource("/service_tokens/{id}")
                .route(web::delete().to(service_tokens::revoke_service_token)),
        ))
        .service(registry(
            web::resource("/orgs")
                .route(web::post().to(orgs::create_org))
                .route(get().to(orgs::list_orgs)),
        ))
        .service(registry(
            web::resource("/orgs/{org_slug}")
                .route(get().to(orgs::get_org))
                .route(web::patch().to(orgs::update_org))
                .route(web::delete().to(orgs::delete_org)),
        ))
        .service(registry(
            web::resource("/orgs/{org_slug}/agents/{agent_name}")
                .route(web::put().to(orgs::upsert_agent_in_org)),
        ))
        .service(registry(
            web::resource("/webhooks")
                .route(web::post().to(webhooks::create_webhook))
                .route(get().to(webhooks::list_webhooks)),
        ))
        .service(registry(
            web::resource("/webhooks/{id}")
                .route(get().to(webhooks::get_webhook))
                .route(web::patch().to(webhooks::update_webhook))
                .route(web::delete().to(webhooks::delete_webhook)),
        ))
        .service(registry(
            web::resource("/webhooks/{id}/rotate-secret")
                .route(web::post().to(webhooks::rotate_webhook_secret)),
        ))
        .service(registry(
            web::resource("/webhooks/{id}/deliveries").route(get().to(webhooks::list_deliveries)),
        ))
        .service(registry(
            web::resource("/webhooks/{id}/replay").route(web::post().to(webhooks::replay_webhook)),
        ))
        .configure(console::configure)
        .default_service(web::to(|| async {
            Err::<actix_web::HttpResponse, _>(error::ApiError::route_not_found())
        }));
}

/// A registry resource: like its handlers, its 405 answers only an authenticated caller.
fn registry(resource: Resource) -> impl HttpServiceFactory {
    resource
        .wrap(from_fn(deadline::within_deadline))
        .wrap(from_fn(auth::refuse_before_405::<auth::Caller>))
}

/// A card path for A2A clients: GET and HEAD, with or without credentials (405 for any other
/// method, to anyone: the path serves anonymous callers).
fn well_known(path: &str, handler: actix_web::Route) -> impl HttpServiceFactory {
    web::resource(path)
        .route(handler.guard(guard::Any(guard::Get()).or(guard::Head())))
        .wrap(from_fn(deadline::within_deadline))
}

/// A route answering GET and HEAD (actix sends HEAD the same headers and no body).
fn get() -> actix_web::Route {
    web::route().guard(guard::Any(guard::Get()).or(guard::Head()))
}

/// The whole application: routes plus the observation and holding middleware. Used by the
/// server (once per worker) and by tests.
pub fn build_app(
    state: AppState,
) -> App<
    impl ServiceFactory<
        ServiceRequest,
        Config = (),
        Response = ServiceResponse<impl MessageBody>,
        Error = actix_web::Error,
        InitError = (),
    >,
> {
    let cors = browser::cors(&state.cors_origins);
    App::new()
        .configure(|cfg| configure(cfg, state))
        .wrap(from_fn(hold::hold_until_sent))
        .wrap(cors)
        .wrap(from_fn(browser::preflight_no_content))
        .wrap(Compress::default())
        .wrap(from_fn(observe::observe))
}
