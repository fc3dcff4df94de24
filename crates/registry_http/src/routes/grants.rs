//! `/agents/{agent_id}/grants`: sharing (owner or admin).

use super::{list_response, page_of};
use crate::auth::Caller;
use crate::dto::params::{AgentPath, GrantPath, PageQuery};
use crate::dto::{DeleteResponse, GrantRequest, GrantResponse};
use crate::error::{ApiError, Conflict, Forbidden, NotFound, Unprocessable};
use crate::extract::{JsonBody, QueryParams};
use crate::path::InPath;
use crate::state::AppState;
use actix_web::http::header::LOCATION;
use actix_web::{web, HttpResponse};
use registry_domain::{AgentId, Principal, Role};

type Handled = Result<HttpResponse, ApiError>;

/// A page of the grants on the agent, owners first.
#[utoipa::path(get, path = "/agents/{agent_id}/grants", tag = "grants",
    params(AgentPath, PageQuery),
    responses((status = 200, body = Vec<GrantResponse>, headers(("X-Total-Count" = u64, description = "Rows matching (or the count bound, 10,000, when capped)"), ("X-Total-Count-Capped" = bool, description = "true when the count stopped at the bound: at least X-Total-Count rows match; absent when exact"))),
        Forbidden,
        NotFound))]
pub async fn list_grants(
    state: web::Data<AppState>,
    caller: Caller,
    InPath(agent_id): InPath<AgentId>,
    q: QueryParams,
) -> Handled {
    let page = state
        .registry_for(&caller)
        .list_grants(&caller.0, agent_id, page_of(&q)?)
        .await?;
    Ok(list_response::<_, GrantResponse>(&page))
}

/// Give a principal a role on the agent (replacing any role it had).
#[utoipa::path(post, path = "/agents/{agent_id}/grants", tag = "grants",
    params(AgentPath),
    request_body = GrantRequest,
    responses((status = 201, body = GrantResponse, headers(("Location" = String))),
        Forbidden,
        NotFound,
        Conflict,
        Unprocessable))]
pub async fn add_grant(
    state: web::Data<AppState>,
    caller: Caller,
    InPath(agent_id): InPath<AgentId>,
    body: JsonBody<GrantRequest>,
) -> Handled {
    let principal = Principal::parse(&body.0.principal, "principal")?;
    let role = Role::parse(&body.0.role)?;
    let grant = state
        .registry_for(&caller)
        .add_grant(&caller.0, agent_id, principal, role)
        .await?;
    Ok(HttpResponse::Created()
        .insert_header((
            LOCATION,
            format!("/agents/{}/grants/{}", grant.agent_id, grant.principal),
        ))
        .json(GrantResponse::from(&grant)))
}

/// Revoke a principal's grant (the last owner cannot be removed: 409).
#[utoipa::path(delete, path = "/agents/{agent_id}/grants/{principal}", tag = "grants",
    params(GrantPath),
    responses((status = 200, body = DeleteResponse),
        Forbidden,
        NotFound,
        Conflict))]
pub async fn revoke_grant(
    state: web::Data<AppState>,
    caller: Caller,
    InPath(agent_id): InPath<AgentId>,
    InPath(principal): InPath<Principal>,
) -> Handled {
    let grant = state
        .registry_for(&caller)
        .revoke_grant(&caller.0, agent_id, &principal)
        .await?;
    Ok(HttpResponse::Ok().json(DeleteResponse {
        id: grant.principal.to_string(),
        message: format!(
            "Grant of '{}' on agent '{}' revoked",
            grant.principal, grant.agent_id
        ),
    }))
}
