//! `/webhooks` (contract §10): an org's subscriptions, managed by its admins (or the platform
//! admin naming the org with `X-Registry-Org`); the secret is shown on create and rotation only.

use crate::auth::Caller;
use crate::dto::params::{IdPath, PageQuery};
use crate::dto::{
    parse_event_kinds, CreateWebhookRequest, DeleteResponse, DeliveryResponse, ReplayRequest,
    UpdateWebhookRequest, WebhookResponse, WebhookWithSecretResponse,
};
use crate::error::{ApiError, Forbidden, NotFound, Unprocessable};
use crate::extract::{JsonBody, QueryParams};
use crate::path::InPath;
use crate::routes::{list_response, page_of};
use crate::state::AppState;
use actix_web::http::header::LOCATION;
use actix_web::{web, HttpResponse};
use registry_domain::{
    parse_webhook_description, ValidationError, WebhookChanges, WebhookId, WebhookStatus,
};
use registry_signing::webhook_secret_text;
use registry_usecases::{CreateWebhookInput, WebhookWithSecret};

type Handled = Result<HttpResponse, ApiError>;

/// Most delivery attempts one `GET /webhooks/{id}/deliveries` returns.
const MAX_DELIVERIES: i64 = 1000;
/// Attempts returned without `limit`.
const DEFAULT_DELIVERIES: i64 = 100;

fn with_secret(created: &WebhookWithSecret) -> WebhookWithSecretResponse {
    WebhookWithSecretResponse {
        webhook: WebhookResponse::from(&created.webhook),
        secret: webhook_secret_text(&created.secret),
    }
}

/// Subscribe a URL to the org's events (org admins and the platform admin); the secret is
/// shown once.
#[utoipa::path(post, path = "/webhooks", tag = "webhooks",
    request_body = CreateWebhookRequest,
    responses((status = 201, body = WebhookWithSecretResponse, headers(("Location" = String))),
        Forbidden,
        Unprocessable))]
pub async fn create_webhook(
    state: web::Data<AppState>,
    caller: Caller,
    body: JsonBody<CreateWebhookRequest>,
) -> Handled {
    let b = body.0;
    let input = CreateWebhookInput {
        url: b.url,
        event_kinds: b
            .event_kinds
            .as_deref()
            .map(parse_event_kinds)
            .transpose()?,
        description: parse_webhook_description(
            b.description.as_deref().unwrap_or_default(),
            "description",
        )?,
    };
    let created = state
        .registry_for(&caller)
        .create_webhook(&caller.0, input)
        .await?;
    Ok(HttpResponse::Created()
        .insert_header((LOCATION, format!("/webhooks/{}", created.webhook.id)))
        .json(with_secret(&created)))
}

/// The org's subscriptions, oldest first (admins).
#[utoipa::path(get, path = "/webhooks", tag = "webhooks",
    params(PageQuery),
    responses((status = 200, body = Vec<WebhookResponse>, headers(("X-Total-Count" = u64, description = "Rows matching (or the count bound, 10,000, when capped)"), ("X-Total-Count-Capped" = bool, description = "true when the count stopped at the bound; absent when exact"))),
        Forbidden))]
pub async fn list_webhooks(state: web::Data<AppState>, caller: Caller, q: QueryParams) -> Handled {
    let page = state
        .registry_for(&caller)
        .list_webhooks(&caller.0, page_of(&q)?)
        .await?;
    Ok(list_response::<_, WebhookResponse>(&page))
}

/// One subscription (admins).
#[utoipa::path(get, path = "/webhooks/{id}", tag = "webhooks",
    params(IdPath),
    responses((status = 200, body = WebhookResponse), Forbidden, NotFound))]
pub async fn get_webhook(
    state: web::Data<AppState>,
    caller: Caller,
    InPath(id): InPath<WebhookId>,
) -> Handled {
    let webhook = state
        .registry_for(&caller)
        .get_webhook(&caller.0, id)
        .await?;
    Ok(HttpResponse::Ok().json(WebhookResponse::from(&webhook)))
}

/// Change a subscription's URL, kinds, description or status (admins).
#[utoipa::path(patch, path = "/webhooks/{id}", tag = "webhooks",
    params(IdPath),
    request_body = UpdateWebhookRequest,
    responses((status = 200, body = WebhookResponse), Forbidden, NotFound, Unprocessable))]
pub async fn update_webhook(
    state: web::Data<AppState>,
    caller: Caller,
    InPath(id): InPath<WebhookId>,
    body: JsonBody<UpdateWebhookRequest>,
) -> Handled {
    let b = body.0;
    let status = b
        .status
        .as_deref()
        .map(|s| match WebhookStatus::parse(s) {
            Some(s @ (WebhookStatus::Enabled | WebhookStatus::Disabled)) => Ok(s),
            _ => Err(ValidationError::new(
                "status",
                "must be enabled or disabled",
            )),
        })
        .transpose()?;
    let changes = WebhookChanges {
        url: b.url,
        event_kinds: b
            .event_kinds
            .map(|kinds| kinds.as_deref().map(parse_event_kinds).transpose())
            .transpose()?,
        description: b
            .description
            .as_deref()
            .map(|d| parse_webhook_description(d, "description"))
            .transpose()?,
        status,
    };
    let webhook = state
        .registry_for(&caller)
        .update_webhook(&caller.0, id, changes)
        .await?;
    Ok(HttpResponse::Ok().json(WebhookResponse::from(&webhook)))
}

/// Delete a subscription and its delivery log (admins).
#[utoipa::path(delete, path = "/webhooks/{id}", tag = "webhooks",
    params(IdPath),
    responses((status = 200, body = DeleteResponse), Forbidden, NotFound))]
pub async fn delete_webhook(
    state: web::Data<AppState>,
    caller: Caller,
    InPath(id): InPath<WebhookId>,
) -> Handled {
    state
        .registry_for(&caller)
        .delete_webhook(&caller.0, id)
        .await?;
    Ok(HttpResponse::Ok().json(DeleteResponse {
        id: id.to_string(),
        message: format!("Webhook '{id}' deleted"),
    }))
}

/// Give a subscription a new secret, shown once; the old one keeps signing (a second
/// signature) for the overlap window (admins).
#[utoipa::path(post, path = "/webhooks/{id}/rotate-secret", tag = "webhooks",
    params(IdPath),
    responses((status = 200, body = WebhookWithSecretResponse), Forbidden, NotFound))]
pub async fn rotate_webhook_secret(
    state: web::Data<AppState>,
    caller: Caller,
    InPath(id): InPath<WebhookId>,
) -> Handled {
    let rotated = state
        .registry_for(&caller)
        .rotate_webhook_secret(&caller.0, id)
        .await?;
    Ok(HttpResponse::Ok().json(with_secret(&rotated)))
}

/// The subscription's delivery attempts, newest first (admins).
#[utoipa::path(get, path = "/webhooks/{id}/deliveries", tag = "webhooks",
    params(IdPath, ("limit" = Option<u32>, Query, minimum = 1, maximum = 1000, description = "1..=1000 (default 100)")),
    responses((status = 200, body = Vec<DeliveryResponse>, headers(("X-Total-Count" = u64, description = "Attempts logged (or the count bound, 10,000, when capped)"))),
        Forbidden, NotFound, Unprocessable))]
pub async fn list_deliveries(
    state: web::Data<AppState>,
    caller: Caller,
    InPath(id): InPath<WebhookId>,
    q: QueryParams,
) -> Handled {
    let limit = q.int("limit")?.unwrap_or(DEFAULT_DELIVERIES);
    let limit = u32::try_from(limit)
        .ok()
        .filter(|l| (1..=MAX_DELIVERIES as u32).contains(l))
        .ok_or_else(|| ValidationError::new("limit", "must be between 1 and 1000"))?;
    let page = state
        .registry_for(&caller)
        .list_deliveries(&caller.0, id, limit)
        .await?;
    Ok(list_response::<_, DeliveryResponse>(&page))
}

/// Redeliver every event after `after`, in order (re-enables a `failing` subscription)
/// (admins).
#[utoipa::path(post, path = "/webhooks/{id}/replay", tag = "webhooks",
    params(IdPath),
    request_body = ReplayRequest,
    responses((status = 200, body = WebhookResponse), Forbidden, NotFound, Unprocessable))]
pub async fn replay_webhook(
    state: web::Data<AppState>,
    caller: Caller,
    InPath(id): InPath<WebhookId>,
    body: JsonBody<ReplayRequest>,
) -> Handled {
    let webhook = state
        .registry_for(&caller)
        .replay_webhook(&caller.0, id, body.0.after)
        .await?;
    Ok(HttpResponse::Ok().json(WebhookResponse::from(&webhook)))
}
