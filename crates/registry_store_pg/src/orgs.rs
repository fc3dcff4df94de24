//! [`OrgRepository`] on `orgs`: the platform admin's, not scoped to an org.

use crate::credentials::org_ref;
use crate::error::{map_diesel, TxError};
use crate::fragments::LiveAgent;
use crate::paging::{bounded_count, limit, offset, page_from, Counting};
use crate::pool::{run, run_tx};
use crate::rows::AgentRow;
use crate::schema::{agents, orgs};
use crate::PgStore;
use async_trait::async_trait;
use diesel::pg::Pg;
use diesel::prelude::*;
use registry_domain::{
    Agent, AgentRef, Org, OrgChanges, OrgId, OrgRef, OrgSlug, Page, PageRequest, Timestamp,
};
use registry_ports::{Constraint, OrgRepository, RepoError, RepoResult};
use uuid::Uuid;

/// One `orgs` row.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = orgs, check_for_backend(diesel::pg::Pg))]
struct OrgRow {
    id: Uuid,
    slug: String,
    display_name: String,
    max_agents: Option<i32>,
    created_at: Timestamp,
    updated_at: Timestamp,
}

/// What `update_org` writes: absent members are left alone; `Some(None)` clears the quota.
#[derive(AsChangeset)]
#[diesel(table_name = orgs)]
struct OrgChangeset {
    display_name: Option<String>,
    max_agents: Option<Option<i32>>,
    updated_at: Timestamp,
}

impl From<&Org> for OrgRow {
    fn from(o: &Org) -> Self {
        Self {
            id: o.id.as_uuid(),
            slug: o.slug.as_str().to_owned(),
            display_name: o.display_name.clone(),
            max_agents: o.max_agents.map(|m| i32::try_from(m).unwrap_or(i32::MAX)),
            created_at: o.created_at,
            updated_at: o.updated_at,
        }
    }
}

impl TryFrom<OrgRow> for Org {
    type Error = RepoError;

    fn try_from(r: OrgRow) -> RepoResult<Self> {
        let corrupt =
            |what: &str| RepoError::Unexpected(format!("corrupt org {}: {what}", r.id).into());
        Ok(Org {
            id: OrgId::from_uuid(r.id),
            slug: OrgSlug::parse(&r.slug, "slug").map_err(|_| corrupt("slug"))?,
            display_name: r.display_name.clone(),
            max_agents: r
                .max_agents
                .map(u32::try_from)
                .transpose()
                .map_err(|_| corrupt("max_agents"))?,
            created_at: r.created_at,
            updated_at: r.updated_at,
        })
    }
}

#[async_trait]
impl OrgRepository for PgStore {
    async fn create_org(&self, org: &Org) -> RepoResult<Org> {
        let row = OrgRow::from(org);
        let stored: OrgRow = run(&self.pool, move |conn| {
            Ok(diesel::insert_into(orgs::table)
                .values(&row)
                .returning(OrgRow::as_returning())
                .get_result(conn)?)
        })
        .await?;
        Org::try_from(stored)
    }

    async fn org_by_slug(&self, slug: &OrgSlug) -> RepoResult<Option<Org>> {
        let slug = slug.as_str().to_owned();
        let row: Option<OrgRow> = run(&self.pool, move |conn| {
            Ok(orgs::table
                .filter(orgs::slug.eq(slug))
                .select(OrgRow::as_select())
                .first(conn)
                .optional()?)
        })
        .await?;
        row.map(Org::try_from).transpose()
    }

    async fn org_with_agent(
        &self,
        slug: &OrgSlug,
        at: &AgentRef,
    ) -> RepoResult<Option<(OrgRef, Option<Agent>)>> {
        let (wanted, at) = (slug.as_str().to_owned(), at.clone());
        // The agent joined to its org: one read when the agent exists (the hot path); when it
        // does not, a second one tells an unknown org from an absent agent.
        let row: Option<(Uuid, String, AgentRow)> = run(&self.pool, move |conn| {
            let agent_row: diesel::dsl::AsSelect<AgentRow, Pg> = AgentRow::as_select();
            let found = agents::table
                .inner_join(orgs::table)
                .filter(orgs::slug.eq(wanted))
                .select((orgs::id, orgs::slug, agent_row));
            Ok(match at {
                AgentRef::Id(id) => found
                    .filter(agents::id.eq(id.as_uuid()))
                    .first(conn)
                    .optional()?,
                AgentRef::Name(name) => found
                    .filter(agents::name.eq(name.as_str().to_owned()))
                    .filter(LiveAgent)
                    .first(conn)
                    .optional()?,
            })
        })
        .await?;
        match row {
            Some((id, slug, agent)) => Ok(Some((org_ref(id, &slug)?, Some(agent.try_into()?)))),
            None => Ok(self.org_by_slug(slug).await?.map(|org| {
                let org = OrgRef {
                    id: org.id,
                    slug: org.slug,
                };
                (org, None)
            })),
        }
    }

    async fn list_orgs(&self, page: PageRequest) -> RepoResult<Page<Org>> {
        let bound = self.count_bound;
        run(&self.pool, move |conn| {
            let rows: Vec<(OrgRow, i64)> = orgs::table
                .order_by(orgs::slug.asc())
                .select((OrgRow::as_select(), bounded_count(orgs::table, bound)))
                .limit(limit(page))
                .offset(offset(page))
                .load(conn)?;
            page_from(rows, page, Counting::Bounded(bound), Org::try_from, || {
                diesel::select(bounded_count(orgs::table, bound))
                    .get_result(conn)
                    .map_err(map_diesel)
            })
            .map_err(TxError::Repo)
        })
        .await
    }

    async fn update_org(
        &self,
        slug: &OrgSlug,
        changes: &OrgChanges,
        at: Timestamp,
    ) -> RepoResult<Org> {
        let (slug, changes) = (slug.as_str().to_owned(), changes.clone());
        let change = OrgChangeset {
            display_name: changes.display_name.clone(),
            max_agents: changes
                .max_agents
                .map(|max| max.map(|m| i32::try_from(m).unwrap_or(i32::MAX))),
            updated_at: at,
        };
        let slug = slug.as_str().to_owned();
        let row: OrgRow = run(&self.pool, move |conn| {
            Ok(diesel::update(orgs::table.filter(orgs::slug.eq(slug)))
                .set(&change)
                .returning(OrgRow::as_returning())
                .get_result(conn)
                .optional()?
                .ok_or(RepoError::NotFound)?)
        })
        .await?;
        Org::try_from(row)
    }

    async fn delete_org(&self, slug: &OrgSlug) -> RepoResult<Org> {
        let slug = slug.as_str().to_owned();
        let row: OrgRow = run_tx(&self.pool, move |conn| {
            // Locked first, so no agent is created in it while it goes.
            let org: OrgRow = orgs::table
                .filter(orgs::slug.eq(&slug))
                .select(OrgRow::as_select())
                .for_update()
                .first(conn)
                .optional()?
                .ok_or(RepoError::NotFound)?;
            let live = agents::table
                .filter(agents::org_id.eq(org.id))
                .filter(LiveAgent);
            let has_live: bool = diesel::select(diesel::dsl::exists(live)).get_result(conn)?;
            if has_live {
                return Err(RepoError::Conflict(Constraint::OrgHasLiveAgents).into());
            }
            // Its agents (all Deleted) take their rows with them; its tokens and counts go
            // with the org.
            diesel::delete(agents::table.filter(agents::org_id.eq(org.id))).execute(conn)?;
            diesel::delete(orgs::table.find(org.id)).execute(conn)?;
            Ok(org)
        })
        .await?;
        Org::try_from(row)
    }
}
