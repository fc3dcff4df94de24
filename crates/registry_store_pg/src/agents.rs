//! [`AgentRepository`] on `agents`.

use crate::agent_list::list_page;
use crate::create_agent::{create_if_absent_on, live_by_name};
use crate::error::TxError;
use crate::events::append_events;
use crate::fragments::LiveAgent;
use crate::pool::{run, run_tx};
use crate::rows::{role_from, AgentRow};
use crate::schema::{agents, deployments, grants};
use crate::PgStore;
use async_trait::async_trait;
use diesel::pg::{Pg, PgConnection};
use diesel::prelude::*;
use registry_domain::{Agent, AgentId, AgentName, NewEvent, Page, Principal};
use registry_ports::{
    AgentQuery, AgentRepository, AgentWithRole, Constraint, CreateOutcome, HeartbeatExpiry,
    RepoError, RepoResult,
};
use uuid::Uuid;

/// The live agent of `org` named `name` and the role `principal` holds on it (its name, if
/// any).
pub(crate) fn live_by_name_with_role(
    conn: &mut PgConnection,
    org: Uuid,
    name: &str,
    principal: &str,
) -> QueryResult<Option<(AgentRow, Option<String>)>> {
    with_role_of(principal)
        .filter(agents::org_id.eq(org))
        .filter(agents::name.eq(name))
        .filter(LiveAgent)
        .first(conn)
        .optional()
}

/// Agents, each with the role `principal` holds on it (NULL without a grant); filter it.
#[diesel::dsl::auto_type(no_type_alias)]
pub(crate) fn with_role_of<'a>(principal: &'a str) -> _ {
    let agent: diesel::dsl::AsSelect<AgentRow, Pg> = AgentRow::as_select();
    agents::table
        .left_join(
            grants::table.on(grants::agent_id
                .eq(agents::id)
                .and(grants::org_id.eq(agents::org_id))
                .and(grants::principal.eq(principal))),
        )
        .select((agent, grants::role.nullable()))
}

/// An agent row and a role name, as the port's type.
pub(crate) fn agent_with_role(
    (row, role): (AgentRow, Option<String>),
) -> RepoResult<AgentWithRole> {
    Ok(AgentWithRole {
        agent: Agent::try_from(row)?,
        role: role.as_deref().map(role_from).transpose()?,
    })
}

/// The body of `update`, inside one transaction (the stored row is decoded inside it too).
fn update_tx(
    conn: &mut PgConnection,
    org: Uuid,
    agent: &Agent,
    events: &[NewEvent],
) -> Result<Agent, TxError> {
    let mut row = AgentRow::from(agent);
    row.version = agent.version + 1;
    let id = agent.id.as_uuid();
    let stored: Option<AgentRow> = diesel::update(
        agents::table
            .filter(agents::id.eq(id))
            .filter(agents::org_id.eq(org))
            .filter(agents::version.eq(agent.version)),
    )
    .set(&row)
    .returning(AgentRow::as_returning())
    .get_result(conn)
    .optional()?;
    let Some(stored) = stored else {
        let mine = agents::table.find(id).filter(agents::org_id.eq(org));
        let exists: bool = diesel::select(diesel::dsl::exists(mine)).get_result(conn)?;
        return Err(TxError::Repo(if exists {
            RepoError::Conflict(Constraint::StaleVersion)
        } else {
            RepoError::NotFound
        }));
    };
    if stored.production_deployment_id.is_none() {
        // Demotes the formerly production deployment, if there was one.
        diesel::update(
            deployments::table
                .filter(deployments::agent_id.eq(id))
                .filter(deployments::org_id.eq(org))
                .filter(deployments::is_production),
        )
        .set(deployments::is_production.eq(false))
        .execute(conn)?;
    }
    append_events(conn, org, events)?;
    Ok(Agent::try_from(stored)?)
}

#[async_trait]
impl AgentRepository for PgStore {
    async fn create_if_absent(
        &self,
        agent: &Agent,
        owner: Option<Principal>,
        events: &[NewEvent],
    ) -> RepoResult<CreateOutcome> {
        let (row, org) = (AgentRow::from(agent), self.org());
        let events = events.to_vec();
        run(&self.pool, move |conn| {
            create_if_absent_on(conn, org, &row, owner.as_ref(), &events)
        })
        .await
    }

    async fn get(&self, id: AgentId) -> RepoResult<Option<Agent>> {
        let org = self.org();
        let row = run(&self.pool, move |conn| {
            Ok(agents::table
                .find(id.as_uuid())
                .filter(agents::org_id.eq(org))
                .select(AgentRow::as_select())
                .first(conn)
                .optional()?)
        })
        .await?;
        row.map(Agent::try_from).transpose()
    }

    async fn get_live_by_name(&self, name: &AgentName) -> RepoResult<Option<Agent>> {
        let (name, org) = (name.as_str().to_owned(), self.org());
        let row = run(&self.pool, move |conn| Ok(live_by_name(conn, org, &name)?)).await?;
        row.map(Agent::try_from).transpose()
    }

    async fn get_with_role(
        &self,
        id: AgentId,
        principal: &Principal,
    ) -> RepoResult<Option<AgentWithRole>> {
        let (principal, org) = (principal.to_string(), self.org());
        let row = run(&self.pool, move |conn| {
            Ok(with_role_of(&principal)
                .filter(agents::id.eq(id.as_uuid()))
                .filter(agents::org_id.eq(org))
                .first(conn)
                .optional()?)
        })
        .await?;
        row.map(agent_with_role).transpose()
    }

    async fn get_live_by_name_with_role(
        &self,
        name: &AgentName,
        principal: &Principal,
    ) -> RepoResult<Option<AgentWithRole>> {
        let (name, principal) = (name.as_str().to_owned(), principal.to_string());
        let org = self.org();
        let row = run(&self.pool, move |conn| {
            Ok(live_by_name_with_role(conn, org, &name, &principal)?)
        })
        .await?;
        row.map(agent_with_role).transpose()
    }

    async fn list(&self, query: &AgentQuery) -> RepoResult<Page<Agent>> {
        if query.only_ids.as_ref().is_some_and(Vec::is_empty) {
            return Ok(Page::empty());
        }
        let (query, bound, org) = (query.clone(), self.count_bound, self.org());
        run(&self.pool, move |conn| list_page(conn, org, &query, bound)).await
    }

    async fn update(&self, agent: &Agent, events: &[NewEvent]) -> RepoResult<Agent> {
        let (agent, org) = (agent.clone(), self.org());
        let events = events.to_vec();
        run_tx(&self.pool, move |conn| {
            update_tx(conn, org, &agent, &events)
        })
        .await
    }

    /// Across every org: the monitor is no tenant (each event goes with its agent).
    async fn expire_heartbeats(&self, expiry: &HeartbeatExpiry) -> RepoResult<Vec<AgentId>> {
        crate::heartbeats::expire(&self.pool, expiry).await
    }

    async fn record_heartbeat(
        &self,
        id: AgentId,
        status: registry_domain::AgentStatus,
        at: registry_domain::Timestamp,
    ) -> RepoResult<Option<Agent>> {
        crate::heartbeats::record(&self.pool, self.org(), id, status, at).await
    }

    async fn ping(&self) -> RepoResult<()> {
        run(&self.pool, |conn| {
            diesel::sql_query("SELECT 1").execute(conn)?;
            Ok(())
        })
        .await
    }
}
