//! `GET /events` and `GET /events/stream`: the org's change feed (contract §10), filtered to
//! what the caller may read.

use crate::repo_error::repo_error;
use crate::{Registry, RegistryError};
use registry_domain::{AgentId, EventKind, Principal, Standing};
use registry_ports::{FeedPage, FeedQuery};

/// What a caller asks of the feed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FeedRequest {
    /// Read after this position (exclusive; 0: from the start).
    pub after: i64,
    /// At most this many events (1..=1000).
    pub limit: u32,
    /// Only this agent's events.
    pub agent_id: Option<AgentId>,
    /// Only events of this kind.
    pub kind: Option<EventKind>,
}

impl Registry {
    /// A page of the org's feed after `request.after`, in `seq` order. The platform admin and
    /// org admins (and anyone while authorization is off) read the whole org; a user or a
    /// service the events of the agents it holds a grant on; an agent its own events.
    ///
    /// Errors: `Unavailable`, `Internal`.
    pub async fn feed(
        &self,
        caller: &Principal,
        request: FeedRequest,
    ) -> Result<FeedPage, RegistryError> {
        let enabled = self.config.authorization_enabled;
        let mut query = FeedQuery {
            after: request.after,
            limit: request.limit,
            agent_id: request.agent_id,
            kind: request.kind,
            granted_to: None,
        };
        if Standing::decided_by_grants(caller, enabled) {
            query.granted_to = Some(caller.clone());
        } else if let Some(me) = caller.as_agent().filter(|_| enabled) {
            if query.agent_id.is_some_and(|asked| asked != me) {
                return Ok(FeedPage::new(request.after, Vec::new()));
            }
            query.agent_id = Some(me);
        }
        self.events.feed(&query).await.map_err(repo_error)
    }
}
