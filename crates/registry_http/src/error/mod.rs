//! `ApiError`: the one place where failures become HTTP statuses and `application/problem+json`
//! bodies (RFC 9457) with a stable `code` ([`ErrorCode`]).

mod code;
mod from_registry;
mod problem;

pub use code::ErrorCode;
pub use problem::{
    BadRequest, Conflict, FieldError, Forbidden, NotFound, PreconditionFailed, Problem,
    RegistrationUnauthenticated, Unavailable, Unprocessable, PROBLEM_JSON,
};

use actix_web::http::header::{self, HeaderValue};
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, ResponseError};
use registry_domain::ValidationError;

/// Seconds a client should wait before retrying a 503 or a 429.
pub const RETRY_AFTER_SECONDS: u32 = 1;

/// The one body of a missing, unreadable or Deleted agent: identical in all three cases.
pub const AGENT_NOT_FOUND_DETAIL: &str = "Agent not found.";

/// An HTTP-level error: status, stable code, detail, optional field errors.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiError {
    /// The code's status, except for a status produced outside our handlers
    /// ([`ApiError::for_status`]).
    pub status: StatusCode,
    pub code: ErrorCode,
    /// Human-readable detail (never internal text).
    pub detail: String,
    pub errors: Option<Vec<FieldError>>,
    /// Shown on 500s only.
    pub request_id: Option<String>,
    /// Whether the answer carries `Retry-After` (always for 503 and 429; for a 409 only when
    /// retrying can succeed: writes that kept meeting concurrent changes).
    pub retry_after: bool,
    /// `(limit, current)` of a `quota_exceeded` answer.
    pub quota: Option<(u32, u64)>,
}

impl ApiError {
    /// An error with `code` and its status.
    pub fn new(code: ErrorCode, detail: impl Into<String>) -> Self {
        Self {
            status: code.status(),
            code,
            detail: detail.into(),
            errors: None,
            request_id: None,
            retry_after: matches!(code.status().as_u16(), 429 | 503),
            quota: None,
        }
    }

    /// 404 `org_not_found`.
    pub fn org_not_found() -> Self {
        Self::new(ErrorCode::OrgNotFound, "Org not found.")
    }

    /// 403 `quota_exceeded` with the `limit` and `current` members.
    pub fn quota_exceeded(limit: u32, current: u64) -> Self {
        Self {
            quota: Some((limit, current)),
            ..Self::new(
                ErrorCode::QuotaExceeded,
                format!("The org's agent quota is reached: {current} live agents, limit {limit}."),
            )
        }
    }

    /// 409 `conflict` with `Retry-After`: concurrent changes kept the write from settling.
    pub fn contention() -> Self {
        Self {
            retry_after: true,
            ..Self::new(
                ErrorCode::Conflict,
                "The agent is being changed concurrently; retry.",
            )
        }
    }

    /// 422 `validation_failed` naming the field.
    pub fn validation(err: &ValidationError) -> Self {
        Self::invalid(ErrorCode::ValidationFailed, &err.field, &err.reason)
    }

    /// 422 `validation_failed` naming every failing field (the detail names the first).
    pub fn validations(errors: Vec<ValidationError>) -> Self {
        let detail = match errors.as_slice() {
            [] => "The request failed validation.".to_owned(),
            [one] => format!("{}: {}", one.field, one.reason),
            [first, rest @ ..] => {
                format!(
                    "{}: {} (and {} more)",
                    first.field,
                    first.reason,
                    rest.len()
                )
            }
        };
        let mut e = Self::new(ErrorCode::ValidationFailed, detail);
        e.errors = Some(
            errors
                .into_iter()
                .map(|v| FieldError {
                    field: v.field,
                    reason: v.reason,
                })
                .collect(),
        );
        e
    }

    /// A 400/422 naming one field.
    pub fn invalid(code: ErrorCode, field: &str, reason: &str) -> Self {
        let mut e = Self::new(code, format!("{field}: {reason}"));
        e.errors = Some(vec![FieldError {
            field: field.to_owned(),
            reason: reason.to_owned(),
        }]);
        e
    }

    pub fn bad_request(detail: impl Into<String>) -> Self {
        Self::new(ErrorCode::BadRequest, detail)
    }

    pub fn unauthenticated() -> Self {
        Self::new(
            ErrorCode::Unauthenticated,
            "Missing or invalid credentials.",
        )
    }

    /// 401 for a deploy-time registration (`/agents/register`): says how an Agentex agent gets
    /// its credential, and nothing about the agent.
    pub fn unauthenticated_registration() -> Self {
        Self::new(
            ErrorCode::Unauthenticated,
            "Missing or invalid credentials. To register an agent at deploy time, register its \
             build (POST /agents/register-build), mint an internal agent key \
             (POST /agent_api_keys, api_key_type internal) and put it in the agent's \
             AGENT_API_KEY; see docs/agentex-runtime.md.",
        )
    }

    pub fn agent_not_found() -> Self {
        Self::new(ErrorCode::AgentNotFound, AGENT_NOT_FOUND_DETAIL)
    }

    /// 404 for a path no route serves.
    pub fn route_not_found() -> Self {
        Self::new(ErrorCode::NotFound, "No route serves this path.")
    }

    pub fn payload_too_large() -> Self {
        Self::new(
            ErrorCode::PayloadTooLarge,
            "The request body exceeds 1 MiB.",
        )
    }

    /// 408: the body did not arrive in time (the connection is closed).
    pub fn request_timeout() -> Self {
        Self::new(
            ErrorCode::RequestTimeout,
            "The request body did not arrive in time.",
        )
    }

    /// 429 (sent with `Retry-After`): the caller has too many requests in flight.
    pub fn too_many_requests() -> Self {
        Self::new(
            ErrorCode::TooManyRequests,
            "Too many requests in flight for this caller; retry after Retry-After seconds.",
        )
    }

    /// 501: a method the service does not serve on any path.
    pub fn not_implemented() -> Self {
        Self::new(
            ErrorCode::NotImplemented,
            "This method is not served (GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS are).",
        )
    }

    /// 503 (sent with `Retry-After`).
    pub fn unavailable() -> Self {
        Self::new(
            ErrorCode::Unavailable,
            "The service is temporarily unavailable; retry shortly.",
        )
    }

    /// 500, carrying the request id and nothing else.
    pub fn internal(request_id: Option<String>) -> Self {
        let mut e = Self::new(
            ErrorCode::Internal,
            match &request_id {
                Some(id) => format!("Internal error; quote request id {id} when reporting it."),
                None => "Internal error.".to_owned(),
            },
        );
        e.request_id = request_id;
        e
    }

    /// A generic problem for a status produced outside our handlers (405, 415...).
    pub fn for_status(status: StatusCode) -> Self {
        let detail = status.canonical_reason().unwrap_or("Request failed");
        Self {
            status,
            ..Self::new(ErrorCode::for_status(status), format!("{detail}."))
        }
    }

    pub fn problem(&self) -> Problem {
        Problem {
            kind: format!("urn:agent-registry:error:{}", self.code),
            title: self.status.canonical_reason().unwrap_or("Error").to_owned(),
            status: self.status.as_u16(),
            status_code: self.status.as_u16(),
            detail: self.detail.clone(),
            code: self.code.as_str().to_owned(),
            message: self.detail.clone(),
            errors: self.errors.clone(),
            request_id: self.request_id.clone(),
            limit: self.quota.map(|(limit, _)| limit),
            current: self.quota.map(|(_, current)| current),
        }
    }
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {}: {}", self.status.as_u16(), self.code, self.detail)
    }
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        self.status
    }

    fn error_response(&self) -> HttpResponse {
        let body = serde_json::to_vec(&self.problem()).unwrap_or_default();
        let mut res = HttpResponse::build(self.status);
        res.insert_header((header::CONTENT_TYPE, HeaderValue::from_static(PROBLEM_JSON)));
        if self.retry_after {
            res.insert_header((header::RETRY_AFTER, RETRY_AFTER_SECONDS.to_string()));
        }
        match self.status {
            StatusCode::REQUEST_TIMEOUT => {
                res.force_close();
            }
            StatusCode::UNAUTHORIZED => {
                res.insert_header((header::WWW_AUTHENTICATE, "Bearer"));
            }
            _ => {}
        }
        if let Some(id) = &self.request_id {
            res.insert_header(("x-request-id", id.as_str()));
        }
        res.body(body)
    }
}

impl From<ValidationError> for ApiError {
    fn from(err: ValidationError) -> Self {
        Self::validation(&err)
    }
}
