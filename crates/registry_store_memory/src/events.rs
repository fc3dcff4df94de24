//! [`EventLog`] in memory.

use crate::state::page_of;
use crate::InMemoryStore;
use async_trait::async_trait;
use registry_domain::{AgentId, AuditEvent, NewEvent, Page, PageRequest};
use registry_ports::{EventLog, FeedEvent, FeedPage, FeedQuery, RepoResult};

#[async_trait]
impl EventLog for InMemoryStore {
    async fn append(&self, events: &[NewEvent]) -> RepoResult<()> {
        self.with_state(|s| {
            s.append_events(self.org, events);
            Ok(())
        })
    }

    async fn list(&self, agent_id: AgentId, page: PageRequest) -> RepoResult<Page<AuditEvent>> {
        self.with_state(|s| {
            let rows: Vec<AuditEvent> = s
                .events
                .iter()
                .rev()
                .filter(|e| e.org == self.org && e.row.event.agent_id == agent_id)
                .map(|e| e.row.clone())
                .collect();
            Ok(page_of(rows, page, Some(self.count_bound)))
        })
    }

    /// Every appended event is committed (appends run under the store's lock, in id order), so
    /// the position is the id and the whole trail is below the watermark.
    async fn feed(&self, query: &FeedQuery) -> RepoResult<FeedPage> {
        let limit = usize::try_from(query.bounded_limit()).unwrap_or(usize::MAX);
        self.with_state(|s| {
            let granted = |agent: AgentId| {
                query.granted_to.as_ref().is_none_or(|p| {
                    s.grants
                        .get(&(agent, p.to_string()))
                        .is_some_and(|g| g.org == self.org)
                })
            };
            let events: Vec<FeedEvent> = s
                .events
                .iter()
                .filter(|e| e.org == self.org && e.row.id > query.after)
                .map(|e| &e.row)
                .filter(|e| query.agent_id.is_none_or(|a| a == e.event.agent_id))
                .filter(|e| query.kind.is_none_or(|k| k == e.event.kind))
                .filter(|e| granted(e.event.agent_id))
                .take(limit)
                .map(|e| FeedEvent {
                    seq: e.id,
                    agent_name: s
                        .agents
                        .get(&e.event.agent_id)
                        .map(|a| a.row.name.to_string())
                        .unwrap_or_default(),
                    event: e.clone(),
                })
                .collect();
            Ok(FeedPage::new(query.after, events))
        })
    }
}
