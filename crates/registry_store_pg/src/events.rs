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
use registry_ports::{EventLog, FeedPage, FeedQuery, RepoResult};
use uuid::Uuid;

diesel::define_sql_function! {
    /// The feed position of event number `ordinal` (0-based) of the writing transaction
    /// (migration 2026-11-28-100000, ADR 0010).
    fn agent_event_seq(ordinal: diesel::sql_types::Integer) -> diesel::sql_types::BigInt;
}

/// Appends `events`, events of agents of `org`, (one statement; none when empty) on `conn`,
/// inside the caller's transaction, which appends no other event (each event's feed position
/// is its ordinal in the transaction; a second append would collide on
/// `agent_events_org_seq_idx`, loudly). An event of another org's agent fails the foreign key
/// `(agent_id, org_id)` (`NotFound`). A single event, the usual case, is a one-row insert
/// taking the column's default position (ordinal 0): diesel caches that prepared statement,
/// while a multi-row insert of a runtime-sized batch is parsed anew every time.
pub(crate) fn append_events(
    conn: &mut PgConnection,
    org: Uuid,
    events: &[NewEvent],
) -> QueryResult<()> {
    let insert = diesel::insert_into(agent_events::table);
    match events {
        [] => return Ok(()),
        [one] => insert.values(NewEventRow::new(org, one)).execute(conn)?,
        many => {
            let rows: Vec<_> = (0..)
                .zip(many)
                .map(|(i, e)| {
                    (
                        NewEventRow::new(org, e),
                        agent_events::seq.eq(agent_event_seq(i)),
                    )
                })
                .collect();
            insert.values(rows).execute(conn)?
        }
    };
    Ok(())
}

#[async_trait]
impl EventLog for PgStore {
    /// Only events of this org's agents: `NotFound` (and nothing written) otherwise. One
    /// statement.
    async fn append(&self, events: &[NewEvent]) -> RepoResult<()> {
        let (events, org) = (events.to_vec(), self.org());
        run(&self.pool, move |conn| {
            Ok(append_events(conn, org, &events)?)
        })
        .await
    }

    async fn list(&self, agent_id: AgentId, page: PageRequest) -> RepoResult<Page<AuditEvent>> {
        let (agent, bound, org) = (agent_id.as_uuid(), self.count_bound, self.org());
        run(&self.pool, move |conn| {
            let of_agent = agent_events::table
                .filter(agent_events::agent_id.eq(agent))
                .filter(agent_events::org_id.eq(org));
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

    /// One statement (see [`crate::feed`]).
    async fn feed(&self, query: &FeedQuery) -> RepoResult<FeedPage> {
        let (query, org) = (query.clone(), self.org());
        run(&self.pool, move |conn| {
            crate::feed::read_feed(conn, org, &query)?.map_err(TxError::Repo)
        })
        .await
    }
}
