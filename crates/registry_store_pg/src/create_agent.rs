//! Create-if-absent of an agent as one SQL statement: one round trip, atomic by itself.
//!
//! ```sql
//! WITH inserted AS (INSERT INTO agents … ON CONFLICT (org_id, name) WHERE status <> 'Deleted'
//!                   DO NOTHING RETURNING …),
//!      granted  AS (INSERT INTO grants … SELECT … FROM inserted),          -- when an owner
//!      logged_0 AS (INSERT INTO agent_events … SELECT … WHERE EXISTS (SELECT 1 FROM inserted)),
//! SELECT inserted.*, true, 'owner' FROM inserted
//! UNION ALL
//! SELECT <agents' columns>, false, <the owner's grant on it> FROM agents
//!  WHERE org_id = $org AND name = $name AND status <> 'Deleted'
//!    AND NOT EXISTS (SELECT 1 FROM inserted)
//! ```
//!
//! No row back means the name was taken by a transaction that committed after this
//! statement's snapshot was taken (the insert saw it, the read could not): the caller retries.
//! The text depends only on whether there is an owner and how many events there are, so diesel
//! caches it as a prepared statement keyed by its text.

use crate::event_rows::NewEventRow;
use crate::fragments::{LiveAgent, LiveTarget};
use crate::rows::AgentRow;
use crate::schema::agents;
use diesel::pg::{Pg, PgConnection};
use diesel::prelude::*;
use diesel::query_builder::{AstPass, Query, QueryFragment, QueryId};
use diesel::sql_types::{
    BigInt, Bool, Jsonb, Nullable, Text, Timestamptz, Untyped, Uuid as SqlUuid,
};

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
}

impl CreateAgentIfAbsent<'_> {
    /// Runs the statement: `None` when the name was taken too late to be read (retry).
    pub(crate) fn execute(self, conn: &mut PgConnection) -> QueryResult<Option<CreatedOrExisting>> {
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
             deleted_at, deleted_by, version, org_id) VALUES (",
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
        out.push_sql(") ON CONFLICT (org_id, name) WHERE ");
        LiveTarget.walk_ast(out.reborrow())?;
        out.push_sql(" DO NOTHING RETURNING ");
        agents::all_columns.walk_ast(out.reborrow())?;
        out.push_sql(")");
        if let Some(owner) = &self.owner {
            out.push_sql(
                ", granted AS (INSERT INTO grants (agent_id, principal, role, created_at) \
                 SELECT id, ",
            );
            out.push_bind_param::<Text, _>(owner)?;
            out.push_sql(", 'owner', created_at FROM inserted)");
        }
        for (i, event) in self.events.iter().enumerate() {
            out.push_sql(&format!(
                ", logged_{i} AS (INSERT INTO agent_events \
                 (agent_id, kind, from_status, to_status, actor, at, detail) SELECT "
            ));
            push_binds!(
                out,
                (SqlUuid, &event.agent_id),
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
                     WHERE grants.agent_id = agents.id AND grants.principal = ",
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
