//! The agent a route's path addresses, by id (`{agent_id}`) or by name (`{agent_name}`): the
//! by-id and by-name routes resolve it here and share one body per use case.

use super::agent_response_unless;
use crate::auth::Caller;
use crate::dto::DeleteResponse;
use crate::error::ApiError;
use crate::extract::path_id;
use crate::state::AppState;
use actix_web::HttpResponse;
use registry_domain::{AgentId, AgentName};

/// The `{agent_id}` path segment (422 naming `agent_id` when it is not a UUID).
pub fn agent_id(raw: &str) -> Result<AgentId, ApiError> {
    path_id(raw, "agent_id", AgentId::parse)
}

/// An agent as a path names it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AgentRef {
    /// `/agents/{agent_id}`.
    Id(AgentId),
    /// `/agents/name/{agent_name}`.
    Name(AgentName),
}

impl AgentRef {
    /// By id: 422 naming `agent_id` when `raw` is not a UUID.
    pub fn id(raw: &str) -> Result<Self, ApiError> {
        agent_id(raw).map(Self::Id)
    }

    /// By name: an invalid name names no agent, so 404 `agent_not_found`.
    pub fn name(raw: &str) -> Result<Self, ApiError> {
        AgentName::parse_field(raw, "agent_name")
            .map(Self::Name)
            .map_err(|_| ApiError::agent_not_found())
    }

    /// GET: 200 with the agent and its `ETag`, or 304 when `if_none_match` names that `ETag`.
    pub async fn get(
        &self,
        state: &AppState,
        caller: &Caller,
        if_none_match: Option<&str>,
    ) -> Result<HttpResponse, ApiError> {
        let agent = match self {
            Self::Id(id) => state.registry.get_agent(&caller.0, *id).await?,
            Self::Name(name) => state.registry.get_agent_by_name(&caller.0, name).await?,
        };
        Ok(agent_response_unless(&agent, if_none_match))
    }

    /// DELETE (→ Deleted): 200 with the id and a message naming the agent the way the path
    /// did (its id or its name).
    pub async fn delete(
        &self,
        state: &AppState,
        caller: &Caller,
    ) -> Result<HttpResponse, ApiError> {
        let deleted = match self {
            Self::Id(id) => state.registry.delete_agent(&caller.0, *id).await?,
            Self::Name(name) => state.registry.delete_agent_by_name(&caller.0, name).await?,
        };
        let named = match self {
            Self::Id(_) => deleted.id.to_string(),
            Self::Name(_) => deleted.name.to_string(),
        };
        Ok(HttpResponse::Ok().json(DeleteResponse {
            id: deleted.id.to_string(),
            message: format!("Agent '{named}' deleted successfully"),
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::AgentRef;

    #[test]
    fn an_invalid_id_is_422_naming_agent_id() {
        let err = AgentRef::id("not-a-uuid").err();
        let err = err.map(|e| {
            (
                e.status.as_u16(),
                e.code,
                e.errors.map(|f| f[0].field.clone()),
            )
        });
        assert_eq!(
            err,
            Some((422, "validation_failed", Some("agent_id".to_owned())))
        );
    }

    #[test]
    fn an_invalid_name_names_no_agent() {
        let err = AgentRef::name("Not A Name").err();
        let err = err.map(|e| (e.status.as_u16(), e.code));
        assert_eq!(err, Some((404, "agent_not_found")));
    }

    #[test]
    fn valid_segments_resolve_to_their_variant() {
        assert!(matches!(AgentRef::name("ok-name"), Ok(AgentRef::Name(_))));
        let id = "6f1c2a3e-2d4b-4c5a-9e8f-0a1b2c3d4e5f";
        assert!(matches!(AgentRef::id(id), Ok(AgentRef::Id(_))));
    }
}
