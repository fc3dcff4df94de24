//! Browser clients: CORS for the configured origins (contract §8). Unset, no CORS headers are
//! sent, as before. A preflight (`OPTIONS` with `Access-Control-Request-Method`) is answered by
//! the middleware itself, before any route or credential is looked at.

use actix_cors::Cors;
use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{
    ACCESS_CONTROL_REQUEST_METHOD, AUTHORIZATION, CONTENT_TYPE, ETAG, IF_MATCH, IF_NONE_MATCH,
    LOCATION, RETRY_AFTER,
};
use actix_web::http::{Method, StatusCode};
use actix_web::middleware::{Condition, Next};

/// How long a browser may cache a preflight answer (seconds).
const PREFLIGHT_MAX_AGE: usize = 3600;

/// The CORS middleware for `origins` (exact origins, e.g. `https://console.example.com`);
/// disabled when there are none.
pub fn cors(origins: &[String]) -> Condition<Cors> {
    let mut cors = Cors::default()
        .allowed_methods([
            Method::GET,
            Method::HEAD,
            Method::POST,
            Method::PUT,
            Method::PATCH,
            Method::DELETE,
            Method::OPTIONS,
        ])
        .allowed_headers([AUTHORIZATION, CONTENT_TYPE, IF_MATCH, IF_NONE_MATCH])
        .allowed_header("x-agent-api-key")
        .allowed_header("x-registry-org")
        .allowed_header("x-request-id")
        .expose_headers([ETAG, LOCATION, RETRY_AFTER])
        .expose_headers([
            "x-total-count",
            "x-total-count-capped",
            "x-request-id",
            "registry-created",
        ])
        .max_age(PREFLIGHT_MAX_AGE);
    for origin in origins {
        cors = cors.allowed_origin(origin);
    }
    Condition::new(!origins.is_empty(), cors)
}

/// A preflight is answered 204 No Content (actix-cors answers 200 with an empty body; 204 is
/// what browsers and proxies expect of a response that has none).
pub async fn preflight_no_content(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let preflight = req.method() == Method::OPTIONS
        && req.headers().contains_key(ACCESS_CONTROL_REQUEST_METHOD);
    let mut res = next.call(req).await?;
    if preflight && res.status() == StatusCode::OK {
        *res.response_mut().status_mut() = StatusCode::NO_CONTENT;
    }
    Ok(res)
}
