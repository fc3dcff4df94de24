//! [`EventLog`] on `agent_events`, and the append every writing method shares.

use crate::error::TxError;
use crate::event_rows::{EventRow, NewEventRow};
use crate::paging::{bounded_count, limit, offset, page_from, Counting};
use crate::pool::run;
use crate::schema::agent_events;
use crate::PgStore;
use async_trait::async_trait;
use diesel::pg::PgConnection;
use diesel::prelude::*;
use registry_domain::{AgentId, AuditEvent, NewEvent, Page, PageRequest};
use registry_ports::{EventLog, RepoResult};

/// Appends `events` (one statement; none when empty) on `conn`, inside the caller's transaction.
/// A single event, the usual case, is a one-row insert: diesel caches that prepared statement,
/// while a multi-row insert of a runtime-sized batch is parsed anew every time.
pub(crate) fn append_events(conn: &mut PgConnection, events: &[NewEvent]) -> QueryResult<()> {
    let insert = diesel::insert_into(agent_events::table);
    match events {
        [] => return Ok(()),
        [one] => insert.values(NewEventRow::from(one)).execute(conn)?,
        many => {
            let rows: Vec<NewEventRow> = many.iter().map(NewEventRow::from).collect();
            insert.values(&rows).execute(conn)?
        }
    };
    Ok(())
}

#[async_trait]
impl EventLog for PgStore {
    async fn append(&self, events: &[NewEvent]) -> RepoResult<()> {
        let events = events.to_vec();
        run(&self.pool, move |conn| Ok(append_events(conn, &events)?)).await
    }

    async fn list(&self, agent_id: AgentId, page: PageRequest) -> RepoResult<Page<AuditEvent>> {
        let (agent, bound) = (agent_id.as_uuid(), self.count_bound);
        run(&self.pool, move |conn| {
            let of_agent = agent_events::table.filter(agent_events::agent_id.eq(agent));
            let rows: Vec<(EventRow, i64)> = of_agent
                .order_by(agent_events::id.desc())
                .select((EventRow::as_select(), bounded_count(of_agent, bound)))
                .limit(limit(page))
                .offset(offset(page))
                .load(conn)?;
            page_from(
                rows,
                page,
                Counting::Bounded(bound),
                AuditEvent::try_from,
                || {
                    diesel::select(bounded_count(of_agent, bound))
                        .get_result(conn)
                        .map_err(crate::error::map_diesel)
                },
            )
            .map_err(TxError::Repo)
        })
        .await
    }
}
