//! [`HistoryRepository`] on `deployment_history`.

use crate::error::{map_diesel, TxError};
use crate::paging::{bounded_count, limit, offset, page_from, Counting};
use crate::pool::{run, run_tx};
use crate::rows::HistoryRow;
use crate::schema::deployment_history as history;
use crate::PgStore;
use async_trait::async_trait;
use diesel::prelude::*;
use diesel::sql_types::Text;
use registry_domain::{AgentId, DeploymentHistory, HistoryId, Page, PageRequest, SortDirection};
use registry_ports::{HistoryRepository, RepoResult};

#[async_trait]
impl HistoryRepository for PgStore {
    async fn record(&self, entry: &DeploymentHistory) -> RepoResult<bool> {
        let (row, org) = (HistoryRow::from(entry), self.org());
        run_tx(&self.pool, move |conn| {
            // Records of one agent run one at a time, so "latest" cannot change under us.
            diesel::sql_query(
                "SELECT pg_advisory_xact_lock(hashtextextended('history:' || $1, 0))",
            )
            .bind::<Text, _>(row.agent_id.to_string())
            .execute(conn)?;
            let latest: Option<String> = history::table
                .filter(history::agent_id.eq(row.agent_id))
                .filter(history::org_id.eq(org))
                .order_by((history::deployment_timestamp.desc(), history::id.desc()))
                .select(history::commit_hash)
                .first(conn)
                .optional()?;
            if latest.as_deref() == Some(row.commit_hash.as_str()) {
                return Ok(false);
            }
            // Another org's agent (or none): the foreign key (agent_id, org_id) refuses it.
            diesel::insert_into(history::table)
                .values((&row, history::org_id.eq(org)))
                .execute(conn)?;
            Ok(true)
        })
        .await
    }

    async fn get(&self, id: HistoryId) -> RepoResult<Option<DeploymentHistory>> {
        let org = self.org();
        let row = run(&self.pool, move |conn| {
            Ok(history::table
                .find(id.as_uuid())
                .filter(history::org_id.eq(org))
                .select(HistoryRow::as_select())
                .first(conn)
                .optional()?)
        })
        .await?;
        Ok(row.map(DeploymentHistory::from))
    }

    async fn list(
        &self,
        agent_id: AgentId,
        page: PageRequest,
        direction: SortDirection,
    ) -> RepoResult<Page<DeploymentHistory>> {
        let (agent, bound, org) = (agent_id.as_uuid(), self.count_bound, self.org());
        run(&self.pool, move |conn| {
            let of_agent = history::table
                .filter(history::agent_id.eq(agent))
                .filter(history::org_id.eq(org));
            let rows: Vec<(HistoryRow, i64)> = match direction {
                SortDirection::Asc => of_agent
                    .order_by((history::deployment_timestamp.asc(), history::id.asc()))
                    .select((HistoryRow::as_select(), bounded_count(of_agent, bound)))
                    .limit(limit(page))
                    .offset(offset(page))
                    .load(conn)?,
                SortDirection::Desc => of_agent
                    .order_by((history::deployment_timestamp.desc(), history::id.desc()))
                    .select((HistoryRow::as_select(), bounded_count(of_agent, bound)))
                    .limit(limit(page))
                    .offset(offset(page))
                    .load(conn)?,
            };
            page_from(
                rows,
                page,
                Counting::Bounded(bound),
                |r| Ok(DeploymentHistory::from(r)),
                || {
                    diesel::select(bounded_count(of_agent, bound))
                        .get_result(conn)
                        .map_err(map_diesel)
                },
            )
            .map_err(TxError::Repo)
        })
        .await
    }
}
