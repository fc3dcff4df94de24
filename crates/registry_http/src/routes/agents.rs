//! `/agents`: lookup, list, register-build, register, PUT upsert, PATCH, delete, heartbeat,
//! events.

use super::agent_ref;
use super::{
    agent_body, agent_page_response, agent_response, created_or_ok, direction_of, if_match,
    if_none_match, list_response_with, ok_registry_created, page_of,
};
use crate::auth::{Caller, Registrant};
use crate::dto::params::{AgentListQuery, AgentNamePath, AgentPath, PageQuery};
use crate::dto::{
    agent_patch, parse_metadata, AgentPatchSchema, AgentResponse, DeleteResponse, EventResponse,
    RegisterAgentRequest, RegisterAgentResponse, RegisterBuildRequest, UpsertAgentRequest,
    UpsertAgentResponse,
};
use crate::error::{
    ApiError, Conflict, Forbidden, NotFound, PreconditionFailed, RegistrationUnauthenticated,
    Unprocessable,
};
use crate::extract::{JsonBody, QueryParams};
use crate::path::InPath;
use crate::state::AppState;
use crate::valid::AllValid;
use actix_web::http::header::ETAG;
use actix_web::{web, HttpRequest, HttpResponse};
use registry_domain::enums::DEFAULT_ACP_TYPE;
use registry_domain::{
    canonical_json, parse_acp_url, AcpType, AgentId, AgentInputType, AgentName, AgentRef,
    AgentStatus, DeploymentId, Description, Metadata, NewAgent, ValidationError,
};
use registry_ports::AgentOrder;
use registry_usecases::{
    ListAgentsInput, RegisterDeploymentInput, RegisterInput, UpsertAgentInput,
};
use serde_json::{Map, Value};

type Handled = Result<HttpResponse, ApiError>;

fn input_type(raw: Option<String>) -> Result<Option<AgentInputType>, ValidationError> {
    raw.as_deref().map(AgentInputType::parse).transpose()
}

/// Get an agent by id.
#[utoipa::path(get, path = "/agents/{agent_id}", tag = "agents",
    params(AgentPath),
    responses((status = 200, body = AgentResponse, headers(("ETag" = String))),
        (status = 304, description = "`If-None-Match` names the current ETag", headers(("ETag" = String))),
        NotFound))]
pub async fn get_agent(
    state: web::Data<AppState>,
    caller: Caller,
    InPath(agent): InPath<AgentRef>,
    req: HttpRequest,
) -> Handled {
    agent_ref::get(&state, &caller, if_none_match(&req).as_deref(), &agent).await
}

/// Get an agent by name.
#[utoipa::path(get, path = "/agents/name/{agent_name}", tag = "agents",
    params(AgentNamePath),
    responses((status = 200, body = AgentResponse, headers(("ETag" = String))),
        (status = 304, description = "`If-None-Match` names the current ETag", headers(("ETag" = String))),
        NotFound))]
pub async fn get_agent_by_name(
    state: web::Data<AppState>,
    caller: Caller,
    InPath(agent): InPath<AgentRef>,
    req: HttpRequest,
) -> Handled {
    agent_ref::get(&state, &caller, if_none_match(&req).as_deref(), &agent).await
}

/// List the live agents the caller may read.
#[utoipa::path(get, path = "/agents", tag = "agents",
    params(PageQuery, AgentListQuery),
    responses((status = 200, body = Vec<AgentResponse>, headers(("X-Total-Count" = u64, description = "Rows matching (or the count bound, 10,000, when capped)"), ("X-Total-Count-Capped" = bool, description = "true when the count stopped at the bound: at least X-Total-Count rows match; absent when exact"))),
        Unprocessable))]
pub async fn list_agents(state: web::Data<AppState>, caller: Caller, q: QueryParams) -> Handled {
    let statuses = q
        .all("status")
        .into_iter()
        .map(AgentStatus::parse)
        .collect::<Result<Vec<_>, _>>()?;
    let agent_card_metadata = q
        .get("agent_card_metadata")
        .map(card_metadata_filter)
        .transpose()?;
    let input = ListAgentsInput {
        page: page_of(&q)?,
        order_by: order_of(q.get("order_by"))?,
        order_direction: direction_of(&q)?,
        statuses,
        agent_card_metadata,
        task_id: q.get("task_id").map(str::to_owned),
    };
    let page = state
        .registry_for(&caller)
        .list_agents(&caller.0, input)
        .await?;
    Ok(agent_page_response(&page))
}

/// `order_by` of the agent list (default `updated_at`).
fn order_of(raw: Option<&str>) -> Result<AgentOrder, ValidationError> {
    match raw {
        None => Ok(AgentOrder::default()),
        Some("created_at") => Ok(AgentOrder::CreatedAt),
        Some("updated_at") => Ok(AgentOrder::UpdatedAt),
        Some("name") => Ok(AgentOrder::Name),
        Some("last_seen_at") => Ok(AgentOrder::LastSeenAt),
        Some(_) => Err(ValidationError::new(
            "order_by",
            "must be one of: created_at, updated_at, name, last_seen_at",
        )),
    }
}

/// The `agent_card_metadata` filter: a JSON object, canonical like stored metadata.
fn card_metadata_filter(raw: &str) -> Result<Map<String, Value>, ValidationError> {
    let not_object = || ValidationError::new("agent_card_metadata", "must be a JSON object");
    let value = serde_json::from_str::<Value>(raw).map_err(|_| not_object())?;
    match canonical_json(value, "agent_card_metadata")? {
        Value::Object(map) => Ok(map),
        _ => Err(not_object()),
    }
}

/// Register an agent at build time (idempotent by name; 200 either way, as the peer;
/// `Registry-Created` tells whether it created).
#[utoipa::path(post, path = "/agents/register-build", tag = "agents",
    request_body = RegisterBuildRequest,
    responses((status = 200, body = AgentResponse, description = "Created (`Registry-Created: true`, `Location`) or the existing agent, unchanged (`Registry-Created: false`)",
            headers(("Registry-Created" = String, description = "true when this call created the agent"),
                ("Location" = String, description = "Only when created"), ("ETag" = String))),
        Conflict,
        Unprocessable))]
pub async fn register_build(
    state: web::Data<AppState>,
    caller: Caller,
    body: JsonBody<RegisterBuildRequest>,
) -> Handled {
    let b = body.0;
    let (name, description, registration_metadata, agent_input_type) = (
        AgentName::parse(&b.name),
        Description::parse(&b.description),
        parse_metadata(b.registration_metadata, "registration_metadata"),
        input_type(b.agent_input_type),
    )
        .all_valid()?;
    let agent = NewAgent {
        name,
        description,
        acp_type: DEFAULT_ACP_TYPE,
        acp_url: None,
        registration_metadata,
        agent_input_type,
    };
    let written = state
        .registry_for(&caller)
        .register_build(&caller.0, agent)
        .await?;
    let agent = &written.agent;
    Ok(agent_body(
        ok_registry_created(written.created, &format!("/agents/{}", agent.id)),
        agent,
    ))
}

/// Deploy-time registration (by `agent_id` or `name`); returns a new internal key once.
/// 200 whether it created or updated, as the peer (the Agentex runtime accepts only 200).
#[utoipa::path(post, path = "/agents/register", tag = "agents",
    request_body = RegisterAgentRequest,
    responses((status = 200, body = RegisterAgentResponse, description = "Registered; `Registry-Created` tells whether a new agent was created",
            headers(("Registry-Created" = String, description = "true when this call created the agent"),
                ("Location" = String, description = "Only when created"), ("ETag" = String))),
        RegistrationUnauthenticated,
        NotFound,
        Conflict,
        Unprocessable))]
pub async fn register(
    state: web::Data<AppState>,
    Registrant(caller): Registrant,
    body: JsonBody<RegisterAgentRequest>,
) -> Handled {
    let b = body.0;
    let (agent_id, name, description, acp_type, acp_url, registration_metadata, agent_input_type) =
        (
            b.agent_id
                .as_deref()
                .map(|id| AgentId::parse(id, "agent_id"))
                .transpose(),
            AgentName::parse(&b.name),
            Description::parse(&b.description),
            AcpType::parse(&b.acp_type),
            parse_acp_url(&b.acp_url, "acp_url"),
            parse_metadata(b.registration_metadata, "registration_metadata"),
            input_type(b.agent_input_type),
        )
            .all_valid()?;
    let agent = NewAgent {
        name,
        description,
        acp_type,
        acp_url: Some(acp_url),
        registration_metadata,
        agent_input_type,
    };
    let out = match deployment_id_of(agent.registration_metadata.as_ref())? {
        Some(deployment_id) => {
            let input = RegisterDeploymentInput {
                agent: agent_id.map_or(AgentRef::Name(agent.name), AgentRef::Id),
                deployment_id,
                acp_url: agent.acp_url.unwrap_or_default(),
            };
            state
                .registry_for(&caller)
                .register_deployment(&caller.0, input)
                .await?
        }
        None => {
            let input = RegisterInput { agent_id, agent };
            state
                .registry_for(&caller)
                .register(&caller.0, input)
                .await?
        }
    };
    let agent = &out.agent;
    Ok(
        ok_registry_created(out.created, &format!("/agents/{}", agent.id))
            .insert_header((ETAG, agent.etag()))
            .json(RegisterAgentResponse {
                agent: AgentResponse::from(agent),
                agent_api_key: out.agent_api_key,
            }),
    )
}

/// `registration_metadata.deployment_id`, if present and not null: the registration is then
/// deployment-scoped (peer §5.1).
fn deployment_id_of(metadata: Option<&Metadata>) -> Result<Option<DeploymentId>, ValidationError> {
    const FIELD: &str = "registration_metadata.deployment_id";
    match metadata.and_then(|m| m.as_map().get("deployment_id")) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => DeploymentId::parse(s, FIELD).map(Some),
        Some(_) => Err(ValidationError::new(FIELD, "must be a UUID")),
    }
}

/// Declarative upsert by name (201 when created); honours `If-Match`.
#[utoipa::path(put, path = "/agents/name/{agent_name}", tag = "agents",
    params(AgentNamePath,
        ("If-Match" = Option<String>, Header, description = "ETag the agent must still have")),
    request_body = UpsertAgentRequest,
    responses((status = 201, body = UpsertAgentResponse, headers(("Location" = String), ("ETag" = String))),
        (status = 200, body = UpsertAgentResponse),
        Conflict,
        PreconditionFailed,
        Unprocessable))]
pub async fn upsert_agent(
    state: web::Data<AppState>,
    caller: Caller,
    req: HttpRequest,
    InPath(name): InPath<AgentName>,
    body: JsonBody<UpsertAgentRequest>,
) -> Handled {
    let input = upsert_input(&req, name, body.0)?;
    let written = state
        .registry_for(&caller)
        .upsert_agent(&caller.0, input)
        .await?;
    Ok(upserted(&written))
}

/// The answer of an upsert: 201 with `Location` when it created, else 200; the `ETag`.
pub(crate) fn upserted(written: &registry_usecases::AgentWritten) -> HttpResponse {
    let agent = &written.agent;
    created_or_ok(written.created, &format!("/agents/{}", agent.id))
        .insert_header((ETAG, agent.etag()))
        .json(UpsertAgentResponse {
            agent: AgentResponse::from(agent),
            created: written.created,
        })
}

/// The §4 upsert of `name` from its request (shared with the org-addressed PUT).
pub(crate) fn upsert_input(
    req: &HttpRequest,
    name: AgentName,
    b: UpsertAgentRequest,
) -> Result<UpsertAgentInput, ApiError> {
    let (description, registration_metadata, agent_input_type) = (
        Description::parse(&b.description),
        parse_metadata(b.registration_metadata, "registration_metadata"),
        input_type(b.agent_input_type),
    )
        .all_valid()?;
    Ok(UpsertAgentInput {
        agent: NewAgent {
            name,
            description,
            acp_type: DEFAULT_ACP_TYPE,
            acp_url: None,
            registration_metadata,
            agent_input_type,
        },
        if_match: if_match(req),
    })
}

/// JSON merge patch (RFC 7396) of description, registration_metadata, agent_input_type.
#[utoipa::path(patch, path = "/agents/{agent_id}", tag = "agents",
    params(AgentPath,
        ("If-Match" = Option<String>, Header, description = "ETag the agent must still have")),
    request_body(content = AgentPatchSchema, content_type = "application/merge-patch+json"),
    responses((status = 200, body = AgentResponse, headers(("ETag" = String))),
        NotFound,
        PreconditionFailed,
        Unprocessable))]
pub async fn patch_agent(
    state: web::Data<AppState>,
    caller: Caller,
    req: HttpRequest,
    InPath(id): InPath<AgentId>,
    body: JsonBody<serde_json::Value>,
) -> Handled {
    let Value::Object(patch) = body.0 else {
        return Err(ValidationError::new("body", "must be a JSON object (merge patch)").into());
    };
    let input = agent_patch(id, patch, if_match(&req)).map_err(ApiError::validations)?;
    let agent = state
        .registry_for(&caller)
        .patch_agent(&caller.0, input)
        .await?;
    Ok(agent_response(&agent))
}

/// Delete an agent by id (→ Deleted).
#[utoipa::path(delete, path = "/agents/{agent_id}", tag = "agents",
    params(AgentPath),
    responses((status = 200, body = DeleteResponse),
        Forbidden,
        NotFound))]
pub async fn delete_agent(
    state: web::Data<AppState>,
    caller: Caller,
    InPath(agent): InPath<AgentRef>,
) -> Handled {
    agent_ref::delete(&state, &caller, &agent).await
}

/// Delete an agent by name (→ Deleted).
#[utoipa::path(delete, path = "/agents/name/{agent_name}", tag = "agents",
    params(AgentNamePath),
    responses((status = 200, body = DeleteResponse),
        Forbidden,
        NotFound))]
pub async fn delete_agent_by_name(
    state: web::Data<AppState>,
    caller: Caller,
    InPath(agent): InPath<AgentRef>,
) -> Handled {
    agent_ref::delete(&state, &caller, &agent).await
}

/// Heartbeat: sets `last_seen_at`; Unhealthy → Ready.
#[utoipa::path(post, path = "/agents/{agent_id}/heartbeat", tag = "agents",
    params(AgentPath),
    responses((status = 200, body = AgentResponse, headers(("ETag" = String))),
        NotFound))]
pub async fn heartbeat(
    state: web::Data<AppState>,
    caller: Caller,
    InPath(id): InPath<AgentId>,
) -> Handled {
    let agent = state.registry_for(&caller).heartbeat(&caller.0, id).await?;
    Ok(agent_response(&agent))
}

/// The agent's audit trail, newest first (owners and the admin; also after deletion).
#[utoipa::path(get, path = "/agents/{agent_id}/events", tag = "agents",
    params(AgentPath, PageQuery),
    responses((status = 200, body = Vec<EventResponse>, headers(("X-Total-Count" = u64, description = "Rows matching (or the count bound, 10,000, when capped)"), ("X-Total-Count-Capped" = bool, description = "true when the count stopped at the bound: at least X-Total-Count rows match; absent when exact"))),
        NotFound))]
pub async fn list_events(
    state: web::Data<AppState>,
    caller: Caller,
    InPath(id): InPath<AgentId>,
    q: QueryParams,
) -> Handled {
    let page = state
        .registry_for(&caller)
        .list_agent_events(&caller.0, id, page_of(&q)?)
        .await?;
    Ok(list_response_with(&page, |e| {
        EventResponse::new(e, &caller.1.slug)
    }))
}
