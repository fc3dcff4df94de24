//! The heartbeat statements: the monitor's expiry (`AgentRepository::expire_heartbeats`) and a
//! heartbeat that changes no status (`AgentRepository::record_heartbeat`).

use crate::pool::{run, PgPool};
use crate::rows::AgentRow;
use crate::schema::agents;
use diesel::pg::{Pg, PgConnection};
use diesel::prelude::*;
use diesel::query_builder::{AstPass, Query, QueryFragment, QueryId};
use diesel::sql_types::{Jsonb, Nullable, Text, Timestamptz, Untyped, Uuid as SqlUuid};
use registry_domain::{AgentId, AgentStatus};
use registry_ports::{HeartbeatExpiry, RepoResult};
use uuid::Uuid;

/// The heartbeat monitor's statement, run once per org with stale agents ($12): transition
/// them and event each, at once, writing what the caller decided ($2..$4 on the agent, $6..$11
/// in its event; each event's feed position from its ordinal in the statement, ADR 0010).
///
/// Never waits for another writer, so it can be in no lock cycle:
/// - the stale agents are locked first with `SKIP LOCKED`: a row another monitor (or a writer)
///   holds is left to it — the other monitor expires it, a writer's heartbeat makes it fresh,
///   and what is still stale is taken at the next tick. Two monitors updating the same rows in
///   their own scan orders deadlocked on the agents' rows (seen under parallel expiries);
/// - one org per statement: the count trigger then touches that org's two rows of its shard,
///   lower status first, so two monitors (or a monitor and a writer) sharing a shard never
///   wait for each other in a cycle (across orgs, the scan order could take org A's rows
///   before org B's in one and the reverse in another).
const EXPIRE_SQL: &str = "\
WITH stale AS (
    SELECT id FROM agents
     WHERE status = $1 AND last_seen_at < $5 AND org_id = $12
     ORDER BY id
       FOR UPDATE SKIP LOCKED
), expired AS (
    UPDATE agents
       SET status = $2, status_reason = $3, updated_at = $4, version = version + 1
      FROM stale
     WHERE agents.id = stale.id AND agents.org_id = $12
 RETURNING agents.id, agents.org_id
), logged AS (
    INSERT INTO agent_events
           (seq, agent_id, org_id, kind, from_status, to_status, actor, at, detail)
    SELECT agent_event_seq((row_number() OVER () - 1)::int), id, org_id, $6, $7, $8, $9, $10, $11
      FROM expired
)
SELECT id FROM expired ORDER BY id";

/// The orgs that have agents in status $1 last seen before $2 (agents_status_last_seen_idx).
const STALE_ORGS_SQL: &str = "\
SELECT DISTINCT org_id AS id FROM agents WHERE status = $1 AND last_seen_at < $2 ORDER BY 1";

/// One id column of a raw query.
#[derive(QueryableByName)]
struct IdRow {
    #[diesel(sql_type = SqlUuid)]
    id: Uuid,
}

/// Runs [`EXPIRE_SQL`] for `expiry`: the agents it selects get exactly the status, reason and
/// event it carries. Returns their ids in id order.
pub(crate) async fn expire(pool: &PgPool, expiry: &HeartbeatExpiry) -> RepoResult<Vec<AgentId>> {
    let HeartbeatExpiry {
        from,
        seen_before,
        transition,
        at,
        ref event,
    } = *expiry;
    let event = event.clone();
    let rows: Vec<IdRow> = run(pool, move |conn| {
        let orgs: Vec<IdRow> = diesel::sql_query(STALE_ORGS_SQL)
            .bind::<Text, _>(from.as_str())
            .bind::<Timestamptz, _>(seen_before)
            .load(conn)?;
        let mut expired = Vec::new();
        for org in orgs {
            expired.extend(expire_in(
                conn,
                org.id,
                from,
                seen_before,
                transition,
                at,
                &event,
            )?);
        }
        Ok(expired)
    })
    .await?;
    let mut ids: Vec<AgentId> = rows.into_iter().map(|r| AgentId::from_uuid(r.id)).collect();
    ids.sort();
    Ok(ids)
}

/// [`EXPIRE_SQL`] for one org, its own transaction.
fn expire_in(
    conn: &mut diesel::PgConnection,
    org: Uuid,
    from: AgentStatus,
    seen_before: registry_domain::Timestamp,
    transition: registry_domain::Transition,
    at: registry_domain::Timestamp,
    event: &registry_domain::EventTemplate,
) -> QueryResult<Vec<IdRow>> {
    let event = event.clone();
    {
        diesel::sql_query(EXPIRE_SQL)
            .bind::<Text, _>(from.as_str())
            .bind::<Text, _>(transition.to.as_str())
            .bind::<Text, _>(transition.reason)
            .bind::<Timestamptz, _>(at)
            .bind::<Timestamptz, _>(seen_before)
            .bind::<Text, _>(event.kind.as_str())
            .bind::<Nullable<Text>, _>(event.from_status.map(AgentStatus::as_str))
            .bind::<Nullable<Text>, _>(event.to_status.map(AgentStatus::as_str))
            .bind::<Text, _>(event.actor)
            .bind::<Timestamptz, _>(event.at)
            .bind::<Jsonb, _>(event.detail)
            .bind::<SqlUuid, _>(org)
            .load(conn)
    }
}

/// A heartbeat that changes no status: only `last_seen_at`, observed state, is written — not
/// the version (the ETag), not `updated_at` — and only while the agent still has the status the
/// caller decided on:
///
/// ```sql
/// UPDATE agents SET last_seen_at = $1 WHERE id = $2 AND status = $3 AND agents.org_id = $4
/// RETURNING <agent's columns>
/// ```
///
/// Written out rather than with `diesel::update` (or `sql_query`), neither of which diesel ever
/// caches: its text is fixed, so it is prepared once per connection and then only bound and
/// executed, like the other hot statements (`tests/prepared_statements.rs`).
struct RecordHeartbeat {
    at: registry_domain::Timestamp,
    id: Uuid,
    status: &'static str,
    org: Uuid,
}

impl QueryId for RecordHeartbeat {
    type QueryId = Self;
    const HAS_STATIC_QUERY_ID: bool = true;
}

impl Query for RecordHeartbeat {
    type SqlType = Untyped;
}

impl RunQueryDsl<PgConnection> for RecordHeartbeat {}

impl QueryFragment<Pg> for RecordHeartbeat {
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, Pg>) -> QueryResult<()> {
        out.push_sql("UPDATE agents SET last_seen_at = ");
        out.push_bind_param::<Timestamptz, _>(&self.at)?;
        out.push_sql(" WHERE id = ");
        out.push_bind_param::<SqlUuid, _>(&self.id)?;
        out.push_sql(" AND status = ");
        out.push_bind_param::<Text, _>(&self.status)?;
        out.push_sql(" AND agents.org_id = ");
        out.push_bind_param::<SqlUuid, _>(&self.org)?;
        out.push_sql(" RETURNING ");
        agents::all_columns.walk_ast(out.reborrow())?;
        Ok(())
    }
}

/// Runs [`RecordHeartbeat`]: the agent as stored, or `None` when it is absent or its status is
/// no longer `status`.
pub(crate) async fn record(
    pool: &PgPool,
    org: Uuid,
    id: AgentId,
    status: AgentStatus,
    at: registry_domain::Timestamp,
) -> RepoResult<Option<registry_domain::Agent>> {
    run(pool, move |conn| {
        let statement = RecordHeartbeat {
            at,
            id: id.as_uuid(),
            status: status.as_str(),
            org,
        };
        let row: Option<AgentRow> = statement.get_result(conn).optional()?;
        Ok(row.map(registry_domain::Agent::try_from).transpose()?)
    })
    .await
}
