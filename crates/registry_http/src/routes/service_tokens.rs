//! `/service_tokens`: admin-issued credentials for users and services.

use crate::auth::Caller;
use crate::dto::params::{IdPath, PageQuery};
use crate::dto::{
    CreateServiceTokenRequest, CreateServiceTokenResponse, DeleteResponse, ServiceTokenResponse,
};
use crate::error::{ApiError, Conflict, Forbidden, NotFound, Unprocessable};
use crate::extract::{JsonBody, QueryParams};
use crate::path::InPath;
use crate::routes::{list_response_with, page_of};
use crate::state::AppState;
use actix_web::http::header::LOCATION;
use actix_web::{web, HttpResponse};
use registry_domain::{OrgSlug, ServiceTokenId};
use registry_usecases::{CreateServiceTokenInput, ServiceTokenKind};

type Handled = Result<HttpResponse, ApiError>;

/// Create a service token (admin only); the token is shown once.
#[utoipa::path(post, path = "/service_tokens", tag = "service_tokens",
    request_body = CreateServiceTokenRequest,
    responses((status = 201, body = CreateServiceTokenResponse, headers(("Location" = String))),
        Forbidden,
        Conflict,
        Unprocessable))]
pub async fn create_service_token(
    state: web::Data<AppState>,
    caller: Caller,
    body: JsonBody<CreateServiceTokenRequest>,
) -> Handled {
    let b = body.0;
    let input = CreateServiceTokenInput {
        name: b.name,
        kind: b
            .kind
            .as_deref()
            .map(ServiceTokenKind::parse)
            .transpose()?
            .unwrap_or_default(),
        org: b
            .org
            .as_deref()
            .map(|slug| OrgSlug::parse(slug, "org"))
            .transpose()?,
    };
    let created = state
        .registry_for(&caller)
        .create_service_token(&caller.0, input)
        .await?;
    Ok(HttpResponse::Created()
        .insert_header((LOCATION, format!("/service_tokens/{}", created.token.id)))
        .json(CreateServiceTokenResponse {
            token: ServiceTokenResponse::new(&created.token, &created.org.slug),
            secret: created.secret,
        }))
}

/// A page of the service tokens, oldest first (admin only).
#[utoipa::path(get, path = "/service_tokens", tag = "service_tokens",
    params(PageQuery),
    responses((status = 200, body = Vec<ServiceTokenResponse>, headers(("X-Total-Count" = u64, description = "Rows matching (or the count bound, 10,000, when capped)"), ("X-Total-Count-Capped" = bool, description = "true when the count stopped at the bound: at least X-Total-Count rows match; absent when exact"))),
        Forbidden))]
pub async fn list_service_tokens(
    state: web::Data<AppState>,
    caller: Caller,
    q: QueryParams,
) -> Handled {
    let page = state
        .registry_for(&caller)
        .list_service_tokens(&caller.0, page_of(&q)?)
        .await?;
    Ok(list_response_with(&page, |t| {
        ServiceTokenResponse::new(t, &caller.1.slug)
    }))
}

/// Revoke a service token (admin only); it stops authenticating at once.
#[utoipa::path(delete, path = "/service_tokens/{id}", tag = "service_tokens",
    params(IdPath),
    responses((status = 200, body = DeleteResponse),
        Forbidden,
        NotFound))]
pub async fn revoke_service_token(
    state: web::Data<AppState>,
    caller: Caller,
    InPath(id): InPath<ServiceTokenId>,
) -> Handled {
    let token = state
        .registry_for(&caller)
        .revoke_service_token(&caller.0, id)
        .await?;
    Ok(HttpResponse::Ok().json(DeleteResponse {
        id: token.id.to_string(),
        message: format!("Service token '{}' revoked", token.name),
    }))
}
