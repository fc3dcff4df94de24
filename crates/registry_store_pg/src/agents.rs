//! [`AgentRepository`] on `agents`.

use crate::agent_list::list_page;
use crate::create_agent::{CreateAgentIfAbsent, CreatedOrExisting};
use crate::error::TxError;
use crate::event_rows::NewEventRow;
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

/// How many times create-if-absent runs its statement before giving up on a name that keeps
/// changing hands (one try is the rule; a second happens when a concurrent create committed
/// after the first one's snapshot).
const CREATE_TRIES: usize = 8;

/// The live agent named `name` on `conn`.
fn live_by_name(conn: &mut PgConnection, name: &str) -> QueryResult<Option<AgentRow>> {
    agents::table
        .filter(agents::name.eq(name))
        .filter(LiveAgent)
        .select(AgentRow::as_select())
        .first(conn)
        .optional()
}

/// Inserts `row` unless its name is live (one statement each try), granting `owner` and
/// appending `events` with it; otherwise the live agent holding the name. The insert and the
/// decoding of what it returned share one transaction, so a write whose answer could not be
/// read back is not kept.
fn create_if_absent_on(
    conn: &mut PgConnection,
    row: &AgentRow,
    owner: Option<&Principal>,
    events: &[NewEvent],
) -> Result<CreateOutcome, TxError> {
    let owner = owner.map(ToString::to_string);
    // The idempotent path (the name is live) is one plain cached read, much cheaper than the
    // insert statement; only a name that looks free pays for that, and the insert decides.
    if let Some(existing) = live_with_owner_role(conn, &row.name, owner.as_deref())? {
        return Ok(create_outcome(existing)?);
    }
    let events: Vec<NewEventRow> = events.iter().map(NewEventRow::from).collect();
    conn.transaction(|conn| {
        for _ in 0..CREATE_TRIES {
            let statement = CreateAgentIfAbsent {
                row,
                owner: owner.as_deref(),
                events: &events,
            };
            // No row: the holder of the name committed after this statement's snapshot; the
            // next try's snapshot sees it (or sees it deleted, and the name is free again).
            if let Some(out) = statement.execute(conn)? {
                return Ok(create_outcome(out)?);
            }
        }
        // Every try lost to a holder that was gone again by the next one: the name is being
        // created and deleted faster than one statement runs. Give up rather than spin; the
        // caller answers 503 and the client retries.
        Err(RepoError::Unavailable(
            format!(
                "the name {} changed hands {CREATE_TRIES} times during one create",
                row.name
            )
            .into(),
        )
        .into())
    })
}

/// What create-if-absent read or wrote, in domain terms.
fn create_outcome(out: CreatedOrExisting) -> RepoResult<CreateOutcome> {
    Ok(CreateOutcome {
        agent: Agent::try_from(out.agent)?,
        created: out.created,
        owner_role: out.owner_role.as_deref().map(role_from).transpose()?,
    })
}

/// The live agent named `name` and the role `principal` holds on it (its name, if any).
fn live_by_name_with_role(
    conn: &mut PgConnection,
    name: &str,
    principal: &str,
) -> QueryResult<Option<(AgentRow, Option<String>)>> {
    with_role_of(principal)
        .filter(agents::name.eq(name))
        .filter(LiveAgent)
        .first(conn)
        .optional()
}

/// The live agent named `name` with `owner`'s role on it, as create-if-absent reports it.
fn live_with_owner_role(
    conn: &mut PgConnection,
    name: &str,
    owner: Option<&str>,
) -> QueryResult<Option<CreatedOrExisting>> {
    let found = match owner {
        Some(owner) => live_by_name_with_role(conn, name, owner)?,
        None => live_by_name(conn, name)?.map(|agent| (agent, None)),
    };
    Ok(found.map(|(agent, owner_role)| CreatedOrExisting {
        agent,
        created: false,
        owner_role,
    }))
}

/// Agents, each with the role `principal` holds on it (NULL without a grant); filter it.
#[diesel::dsl::auto_type(no_type_alias)]
fn with_role_of<'a>(principal: &'a str) -> _ {
    let agent: diesel::dsl::AsSelect<AgentRow, Pg> = AgentRow::as_select();
    agents::table
        .left_join(
            grants::table.on(grants::agent_id
                .eq(agents::id)
                .and(grants::principal.eq(principal))),
        )
        .select((agent, grants::role.nullable()))
}

/// An agent row and a role name, as the port's type.
fn agent_with_role((row, role): (AgentRow, Option<String>)) -> RepoResult<AgentWithRole> {
    Ok(AgentWithRole {
        agent: Agent::try_from(row)?,
        role: role.as_deref().map(role_from).transpose()?,
    })
}

/// The body of `update`, inside one transaction (the stored row is decoded inside it too).
fn update_tx(
    conn: &mut PgConnection,
    agent: &Agent,
    events: &[NewEvent],
) -> Result<Agent, TxError> {
    let mut row = AgentRow::from(agent);
    row.version = agent.version + 1;
    let id = agent.id.as_uuid();
    let stored: Option<AgentRow> = diesel::update(
        agents::table
            .filter(agents::id.eq(id))
            .filter(agents::version.eq(agent.version)),
    )
    .set(&row)
    .returning(AgentRow::as_returning())
    .get_result(conn)
    .optional()?;
    let Some(stored) = stored else {
        let exists: bool =
            diesel::select(diesel::dsl::exists(agents::table.find(id))).get_result(conn)?;
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
                .filter(deployments::is_production),
        )
        .set(deployments::is_production.eq(false))
        .execute(conn)?;
    }
    append_events(conn, events)?;
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
        let row = AgentRow::from(agent);
        let events = events.to_vec();
        run(&self.pool, move |conn| {
            create_if_absent_on(conn, &row, owner.as_ref(), &events)
        })
        .await
    }

    async fn get(&self, id: AgentId) -> RepoResult<Option<Agent>> {
        let row = run(&self.pool, move |conn| {
            Ok(agents::table
                .find(id.as_uuid())
                .select(AgentRow::as_select())
                .first(conn)
                .optional()?)
        })
        .await?;
        row.map(Agent::try_from).transpose()
    }

    async fn get_live_by_name(&self, name: &AgentName) -> RepoResult<Option<Agent>> {
        let name = name.as_str().to_owned();
        let row = run(&self.pool, move |conn| Ok(live_by_name(conn, &name)?)).await?;
        row.map(Agent::try_from).transpose()
    }

    async fn get_with_role(
        &self,
        id: AgentId,
        principal: &Principal,
    ) -> RepoResult<Option<AgentWithRole>> {
        let principal = principal.to_string();
        let row = run(&self.pool, move |conn| {
            Ok(with_role_of(&principal)
                .filter(agents::id.eq(id.as_uuid()))
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
        let row = run(&self.pool, move |conn| {
            Ok(live_by_name_with_role(conn, &name, &principal)?)
        })
        .await?;
        row.map(agent_with_role).transpose()
    }

    async fn list(&self, query: &AgentQuery) -> RepoResult<Page<Agent>> {
        if query.only_ids.as_ref().is_some_and(Vec::is_empty) {
            return Ok(Page::empty());
        }
        let (query, bound) = (query.clone(), self.count_bound);
        run(&self.pool, move |conn| list_page(conn, &query, bound)).await
    }

    async fn update(&self, agent: &Agent, events: &[NewEvent]) -> RepoResult<Agent> {
        let agent = agent.clone();
        let events = events.to_vec();
        run_tx(&self.pool, move |conn| update_tx(conn, &agent, &events)).await
    }

    async fn expire_heartbeats(&self, expiry: &HeartbeatExpiry) -> RepoResult<Vec<AgentId>> {
        crate::heartbeats::expire(&self.pool, expiry).await
    }

    async fn record_heartbeat(
        &self,
        id: AgentId,
        status: registry_domain::AgentStatus,
        at: registry_domain::Timestamp,
    ) -> RepoResult<Option<Agent>> {
        crate::heartbeats::record(&self.pool, id, status, at).await
    }

    async fn ping(&self) -> RepoResult<()> {
        run(&self.pool, |conn| {
            diesel::sql_query("SELECT 1").execute(conn)?;
            Ok(())
        })
        .await
    }
}
