//! Create-if-absent of an agent as one SQL statement: one round trip, atomic by itself.
//!
//! ```sql
//! WITH inserted AS (INSERT INTO agents … SELECT $1, …, $org
//!                    WHERE NOT EXISTS (SELECT 1 FROM orgs WHERE id = $org    -- first try
//!                                        AND max_agents IS NOT NULL)
//!                   ON CONFLICT (org_id, name) WHERE status <> 'Deleted'
//!                   DO NOTHING RETURNING …),
//!      granted  AS (INSERT INTO grants … SELECT id, org_id, … FROM inserted), -- when an owner
//!      logged_0 AS (INSERT INTO agent_events … SELECT … WHERE EXISTS (SELECT 1 FROM inserted)),
//! SELECT inserted.*, true, 'owner' FROM inserted
//! UNION ALL
//! SELECT <agents' columns>, false, <the owner's grant on it> FROM agents
//!  WHERE org_id = $org AND name = $name AND status <> 'Deleted'
//!    AND NOT EXISTS (SELECT 1 FROM inserted)
//! ```
//!
//! No row back means the name was taken by a transaction that committed after this
//! statement's snapshot was taken (the insert saw it, the read could not): the caller retries;
//! or, on the first try, that the org has a quota: the caller checks it under the org's lock and
//! retries without the `NOT EXISTS`. The text depends only on that, whether there is an owner
//! and how many events there are, so diesel caches it as a prepared statement keyed by its text.

use crate::agents::live_by_name_with_role;
use crate::error::TxError;
use crate::event_rows::NewEventRow;
use crate::fragments::{LiveAgent, LiveTarget};
use crate::rows::{role_from, AgentRow};
use crate::schema::agents;
use diesel::pg::{Pg, PgConnection};
use diesel::prelude::*;
use diesel::query_builder::{AstPass, Query, QueryFragment, QueryId};
use diesel::sql_types::{
    BigInt, Bool, Jsonb, Nullable, Text, Timestamptz, Untyped, Uuid as SqlUuid,
};
use registry_domain::{Agent, NewEvent, Principal};
use registry_ports::{CreateOutcome, RepoError, RepoResult};
use uuid::Uuid;

/// How many times create-if-absent runs its statement before giving up on a name that keeps
/// changing hands (one try is the rule; a second happens when a concurrent create committed
/// after the first one's snapshot).
const CREATE_TRIES: usize = 8;

/// The live agent of `org` named `name` on `conn`.
pub(crate) fn live_by_name(
    conn: &mut PgConnection,
    org: Uuid,
    name: &str,
) -> QueryResult<Option<AgentRow>> {
    agents::table
        .filter(agents::org_id.eq(org))
        .filter(agents::name.eq(name))
        .filter(LiveAgent)
        .select(AgentRow::as_select())
        .first(conn)
        .optional()
}

/// Inserts `row` into `org` unless its name is live there, granting `owner` and appending
/// `events` with it; otherwise the live agent holding the name. The insert and the decoding of
/// what it returned share one transaction, so a write whose answer could not be read back is
/// not kept.
///
/// In an org without a quota that is one statement (each try), which inserts only while the
/// org has no `max_agents`: no lock, no count. When it inserts nothing and finds no holder
/// of the name, either a holder committed after its snapshot (try again) or the org has a
/// quota: then the org row is locked and the live agents counted first
/// ([`crate::quota::refusal`]), and creates in that org run one at a time.
pub(crate) fn create_if_absent_on(
    conn: &mut PgConnection,
    org: Uuid,
    row: &AgentRow,
    owner: Option<&Principal>,
    events: &[NewEvent],
) -> Result<CreateOutcome, TxError> {
    let owner = owner.map(ToString::to_string);
    // The idempotent path (the name is live) is one plain cached read, much cheaper than the
    // insert statement; only a name that looks free pays for that, and the insert decides.
    if let Some(existing) = live_with_owner_role(conn, org, &row.name, owner.as_deref())? {
        return Ok(create_outcome(existing)?);
    }
    let events: Vec<NewEventRow> = events.iter().map(|e| NewEventRow::new(org, e)).collect();
    conn.transaction(|conn| {
        let mut without_quota = true;
        for _ in 0..CREATE_TRIES {
            let statement = CreateAgentIfAbsent {
                org: &org,
                row,
                owner: owner.as_deref(),
                events: &events,
                without_quota,
            };
            if let Some(out) = statement.execute(conn)? {
                return Ok(create_outcome(out)?);
            }
            // No row: a holder of the name committed after this statement's snapshot (the
            // next try's snapshot sees it, or sees it deleted and the name free again), or
            // the org has a quota, checked under its lock before the next try.
            if without_quota && crate::quota::limit(conn, org)?.is_some() {
                without_quota = false;
                if let Some(refused) = crate::quota::refusal(conn, org)? {
                    // Refused only a new name: one created meanwhile is the idempotent answer.
                    return match live_with_owner_role(conn, org, &row.name, owner.as_deref())? {
                        Some(existing) => Ok(create_outcome(existing)?),
                        None => Err(RepoError::QuotaExceeded(refused).into()),
                    };
                }
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

/// The live agent of `org` named `name` with `owner`'s role on it, as create-if-absent
/// reports it.
fn live_with_owner_role(
    conn: &mut PgConnection,
    org: Uuid,
    name: &str,
    owner: Option<&str>,
) -> QueryResult<Option<CreatedOrExisting>> {
    let found = match owner {
        Some(owner) => live_by_name_with_role(conn, org, name, owner)?,
        None => live_by_name(conn, org, name)?.map(|agent| (agent, None)),
    };
    Ok(found.map(|(agent, owner_role)| CreatedOrExisting {
        agent,
        created: false,
        owner_role,
    }))
}

/// The statement's result: the agent as stored, and whether this statement inserted it.
#[derive(QueryableByName)]
pub(crate) struct CreatedOrExisting {
    /// The inserted row, or the live agent that holds the name.
    #[diesel(embed)]
    pub(crate) agent: AgentRow,
    /// True when this statement inserted the agent.
    #[diesel(sql_type = Bool)]
    pub(crate) created: bool,
    /// The owner's role on the agent (`owner` when inserted; NULL without an owner).
    #[diesel(sql_type = Nullable<Text>)]
    pub(crate) owner_role: Option<String>,
}

/// The create-if-absent statement for one agent.
pub(crate) struct CreateAgentIfAbsent<'a> {
    /// The org it is created in (and whose live names it must not take).
    pub(crate) org: &'a uuid::Uuid,
    /// The agent to insert.
    pub(crate) row: &'a AgentRow,
    /// Who becomes owner (`None`: no grant row).
    pub(crate) owner: Option<&'a str>,
    /// Events recorded only if the agent is inserted.
    pub(crate) events: &'a [NewEventRow],
    /// Insert only while the org has no quota (`NOT EXISTS` on its `max_agents`); false once
    /// the quota was checked under the org's lock.
    pub(crate) without_quota: bool,
}

impl CreateAgentIfAbsent<'_> {
    /// Runs the statement: `None` when the name was taken too late to be read (retry), or
    /// when it is `without_quota` and the org has one.
    fn execute(self, conn: &mut PgConnection) -> QueryResult<Option<CreatedOrExisting>> {
        self.get_result(conn).optional()
    }
}

impl QueryId for CreateAgentIfAbsent<'_> {
    type QueryId = ();
    // The text varies with the owner and the event count: cached by text, not by type.
    const HAS_STATIC_QUERY_ID: bool = false;
}

impl Query for CreateAgentIfAbsent<'_> {
    type SqlType = Untyped;
}

impl RunQueryDsl<PgConnection> for CreateAgentIfAbsent<'_> {}

/// Pushes `(type, value)` pairs as comma-separated bind parameters.
macro_rules! push_binds {
    ($out:ident, $(($ty:ty, $value:expr)),+ $(,)?) => {{
        let mut first = true;
        $(
            if !std::mem::take(&mut first) {
                $out.push_sql(", ");
            }
            $out.push_bind_param::<$ty, _>($value)?;
        )+
    }};
}

impl QueryFragment<Pg> for CreateAgentIfAbsent<'_> {
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, Pg>) -> QueryResult<()> {
        // Written out rather than `diesel::insert_into`, whose single-row inserts diesel never
        // caches. Destructured so that a new column cannot be forgotten here.
        let AgentRow {
            id,
            name,
            description,
            status,
            status_reason,
            acp_type,
            acp_url,
            registration_metadata,
            agent_input_type,
            production_deployment_id,
            created_at,
            updated_at,
            registered_at,
            last_seen_at,
            deleted_at,
            deleted_by,
            version,
        } = self.row;
        out.push_sql(
            "WITH inserted AS (INSERT INTO agents (id, name, description, status, status_reason, \
             acp_type, acp_url, registration_metadata, agent_input_type, \
             production_deployment_id, created_at, updated_at, registered_at, last_seen_at, \
             deleted_at, deleted_by, version, org_id) SELECT ",
        );
        push_binds!(
            out,
            (SqlUuid, id),
            (Text, name),
            (Text, description),
            (Text, status),
            (Nullable<Text>, status_reason),
            (Text, acp_type),
            (Nullable<Text>, acp_url),
            (Nullable<Jsonb>, registration_metadata),
            (Nullable<Text>, agent_input_type),
            (Nullable<SqlUuid>, production_deployment_id),
            (Timestamptz, created_at),
            (Timestamptz, updated_at),
            (Nullable<Timestamptz>, registered_at),
            (Nullable<Timestamptz>, last_seen_at),
            (Nullable<Timestamptz>, deleted_at),
            (Nullable<Text>, deleted_by),
            (BigInt, version),
            (SqlUuid, self.org),
        );
        if self.without_quota {
            out.push_sql(" WHERE NOT EXISTS (SELECT 1 FROM orgs WHERE orgs.id = ");
            out.push_bind_param::<SqlUuid, _>(self.org)?;
            out.push_sql(" AND orgs.max_agents IS NOT NULL)");
        }
        out.push_sql(" ON CONFLICT (org_id, name) WHERE ");
        LiveTarget.walk_ast(out.reborrow())?;
        out.push_sql(" DO NOTHING RETURNING ");
        agents::all_columns.walk_ast(out.reborrow())?;
        out.push_sql(")");
        if let Some(owner) = &self.owner {
            out.push_sql(
                ", granted AS (INSERT INTO grants (agent_id, org_id, principal, role, \
                 created_at, agent_updated_at) SELECT id, org_id, ",
            );
            out.push_bind_param::<Text, _>(owner)?;
            out.push_sql(", 'owner', created_at, updated_at FROM inserted)");
        }
        for (i, event) in self.events.iter().enumerate() {
            out.push_sql(&format!(
                ", logged_{i} AS (INSERT INTO agent_events \
                 (seq, agent_id, org_id, kind, from_status, to_status, actor, at, detail) \
                 SELECT agent_event_seq({i}), "
            ));
            push_binds!(
                out,
                (SqlUuid, &event.agent_id),
                (SqlUuid, &event.org_id),
                (Text, &event.kind),
                (Nullable<Text>, &event.from_status),
                (Nullable<Text>, &event.to_status),
                (Text, &event.actor),
                (Timestamptz, &event.at),
                (Jsonb, &event.detail),
            );
            out.push_sql(" WHERE EXISTS (SELECT 1 FROM inserted))");
        }
        // `inserted` has the columns in `all_columns` order (its RETURNING list); the live
        // agent is selected in that same order.
        out.push_sql(" SELECT inserted.*, true AS created, ");
        out.push_sql(match self.owner {
            Some(_) => "'owner'",
            None => "NULL::text",
        });
        out.push_sql(" AS owner_role FROM inserted UNION ALL SELECT ");
        agents::all_columns.walk_ast(out.reborrow())?;
        out.push_sql(", false AS created, ");
        match &self.owner {
            Some(owner) => {
                out.push_sql(
                    "(SELECT grants.role FROM grants \
                     WHERE grants.agent_id = agents.id AND grants.org_id = agents.org_id \
                     AND grants.principal = ",
                );
                out.push_bind_param::<Text, _>(owner)?;
                out.push_sql(")");
            }
            None => out.push_sql("NULL::text"),
        }
        out.push_sql(" AS owner_role FROM agents WHERE agents.org_id = ");
        out.push_bind_param::<SqlUuid, _>(self.org)?;
        out.push_sql(" AND agents.name = ");
        out.push_bind_param::<Text, _>(name)?;
        out.push_sql(" AND ");
        LiveAgent.walk_ast(out.reborrow())?;
        out.push_sql(" AND NOT EXISTS (SELECT 1 FROM inserted)");
        Ok(())
    }
}
