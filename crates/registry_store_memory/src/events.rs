//! [`EventLog`] in memory.

use crate::state::page_of;
use crate::InMemoryStore;
use async_trait::async_trait;
use registry_domain::{AgentId, AuditEvent, NewEvent, Page, PageRequest};
use registry_ports::{EventLog, RepoResult};

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
}
