//! `/agents/{agent_id}/deployments`: create, list, get, delete (soft), promote.

use super::{direction_of, list_response, only_order_by, page_of};
use crate::auth::Caller;
use crate::dto::params::{AgentPath, DeploymentListQuery, DeploymentPath, PageQuery};
use crate::dto::{parse_metadata, CreateDeploymentRequest, DeleteResponse, DeploymentResponse};
use crate::error::{ApiError, Conflict, NotFound, Unprocessable};
use crate::extract::{JsonBody, QueryParams};
use crate::path::InPath;
use crate::state::AppState;
use crate::valid::AllValid;
use actix_web::http::header::LOCATION;
use actix_web::{web, HttpResponse};
use registry_domain::{bounded_text, AgentId, DeploymentId, MAX_EXTERNAL_ID_LEN, MAX_IMAGE_LEN};
use registry_usecases::{CreateDeploymentInput, ListDeploymentsInput};

type Handled = Result<HttpResponse, ApiError>;

/// Create a deployment (Pending). Needs `execute` on the agent. 200 as the peer, with `Location`.
#[utoipa::path(post, path = "/agents/{agent_id}/deployments", tag = "deployments",
    params(AgentPath),
    request_body = CreateDeploymentRequest,
    responses((status = 200, body = DeploymentResponse, headers(("Location" = String))),
        NotFound,
        Unprocessable))]
pub async fn create_deployment(
    state: web::Data<AppState>,
    caller: Caller,
    InPath(agent_id): InPath<AgentId>,
    body: JsonBody<CreateDeploymentRequest>,
) -> Handled {
    let b = body.0;
    let optional = |value: &Option<String>, field| {
        value
            .as_deref()
            .map_or(Ok(()), |v| bounded_text(v, field, MAX_EXTERNAL_ID_LEN))
    };
    let (_, _, _, registration_metadata) = (
        bounded_text(&b.docker_image, "docker_image", MAX_IMAGE_LEN),
        optional(&b.sgp_deploy_id, "sgp_deploy_id"),
        optional(&b.helm_release_name, "helm_release_name"),
        parse_metadata(b.registration_metadata, "registration_metadata"),
    )
        .all_valid()?;
    let input = CreateDeploymentInput {
        agent_id,
        docker_image: b.docker_image,
        registration_metadata,
        sgp_deploy_id: b.sgp_deploy_id,
        helm_release_name: b.helm_release_name,
    };
    let d = state
        .registry_for(&caller)
        .create_deployment(&caller.0, input)
        .await?;
    Ok(HttpResponse::Ok()
        .insert_header((
            LOCATION,
            format!("/agents/{}/deployments/{}", d.agent_id, d.id),
        ))
        .json(DeploymentResponse::from(&d)))
}

/// List the agent's non-expired deployments.
#[utoipa::path(get, path = "/agents/{agent_id}/deployments", tag = "deployments",
    params(AgentPath, PageQuery, DeploymentListQuery),
    responses((status = 200, body = Vec<DeploymentResponse>, headers(("X-Total-Count" = u64, description = "Rows matching (or the count bound, 10,000, when capped)"), ("X-Total-Count-Capped" = bool, description = "true when the count stopped at the bound: at least X-Total-Count rows match; absent when exact"))),
        NotFound))]
pub async fn list_deployments(
    state: web::Data<AppState>,
    caller: Caller,
    InPath(agent_id): InPath<AgentId>,
    q: QueryParams,
) -> Handled {
    only_order_by(&q, "created_at")?;
    let input = ListDeploymentsInput {
        agent_id,
        page: page_of(&q)?,
        order_direction: direction_of(&q)?,
    };
    let page = state
        .registry_for(&caller)
        .list_deployments(&caller.0, input)
        .await?;
    Ok(list_response::<_, DeploymentResponse>(&page))
}

/// Get one deployment of the agent (expired ones included).
#[utoipa::path(get, path = "/agents/{agent_id}/deployments/{deployment_id}", tag = "deployments",
    params(DeploymentPath),
    responses((status = 200, body = DeploymentResponse),
        NotFound))]
pub async fn get_deployment(
    state: web::Data<AppState>,
    caller: Caller,
    InPath(agent_id): InPath<AgentId>,
    InPath(deployment_id): InPath<DeploymentId>,
) -> Handled {
    let d = state
        .registry_for(&caller)
        .get_deployment(&caller.0, agent_id, deployment_id)
        .await?;
    Ok(HttpResponse::Ok().json(DeploymentResponse::from(&d)))
}

/// Soft-delete a deployment (the production one is 409).
#[utoipa::path(delete, path = "/agents/{agent_id}/deployments/{deployment_id}", tag = "deployments",
    params(DeploymentPath),
    responses((status = 200, body = DeleteResponse),
        NotFound,
        Conflict))]
pub async fn delete_deployment(
    state: web::Data<AppState>,
    caller: Caller,
    InPath(agent_id): InPath<AgentId>,
    InPath(deployment_id): InPath<DeploymentId>,
) -> Handled {
    let d = state
        .registry_for(&caller)
        .delete_deployment(&caller.0, agent_id, deployment_id)
        .await?;
    Ok(HttpResponse::Ok().json(DeleteResponse {
        id: d.id.to_string(),
        message: format!("Deployment '{}' deleted successfully", d.id),
    }))
}

/// Promote a Ready deployment to production (409 when not Ready or the agent is Deleted).
#[utoipa::path(post, path = "/agents/{agent_id}/deployments/{deployment_id}/promote", tag = "deployments",
    params(DeploymentPath),
    responses((status = 200, body = DeploymentResponse),
        NotFound,
        Conflict))]
pub async fn promote_deployment(
    state: web::Data<AppState>,
    caller: Caller,
    InPath(agent_id): InPath<AgentId>,
    InPath(deployment_id): InPath<DeploymentId>,
) -> Handled {
    let promoted = state
        .registry_for(&caller)
        .promote_deployment(&caller.0, agent_id, deployment_id)
        .await?;
    Ok(HttpResponse::Ok().json(DeploymentResponse::from(&promoted.deployment)))
}
