//! The stable error codes: each one's HTTP status and meaning, in one place. docs/errors.md
//! shows the same table; `tests/http_ops.rs` checks that they agree, row for row.

use actix_web::http::StatusCode;

/// A stable snake_case `code` of a problem body: clients branch on it, never on `detail`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[allow(missing_docs)] // each variant's meaning is `description`
pub enum ErrorCode {
    BadRequest,
    ValidationFailed,
    Unauthenticated,
    Forbidden,
    NotFound,
    AgentNotFound,
    DeploymentNotFound,
    DeploymentHistoryNotFound,
    ApiKeyNotFound,
    ServiceTokenNotFound,
    GrantNotFound,
    MethodNotAllowed,
    AgentNameTaken,
    DeploymentNotReady,
    ProductionDeployment,
    ApiKeyExists,
    ServiceTokenExists,
    LastOwner,
    Conflict,
    PreconditionFailed,
    RequestTimeout,
    PayloadTooLarge,
    UnsupportedMediaType,
    TooManyRequests,
    Internal,
    NotImplemented,
    Unavailable,
}

impl ErrorCode {
    /// Every code, in the order of docs/errors.md.
    pub const ALL: [ErrorCode; 27] = [
        Self::BadRequest,
        Self::ValidationFailed,
        Self::Unauthenticated,
        Self::Forbidden,
        Self::NotFound,
        Self::AgentNotFound,
        Self::DeploymentNotFound,
        Self::DeploymentHistoryNotFound,
        Self::ApiKeyNotFound,
        Self::ServiceTokenNotFound,
        Self::GrantNotFound,
        Self::MethodNotAllowed,
        Self::AgentNameTaken,
        Self::DeploymentNotReady,
        Self::ProductionDeployment,
        Self::ApiKeyExists,
        Self::ServiceTokenExists,
        Self::LastOwner,
        Self::Conflict,
        Self::PreconditionFailed,
        Self::RequestTimeout,
        Self::PayloadTooLarge,
        Self::UnsupportedMediaType,
        Self::TooManyRequests,
        Self::Internal,
        Self::NotImplemented,
        Self::Unavailable,
    ];

    /// The codes that stand for their status alone: what a response produced outside our
    /// handlers (actix's 404, 405...) is given.
    const GENERIC: [ErrorCode; 11] = [
        Self::BadRequest,
        Self::Unauthenticated,
        Self::Forbidden,
        Self::NotFound,
        Self::MethodNotAllowed,
        Self::RequestTimeout,
        Self::PayloadTooLarge,
        Self::UnsupportedMediaType,
        Self::TooManyRequests,
        Self::NotImplemented,
        Self::Unavailable,
    ];

    /// As in the `code` member.
    pub fn as_str(self) -> &'static str {
        self.entry().0
    }

    /// The HTTP status of every problem with this code.
    pub fn status(self) -> StatusCode {
        self.entry().1
    }

    /// What the code means (the last column of docs/errors.md).
    pub fn description(self) -> &'static str {
        self.entry().2
    }

    /// The code that stands for `status` alone (`not_found`, `method_not_allowed`...);
    /// otherwise `internal` for a 5xx and `bad_request` for anything else.
    pub fn for_status(status: StatusCode) -> Self {
        Self::GENERIC
            .into_iter()
            .find(|code| code.status() == status)
            .unwrap_or(if status.is_server_error() {
                Self::Internal
            } else {
                Self::BadRequest
            })
    }

    fn entry(self) -> (&'static str, StatusCode, &'static str) {
        use StatusCode as S;
        match self {
            Self::BadRequest => (
                "bad_request",
                S::BAD_REQUEST,
                "Malformed JSON (with line and column), malformed query, a bad agent selector \
                 (`agent_id`/`agent_name`, the peer's messages), or a repeated `Authorization` / \
                 `X-Agent-API-Key` header.",
            ),
            Self::ValidationFailed => (
                "validation_failed",
                S::UNPROCESSABLE_ENTITY,
                "A field failed validation (wrong type, missing, unknown enum value, bad id, \
                 `limit` outside 1..=1000, unknown `order_by`); `errors` names each field.",
            ),
            Self::Unauthenticated => (
                "unauthenticated",
                S::UNAUTHORIZED,
                "No credential, or an unknown/revoked one (including an agent key whose minter no \
                 longer holds the authority to mint it, docs/security.md).",
            ),
            Self::Forbidden => (
                "forbidden",
                S::FORBIDDEN,
                "The caller may read the agent but not do this.",
            ),
            Self::NotFound => ("not_found", S::NOT_FOUND, "No route serves this path."),
            Self::AgentNotFound => (
                "agent_not_found",
                S::NOT_FOUND,
                "The agent is absent, Deleted, or not readable by the caller (one identical \
                 body).",
            ),
            Self::DeploymentNotFound => (
                "deployment_not_found",
                S::NOT_FOUND,
                "The deployment is absent or belongs to another agent.",
            ),
            Self::DeploymentHistoryNotFound => (
                "deployment_history_not_found",
                S::NOT_FOUND,
                "The deployment-history row is absent.",
            ),
            Self::ApiKeyNotFound => (
                "api_key_not_found",
                S::NOT_FOUND,
                "The agent API key is absent or not visible.",
            ),
            Self::ServiceTokenNotFound => (
                "service_token_not_found",
                S::NOT_FOUND,
                "The service token is absent.",
            ),
            Self::GrantNotFound => (
                "grant_not_found",
                S::NOT_FOUND,
                "The principal holds no grant on the agent.",
            ),
            Self::MethodNotAllowed => (
                "method_not_allowed",
                S::METHOD_NOT_ALLOWED,
                "The path exists but not with this method.",
            ),
            Self::AgentNameTaken => (
                "agent_name_taken",
                S::CONFLICT,
                "The name belongs to an agent the caller cannot read, or a rename hit a live \
                 name.",
            ),
            Self::DeploymentNotReady => (
                "deployment_not_ready",
                S::CONFLICT,
                "Promote of a deployment that is not Ready or is expired.",
            ),
            Self::ProductionDeployment => (
                "production_deployment",
                S::CONFLICT,
                "The production deployment cannot be deleted.",
            ),
            Self::ApiKeyExists => (
                "api_key_exists",
                S::CONFLICT,
                "A key with this (agent, name, type) exists.",
            ),
            Self::ServiceTokenExists => (
                "service_token_exists",
                S::CONFLICT,
                "A service token with this name exists.",
            ),
            Self::LastOwner => (
                "last_owner",
                S::CONFLICT,
                "The agent would be left without an owner.",
            ),
            Self::Conflict => (
                "conflict",
                S::CONFLICT,
                "The agent's status forbids the operation (e.g. promote on a Deleted agent), or \
                 concurrent changes did not settle (retry).",
            ),
            Self::PreconditionFailed => (
                "precondition_failed",
                S::PRECONDITION_FAILED,
                "`If-Match` does not match the current `ETag`.",
            ),
            Self::RequestTimeout => (
                "request_timeout",
                S::REQUEST_TIMEOUT,
                "The request body did not arrive within `BODY_READ_TIMEOUT_SECONDS` (default \
                 10); the connection is closed. (Headers that do not arrive within 5 s get \
                 actix's own 408 and a closed connection.)",
            ),
            Self::PayloadTooLarge => (
                "payload_too_large",
                S::PAYLOAD_TOO_LARGE,
                "The body exceeds 1 MiB.",
            ),
            Self::UnsupportedMediaType => (
                "unsupported_media_type",
                S::UNSUPPORTED_MEDIA_TYPE,
                "The body is not JSON (`application/json` or `application/merge-patch+json`).",
            ),
            Self::TooManyRequests => (
                "too_many_requests",
                S::TOO_MANY_REQUESTS,
                "The caller (one principal) already has `MAX_INFLIGHT_PER_PRINCIPAL` (default 32) \
                 requests in flight; retry after `Retry-After` seconds.",
            ),
            Self::Internal => (
                "internal",
                S::INTERNAL_SERVER_ERROR,
                "A bug; the body carries the request id only.",
            ),
            Self::NotImplemented => (
                "not_implemented",
                S::NOT_IMPLEMENTED,
                "A method outside GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS, on any path \
                 (answered before routing; counted in metrics as method `other`).",
            ),
            Self::Unavailable => (
                "unavailable",
                S::SERVICE_UNAVAILABLE,
                "The database is unreachable; retry after `Retry-After` seconds. The service \
                 recovers by itself.",
            ),
        }
    }
}

impl std::fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}
