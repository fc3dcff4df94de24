//! The change feed read (`EventLog::feed`): one org's events in `seq` order, below the
//! watermark (docs/adr/0010-change-feed.md).

use crate::event_rows::EventRow;
use crate::fragments::GrantedTo;
use crate::schema::{agent_events, agents};
use diesel::pg::PgConnection;
use diesel::prelude::*;
use registry_domain::AuditEvent;
use registry_ports::{FeedEvent, FeedPage, FeedQuery, RepoResult};
use uuid::Uuid;

diesel::define_sql_function! {
    /// The feed's watermark for the running statement: every transaction whose events lie
    /// below it has finished, so no event can still appear below it (migration
    /// 2026-11-28-100000).
    fn agent_events_watermark() -> diesel::sql_types::BigInt;
}

/// One page of `org`'s feed for `query`, in one statement: the events after `query.after` and
/// below the watermark, with their agents' current names, through `agent_events_org_seq_idx`.
pub(crate) fn read_feed(
    conn: &mut PgConnection,
    org: Uuid,
    query: &FeedQuery,
) -> Result<RepoResult<FeedPage>, diesel::result::Error> {
    let mut q = agent_events::table
        .inner_join(agents::table)
        .filter(agent_events::org_id.eq(org))
        .filter(agent_events::seq.gt(query.after))
        .filter(agent_events::seq.lt(agent_events_watermark()))
        .select((agent_events::seq, agents::name, EventRow::as_select()))
        .order_by(agent_events::seq)
        .limit(i64::from(query.bounded_limit()))
        .into_boxed();
    if let Some(agent) = query.agent_id {
        q = q.filter(agent_events::agent_id.eq(agent.as_uuid()));
    }
    if let Some(kind) = query.kind {
        q = q.filter(agent_events::kind.eq(kind.as_str()));
    }
    if let Some(principal) = &query.granted_to {
        q = q.filter(GrantedTo(org, principal.to_string()));
    }
    let rows: Vec<(i64, String, EventRow)> = q.load(conn)?;
    Ok(rows
        .into_iter()
        .map(|(seq, agent_name, row)| {
            Ok(FeedEvent {
                seq,
                agent_name,
                event: AuditEvent::try_from(row)?,
            })
        })
        .collect::<RepoResult<Vec<_>>>()
        .map(|events| FeedPage::new(query.after, events)))
}
