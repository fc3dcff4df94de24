//! [`OrgRepository`] in memory: the orgs, and deleting one with everything it owns.

use crate::state::{page_of, State};
use crate::InMemoryStore;
use async_trait::async_trait;
use registry_domain::{
    Agent, AgentRef, AgentStatus, Org, OrgChanges, OrgId, OrgRef, OrgSlug, Page, PageRequest,
    Timestamp,
};
use registry_ports::{Constraint, OrgRepository, RepoError, RepoResult};

/// The id of the org with this slug, if any.
fn org_id_of(s: &State, slug: &OrgSlug) -> Option<OrgId> {
    s.orgs.values().find(|o| &o.slug == slug).map(|o| o.id)
}

/// Not scoped: the platform admin's, whatever org the store value is bound to.
#[async_trait]
impl OrgRepository for InMemoryStore {
    async fn create_org(&self, org: &Org) -> RepoResult<Org> {
        self.with_state(|s| {
            if org_id_of(s, &org.slug).is_some() {
                return Err(RepoError::Conflict(Constraint::OrgSlug));
            }
            if s.orgs.contains_key(&org.id) {
                return Err(RepoError::Unexpected(
                    format!("org id {} already exists", org.id).into(),
                ));
            }
            s.orgs.insert(org.id, org.clone());
            Ok(org.clone())
        })
    }

    async fn org_by_slug(&self, slug: &OrgSlug) -> RepoResult<Option<Org>> {
        self.with_state(|s| Ok(org_id_of(s, slug).and_then(|id| s.orgs.get(&id).cloned())))
    }

    async fn org_with_agent(
        &self,
        slug: &OrgSlug,
        at: &AgentRef,
    ) -> RepoResult<Option<(OrgRef, Option<Agent>)>> {
        self.with_state(|s| {
            let Some(org) = org_id_of(s, slug).and_then(|id| s.org_ref(id)) else {
                return Ok(None);
            };
            let agent = match at {
                AgentRef::Id(id) => s.agent(org.id, *id),
                AgentRef::Name(name) => s.live_agent_named(org.id, name),
            };
            Ok(Some((org, agent.cloned())))
        })
    }

    async fn list_orgs(&self, page: PageRequest) -> RepoResult<Page<Org>> {
        self.with_state(|s| {
            let mut rows: Vec<Org> = s.orgs.values().cloned().collect();
            rows.sort_by(|a, b| a.slug.cmp(&b.slug));
            Ok(page_of(rows, page, Some(self.count_bound)))
        })
    }

    async fn update_org(
        &self,
        slug: &OrgSlug,
        changes: &OrgChanges,
        at: Timestamp,
    ) -> RepoResult<Org> {
        self.with_state(|s| {
            let id = org_id_of(s, slug).ok_or(RepoError::NotFound)?;
            let org = s.orgs.get_mut(&id).ok_or(RepoError::NotFound)?;
            if let Some(display_name) = &changes.display_name {
                org.display_name.clone_from(display_name);
            }
            if let Some(max_agents) = changes.max_agents {
                org.max_agents = max_agents;
            }
            org.updated_at = at;
            Ok(org.clone())
        })
    }

    async fn delete_org(&self, slug: &OrgSlug) -> RepoResult<Org> {
        self.with_state(|s| {
            let id = org_id_of(s, slug).ok_or(RepoError::NotFound)?;
            let has_live = s.agents_in(id).any(|a| a.status != AgentStatus::Deleted);
            if has_live {
                return Err(RepoError::Conflict(Constraint::OrgHasLiveAgents));
            }
            s.agents.retain(|_, a| a.org != id);
            s.deployments.retain(|_, d| d.org != id);
            s.history.retain(|_, h| h.org != id);
            s.keys.retain(|_, k| k.org != id);
            s.tokens.retain(|_, t| t.org != id);
            s.grants.retain(|_, g| g.org != id);
            s.cards.retain(|_, c| c.org != id);
            s.events.retain(|e| e.org != id);
            s.webhooks.retain(|_, w| w.webhook.org != id);
            s.deliveries.retain(|d| d.org != id);
            s.orgs.remove(&id).ok_or(RepoError::NotFound)
        })
    }
}
