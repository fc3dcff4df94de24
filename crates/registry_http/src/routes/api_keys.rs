//! `/agent_api_keys`.

use super::agent_ref::{selected, SelectorPurpose};
use super::history::selector_of;
use super::{list_response, page_of};
use crate::auth::Caller;
use crate::dto::params::{IdPath, KeyNamePath, KeyTypeQuery, PageQuery, SelectorQuery};
use crate::dto::{AgentApiKeyResponse, CreateApiKeyRequest, CreateApiKeyResponse};
use crate::error::{ApiError, BadRequest, Conflict, NotFound, Unprocessable};
use crate::extract::{JsonBody, QueryParams};
use crate::path::{InPath, KeyName};
use crate::state::AppState;
use actix_web::http::header::LOCATION;
use actix_web::{web, HttpResponse};
use registry_domain::{ApiKeyId, ApiKeyType};
use registry_usecases::{ApiKeyByName, CreateApiKeyInput, ListApiKeysInput};

type Handled = Result<HttpResponse, ApiError>;

fn key_type(raw: Option<&str>) -> Result<ApiKeyType, ApiError> {
    Ok(raw
        .map(ApiKeyType::parse)
        .transpose()?
        .unwrap_or(ApiKeyType::External))
}

fn by_name(
    q: &QueryParams,
    name: String,
    purpose: SelectorPurpose,
) -> Result<ApiKeyByName, ApiError> {
    Ok(ApiKeyByName {
        agent: selector_of(q, purpose)?,
        name,
        api_key_type: key_type(q.get("api_key_type"))?,
    })
}

/// Create an agent API key (server-generated secret, shown once). Needs `update` on the agent.
/// 200 as the peer, with `Location`.
#[utoipa::path(post, path = "/agent_api_keys", tag = "agent_api_keys",
    request_body = CreateApiKeyRequest,
    responses((status = 200, body = CreateApiKeyResponse, headers(("Location" = String))),
        BadRequest,
        NotFound,
        Conflict,
        Unprocessable))]
pub async fn create_api_key(
    state: web::Data<AppState>,
    caller: Caller,
    body: JsonBody<CreateApiKeyRequest>,
) -> Handled {
    let b = body.0;
    let input = CreateApiKeyInput {
        agent: selected(
            b.agent_id.as_deref(),
            b.agent_name.as_deref(),
            SelectorPurpose::CreateApiKey,
        )?,
        name: b.name,
        api_key_type: key_type(b.api_key_type.as_deref())?,
        api_key: b.api_key,
    };
    let created = state
        .registry_for(&caller)
        .create_api_key(&caller.0, input)
        .await?;
    Ok(HttpResponse::Ok()
        .insert_header((LOCATION, format!("/agent_api_keys/{}", created.key.id)))
        .json(CreateApiKeyResponse {
            key: AgentApiKeyResponse::from(&created.key),
            api_key: created.secret,
        }))
}

/// List an agent's keys, oldest first (exactly one of `agent_id` / `agent_name`).
#[utoipa::path(get, path = "/agent_api_keys", tag = "agent_api_keys",
    params(SelectorQuery, PageQuery),
    responses((status = 200, body = Vec<AgentApiKeyResponse>, headers(("X-Total-Count" = u64, description = "Rows matching (or the count bound, 10,000, when capped)"), ("X-Total-Count-Capped" = bool, description = "true when the count stopped at the bound: at least X-Total-Count rows match; absent when exact"))),
        BadRequest,
        NotFound))]
pub async fn list_api_keys(state: web::Data<AppState>, caller: Caller, q: QueryParams) -> Handled {
    let input = ListApiKeysInput {
        agent: selector_of(&q, SelectorPurpose::ListApiKeys)?,
        page: page_of(&q)?,
    };
    let page = state
        .registry_for(&caller)
        .list_api_keys(&caller.0, input)
        .await?;
    Ok(list_response::<_, AgentApiKeyResponse>(&page))
}

/// One key by id.
#[utoipa::path(get, path = "/agent_api_keys/{id}", tag = "agent_api_keys",
    params(IdPath),
    responses((status = 200, body = AgentApiKeyResponse),
        NotFound))]
pub async fn get_api_key(
    state: web::Data<AppState>,
    caller: Caller,
    InPath(id): InPath<ApiKeyId>,
) -> Handled {
    let key = state
        .registry_for(&caller)
        .get_api_key(&caller.0, id)
        .await?;
    Ok(HttpResponse::Ok().json(AgentApiKeyResponse::from(&key)))
}

/// One key by name (agent selector and `api_key_type`, default `external`, in the query).
#[utoipa::path(get, path = "/agent_api_keys/name/{name}", tag = "agent_api_keys",
    params(KeyNamePath, SelectorQuery, KeyTypeQuery),
    responses((status = 200, body = AgentApiKeyResponse),
        BadRequest,
        NotFound))]
pub async fn get_api_key_by_name(
    state: web::Data<AppState>,
    caller: Caller,
    InPath(KeyName(name)): InPath<KeyName>,
    q: QueryParams,
) -> Handled {
    let input = by_name(&q, name, SelectorPurpose::GetApiKey)?;
    let key = state
        .registry_for(&caller)
        .get_api_key_by_name(&caller.0, input)
        .await?;
    Ok(HttpResponse::Ok().json(AgentApiKeyResponse::from(&key)))
}

/// Delete a key by id; answers the peer's JSON string.
#[utoipa::path(delete, path = "/agent_api_keys/{id}", tag = "agent_api_keys",
    params(IdPath),
    responses((status = 200, body = String, content_type = "application/json", example = json!("Agent API key with ID 6f1c… deleted")),
        NotFound))]
pub async fn delete_api_key(
    state: web::Data<AppState>,
    caller: Caller,
    InPath(id): InPath<ApiKeyId>,
) -> Handled {
    let key = state
        .registry_for(&caller)
        .delete_api_key(&caller.0, id)
        .await?;
    Ok(HttpResponse::Ok().json(format!("Agent API key with ID {} deleted", key.id)))
}

/// Delete a key by name; answers the peer's JSON string.
#[utoipa::path(delete, path = "/agent_api_keys/name/{name}", tag = "agent_api_keys",
    params(KeyNamePath, SelectorQuery, KeyTypeQuery),
    responses((status = 200, body = String, content_type = "application/json", example = json!("Agent api_key 'ci' deleted")),
        BadRequest,
        NotFound))]
pub async fn delete_api_key_by_name(
    state: web::Data<AppState>,
    caller: Caller,
    InPath(KeyName(name)): InPath<KeyName>,
    q: QueryParams,
) -> Handled {
    let input = by_name(&q, name, SelectorPurpose::DeleteApiKey)?;
    let key = state
        .registry_for(&caller)
        .delete_api_key_by_name(&caller.0, input)
        .await?;
    Ok(HttpResponse::Ok().json(format!("Agent api_key '{}' deleted", key.name)))
}
