//! The outermost middleware: request id, panic containment, problem+json for every error that
//! did not come from our handlers, one log line and the metrics of each request. Methods outside
//! [`method_label`]'s set are answered 501 here, before routing and authentication, and counted
//! and logged as `other`: every label and log field comes from a fixed set or a checked value.

use crate::auth::Caller;
use crate::error::{ApiError, PROBLEM_JSON};
use crate::state::AppState;
use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{HeaderName, HeaderValue, CONTENT_TYPE};
use actix_web::http::{Method, StatusCode};
use actix_web::middleware::Next;
use actix_web::{web, HttpMessage, ResponseError};
use futures_util::FutureExt;
use std::panic::AssertUnwindSafe;
use std::time::Instant;

/// The request-id header, accepted when sane and always echoed.
pub const REQUEST_ID_HEADER: &str = "x-request-id";

/// The id of the request (stored in its extensions).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestId(pub String);

tokio::task_local! {
    /// The id of the request being served, set around its handling (the request's task). Log
    /// lines take it from here: the request line as its `request_id` field, and the JSON format
    /// for any other line logged while the request is handled. A tracing span would carry it
    /// too, but creating, entering at every poll and closing one per request cost more than the
    /// line itself (docs/benchmarks.md).
    static CURRENT_REQUEST_ID: String;
}

/// The id of the request being handled on this task, if any (for log lines other than the
/// request line, which are rare: warnings and errors).
pub fn current_request_id() -> Option<String> {
    CURRENT_REQUEST_ID.try_with(Clone::clone).ok()
}

/// An incoming request id is kept if it is 1..=128 characters of `[A-Za-z0-9._:-]`.
pub fn sane_request_id(value: &str) -> bool {
    !value.is_empty()
        && value.len() <= 128
        && value
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"._:-".contains(&b))
}

/// The label of a method: its name if it is one we serve, else `other`.
pub fn method_label(method: &Method) -> &'static str {
    match *method {
        Method::GET => "GET",
        Method::HEAD => "HEAD",
        Method::POST => "POST",
        Method::PUT => "PUT",
        Method::PATCH => "PATCH",
        Method::DELETE => "DELETE",
        Method::OPTIONS => "OPTIONS",
        _ => OTHER_METHOD,
    }
}

/// A random (version 4) UUID naming a request that came without an id. Drawn from the thread's
/// CSPRNG (seeded from the OS) rather than from the OS itself: `Uuid::new_v4` makes a
/// `getrandom` system call per request.
fn new_request_id() -> String {
    uuid::Builder::from_random_bytes(rand::random())
        .into_uuid()
        .to_string()
}

/// The label of every method outside the served set (TRACE, CONNECT and extension methods).
pub const OTHER_METHOD: &str = "other";

/// The outermost middleware: request id, 501 for a method outside the served set, panic
/// containment, problem+json for every error that did not come from our handlers, and one log
/// line and the metrics of each request.
pub async fn observe(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let started = Instant::now();
    let request_id = req
        .headers()
        .get(REQUEST_ID_HEADER)
        .and_then(|v| v.to_str().ok())
        .filter(|v| sane_request_id(v))
        .map(str::to_owned)
        .unwrap_or_else(new_request_id);
    req.extensions_mut().insert(RequestId(request_id.clone()));
    let method = method_label(req.method());
    let state = req.app_data::<web::Data<AppState>>().cloned();

    // The request is not cloned here: routing needs sole ownership of it. A panic therefore
    // answers through an error (rendered by `ApiError`, request id included).
    let outcome = if method == OTHER_METHOD {
        Ok(Ok(req.error_response(ApiError::not_implemented())))
    } else {
        let handled = CURRENT_REQUEST_ID.scope(request_id.clone(), next.call(req));
        AssertUnwindSafe(handled)
            .catch_unwind()
            .await
            .map(|r| r.map(ServiceResponse::map_into_boxed_body))
    };
    let response = match outcome {
        Ok(Ok(res)) => res,
        Ok(Err(err)) => return Err(err),
        Err(_panic) => {
            let elapsed = started.elapsed();
            if let Some(state) = &state {
                state
                    .metrics
                    .observe("unknown", method, 500, elapsed.as_secs_f64());
            }
            tracing::error!(
                request_id = %request_id,
                method = %method,
                status = 500u16,
                latency_ms = elapsed.as_secs_f64() * 1000.0,
                "handler panicked"
            );
            return Err(ApiError::internal(Some(request_id)).into());
        }
    };
    let mut response = as_problem(response, &request_id);
    if let Ok(value) = HeaderValue::from_str(&request_id) {
        response
            .headers_mut()
            .insert(HeaderName::from_static(REQUEST_ID_HEADER), value);
    }

    let status = response.status().as_u16();
    let route = response
        .request()
        .match_pattern()
        .unwrap_or_else(|| "unmatched".to_owned());
    let elapsed = started.elapsed();
    if let Some(state) = state {
        state
            .metrics
            .observe(&route, method, status, elapsed.as_secs_f64());
        // A write answered with success has committed its events: wake the event streams.
        if matches!(method, "POST" | "PUT" | "PATCH" | "DELETE") && status < 400 {
            state.feed_wake.written();
        }
    }
    {
        // Fields are only evaluated when the line is logged (not under RUST_LOG=warn); the
        // principal is written from the request's extensions, not copied.
        let extensions = response.request().extensions();
        // Strings as `&str` (written as they are), not `%` (through `Display` and `fmt`).
        tracing::info!(
            request_id = request_id.as_str(),
            method,
            route = route.as_str(),
            status,
            latency_ms = elapsed.as_secs_f64() * 1000.0,
            principal = %PrincipalOrDash(extensions.get::<Caller>()),
            "request"
        );
    }
    Ok(response)
}

/// The caller's principal as the request line shows it, `-` when none was resolved.
struct PrincipalOrDash<'a>(Option<&'a Caller>);

impl std::fmt::Display for PrincipalOrDash<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.0 {
            Some(caller) => caller.0.fmt(f),
            None => f.write_str("-"),
        }
    }
}

/// Every 500 becomes the fixed internal body with the request id; any other error response
/// that is not already problem+json (actix's 404/405/...) becomes a problem of its status.
fn as_problem(res: ServiceResponse<BoxBody>, request_id: &str) -> ServiceResponse<BoxBody> {
    let status = res.status();
    if !(status.is_client_error() || status.is_server_error()) {
        return res;
    }
    let is_problem = res
        .headers()
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|ct| ct.starts_with(PROBLEM_JSON));
    let replacement = if status == StatusCode::INTERNAL_SERVER_ERROR {
        ApiError::internal(Some(request_id.to_owned()))
    } else if is_problem {
        return res;
    } else if status == StatusCode::NOT_FOUND {
        ApiError::route_not_found()
    } else {
        ApiError::for_status(status)
    };
    let (req, old) = res.into_parts();
    let mut new = replacement.error_response();
    for (name, value) in old.headers() {
        if name == CONTENT_TYPE || name == actix_web::http::header::CONTENT_LENGTH {
            continue;
        }
        if !new.headers().contains_key(name) {
            new.headers_mut().insert(name.clone(), value.clone());
        }
    }
    ServiceResponse::new(req, new)
}
