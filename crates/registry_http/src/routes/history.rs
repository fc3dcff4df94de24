//! `/deployment-history`.

use super::agent_ref::{selected, SelectorPurpose};
use super::{direction_of, list_response, only_order_by, page_of};
use crate::auth::Caller;
use crate::dto::params::{HistoryListQuery, HistoryPath, PageQuery, SelectorQuery};
use crate::dto::DeploymentHistoryResponse;
use crate::error::{ApiError, BadRequest, NotFound};
use crate::extract::QueryParams;
use crate::path::InPath;
use crate::state::AppState;
use actix_web::{web, HttpResponse};
use registry_domain::{AgentRef, HistoryId};
use registry_usecases::ListHistoryInput;

type Handled = Result<HttpResponse, ApiError>;

/// The `agent_id` / `agent_name` selector of a query: exactly one (the peer's 400s for
/// `purpose` otherwise).
pub fn selector_of(q: &QueryParams, purpose: SelectorPurpose) -> Result<AgentRef, ApiError> {
    selected(q.get("agent_id"), q.get("agent_name"), purpose)
}

/// One deployment-history row.
#[utoipa::path(get, path = "/deployment-history/{deployment_id}", tag = "deployment-history",
    params(HistoryPath),
    responses((status = 200, body = DeploymentHistoryResponse),
        NotFound))]
pub async fn get_history(
    state: web::Data<AppState>,
    caller: Caller,
    InPath(id): InPath<HistoryId>,
) -> Handled {
    let h = state
        .registry_for(&caller)
        .get_deployment_history(&caller.0, id)
        .await?;
    Ok(HttpResponse::Ok().json(DeploymentHistoryResponse::from(&h)))
}

/// The agent's deployment history (exactly one of `agent_id` / `agent_name`, else 400).
#[utoipa::path(get, path = "/deployment-history", tag = "deployment-history",
    params(SelectorQuery, PageQuery, HistoryListQuery),
    responses((status = 200, body = Vec<DeploymentHistoryResponse>, headers(("X-Total-Count" = u64, description = "Rows matching (or the count bound, 10,000, when capped)"), ("X-Total-Count-Capped" = bool, description = "true when the count stopped at the bound: at least X-Total-Count rows match; absent when exact"))),
        BadRequest,
        NotFound))]
pub async fn list_history(state: web::Data<AppState>, caller: Caller, q: QueryParams) -> Handled {
    only_order_by(&q, "deployment_timestamp")?;
    let input = ListHistoryInput {
        agent: selector_of(&q, SelectorPurpose::ListHistory)?,
        page: page_of(&q)?,
        order_direction: direction_of(&q)?,
    };
    let page = state
        .registry_for(&caller)
        .list_deployment_history(&caller.0, input)
        .await?;
    Ok(list_response::<_, DeploymentHistoryResponse>(&page))
}
