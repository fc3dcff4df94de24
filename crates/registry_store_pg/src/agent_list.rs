//! `AgentRepository::list` on `agents`: the filters, the order, the page and its total
//! (docs/adr/0008-bounded-totals.md).

use crate::error::{map_diesel, TxError};
use crate::fragments::{
    AgentIdAmong, AgentStoredBytes, CardMetadataContains, GrantedTo, LiveAgent, LiveAgentTotal,
    StatusTotal,
};
use crate::paging::{bounded_count, check_page_budget, limit, offset, page_from, Counting};
use crate::rows::AgentRow;
use crate::schema::{agents, grants};
use diesel::pg::{Pg, PgConnection};
use diesel::prelude::*;
use registry_domain::{Agent, AgentId, CountBound, Page, SortDirection};
use registry_ports::{AgentOrder, AgentQuery, RepoResult};
use uuid::Uuid;

/// One page of `query` over `org`'s agents with its total (kept or counted up to `bound`), on
/// `conn`.
pub(crate) fn list_page(
    conn: &mut PgConnection,
    org: Uuid,
    query: &AgentQuery,
    bound: CountBound,
) -> Result<Page<Agent>, TxError> {
    if query.page.may_exceed_page_budget() {
        let sizes: Vec<i64> = page_query(org, query).select(AgentStoredBytes).load(conn)?;
        check_page_budget(sizes)?;
    }
    let page = page_query(org, query);
    // Unfiltered or by status, the total is the trigger-kept count (O(1)); any other
    // filter's matches are counted beside the page up to the bound.
    let agent = AgentRow::as_select();
    let (rows, counting): (Vec<(AgentRow, i64)>, _) = if let Some(grants) = only_granted(org, query)
    {
        let counted = bounded_count(grants, bound);
        (
            page.select((agent, counted)).load(conn)?,
            Counting::Bounded(bound),
        )
    } else if !query.total_is_kept() {
        let counted = bounded_count(list_filter(org, query), bound);
        (
            page.select((agent, counted)).load(conn)?,
            Counting::Bounded(bound),
        )
    } else if query.statuses.is_empty() {
        (
            page.select((agent, LiveAgentTotal(org))).load(conn)?,
            Counting::Kept,
        )
    } else {
        let total = StatusTotal(org, status_names(query));
        (page.select((agent, total)).load(conn)?, Counting::Kept)
    };
    page_from(rows, query.page, counting, Agent::try_from, || {
        list_count(conn, org, query, bound)
    })
    .map_err(TxError::Repo)
}

/// The `list` filters (live agents of `org` matching `query`), unordered.
fn list_filter(org: Uuid, query: &AgentQuery) -> agents::BoxedQuery<'static, Pg> {
    let mut q = agents::table
        .into_boxed()
        .filter(agents::org_id.eq(org))
        .filter(LiveAgent);
    // One status is read from agents_live_status_updated_at_idx (org_id, status, updated_at,
    // id). In
    // `updated_at` order it is written as a range and the order leads with the status (one
    // value, so the same order): then only that index gives the order without a sort. With an
    // equality the planner may instead walk agents_live_updated_at_idx filtering by status,
    // which it costs by the status's share of all agents — cheap on paper, but a walk past
    // every newer agent of other statuses when those are the most recently updated (after a
    // wave of heartbeat expiries, say).
    match query.statuses.as_slice() {
        [] => {}
        [one] if query.order_by == AgentOrder::UpdatedAt => {
            q = q.filter(agents::status.between(one.as_str(), one.as_str()));
        }
        [one] => q = q.filter(agents::status.eq(one.as_str())),
        _ => q = q.filter(agents::status.eq_any(status_names(query))),
    }
    if let Some(ids) = &query.only_ids {
        let ids: Vec<Uuid> = ids.iter().map(AgentId::as_uuid).collect();
        q = q.filter(agents::id.eq_any(ids));
    }
    if let Some(principal) = &query.granted_to {
        q = q.filter(GrantedTo(org, principal.to_string()));
    }
    if let Some(wanted) = &query.card_metadata {
        q = q.filter(CardMetadataContains(serde_json::Value::Object(
            wanted.clone(),
        )));
    }
    q
}

/// The `list` query: filters, then the order with id tiebreak.
fn list_query(org: Uuid, query: &AgentQuery) -> agents::BoxedQuery<'static, Pg> {
    ordered(list_filter(org, query), query)
}

/// The rows of `query`'s page, in order. Past the first page the ids of the page are found
/// first (an index-only walk over the skipped rows of the order's index) and only those rows
/// are read: page 100 then costs a walk of 5,000 index entries, not 5,000 row reads.
fn page_query(org: Uuid, query: &AgentQuery) -> agents::BoxedQuery<'static, Pg> {
    let request = query.page;
    if let Some(ids) = granted_in_update_order(org, query) {
        let page = agents::table
            .into_boxed()
            .filter(agents::org_id.eq(org))
            .filter(LiveAgent)
            .filter(AgentIdAmong(ids));
        return ordered(page, query).limit(limit(request));
    }
    if request.offset() == 0 {
        return list_query(org, query).limit(limit(request));
    }
    let ids = list_query(org, query)
        .select(agents::id)
        .limit(limit(request))
        .offset(offset(request));
    let page = agents::table
        .into_boxed()
        .filter(agents::org_id.eq(org))
        .filter(LiveAgent)
        .filter(agents::id.eq_any(ids));
    ordered(page, query).limit(limit(request))
}

/// For a query filtered by the caller's grants alone in `updated_at` order (the default), the
/// ids of its page read from `grants_live_principal_updated_idx` (org, principal,
/// agent_updated_at, agent_id) WHERE agent_live: the page's entries and the skipped ones are
/// index entries, and only the page's agents are then read (by key). `grants.agent_updated_at`
/// is the agent's `updated_at`, kept in the same transaction by a trigger, so this is the
/// agents' own order.
fn granted_in_update_order(
    org: Uuid,
    query: &AgentQuery,
) -> Option<grants::BoxedQuery<'static, Pg, diesel::sql_types::Uuid>> {
    if query.order_by != AgentOrder::UpdatedAt {
        return None;
    }
    let grants = only_granted(org, query)?.select(grants::agent_id);
    let ordered = match query.direction {
        SortDirection::Asc => {
            grants.order_by((grants::agent_updated_at.asc(), grants::agent_id.asc()))
        }
        SortDirection::Desc => {
            grants.order_by((grants::agent_updated_at.desc(), grants::agent_id.desc()))
        }
    };
    Some(ordered.limit(limit(query.page)).offset(offset(query.page)))
}

/// `q` in `query`'s order, with id tiebreak.
fn ordered(
    q: agents::BoxedQuery<'static, Pg>,
    query: &AgentQuery,
) -> agents::BoxedQuery<'static, Pg> {
    use SortDirection::{Asc, Desc};
    // One status: lead with it, as its index does (see `list_filter`).
    let one_status = query.statuses.len() == 1;
    match (query.order_by, query.direction) {
        (AgentOrder::UpdatedAt, Asc) if one_status => q.order_by((
            agents::status.asc(),
            agents::updated_at.asc(),
            agents::id.asc(),
        )),
        (AgentOrder::UpdatedAt, Desc) if one_status => q.order_by((
            agents::status.desc(),
            agents::updated_at.desc(),
            agents::id.desc(),
        )),
        (AgentOrder::UpdatedAt, Asc) => q.order_by((agents::updated_at.asc(), agents::id.asc())),
        (AgentOrder::UpdatedAt, Desc) => q.order_by((agents::updated_at.desc(), agents::id.desc())),
        (AgentOrder::CreatedAt, Asc) => q.order_by((agents::created_at.asc(), agents::id.asc())),
        (AgentOrder::CreatedAt, Desc) => q.order_by((agents::created_at.desc(), agents::id.desc())),
        // Live names are unique, so the name alone is a total order (and uses the name index).
        (AgentOrder::Name, Asc) => q.order_by(agents::name.asc()),
        (AgentOrder::Name, Desc) => q.order_by(agents::name.desc()),
        // Never seen last either way; the descending order is the indexed one
        // (agents_live_last_seen_idx).
        (AgentOrder::LastSeenAt, Asc) => {
            q.order_by((agents::last_seen_at.asc().nulls_last(), agents::id.asc()))
        }
        (AgentOrder::LastSeenAt, Desc) => {
            q.order_by((agents::last_seen_at.desc().nulls_last(), agents::id.desc()))
        }
    }
}

/// For a query filtered by the caller's grants and nothing else, the principal's live grants
/// in `org`: they match its agents one to one, and are counted by an index-only scan of
/// `grants_live_principal_idx` (no agent row is visited).
fn only_granted(org: Uuid, query: &AgentQuery) -> Option<grants::BoxedQuery<'static, Pg>> {
    let principal = query.granted_to.as_ref()?;
    let only_grants =
        query.statuses.is_empty() && query.card_metadata.is_none() && query.only_ids.is_none();
    only_grants.then(|| {
        grants::table
            .into_boxed()
            .filter(grants::org_id.eq(org))
            .filter(grants::principal.eq(principal.to_string()))
            .filter(grants::agent_live)
    })
}

/// The statuses of a status-filtered query, as stored.
fn status_names(query: &AgentQuery) -> Vec<&'static str> {
    query.statuses.iter().map(|s| s.as_str()).collect()
}

/// The count `query`'s page carries (ignoring the page), on its own: the kept count, or the
/// matches counted up to `bound` (for an empty page past the last, which has no row to carry
/// it).
fn list_count(
    conn: &mut PgConnection,
    org: Uuid,
    query: &AgentQuery,
    bound: CountBound,
) -> RepoResult<i64> {
    let counted = if let Some(grants) = only_granted(org, query) {
        diesel::select(bounded_count(grants, bound)).get_result(conn)
    } else if !query.total_is_kept() {
        diesel::select(bounded_count(list_filter(org, query), bound)).get_result(conn)
    } else if query.statuses.is_empty() {
        diesel::select(LiveAgentTotal(org)).get_result(conn)
    } else {
        diesel::select(StatusTotal(org, status_names(query))).get_result(conn)
    };
    counted.map_err(map_diesel)
}
