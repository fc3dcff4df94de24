//! [`HistoryRepository`] in memory.

use crate::state::{directed, page_of, Owned};
use crate::InMemoryStore;
use async_trait::async_trait;
use registry_domain::{AgentId, DeploymentHistory, HistoryId, Page, PageRequest, SortDirection};
use registry_ports::{HistoryRepository, RepoError, RepoResult};

#[async_trait]
impl HistoryRepository for InMemoryStore {
    async fn record(&self, entry: &DeploymentHistory) -> RepoResult<bool> {
        self.with_state(|s| {
            if s.agent(self.org, entry.agent_id).is_none() {
                return Err(RepoError::NotFound);
            }
            let latest = s
                .history
                .values()
                .filter(|h| h.org == self.org)
                .map(|h| &h.row)
                .filter(|h| h.agent_id == entry.agent_id)
                .max_by(|a, b| {
                    a.deployment_timestamp
                        .cmp(&b.deployment_timestamp)
                        .then(a.id.cmp(&b.id))
                });
            if latest.is_some_and(|h| h.commit_hash == entry.commit_hash) {
                return Ok(false);
            }
            if s.history.contains_key(&entry.id) {
                return Err(RepoError::Unexpected(
                    format!("history id {} already exists", entry.id).into(),
                ));
            }
            let row = Owned {
                org: self.org,
                row: entry.clone(),
            };
            s.history.insert(entry.id, row);
            Ok(true)
        })
    }

    async fn get(&self, id: HistoryId) -> RepoResult<Option<DeploymentHistory>> {
        self.with_state(|s| {
            Ok(s.history
                .get(&id)
                .filter(|h| h.org == self.org)
                .map(|h| h.row.clone()))
        })
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
                .filter(|h| h.org == self.org && h.row.agent_id == agent_id)
                .map(|h| h.row.clone())
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
