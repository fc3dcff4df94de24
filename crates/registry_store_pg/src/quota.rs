//! The org quota on live agents (contract §9), checked in the creating transaction of an org
//! that has one (orgs without a quota never get here: their create statement inserts only while
//! the org has no `max_agents`, see `create_agent.rs`).

use crate::fragments::LiveAgentTotal;
use crate::schema::orgs;
use diesel::pg::PgConnection;
use diesel::prelude::*;
use registry_domain::{admits_one_more, QuotaExceeded};
use uuid::Uuid;

/// The quota of `org` as committed now (`None`: none, or no such org). One primary-key read,
/// no lock.
pub(crate) fn limit(conn: &mut PgConnection, org: Uuid) -> QueryResult<Option<i32>> {
    let max: Option<Option<i32>> = orgs::table
        .find(org)
        .select(orgs::max_agents)
        .first(conn)
        .optional()?;
    Ok(max.flatten())
}

/// Inside the creating transaction, before the insert: `Some` when one more live agent would
/// exceed the org's `max_agents`. Locks the org row (`FOR NO KEY UPDATE`, held to the end of the
/// transaction: creates in that org queue here, while the foreign-key checks of other writes,
/// which take `FOR KEY SHARE`, do not), then counts its live agents in the next statement,
/// whose snapshot sees every create committed before the lock was granted — so N concurrent
/// creates at `limit − 1` make exactly one agent, on any number of servers.
pub(crate) fn refusal(conn: &mut PgConnection, org: Uuid) -> QueryResult<Option<QuotaExceeded>> {
    let locked: Option<Option<i32>> = orgs::table
        .find(org)
        .select(orgs::max_agents)
        .for_no_key_update()
        .first(conn)
        .optional()?;
    // No quota any more (or no org: the insert's foreign key answers that).
    let Some(Some(limit)) = locked else {
        return Ok(None);
    };
    let live: i64 = diesel::select(LiveAgentTotal(org)).get_result(conn)?;
    let limit = u32::try_from(limit).unwrap_or(0);
    Ok(admits_one_more(Some(limit), u64::try_from(live).unwrap_or(0)).err())
}
