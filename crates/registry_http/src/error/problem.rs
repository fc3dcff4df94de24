//! The problem+json body (RFC 9457) and its OpenAPI responses.

use serde::Serialize;
use std::collections::BTreeMap;
use utoipa::openapi::{ContentBuilder, Ref, RefOr, Response, ResponseBuilder};
use utoipa::ToSchema;

/// Media type of every error body.
pub const PROBLEM_JSON: &str = "application/problem+json";

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
    /// The org's `max_agents` (`quota_exceeded` only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub limit: Option<u32>,
    /// The org's live agents when the create was refused (`quota_exceeded` only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub current: Option<u64>,
}

/// A [`Problem`] response of the OpenAPI document.
fn problem_response(description: &str) -> RefOr<Response> {
    let content = ContentBuilder::new()
        .schema(Some(Ref::from_schema_name("Problem")))
        .build();
    ResponseBuilder::new()
        .description(description)
        .content(PROBLEM_JSON, content)
        .build()
        .into()
}

/// Problem responses for the handlers' `#[utoipa::path(responses(...))]`, one type per status.
macro_rules! problem_responses {
    ($($name:ident = $status:literal $(, $description:literal)?;)+) => {$(
        #[doc = concat!("A ", $status, " problem+json response.")]
        pub struct $name;

        impl utoipa::IntoResponses for $name {
            fn responses() -> BTreeMap<String, RefOr<Response>> {
                let description = concat!("" $(, $description)?);
                BTreeMap::from([($status.to_owned(), problem_response(description))])
            }
        }
    )+};
}

problem_responses! {
    BadRequest = "400";
    // `/agents/register`'s 401 says how an agent gets its key.
    RegistrationUnauthenticated = "401",
        "No credential: register the build and give the agent an internal key (docs/agentex-runtime.md)";
    Forbidden = "403";
    NotFound = "404";
    Conflict = "409";
    PreconditionFailed = "412";
    Unprocessable = "422";
    Unavailable = "503";
}
