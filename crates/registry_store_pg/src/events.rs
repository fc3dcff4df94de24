//! [`EventLog`] on `agent_events`, and the append every writing method shares.

use crate::error::TxError;
use crate::paging::{limit, offset, page_from, TOTAL_OVER};
use crate::pool::run;
use crate::rows::{EventRow, NewEventRow};
use crate::schema::agent_events;
use crate::PgStore;
use async_trait::async_trait;
use diesel::dsl::sql;
use diesel::pg::PgConnection;
use diesel::prelude::*;
use diesel::sql_types::BigInt;
use registry_domain::{AgentId, AuditEvent, NewEvent, Page, PageRequest};
use registry_ports::{EventLog, RepoResult};

/// Appends `events` (one statement; none when empty) on `conn`, inside the caller's transaction.
pub(crate) fn append_events(conn: &mut PgConnection, events: &[NewEvent]) -> QueryResult<()> {
    if events.is_empty() {
        return Ok(());
    }
    let rows: Vec<NewEventRow> = events.iter().map(NewEventRow::from).collect();
    diesel::insert_into(agent_events::table)
        .values(&rows)
        .execute(conn)?;
    Ok(())
}

#[async_trait]
impl EventLog for PgStore {
    async fn append(&self, events: &[NewEvent]) -> RepoResult<()> {
        let events = events.to_vec();
        run(&self.pool, move |conn| Ok(append_events(conn, &events)?)).await
    }

    async fn list(&self, agent_id: AgentId, page: PageRequest) -> RepoResult<Page<AuditEvent>> {
        let agent = agent_id.as_uuid();
        run(&self.pool, move |conn| {
            let rows: Vec<(EventRow, i64)> = agent_events::table
                .filter(agent_events::agent_id.eq(agent))
                .order_by(agent_events::id.desc())
                .select((EventRow::as_select(), sql::<BigInt>(TOTAL_OVER)))
                .limit(limit(page))
                .offset(offset(page))
                .load(conn)?;
            page_from(rows, page, AuditEvent::try_from, || {
                agent_events::table
                    .filter(agent_events::agent_id.eq(agent))
                    .count()
                    .get_result(conn)
                    .map_err(crate::error::map_diesel)
            })
            .map_err(TxError::Repo)
        })
        .await
    }
}
