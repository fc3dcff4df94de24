//! A deadline for a whole request: a handler still running after [`crate::Limits`]'
//! `request_timeout` is abandoned and the client gets 503 `unavailable` with `Retry-After` (the
//! database work it started is itself bounded by `statement_timeout`). Wrapped around each
//! registry resource, after routing: the request may be shared from there on.

use crate::error::ApiError;
use crate::state::AppState;
use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::middleware::Next;
use actix_web::{web, ResponseError};

/// The middleware (see the module docs).
pub async fn within_deadline(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let Some(limit) = req
        .app_data::<web::Data<AppState>>()
        .map(|s| s.limits.request_timeout)
    else {
        return next
            .call(req)
            .await
            .map(ServiceResponse::map_into_boxed_body);
    };
    let request = req.request().clone();
    match actix_web::rt::time::timeout(limit, next.call(req)).await {
        Ok(answer) => answer.map(ServiceResponse::map_into_boxed_body),
        Err(_) => {
            tracing::warn!(
                request_id = %crate::current_request_id().unwrap_or_default(),
                timeout = ?limit,
                "request abandoned at its deadline"
            );
            let response = ApiError::unavailable().error_response();
            Ok(ServiceResponse::new(request, response))
        }
    }
}
