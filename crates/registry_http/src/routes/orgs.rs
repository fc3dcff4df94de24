//! `/orgs` (contract §9): org management by the platform admin, and mirroring an agent into a
//! named org.

use crate::auth::Caller;
use crate::dto::params::{OrgAgentPath, OrgPath, PageQuery};
use crate::dto::{
    CreateOrgRequest, DeleteResponse, OrgResponse, UpdateOrgRequest, UpsertAgentRequest,
    UpsertAgentResponse,
};
use crate::error::{ApiError, Conflict, Forbidden, NotFound, PreconditionFailed, Unprocessable};
use crate::extract::{JsonBody, QueryParams};
use crate::path::InPath;
use crate::routes::agents::{upsert_input, upserted};
use crate::routes::{list_response, page_of};
use crate::state::AppState;
use actix_web::http::header::LOCATION;
use actix_web::{web, HttpRequest, HttpResponse};
use registry_domain::{AgentName, OrgSlug};
use registry_usecases::CreateOrgInput;

type Handled = Result<HttpResponse, ApiError>;

/// Create an org (platform admin only).
#[utoipa::path(post, path = "/orgs", tag = "orgs",
    request_body = CreateOrgRequest,
    responses((status = 201, body = OrgResponse, headers(("Location" = String))),
        Forbidden,
        Conflict,
        Unprocessable))]
pub async fn create_org(
    state: web::Data<AppState>,
    caller: Caller,
    body: JsonBody<CreateOrgRequest>,
) -> Handled {
    let (slug, display_name) = body.0.parsed()?;
    let input = CreateOrgInput {
        slug,
        display_name,
        max_agents: body.0.max_agents,
    };
    let org = state
        .registry_for(&caller)
        .create_org(&caller.0, input)
        .await?;
    Ok(HttpResponse::Created()
        .insert_header((LOCATION, format!("/orgs/{}", org.slug)))
        .json(OrgResponse::from(&org)))
}

/// A page of orgs by slug (platform admin only).
#[utoipa::path(get, path = "/orgs", tag = "orgs",
    params(PageQuery),
    responses((status = 200, body = Vec<OrgResponse>, headers(("X-Total-Count" = u64, description = "Rows matching (or the count bound, 10,000, when capped)"), ("X-Total-Count-Capped" = bool, description = "true when the count stopped at the bound: at least X-Total-Count rows match; absent when exact"))),
        Forbidden))]
pub async fn list_orgs(state: web::Data<AppState>, caller: Caller, q: QueryParams) -> Handled {
    let page = state
        .registry_for(&caller)
        .list_orgs(&caller.0, page_of(&q)?)
        .await?;
    Ok(list_response::<_, OrgResponse>(&page))
}

/// One org (the platform admin; an org admin its own).
#[utoipa::path(get, path = "/orgs/{org_slug}", tag = "orgs",
    params(OrgPath),
    responses((status = 200, body = OrgResponse), Forbidden, NotFound))]
pub async fn get_org(
    state: web::Data<AppState>,
    caller: Caller,
    InPath(slug): InPath<OrgSlug>,
) -> Handled {
    let org = state
        .registry_for(&caller)
        .get_org(&caller.0, &slug)
        .await?;
    Ok(HttpResponse::Ok().json(OrgResponse::from(&org)))
}

/// Change an org's display name or quota (platform admin only).
#[utoipa::path(patch, path = "/orgs/{org_slug}", tag = "orgs",
    params(OrgPath),
    request_body = UpdateOrgRequest,
    responses((status = 200, body = OrgResponse), Forbidden, NotFound, Unprocessable))]
pub async fn update_org(
    state: web::Data<AppState>,
    caller: Caller,
    InPath(slug): InPath<OrgSlug>,
    body: JsonBody<UpdateOrgRequest>,
) -> Handled {
    let changes = body.0.changes()?;
    let org = state
        .registry_for(&caller)
        .update_org(&caller.0, &slug, changes)
        .await?;
    Ok(HttpResponse::Ok().json(OrgResponse::from(&org)))
}

/// Delete an org with no live agents, and what it still owns (platform admin only).
#[utoipa::path(delete, path = "/orgs/{org_slug}", tag = "orgs",
    params(OrgPath),
    responses((status = 200, body = DeleteResponse), Forbidden, NotFound, Conflict))]
pub async fn delete_org(
    state: web::Data<AppState>,
    caller: Caller,
    InPath(slug): InPath<OrgSlug>,
) -> Handled {
    let org = state
        .registry_for(&caller)
        .delete_org(&caller.0, &slug)
        .await?;
    Ok(HttpResponse::Ok().json(DeleteResponse {
        id: org.id.to_string(),
        message: format!("Org '{}' deleted", org.slug),
    }))
}

/// Upsert an agent by name inside a named org, for mirroring integrations (platform admin
/// only; 201 when created); honours `If-Match`.
#[utoipa::path(put, path = "/orgs/{org_slug}/agents/{agent_name}", tag = "orgs",
    params(OrgAgentPath,
        ("If-Match" = Option<String>, Header, description = "ETag the agent must still have")),
    request_body = UpsertAgentRequest,
    responses((status = 201, body = UpsertAgentResponse, headers(("Location" = String), ("ETag" = String))),
        (status = 200, body = UpsertAgentResponse),
        Forbidden,
        NotFound,
        Conflict,
        PreconditionFailed,
        Unprocessable))]
pub async fn upsert_agent_in_org(
    state: web::Data<AppState>,
    caller: Caller,
    req: HttpRequest,
    InPath(slug): InPath<OrgSlug>,
    InPath(name): InPath<AgentName>,
    body: JsonBody<UpsertAgentRequest>,
) -> Handled {
    let input = upsert_input(&req, name, body.0)?;
    let written = state
        .registry_for(&caller)
        .upsert_agent_in_org(&caller.0, &slug, input)
        .await?;
    Ok(upserted(&written))
}
