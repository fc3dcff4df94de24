//! "Exactly one of `agent_id` / `agent_name`" selectors of the peer's query APIs
//! (deployment history, agent API keys), with the peer's 400 messages.

use crate::access::Need;
use crate::{Registry, RegistryError};
use registry_domain::{Agent, AgentId, AgentName, Principal};

/// Picks an agent by id or by name; exactly one must be given, else
/// [`crate::RegistryError::BadSelector`] with the peer's message for the [`SelectorPurpose`].
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct AgentSelector {
    /// `agent_id` query/body value, already parsed.
    pub agent_id: Option<AgentId>,
    /// `agent_name` query/body value, already parsed.
    pub agent_name: Option<AgentName>,
}

/// What the selector is used for: only the wording of the 400 messages differs.
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

impl AgentSelector {
    /// Checks that exactly one of id / name is given (the peer's 400 messages otherwise).
    pub fn check(&self, purpose: SelectorPurpose) -> Result<(), RegistryError> {
        match (&self.agent_id, &self.agent_name) {
            (None, None) => Err(RegistryError::BadSelector(format!(
                "Either 'agent_id' or 'agent_name' must be provided to {}.",
                purpose.wording()
            ))),
            (Some(_), Some(_)) => Err(RegistryError::BadSelector(format!(
                "Only one of 'agent_id' or 'agent_name' should be provided to {}.",
                purpose.wording()
            ))),
            _ => Ok(()),
        }
    }
}

impl Registry {
    /// The live agent the selector names, if `caller` is allowed `need` on it.
    pub(crate) async fn resolve_selector(
        &self,
        caller: &Principal,
        selector: &AgentSelector,
        purpose: SelectorPurpose,
        need: Need,
    ) -> Result<Agent, RegistryError> {
        selector.check(purpose)?;
        match (&selector.agent_id, &selector.agent_name) {
            (Some(id), _) => self.load_live(caller, *id, need).await,
            (None, Some(name)) => self.load_live_by_name(caller, name, need).await,
            (None, None) => Err(RegistryError::Internal("selector checked".into())),
        }
    }
}
