//! Operational endpoints (no authentication): liveness, readiness, metrics. (`/openapi.json`
//! is served next to the document it serves.)

use crate::dto::HealthResponse;
use crate::error::{ApiError, Unavailable};
use crate::state::AppState;
use actix_web::http::header::AUTHORIZATION;
use actix_web::{web, HttpRequest, HttpResponse};
use subtle::ConstantTimeEq;

/// Liveness: the process is up.
#[utoipa::path(get, path = "/healthz", tag = "operations",
    responses((status = 200, body = HealthResponse)))]
pub async fn healthz() -> HttpResponse {
    HttpResponse::Ok().json(HealthResponse {
        status: "ok".to_owned(),
    })
}

/// Liveness at the peer's path (Agentex's `GET /healthcheck`): the same answer as `/healthz`.
#[utoipa::path(get, path = "/healthcheck", tag = "operations",
    responses((status = 200, body = HealthResponse)))]
pub async fn healthcheck() -> HttpResponse {
    healthz().await
}

/// Readiness: the database answers (503 `unavailable` otherwise).
#[utoipa::path(get, path = "/readyz", tag = "operations",
    responses((status = 200, body = HealthResponse),
        Unavailable))]
pub async fn readyz(state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    state.registry.ping().await?;
    Ok(HttpResponse::Ok().json(HealthResponse {
        status: "ready".to_owned(),
    }))
}

/// Prometheus metrics (text exposition format). With `METRICS_TOKEN` set, only for
/// `Authorization: Bearer <that token>`.
#[utoipa::path(get, path = "/metrics", tag = "operations",
    responses((status = 200, body = String, content_type = "text/plain; version=0.0.4")))]
pub async fn metrics(
    state: web::Data<AppState>,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    if let Some(expected) = &state.metrics_token {
        let presented = req
            .headers()
            .get(AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .unwrap_or("");
        if !bool::from(presented.as_bytes().ct_eq(expected.as_bytes())) {
            return Err(ApiError::unauthenticated());
        }
    }
    let pool = state.pool_stats.as_ref().map(|f| f());
    Ok(HttpResponse::Ok()
        .content_type("text/plain; version=0.0.4; charset=utf-8")
        .body(state.metrics.render(pool)))
}
