//! [`HistoryRepository`] in memory.

use crate::state::{directed, page_of};
use crate::InMemoryStore;
use async_trait::async_trait;
use registry_domain::{AgentId, DeploymentHistory, HistoryId, Page, PageRequest, SortDirection};
use registry_ports::{HistoryRepository, RepoError, RepoResult};

#[async_trait]
impl HistoryRepository for InMemoryStore {
    async fn record(&self, entry: &DeploymentHistory) -> RepoResult<bool> {
        self.with_state(|s| {
            if !s.agents.contains_key(&entry.agent_id) {
                return Err(RepoError::NotFound);
            }
            let latest = s
                .history
                .values()
                .filter(|h| h.agent_id == entry.agent_id)
                .max_by(|a, b| {
                    a.deployment_timestamp
                        .cmp(&b.deployment_timestamp)
                        .then(a.id.cmp(&b.id))
                });
            if latest.is_some_and(|h| h.commit_hash == entry.commit_hash) {
                return Ok(false);
            }
            s.history.insert(entry.id, entry.clone());
            Ok(true)
        })
    }

    async fn get(&self, id: HistoryId) -> RepoResult<Option<DeploymentHistory>> {
        self.with_state(|s| Ok(s.history.get(&id).cloned()))
    }

    async fn list(
        &self,
        agent_id: AgentId,
        page: PageRequest,
        direction: SortDirection,
    ) -> RepoResult<Page<DeploymentHistory>> {
        self.with_state(|s| {
            let mut rows: Vec<DeploymentHistory> = s
                .history
                .values()
                .filter(|h| h.agent_id == agent_id)
                .cloned()
                .collect();
            rows.sort_by(|a, b| {
                directed(
                    a.deployment_timestamp
                        .cmp(&b.deployment_timestamp)
                        .then(a.id.cmp(&b.id)),
                    direction,
                )
            });
            Ok(page_of(rows, page, Some(self.count_bound)))
        })
    }
}
