//! The agent a route addresses by the peer's `agent_id` / `agent_name` selector of a query or
//! body, and the bodies the by-id and by-name routes share (their path is read by
//! `InPath<AgentRef>`).

use super::agent_response_unless;
use crate::auth::Caller;
use crate::dto::DeleteResponse;
use crate::error::ApiError;
use crate::state::AppState;
use actix_web::HttpResponse;
use registry_domain::{AgentId, AgentName, AgentRef};

/// What a selector is for: only the wording of the peer's 400s differs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SelectorPurpose {
    /// `GET /deployment-history`.
    ListHistory,
    /// `GET /agent_api_keys`.
    ListApiKeys,
    /// `POST /agent_api_keys`.
    CreateApiKey,
    /// `GET /agent_api_keys/name/{name}`.
    GetApiKey,
    /// `DELETE /agent_api_keys/name/{name}`.
    DeleteApiKey,
}

impl SelectorPurpose {
    /// The end of the peer's messages: `to <this>.`
    fn wording(self) -> &'static str {
        match self {
            SelectorPurpose::ListHistory => "list deployment history",
            SelectorPurpose::ListApiKeys => "list agent api_keys",
            SelectorPurpose::CreateApiKey => "create an agent api_key",
            SelectorPurpose::GetApiKey => "get an agent api_key",
            SelectorPurpose::DeleteApiKey => "delete an agent api_key",
        }
    }
}

/// The peer's selector: exactly one of `agent_id` / `agent_name` (each 422 naming it when
/// malformed); neither or both is the peer's 400 for `purpose`.
pub fn selected(
    agent_id: Option<&str>,
    agent_name: Option<&str>,
    purpose: SelectorPurpose,
) -> Result<AgentRef, ApiError> {
    let id = agent_id
        .map(|v| AgentId::parse(v, "agent_id"))
        .transpose()?;
    let name = agent_name
        .map(|v| AgentName::parse_field(v, "agent_name"))
        .transpose()?;
    match (id, name) {
        (Some(id), None) => Ok(AgentRef::Id(id)),
        (None, Some(name)) => Ok(AgentRef::Name(name)),
        (None, None) => Err(ApiError::bad_request(format!(
            "Either 'agent_id' or 'agent_name' must be provided to {}.",
            purpose.wording()
        ))),
        (Some(_), Some(_)) => Err(ApiError::bad_request(format!(
            "Only one of 'agent_id' or 'agent_name' should be provided to {}.",
            purpose.wording()
        ))),
    }
}

/// GET: 200 with the agent and its `ETag`, or 304 when `if_none_match` names that `ETag`.
pub async fn get(
    state: &AppState,
    caller: &Caller,
    if_none_match: Option<&str>,
    at: &AgentRef,
) -> Result<HttpResponse, ApiError> {
    let agent = state.registry_for(caller).get_agent(&caller.0, at).await?;
    Ok(agent_response_unless(&agent, if_none_match))
}

/// DELETE (→ Deleted): 200 with the id and a message naming the agent the way the path did
/// (its id or its name).
pub async fn delete(
    state: &AppState,
    caller: &Caller,
    at: &AgentRef,
) -> Result<HttpResponse, ApiError> {
    let deleted = state
        .registry_for(caller)
        .delete_agent(&caller.0, at)
        .await?;
    let named = match at {
        AgentRef::Id(_) => deleted.id.to_string(),
        AgentRef::Name(_) => deleted.name.to_string(),
    };
    Ok(HttpResponse::Ok().json(DeleteResponse {
        id: deleted.id.to_string(),
        message: format!("Agent '{named}' deleted successfully"),
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn problem(err: ApiError) -> (u16, &'static str, Option<String>) {
        (
            err.status.as_u16(),
            err.code.as_str(),
            err.errors.map(|f| f[0].field.clone()),
        )
    }

    #[test]
    fn both_or_neither_selector_is_the_peer_400() {
        let id = "6f1c2a3e-2d4b-4c5a-9e8f-0a1b2c3d4e5f";
        let detail = |r: Result<AgentRef, ApiError>| r.err().map(|e| (e.status.as_u16(), e.detail));
        assert_eq!(
            detail(selected(None, None, SelectorPurpose::CreateApiKey)),
            Some((
                400,
                "Either 'agent_id' or 'agent_name' must be provided to create an agent api_key."
                    .to_owned()
            ))
        );
        assert_eq!(
            detail(selected(Some(id), Some("a"), SelectorPurpose::ListHistory)),
            Some((
                400,
                "Only one of 'agent_id' or 'agent_name' should be provided to list deployment history."
                    .to_owned()
            ))
        );
        assert!(matches!(
            selected(None, Some("a"), SelectorPurpose::GetApiKey),
            Ok(AgentRef::Name(_))
        ));
        let bad = selected(Some("x"), None, SelectorPurpose::GetApiKey).map_err(problem);
        assert_eq!(bad.err().map(|e| e.2), Some(Some("agent_id".to_owned())));
    }
}
