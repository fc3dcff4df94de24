//! [`DeploymentRepository`] on `deployments`.

use crate::error::{map_diesel, TxError};
use crate::events::append_events;
use crate::fragments::DeploymentStoredBytes;
use crate::paging::{bounded_count, check_page_budget, limit, offset, page_from, Counting};
use crate::pool::{run, run_tx};
use crate::rows::{AgentRow, DeploymentRow};
use crate::schema::{agents, deployments};
use crate::PgStore;
use async_trait::async_trait;
use diesel::pg::PgConnection;
use diesel::prelude::*;
use registry_domain::{
    Agent, AgentId, Deployment, DeploymentId, DeploymentStatus, NewEvent, Page, PageRequest,
    Promotion, SortDirection, Timestamp,
};
use registry_ports::{Constraint, DeploymentRepository, RepoError, RepoResult};
use uuid::Uuid;

/// The deployment `id` of `agent_id`, if any.
fn owned(conn: &mut PgConnection, agent_id: Uuid, id: Uuid) -> QueryResult<Option<DeploymentRow>> {
    deployments::table
        .filter(deployments::id.eq(id))
        .filter(deployments::agent_id.eq(agent_id))
        .select(DeploymentRow::as_select())
        .first(conn)
        .optional()
}

/// The body of `promote`, inside one transaction: persists what `Agent::promote` decided,
/// while what it was decided on still holds. The agent row is locked first, so promotions (and
/// updates) of one agent run one after the other.
fn promote_tx(
    conn: &mut PgConnection,
    promotion: &Promotion,
    events: &[NewEvent],
) -> Result<(DeploymentRow, AgentRow), TxError> {
    let Promotion {
        agent,
        deployment: target,
        demoted,
        transition: _,
    } = promotion;
    let (agent_id, id) = (agent.id.as_uuid(), target.id.as_uuid());
    let version: Option<i64> = agents::table
        .find(agent_id)
        .select(agents::version)
        .for_update()
        .first(conn)
        .optional()?;
    match version {
        None => return Err(RepoError::NotFound.into()),
        Some(v) if v != agent.version => {
            return Err(RepoError::Conflict(Constraint::StaleVersion).into())
        }
        Some(_) => {}
    }
    if let Some(demoted) = demoted {
        diesel::update(
            deployments::table
                .filter(deployments::id.eq(demoted.as_uuid()))
                .filter(deployments::agent_id.eq(agent_id)),
        )
        .set(deployments::is_production.eq(false))
        .execute(conn)?;
    }
    // Only while the row is as the promotion read it: a soft delete or a new registration
    // since then changed what it was decided on.
    let promoted: Option<DeploymentRow> = diesel::update(
        deployments::table
            .filter(deployments::id.eq(id))
            .filter(deployments::agent_id.eq(agent_id))
            .filter(deployments::status.eq(target.status.as_str()))
            .filter(deployments::acp_url.is_not_distinct_from(target.acp_url.clone()))
            .filter(deployments::expires_at.is_not_distinct_from(target.expires_at)),
    )
    .set((
        deployments::is_production.eq(target.is_production),
        deployments::promoted_at.eq(target.promoted_at),
    ))
    .returning(DeploymentRow::as_returning())
    .get_result(conn)
    .optional()?;
    let Some(promoted) = promoted else {
        return Err(TxError::Repo(match owned(conn, agent_id, id)? {
            Some(_) => RepoError::Conflict(Constraint::StaleVersion),
            None => RepoError::NotFound,
        }));
    };
    let mut row = AgentRow::from(agent);
    row.version = agent.version + 1;
    let stored: AgentRow = diesel::update(agents::table.find(agent_id))
        .set(&row)
        .returning(AgentRow::as_returning())
        .get_result(conn)?;
    append_events(conn, events)?;
    Ok((promoted, stored))
}

#[async_trait]
impl DeploymentRepository for PgStore {
    async fn create(&self, deployment: &Deployment) -> RepoResult<Deployment> {
        let row = DeploymentRow::from(deployment);
        run_tx(&self.pool, move |conn| {
            let stored: DeploymentRow = diesel::insert_into(deployments::table)
                .values(&row)
                .returning(DeploymentRow::as_returning())
                .get_result(conn)?;
            Ok(Deployment::try_from(stored)?)
        })
        .await
    }

    async fn get(&self, agent_id: AgentId, id: DeploymentId) -> RepoResult<Option<Deployment>> {
        let row = run(&self.pool, move |conn| {
            Ok(owned(conn, agent_id.as_uuid(), id.as_uuid())?)
        })
        .await?;
        row.map(Deployment::try_from).transpose()
    }

    async fn list(
        &self,
        agent_id: AgentId,
        page: PageRequest,
        direction: SortDirection,
    ) -> RepoResult<Page<Deployment>> {
        let (agent, bound) = (agent_id.as_uuid(), self.count_bound);
        run(&self.pool, move |conn| {
            let live = deployments::table
                .filter(deployments::agent_id.eq(agent))
                .filter(deployments::expires_at.is_null());
            let page_of = || {
                let ordered = live.into_boxed();
                match direction {
                    SortDirection::Asc => {
                        ordered.order_by((deployments::created_at.asc(), deployments::id.asc()))
                    }
                    SortDirection::Desc => {
                        ordered.order_by((deployments::created_at.desc(), deployments::id.desc()))
                    }
                }
                .limit(limit(page))
                .offset(offset(page))
            };
            if page.may_exceed_page_budget() {
                check_page_budget(page_of().select(DeploymentStoredBytes).load(conn)?)?;
            }
            let rows: Vec<(DeploymentRow, i64)> = page_of()
                .select((DeploymentRow::as_select(), bounded_count(live, bound)))
                .load(conn)?;
            page_from(
                rows,
                page,
                Counting::Bounded(bound),
                Deployment::try_from,
                || {
                    diesel::select(bounded_count(live, bound))
                        .get_result(conn)
                        .map_err(map_diesel)
                },
            )
            .map_err(TxError::Repo)
        })
        .await
    }

    async fn soft_delete(
        &self,
        agent_id: AgentId,
        id: DeploymentId,
        now: Timestamp,
    ) -> RepoResult<Deployment> {
        let (agent, id) = (agent_id.as_uuid(), id.as_uuid());
        run_tx(&self.pool, move |conn| {
            // One statement decides: a concurrent promotion either committed first (then this
            // row is production and untouched) or waits for this one; of two concurrent
            // deletes, one expires the row and the other finds it expired.
            let deleted: Option<DeploymentRow> = diesel::update(
                deployments::table
                    .filter(deployments::id.eq(id))
                    .filter(deployments::agent_id.eq(agent))
                    .filter(deployments::is_production.eq(false))
                    .filter(deployments::expires_at.is_null()),
            )
            .set(deployments::expires_at.eq(now))
            .returning(DeploymentRow::as_returning())
            .get_result(conn)
            .optional()?;
            match deleted {
                Some(row) => Ok(Deployment::try_from(row)?),
                None => Err(TxError::Repo(match owned(conn, agent, id)? {
                    Some(row) if row.expires_at.is_none() => {
                        RepoError::Conflict(Constraint::ProductionDeployment)
                    }
                    // Absent, another agent's, or already deleted: as a second delete of an
                    // agent, not found.
                    _ => RepoError::NotFound,
                })),
            }
        })
        .await
    }

    async fn mark_ready(
        &self,
        agent_id: AgentId,
        id: DeploymentId,
        acp_url: &str,
    ) -> RepoResult<Deployment> {
        let (agent, id, url) = (agent_id.as_uuid(), id.as_uuid(), acp_url.to_owned());
        run_tx(&self.pool, move |conn| {
            let ready: Option<DeploymentRow> = diesel::update(
                deployments::table
                    .filter(deployments::id.eq(id))
                    .filter(deployments::agent_id.eq(agent))
                    .filter(deployments::expires_at.is_null()),
            )
            .set((
                deployments::status.eq(DeploymentStatus::Ready.as_str()),
                deployments::acp_url.eq(url),
            ))
            .returning(DeploymentRow::as_returning())
            .get_result(conn)
            .optional()?;
            match ready {
                Some(row) => Ok(Deployment::try_from(row)?),
                None => Err(TxError::Repo(match owned(conn, agent, id)? {
                    Some(_) => RepoError::Conflict(Constraint::DeploymentExpired),
                    None => RepoError::NotFound,
                })),
            }
        })
        .await
    }

    async fn promote(
        &self,
        promotion: &Promotion,
        events: &[NewEvent],
    ) -> RepoResult<(Deployment, Agent)> {
        let promotion = promotion.clone();
        let events = events.to_vec();
        run_tx(&self.pool, move |conn| {
            let (d, a) = promote_tx(conn, &promotion, &events)?;
            Ok((Deployment::try_from(d)?, Agent::try_from(a)?))
        })
        .await
    }
}
