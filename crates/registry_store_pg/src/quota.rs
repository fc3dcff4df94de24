//! The org quota on live agents (contract §9), checked in the creating transaction.

use crate::fragments::LiveAgentTotal;
use crate::schema::orgs;
use diesel::pg::PgConnection;
use diesel::prelude::*;
use registry_domain::{admits_one_more, QuotaExceeded};
use uuid::Uuid;

/// Inside the creating transaction, before the insert: `Some` when one more live agent would
/// exceed the org's `max_agents`. An org without a quota costs one primary-key read and takes
/// no lock. One with a quota is locked (`FOR NO KEY UPDATE`: creates in that org queue here;
/// the foreign-key checks of other writes do not conflict with it), and its live count is read
/// by the next statement, whose snapshot sees every create committed before the lock was
/// granted — so N concurrent creates at `limit − 1` make exactly one agent, on any number of
/// servers.
pub(crate) fn refusal(conn: &mut PgConnection, org: Uuid) -> QueryResult<Option<QuotaExceeded>> {
    let max: Option<Option<i32>> = orgs::table
        .find(org)
        .select(orgs::max_agents)
        .first(conn)
        .optional()?;
    if max.flatten().is_none() {
        return Ok(None);
    }
    let locked: Option<i32> = orgs::table
        .find(org)
        .select(orgs::max_agents)
        .for_no_key_update()
        .first(conn)?;
    let Some(limit) = locked else {
        return Ok(None);
    };
    let live: i64 = diesel::select(LiveAgentTotal(org)).get_result(conn)?;
    let limit = u32::try_from(limit).unwrap_or(0);
    Ok(admits_one_more(Some(limit), u64::try_from(live).unwrap_or(0)).err())
}
