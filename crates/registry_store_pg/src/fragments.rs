//! Fixed SQL snippets that diesel's DSL cannot spell, as expressions that keep statements
//! cacheable.
//!
//! `diesel::dsl::sql` marks any statement containing it as unsafe for the prepared-statement
//! cache, so such a statement is parsed and planned by PostgreSQL on every request. Each snippet
//! here is its own type with a static query id, which tells diesel the SQL text never varies:
//! the statement is prepared once per connection and then only bound and executed.

use diesel::expression::{
    is_aggregate, AppearsOnTable, Expression, SelectableExpression, ValidGrouping,
};
use diesel::pg::Pg;
use diesel::query_builder::{AstPass, QueryFragment, QueryId};
use diesel::sql_types::{Array, BigInt, Bool, Integer, Jsonb, Text};
use diesel::QueryResult;

/// Declares a unit type that renders the fixed SQL `$text` as an expression of type `$ty`.
/// One type per text: the type is the prepared-statement cache key.
macro_rules! fixed_sql {
    ($(#[$doc:meta])* $name:ident: $ty:ty = $text:literal) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, QueryId)]
        pub(crate) struct $name;

        impl Expression for $name {
            type SqlType = $ty;
        }

        impl<QS> AppearsOnTable<QS> for $name {}

        impl<QS> SelectableExpression<QS> for $name {}

        impl<GB> ValidGrouping<GB> for $name {
            type IsAggregate = is_aggregate::Never;
        }

        impl QueryFragment<Pg> for $name {
            fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, Pg>) -> QueryResult<()> {
                out.push_sql($text);
                Ok(())
            }
        }
    };
}

/// The expression traits of a boolean filter that may stand on any table's query.
macro_rules! boolean_filter {
    ($name:ident) => {
        impl Expression for $name {
            type SqlType = Bool;
        }

        impl<QS> AppearsOnTable<QS> for $name {}

        impl<GB> ValidGrouping<GB> for $name {
            type IsAggregate = is_aggregate::Never;
        }
    };
}

fixed_sql!(
    /// The predicate of every live-agent index, spelled literally (not bound) so the planner can
    /// match the partial indexes; table-qualified for use in joins.
    LiveAgent: Bool = "agents.status <> 'Deleted'"
);

fixed_sql!(
    /// The same predicate unqualified, as an `ON CONFLICT (name) WHERE …` target must be.
    LiveTarget: Bool = "status <> 'Deleted'"
);

/// The number of an org's live agents, kept per (org, status) by a trigger in
/// `agent_status_counts` (migrations 2026-11-27-120000 and -130000), so an unfiltered list
/// does not visit every live agent to count them, and a quota check costs a few rows.
#[derive(Debug, Clone, Copy, QueryId)]
pub(crate) struct LiveAgentTotal(pub(crate) uuid::Uuid);

impl Expression for LiveAgentTotal {
    type SqlType = BigInt;
}

impl<QS> AppearsOnTable<QS> for LiveAgentTotal {}

impl<QS> SelectableExpression<QS> for LiveAgentTotal {}

impl<GB> ValidGrouping<GB> for LiveAgentTotal {
    type IsAggregate = is_aggregate::Never;
}

impl QueryFragment<Pg> for LiveAgentTotal {
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, Pg>) -> QueryResult<()> {
        out.push_sql(
            "(SELECT COALESCE(sum(n), 0)::bigint FROM agent_status_counts \
             WHERE agent_status_counts.org_id = ",
        );
        out.push_bind_param::<diesel::sql_types::Uuid, _>(&self.0)?;
        out.push_sql(")");
        Ok(())
    }
}

fixed_sql!(
    /// A constant column: what a bounded count selects from each row it counts.
    One: Integer = "1"
);

/// The number of an org's live agents in any of these statuses, from the same kept counts as
/// [`LiveAgentTotal`] (a status-filtered list's total in O(1)).
#[derive(Debug, Clone, QueryId)]
pub(crate) struct StatusTotal(pub(crate) uuid::Uuid, pub(crate) Vec<&'static str>);

impl Expression for StatusTotal {
    type SqlType = BigInt;
}

impl<QS> AppearsOnTable<QS> for StatusTotal {}

impl<QS> SelectableExpression<QS> for StatusTotal {}

impl<GB> ValidGrouping<GB> for StatusTotal {
    type IsAggregate = is_aggregate::Never;
}

impl QueryFragment<Pg> for StatusTotal {
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, Pg>) -> QueryResult<()> {
        out.push_sql(
            "(SELECT COALESCE(sum(n), 0)::bigint FROM agent_status_counts \
             WHERE agent_status_counts.org_id = ",
        );
        out.push_bind_param::<diesel::sql_types::Uuid, _>(&self.0)?;
        out.push_sql(" AND agent_status_counts.status = ANY(");
        out.push_bind_param::<Array<Text>, _>(&self.1)?;
        out.push_sql("))");
        Ok(())
    }
}

/// `(SELECT count(*) FROM (<query>) AS counted)`: the rows of `query`, which carries its own
/// `LIMIT` (one past the store's `CountBound`), so counting stops there whatever matches. As a
/// column of a page it is an InitPlan, run once per statement.
#[derive(Debug, Clone, QueryId)]
pub(crate) struct BoundedCount<Q>(pub(crate) Q);

impl<Q> Expression for BoundedCount<Q> {
    type SqlType = BigInt;
}

impl<Q, QS> AppearsOnTable<QS> for BoundedCount<Q> {}

impl<Q, QS> SelectableExpression<QS> for BoundedCount<Q> {}

impl<Q, GB> ValidGrouping<GB> for BoundedCount<Q> {
    type IsAggregate = is_aggregate::Never;
}

impl<Q: QueryFragment<Pg>> QueryFragment<Pg> for BoundedCount<Q> {
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, Pg>) -> QueryResult<()> {
        out.push_sql("(SELECT count(*) FROM (");
        self.0.walk_ast(out.reborrow())?;
        out.push_sql(") AS counted)");
        Ok(())
    }
}

fixed_sql!(
    /// The stored client data of an agent row, in bytes (what a list page's memory budget
    /// counts: domain `MAX_PAGE_BYTES`), kept by a generated column (migration
    /// 2026-11-26-150000).
    AgentStoredBytes: BigInt = "agents.stored_bytes::bigint"
);

fixed_sql!(
    /// The stored client data of a deployment row, in bytes.
    DeploymentStoredBytes: BigInt = "deployments.stored_bytes::bigint"
);

fixed_sql!(
    /// The key's minter still holds the authority to mint it
    /// (`registry_domain::minter_authority_holds`): the platform admin; an org admin with a
    /// live token in the agent's org; or a principal with a role allowing `update` on the key's
    /// agent and a live service token in the agent's org (the query joins `agents`). Agent principals never
    /// pass (no service token names one). Both probes are index lookups (`grants_pkey`,
    /// `service_tokens_principal_idx`); the spelled-out roles and principal are checked against
    /// the domain by the test below.
    MinterHoldsAuthority: Bool = "(agent_api_keys.created_by = 'admin' OR (\
        (left(agent_api_keys.created_by, 6) = 'admin:' OR \
        EXISTS (SELECT 1 FROM grants WHERE grants.agent_id = agent_api_keys.agent_id \
        AND grants.org_id = agent_api_keys.org_id AND grants.principal = agent_api_keys.created_by AND grants.role IN ('owner', 'editor'))) \
        AND EXISTS (SELECT 1 FROM service_tokens WHERE service_tokens.org_id = agents.org_id \
        AND service_tokens.principal = agent_api_keys.created_by)))"
);

fixed_sql!(
    /// Owners first when listing an agent's grants.
    NotOwner: Bool = "grants.role <> 'owner'"
);

/// `agent_card.metadata` of the registration metadata contains this JSON object (the list
/// filter `agent_card_metadata`; served by the GIN index on that path).
#[derive(Debug, Clone, QueryId)]
pub(crate) struct CardMetadataContains(pub(crate) serde_json::Value);

boolean_filter!(CardMetadataContains);

impl QueryFragment<Pg> for CardMetadataContains {
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, Pg>) -> QueryResult<()> {
        out.push_sql("(agents.registration_metadata -> 'agent_card' -> 'metadata') @> ");
        out.push_bind_param::<Jsonb, _>(&self.0)
    }
}

/// `agents.id = ANY(ARRAY(<ids>))`: the ids are collected first (an InitPlan, run once) and
/// the agents then read by key. Written so rather than `IN (<ids>)` because a prepared
/// statement's generic plan cannot see the subquery's bound `LIMIT`, and for a semi-join it
/// chose to hash every agent of the org; an array parameter is probed through the primary key
/// whatever the plan.
#[derive(Debug, Clone, QueryId)]
pub(crate) struct AgentIdAmong<Q>(pub(crate) Q);

impl<Q> Expression for AgentIdAmong<Q> {
    type SqlType = Bool;
}

impl<Q, QS> AppearsOnTable<QS> for AgentIdAmong<Q> {}

impl<Q, GB> ValidGrouping<GB> for AgentIdAmong<Q> {
    type IsAggregate = is_aggregate::Never;
}

impl<Q: QueryFragment<Pg>> QueryFragment<Pg> for AgentIdAmong<Q> {
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, Pg>) -> QueryResult<()> {
        out.push_sql("agents.id = ANY(ARRAY(");
        self.0.walk_ast(out.reborrow())?;
        out.push_sql("))");
        Ok(())
    }
}

/// The agent is one on which this principal holds a live grant in this org, as a semi-join:
/// a page in list order walks the org's list index and probes
/// `grants_live_principal_idx (org_id, principal, agent_id) WHERE agent_live` for each entry,
/// stopping at the page's end — for 1,000 granted of 10,000 agents about 500 probes instead of
/// fetching and sorting all 1,000 (docs/explain.md). For a principal with few grants the planner
/// may instead fetch them and sort.
#[derive(Debug, Clone, QueryId)]
pub(crate) struct GrantedTo(pub(crate) uuid::Uuid, pub(crate) String);

boolean_filter!(GrantedTo);

impl QueryFragment<Pg> for GrantedTo {
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, Pg>) -> QueryResult<()> {
        out.push_sql("EXISTS (SELECT 1 FROM grants WHERE grants.org_id = ");
        out.push_bind_param::<diesel::sql_types::Uuid, _>(&self.0)?;
        out.push_sql(" AND grants.principal = ");
        out.push_bind_param::<Text, _>(&self.1)?;
        out.push_sql(" AND grants.agent_id = agents.id AND grants.agent_live)");
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use registry_domain::{Principal, Role, MINT_ACTION};
    use std::collections::BTreeSet;

    /// The quoted literals of a fragment's SQL.
    fn literals(sql: &str) -> BTreeSet<String> {
        sql.split('\'')
            .skip(1)
            .step_by(2)
            .map(str::to_owned)
            .collect()
    }

    #[test]
    fn the_minter_rule_spells_the_domains_roles_and_admin() {
        let sql = diesel::debug_query::<Pg, _>(&MinterHoldsAuthority).to_string();
        let mut expected: BTreeSet<String> = Role::ALL
            .iter()
            .filter(|r| r.allows(MINT_ACTION))
            .map(|r| r.as_str().to_owned())
            .collect();
        expected.insert(Principal::Admin.to_string());
        // An org admin (`admin:<name>`) holds the authority while its token lives, in the org.
        let org_admin = Principal::OrgAdmin("x".into()).to_string();
        expected.insert(org_admin.trim_end_matches('x').to_owned());
        assert_eq!(literals(&sql), expected, "{sql}");
    }
}
