//! [`Authorizer`] on `grants`.

use crate::error::{map_diesel, TxError};
use crate::events::append_events;
use crate::fragments::{LiveAgent, NotOwner};
use crate::paging::{bounded_count, limit, offset, page_from, Counting};
use crate::pool::{run, run_tx};
use crate::rows::GrantRow;
use crate::schema::{agents, grants};
use crate::PgStore;
use async_trait::async_trait;
use diesel::pg::PgConnection;
use diesel::prelude::*;
use diesel::upsert::excluded;
use registry_domain::{Action, AgentId, Grant, NewEvent, Page, PageRequest, Principal, Role};
use registry_ports::{Authorizer, Constraint, RepoError, RepoResult};
use uuid::Uuid;

/// Whether `principal` is the only owner of `agent`, an agent of `org` (false for any other).
/// Locks the owner rows, so concurrent changes to one agent's owners are serialised: two owners
/// demoting each other cannot both succeed.
fn is_only_owner(
    conn: &mut PgConnection,
    org: Uuid,
    agent: Uuid,
    principal: &str,
) -> QueryResult<bool> {
    let owners: Vec<String> = grants::table
        .filter(grants::agent_id.eq(agent))
        .filter(grants::org_id.eq(org))
        .filter(grants::role.eq(Role::Owner.as_str()))
        .select(grants::principal)
        .for_update()
        .load(conn)?;
    Ok(owners.len() == 1 && owners[0] == principal)
}

/// Takes a share lock on `agent` of `org` if it is live and returns its `updated_at` (which
/// the grant row carries), else `NotFound`. A grant then either commits before the agent's next
/// change may start (whose trigger updates the grant, `grants_follow_agent`) or sees that
/// change: no grant is left live on a Deleted agent, or with a stale order key, by a race.
fn lock_live_agent(
    conn: &mut PgConnection,
    org: Uuid,
    agent: Uuid,
) -> Result<registry_domain::Timestamp, TxError> {
    agents::table
        .filter(agents::id.eq(agent))
        .filter(agents::org_id.eq(org))
        .filter(LiveAgent)
        .select(agents::updated_at)
        .for_share()
        .get_result(conn)
        .optional()?
        .ok_or(TxError::Repo(RepoError::NotFound))
}

/// Now at the database's precision (microseconds).
fn now_micros() -> registry_domain::Timestamp {
    let now = time::OffsetDateTime::now_utc();
    now.replace_nanosecond(now.nanosecond() / 1_000 * 1_000)
        .unwrap_or(now)
}

#[async_trait]
impl Authorizer for PgStore {
    async fn check(
        &self,
        principal: &Principal,
        agent_id: AgentId,
        action: Action,
    ) -> RepoResult<bool> {
        let (principal, org) = (principal.to_string(), self.org());
        let role: Option<String> = run(&self.pool, move |conn| {
            Ok(grants::table
                .find((agent_id.as_uuid(), principal))
                .filter(grants::org_id.eq(org))
                .select(grants::role)
                .first(conn)
                .optional()?)
        })
        .await?;
        Ok(role
            .and_then(|r| Role::parse(&r).ok())
            .is_some_and(|r| r.allows(action)))
    }

    async fn grant(
        &self,
        agent_id: AgentId,
        principal: &Principal,
        role: Role,
        events: &[NewEvent],
    ) -> RepoResult<Grant> {
        let row = GrantRow::new(agent_id, principal, role, now_micros());
        let (events, org) = (events.to_vec(), self.org());
        run_tx(&self.pool, move |conn| {
            let agent_updated_at = lock_live_agent(conn, org, row.agent_id)?;
            if role != Role::Owner && is_only_owner(conn, org, row.agent_id, &row.principal)? {
                return Err(RepoError::Conflict(Constraint::LastOwner).into());
            }
            // Defence in depth: another org's agent is already `NotFound` above; a new grant
            // would fail the foreign key (agent_id, org_id) and an existing one is not updated.
            let upsert = diesel::insert_into(grants::table)
                .values((
                    &row,
                    grants::org_id.eq(org),
                    grants::agent_updated_at.eq(agent_updated_at),
                ))
                .on_conflict((grants::agent_id, grants::principal))
                .do_update()
                .set(grants::role.eq(excluded(grants::role)));
            let only_mine = grants::org_id.eq(org);
            let stored: GrantRow = diesel::query_dsl::methods::FilterDsl::filter(upsert, only_mine)
                .returning(GrantRow::as_returning())
                .get_result(conn)
                .optional()?
                .ok_or(RepoError::NotFound)?;
            append_events(conn, org, &events)?;
            Ok(Grant::try_from(stored)?)
        })
        .await
    }

    async fn revoke(
        &self,
        agent_id: AgentId,
        principal: &Principal,
        events: &[NewEvent],
    ) -> RepoResult<Grant> {
        let (agent, principal, events) =
            (agent_id.as_uuid(), principal.to_string(), events.to_vec());
        let org = self.org();
        run_tx(&self.pool, move |conn| {
            if is_only_owner(conn, org, agent, &principal)? {
                return Err(TxError::Repo(RepoError::Conflict(Constraint::LastOwner)));
            }
            let mine = grants::table
                .find((agent, principal))
                .filter(grants::org_id.eq(org));
            let removed: GrantRow = diesel::delete(mine)
                .returning(GrantRow::as_returning())
                .get_result(conn)
                .optional()?
                .ok_or(RepoError::NotFound)?;
            append_events(conn, org, &events)?;
            Ok(Grant::try_from(removed)?)
        })
        .await
    }

    async fn grants(&self, agent_id: AgentId, page: PageRequest) -> RepoResult<Page<Grant>> {
        let (agent, bound, org) = (agent_id.as_uuid(), self.count_bound, self.org());
        run(&self.pool, move |conn| {
            let of_agent = grants::table
                .filter(grants::agent_id.eq(agent))
                .filter(grants::org_id.eq(org));
            let rows: Vec<(GrantRow, i64)> = of_agent
                .order_by((NotOwner, grants::principal.asc()))
                .select((GrantRow::as_select(), bounded_count(of_agent, bound)))
                .limit(limit(page))
                .offset(offset(page))
                .load(conn)?;
            page_from(
                rows,
                page,
                Counting::Bounded(bound),
                Grant::try_from,
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
