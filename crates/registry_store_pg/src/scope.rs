//! Scoping the rows that belong to an agent (deployments, history, keys, grants, events) by
//! the org of that agent: they carry no org of their own, so every statement on them names the
//! store's org through their agent.

use crate::error::TxError;
use crate::schema::agents;
use diesel::pg::PgConnection;
use diesel::prelude::*;
use registry_domain::AgentId;
use registry_ports::RepoError;
use uuid::Uuid;

/// The ids of `org`'s agents, Deleted included: `<table>.agent_id = ANY(agents_of(org))` keeps
/// a statement inside the org (the planner probes the agent by primary key).
#[diesel::dsl::auto_type(no_type_alias)]
pub(crate) fn agents_of(org: Uuid) -> _ {
    agents::table
        .filter(agents::org_id.eq(org))
        .select(agents::id)
}

/// `NotFound` unless agent `id` exists in `org` (Deleted included): a write of a row that
/// belongs to an agent never lands on another org's agent.
pub(crate) fn require_agent(
    conn: &mut PgConnection,
    org: Uuid,
    id: AgentId,
) -> Result<(), TxError> {
    let mine = agents::table
        .find(id.as_uuid())
        .filter(agents::org_id.eq(org));
    let found: bool = diesel::select(diesel::dsl::exists(mine)).get_result(conn)?;
    if found {
        Ok(())
    } else {
        Err(TxError::Repo(RepoError::NotFound))
    }
}
