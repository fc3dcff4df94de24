//! The stable error codes: each one's HTTP status and meaning, in one place. docs/errors.md
//! shows the same table; `tests/http_ops.rs` checks that they agree, row for row.

use actix_web::http::StatusCode;

/// Declares [`ErrorCode`] from its table: variant, wire spelling, status, meaning.
macro_rules! error_codes {
    ($($variant:ident $code:literal $status:ident $meaning:literal,)+) => {
        /// A stable snake_case `code` of a problem body: clients branch on it, never on
        /// `detail`.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        #[allow(missing_docs)] // each variant's meaning is `description`
        pub enum ErrorCode {
            $($variant,)+
        }

        impl ErrorCode {
            /// Every code, in the order of docs/errors.md.
            pub const ALL: &[ErrorCode] = &[$(Self::$variant,)+];

            fn entry(self) -> (&'static str, StatusCode, &'static str) {
                match self {
                    $(Self::$variant => ($code, StatusCode::$status, $meaning),)+
                }
            }
        }
    };
}

error_codes! {
    BadRequest "bad_request" BAD_REQUEST
        "Malformed JSON (with line and column), malformed query, a bad agent selector \
         (`agent_id`/`agent_name`, the peer's messages), or a repeated `Authorization` / \
         `X-Agent-API-Key` header.",
    ValidationFailed "validation_failed" UNPROCESSABLE_ENTITY
        "A field failed validation (wrong type, missing, unknown enum value, bad id, `limit` \
         outside 1..=1000, unknown `order_by`); `errors` names each field.",
    Unauthenticated "unauthenticated" UNAUTHORIZED
        "No credential, or an unknown/revoked one (including an agent key whose minter no longer \
         holds the authority to mint it, docs/security.md).",
    Forbidden "forbidden" FORBIDDEN
        "The caller may read the agent but not do this (or is not an admin where one is needed).",
    QuotaExceeded "quota_exceeded" FORBIDDEN
        "Creating the agent would exceed the org's `max_agents`; members `limit` and `current` \
         (the org's live agents). Nothing was written.",
    NotFound "not_found" NOT_FOUND
        "No route serves this path.",
    AgentNotFound "agent_not_found" NOT_FOUND
        "The agent is absent, Deleted, or not readable by the caller (one identical body).",
    DeploymentNotFound "deployment_not_found" NOT_FOUND
        "The deployment is absent or belongs to another agent.",
    DeploymentHistoryNotFound "deployment_history_not_found" NOT_FOUND
        "The deployment-history row is absent.",
    ApiKeyNotFound "api_key_not_found" NOT_FOUND
        "The agent API key is absent or not visible.",
    ServiceTokenNotFound "service_token_not_found" NOT_FOUND
        "The service token is absent.",
    GrantNotFound "grant_not_found" NOT_FOUND
        "The principal holds no grant on the agent.",
    CardNotFound "card_not_found" NOT_FOUND
        "The agent is readable but has no A2A card (`/agents/{id}/card`; the well-known paths \
         answer `agent_not_found` instead).",
    OrgNotFound "org_not_found" NOT_FOUND
        "No org has this slug (also an unknown or malformed `X-Registry-Org` of the platform \
         admin).",
    WebhookNotFound "webhook_not_found" NOT_FOUND
        "No webhook subscription with this id in the org.",
    MethodNotAllowed "method_not_allowed" METHOD_NOT_ALLOWED
        "The path exists but not with this method.",
    AgentNameTaken "agent_name_taken" CONFLICT
        "The name belongs to an agent the caller cannot read, or a rename hit a live name.",
    DeploymentNotReady "deployment_not_ready" CONFLICT
        "Promote of a deployment that is not Ready or is expired.",
    ProductionDeployment "production_deployment" CONFLICT
        "The production deployment cannot be deleted.",
    ApiKeyExists "api_key_exists" CONFLICT
        "A key with this (agent, name, type) exists.",
    ServiceTokenExists "service_token_exists" CONFLICT
        "A service token with this name exists.",
    LastOwner "last_owner" CONFLICT
        "The agent would be left without an owner.",
    OrgExists "org_exists" CONFLICT
        "An org with this slug exists.",
    OrgInUse "org_in_use" CONFLICT
        "The org still has live agents, or is the `default` org: it cannot be deleted.",
    Conflict "conflict" CONFLICT
        "The agent's status forbids the operation (e.g. promote on a Deleted agent), or \
         concurrent changes did not settle (retry).",
    PreconditionFailed "precondition_failed" PRECONDITION_FAILED
        "`If-Match` does not match the current `ETag`.",
    RequestTimeout "request_timeout" REQUEST_TIMEOUT
        "The request body did not arrive within `BODY_READ_TIMEOUT_SECONDS` (default 10); the \
         connection is closed. (Headers that do not arrive within 5 s get actix's own 408 and a \
         closed connection.)",
    PayloadTooLarge "payload_too_large" PAYLOAD_TOO_LARGE
        "The body exceeds 1 MiB.",
    UnsupportedMediaType "unsupported_media_type" UNSUPPORTED_MEDIA_TYPE
        "The body is not JSON (`application/json` or `application/merge-patch+json`).",
    TooManyRequests "too_many_requests" TOO_MANY_REQUESTS
        "The caller (one principal) already has `MAX_INFLIGHT_PER_PRINCIPAL` (default 32) \
         requests in flight; retry after `Retry-After` seconds.",
    Internal "internal" INTERNAL_SERVER_ERROR
        "A bug; the body carries the request id only.",
    NotImplemented "not_implemented" NOT_IMPLEMENTED
        "A method outside GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS, on any path (answered \
         before routing; counted in metrics as method `other`).",
    Unavailable "unavailable" SERVICE_UNAVAILABLE
        "The database is unreachable; retry after `Retry-After` seconds. The service recovers by \
         itself.",
}

impl ErrorCode {
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
}

impl std::fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}
