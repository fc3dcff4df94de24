//! `ApiError`: the one place where failures become HTTP statuses and `application/problem+json`
//! bodies (RFC 9457) with a stable snake_case `code`.

use actix_web::http::header::{self, HeaderValue};
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, ResponseError};
use registry_domain::ValidationError;
use registry_usecases::{ApiKeyLookup, RegistryError};
use serde::Serialize;
use utoipa::ToSchema;

/// Media type of every error body.
pub const PROBLEM_JSON: &str = "application/problem+json";

/// Seconds a client should wait before retrying a 503 or a 429.
pub const RETRY_AFTER_SECONDS: u32 = 1;

/// The one body of a missing, unreadable or Deleted agent: identical in all three cases.
pub const AGENT_NOT_FOUND_DETAIL: &str = "Agent not found.";

/// One offending field of a 400/422.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct FieldError {
    /// Wire name of the field (dotted path for nested fields).
    pub field: String,
    /// Why it was refused.
    pub reason: String,
}

/// The error body (RFC 9457 problem details plus `code` and `message`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct Problem {
    /// A URI naming the problem kind (`urn:agent-registry:error:<code>`).
    #[serde(rename = "type")]
    pub kind: String,
    /// Short summary of the problem kind.
    pub title: String,
    /// HTTP status.
    pub status: u16,
    /// Same as `status` (compatibility with the peer's `status_code` member).
    pub status_code: u16,
    /// What went wrong in this occurrence.
    pub detail: String,
    /// Stable snake_case error code.
    pub code: String,
    /// Same as `detail` (compatibility with the peer's `message`).
    pub message: String,
    /// The offending fields (400/422).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub errors: Option<Vec<FieldError>>,
    /// The request id (500 bodies only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub request_id: Option<String>,
}

/// An HTTP-level error: status, stable code, detail, optional field errors.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiError {
    /// HTTP status.
    pub status: StatusCode,
    /// Stable snake_case code.
    pub code: &'static str,
    /// Human-readable detail (never internal text).
    pub detail: String,
    /// Field errors (validation).
    pub errors: Option<Vec<FieldError>>,
    /// Request id to show (500 only).
    pub request_id: Option<String>,
}

impl ApiError {
    /// An error with `status`, `code` and `detail`.
    pub fn new(status: StatusCode, code: &'static str, detail: impl Into<String>) -> Self {
        Self {
            status,
            code,
            detail: detail.into(),
            errors: None,
            request_id: None,
        }
    }

    /// 422 `validation_failed` naming the field.
    pub fn validation(err: &ValidationError) -> Self {
        Self::invalid(
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation_failed",
            &err.field,
            &err.reason,
        )
    }

    /// A 400/422 naming one field.
    pub fn invalid(status: StatusCode, code: &'static str, field: &str, reason: &str) -> Self {
        let mut e = Self::new(status, code, format!("{field}: {reason}"));
        e.errors = Some(vec![FieldError {
            field: field.to_owned(),
            reason: reason.to_owned(),
        }]);
        e
    }

    /// 400 `bad_request`.
    pub fn bad_request(detail: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "bad_request", detail)
    }

    /// 401 `unauthenticated`.
    pub fn unauthenticated() -> Self {
        Self::new(
            StatusCode::UNAUTHORIZED,
            "unauthenticated",
            "Missing or invalid credentials.",
        )
    }

    /// 401 for a deploy-time registration (`/agents/register`): says how an Agentex agent gets
    /// its credential, and nothing about the agent.
    pub fn unauthenticated_registration() -> Self {
        Self::new(
            StatusCode::UNAUTHORIZED,
            "unauthenticated",
            "Missing or invalid credentials. To register an agent at deploy time, register its \
             build (POST /agents/register-build), mint an internal agent key \
             (POST /agent_api_keys, api_key_type internal) and put it in the agent's \
             AGENT_API_KEY; see docs/agentex-runtime.md.",
        )
    }

    /// 404 for an agent: the one fixed body.
    pub fn agent_not_found() -> Self {
        Self::new(
            StatusCode::NOT_FOUND,
            "agent_not_found",
            AGENT_NOT_FOUND_DETAIL,
        )
    }

    /// 404 for a path no route serves.
    pub fn route_not_found() -> Self {
        Self::new(
            StatusCode::NOT_FOUND,
            "not_found",
            "No route serves this path.",
        )
    }

    /// 413 `payload_too_large`.
    pub fn payload_too_large() -> Self {
        Self::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "payload_too_large",
            "The request body exceeds 1 MiB.",
        )
    }

    /// 408 `request_timeout`: the body did not arrive in time (the connection is closed).
    pub fn request_timeout() -> Self {
        Self::new(
            StatusCode::REQUEST_TIMEOUT,
            "request_timeout",
            "The request body did not arrive in time.",
        )
    }

    /// 429 `too_many_requests` (sent with `Retry-After`): the caller has too many requests in
    /// flight.
    pub fn too_many_requests() -> Self {
        Self::new(
            StatusCode::TOO_MANY_REQUESTS,
            "too_many_requests",
            "Too many requests in flight for this caller; retry after Retry-After seconds.",
        )
    }

    /// 501 `not_implemented`: a method the service does not serve on any path.
    pub fn not_implemented() -> Self {
        Self::new(
            StatusCode::NOT_IMPLEMENTED,
            "not_implemented",
            "This method is not served (GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS are).",
        )
    }

    /// 503 `unavailable` (sent with `Retry-After`).
    pub fn unavailable() -> Self {
        Self::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "unavailable",
            "The service is temporarily unavailable; retry shortly.",
        )
    }

    /// 500 `internal`, carrying the request id and nothing else.
    pub fn internal(request_id: Option<String>) -> Self {
        let mut e = Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal",
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
        let code = match status.as_u16() {
            400 => "bad_request",
            401 => "unauthenticated",
            403 => "forbidden",
            404 => "not_found",
            405 => "method_not_allowed",
            406 => "not_acceptable",
            408 => "request_timeout",
            413 => "payload_too_large",
            415 => "unsupported_media_type",
            429 => "too_many_requests",
            501 => "not_implemented",
            503 => "unavailable",
            s if s >= 500 => "internal",
            _ => "bad_request",
        };
        let detail = status
            .canonical_reason()
            .unwrap_or("Request failed")
            .to_owned();
        Self::new(status, code, format!("{detail}."))
    }

    /// The body.
    pub fn problem(&self) -> Problem {
        Problem {
            kind: format!("urn:agent-registry:error:{}", self.code),
            title: self.status.canonical_reason().unwrap_or("Error").to_owned(),
            status: self.status.as_u16(),
            status_code: self.status.as_u16(),
            detail: self.detail.clone(),
            code: self.code.to_owned(),
            message: self.detail.clone(),
            errors: self.errors.clone(),
            request_id: self.request_id.clone(),
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
        match self.status {
            StatusCode::SERVICE_UNAVAILABLE | StatusCode::TOO_MANY_REQUESTS => {
                res.insert_header((header::RETRY_AFTER, RETRY_AFTER_SECONDS.to_string()));
            }
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

impl From<RegistryError> for ApiError {
    fn from(err: RegistryError) -> Self {
        use StatusCode as S;
        match err {
            RegistryError::Validation(v) => Self::validation(&v),
            RegistryError::AgentNotFound => Self::agent_not_found(),
            RegistryError::NameTaken => Self::new(
                S::CONFLICT,
                "agent_name_taken",
                "An agent with this name already exists.",
            ),
            RegistryError::Forbidden => Self::new(
                S::FORBIDDEN,
                "forbidden",
                "The caller may not perform this operation.",
            ),
            RegistryError::PreconditionFailed => Self::new(
                S::PRECONDITION_FAILED,
                "precondition_failed",
                "If-Match does not match the current ETag.",
            ),
            RegistryError::AgentStatusConflict { agent, status } => Self::new(
                S::CONFLICT,
                "conflict",
                format!("Agent {agent} is {status}: its deployments cannot be promoted."),
            ),
            RegistryError::DeploymentNotFound { agent, deployment } => Self::new(
                S::NOT_FOUND,
                "deployment_not_found",
                format!("Deployment {deployment} not found for agent {agent}"),
            ),
            RegistryError::DeploymentNotPromotable(id) => Self::new(
                S::CONFLICT,
                "deployment_not_ready",
                format!("Deployment {id} cannot be promoted: it must be Ready and not deleted."),
            ),
            RegistryError::DeploymentExpired(id) => Self::new(
                S::CONFLICT,
                "deployment_not_ready",
                format!("Deployment {id} has been deleted and cannot be registered."),
            ),
            RegistryError::ProductionDeployment => Self::new(
                S::CONFLICT,
                "production_deployment",
                "Cannot delete the current production deployment. Promote a different \
                 deployment first.",
            ),
            RegistryError::HistoryNotFound(id) => Self::new(
                S::NOT_FOUND,
                "deployment_history_not_found",
                format!("Deployment not found: Item with id '{id}' does not exist."),
            ),
            RegistryError::ApiKeyNotFound(lookup) => Self::new(
                S::NOT_FOUND,
                "api_key_not_found",
                match lookup {
                    ApiKeyLookup::Id(id) => format!("Item with id '{id}' does not exist."),
                    ApiKeyLookup::Name => "Agent api_key not found.".to_owned(),
                },
            ),
            RegistryError::ApiKeyExists {
                agent,
                name,
                api_key_type,
            } => Self::new(
                S::CONFLICT,
                "api_key_exists",
                format!(
                    "{api_key_type} agent API key '{name}' already exists for agent ID {agent}."
                ),
            ),
            RegistryError::ServiceTokenNotFound => Self::new(
                S::NOT_FOUND,
                "service_token_not_found",
                "Service token not found.",
            ),
            RegistryError::ServiceTokenExists => Self::new(
                S::CONFLICT,
                "service_token_exists",
                "A service token with this name already exists.",
            ),
            RegistryError::GrantNotFound => {
                Self::new(S::NOT_FOUND, "grant_not_found", "Grant not found.")
            }
            RegistryError::LastOwner => Self::new(
                S::CONFLICT,
                "last_owner",
                "An agent must keep at least one owner.",
            ),
            RegistryError::PageTooLarge { fitting } => Self::invalid(
                S::UNPROCESSABLE_ENTITY,
                "validation_failed",
                "limit",
                &format!(
                    "this page would carry more than {} MiB of stored data; ask for at most \
                     {fitting} per page",
                    registry_domain::paging::MAX_PAGE_BYTES / (1024 * 1024)
                ),
            ),
            RegistryError::Contention => Self::new(
                S::CONFLICT,
                "conflict",
                "The agent is being changed concurrently; retry.",
            ),
            e @ RegistryError::Unavailable(_) => {
                tracing::warn!(error = %registry_ports::ErrorChain(&e), "store unavailable");
                Self::unavailable()
            }
            e @ RegistryError::Internal(_) => {
                tracing::error!(error = %registry_ports::ErrorChain(&e), "internal error");
                Self::internal(None)
            }
        }
    }
}

/// Every code the service emits, with its status and meaning (docs/errors.md mirrors it; a test
/// checks they agree).
pub const ERROR_CODES: &[(&str, u16, &str)] = &[
    (
        "bad_request",
        400,
        "Malformed JSON, malformed query, a bad agent selector (peer messages), or a repeated \
         credential header.",
    ),
    (
        "validation_failed",
        422,
        "A field failed validation; `errors` names each field.",
    ),
    (
        "unauthenticated",
        401,
        "No credential, or an unknown/revoked one (`WWW-Authenticate: Bearer`).",
    ),
    (
        "forbidden",
        403,
        "The caller may read the agent but not do this.",
    ),
    ("not_found", 404, "No route serves this path."),
    (
        "agent_not_found",
        404,
        "The agent is absent, Deleted, or not readable by the caller (one identical body).",
    ),
    (
        "deployment_not_found",
        404,
        "The deployment is absent or belongs to another agent.",
    ),
    (
        "deployment_history_not_found",
        404,
        "The deployment-history row is absent.",
    ),
    (
        "api_key_not_found",
        404,
        "The agent API key is absent or not visible.",
    ),
    (
        "service_token_not_found",
        404,
        "The service token is absent.",
    ),
    (
        "grant_not_found",
        404,
        "The principal holds no grant on the agent.",
    ),
    (
        "method_not_allowed",
        405,
        "The path exists but not with this method.",
    ),
    (
        "agent_name_taken",
        409,
        "The name belongs to an agent the caller cannot read, or a rename hit a live name.",
    ),
    (
        "deployment_not_ready",
        409,
        "The deployment is not Ready or is expired.",
    ),
    (
        "production_deployment",
        409,
        "The production deployment cannot be deleted.",
    ),
    (
        "api_key_exists",
        409,
        "A key with this (agent, name, type) exists.",
    ),
    (
        "service_token_exists",
        409,
        "A service token with this name exists.",
    ),
    (
        "last_owner",
        409,
        "The agent would be left without an owner.",
    ),
    (
        "conflict",
        409,
        "The agent's status forbids the operation, or concurrent changes did not settle (retry).",
    ),
    (
        "precondition_failed",
        412,
        "`If-Match` does not match the current `ETag`.",
    ),
    (
        "request_timeout",
        408,
        "The request body did not arrive within `BODY_READ_TIMEOUT_SECONDS`; the connection is closed.",
    ),
    ("payload_too_large", 413, "The body exceeds 1 MiB."),
    ("unsupported_media_type", 415, "The body is not JSON."),
    (
        "too_many_requests",
        429,
        "The caller has `MAX_INFLIGHT_PER_PRINCIPAL` requests in flight; retry after `Retry-After` seconds.",
    ),
    (
        "internal",
        500,
        "A bug; the body carries the request id only.",
    ),
    (
        "not_implemented",
        501,
        "A method outside GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS (on any path).",
    ),
    (
        "unavailable",
        503,
        "The database is unreachable; retry after `Retry-After` seconds.",
    ),
];
