//! The tables of the in-memory store and the helpers every port shares.

use registry_domain::DEFAULT_ORG_SLUG;
use registry_domain::{
    Agent, AgentId, AgentName, AgentStatus, ApiKey, ApiKeyId, AuditEvent, CountBound, Deployment,
    DeploymentHistory, DeploymentId, Grant, HistoryId, Metadata, NewEvent, Org, OrgId, OrgRef,
    OrgSlug, Page, PageRequest, Principal, ServiceToken, ServiceTokenId, SortDirection, StoredCard,
    Timestamp,
};
use registry_ports::{AgentWithRole, RepoError, RepoResult};
use std::cmp::Ordering;
use std::collections::HashMap;

/// A row and the org that owns it.
pub(crate) struct Owned<T> {
    pub(crate) org: OrgId,
    pub(crate) row: T,
}

/// An API key row: its org, metadata and the keyed hash of its secret.
pub(crate) struct StoredKey {
    pub(crate) org: OrgId,
    pub(crate) key: ApiKey,
    pub(crate) hash: String,
}

/// A service-token row: its org, metadata and the keyed hash of its secret.
pub(crate) struct StoredToken {
    pub(crate) org: OrgId,
    pub(crate) token: ServiceToken,
    pub(crate) hash: String,
}

/// Every table of every org. Mutated only under the store's lock. Ids are unique across orgs
/// (as primary keys are); every tenant row carries its org, and a child row (deployment,
/// history, key, grant, event) is written only into its agent's org.
pub(crate) struct State {
    pub(crate) orgs: HashMap<OrgId, Org>,
    pub(crate) agents: HashMap<AgentId, Owned<Agent>>,
    pub(crate) deployments: HashMap<DeploymentId, Owned<Deployment>>,
    pub(crate) history: HashMap<HistoryId, Owned<DeploymentHistory>>,
    pub(crate) keys: HashMap<ApiKeyId, StoredKey>,
    pub(crate) tokens: HashMap<ServiceTokenId, StoredToken>,
    /// Grants keyed by (agent, principal text).
    pub(crate) grants: HashMap<(AgentId, String), Owned<Grant>>,
    /// A2A cards, one per agent.
    pub(crate) cards: HashMap<AgentId, Owned<StoredCard>>,
    /// The audit trail in append order; ids are 1-based and increasing across orgs.
    pub(crate) events: Vec<Owned<AuditEvent>>,
    /// The id of the last event appended (ids are never reused, even after an org is deleted).
    pub(crate) last_event_id: i64,
    /// Webhook subscriptions of every org.
    pub(crate) webhooks: HashMap<registry_domain::WebhookId, crate::webhooks::StoredWebhook>,
    /// The webhook delivery log in append order.
    pub(crate) deliveries: Vec<crate::webhooks::StoredDelivery>,
    /// The last lease token handed out.
    pub(crate) last_lease: u128,
}

impl State {
    /// Tables holding only the `default` org.
    pub(crate) fn new() -> Self {
        let at = now_micros();
        let default = Org {
            id: OrgId::DEFAULT,
            slug: OrgSlug::default_org(),
            display_name: "Default".to_owned(),
            max_agents: None,
            created_at: at,
            updated_at: at,
        };
        debug_assert_eq!(default.slug.as_str(), DEFAULT_ORG_SLUG);
        Self {
            orgs: HashMap::from([(OrgId::DEFAULT, default)]),
            agents: HashMap::new(),
            deployments: HashMap::new(),
            history: HashMap::new(),
            keys: HashMap::new(),
            tokens: HashMap::new(),
            grants: HashMap::new(),
            cards: HashMap::new(),
            events: Vec::new(),
            last_event_id: 0,
            webhooks: HashMap::new(),
            deliveries: Vec::new(),
            last_lease: 0,
        }
    }

    /// Appends events of `org` with the next ids, as part of the current transaction.
    pub(crate) fn append_events(&mut self, org: OrgId, events: &[NewEvent]) {
        for event in events {
            self.last_event_id += 1;
            self.events.push(Owned {
                org,
                row: AuditEvent {
                    id: self.last_event_id,
                    event: event.clone(),
                },
            });
        }
    }

    /// The org's reference (id and slug), if the org exists.
    pub(crate) fn org_ref(&self, org: OrgId) -> Option<OrgRef> {
        self.orgs.get(&org).map(|o| OrgRef {
            id: o.id,
            slug: o.slug.clone(),
        })
    }

    /// Agent `id` if it belongs to `org`.
    pub(crate) fn agent(&self, org: OrgId, id: AgentId) -> Option<&Agent> {
        self.agents
            .get(&id)
            .filter(|a| a.org == org)
            .map(|a| &a.row)
    }

    /// Agent `id` if it belongs to `org`, for writing.
    pub(crate) fn agent_mut(&mut self, org: OrgId, id: AgentId) -> Option<&mut Agent> {
        self.agents
            .get_mut(&id)
            .filter(|a| a.org == org)
            .map(|a| &mut a.row)
    }

    /// Every agent of `org`, Deleted included.
    pub(crate) fn agents_in(&self, org: OrgId) -> impl Iterator<Item = &Agent> {
        self.agents
            .values()
            .filter(move |a| a.org == org)
            .map(|a| &a.row)
    }

    /// The non-Deleted agent of `org` named `name`, if any.
    pub(crate) fn live_agent_named(&self, org: OrgId, name: &AgentName) -> Option<&Agent> {
        self.agents_in(org)
            .find(|a| a.status != AgentStatus::Deleted && &a.name == name)
    }

    /// How many non-Deleted agents `org` has.
    pub(crate) fn live_agents(&self, org: OrgId) -> u64 {
        self.agents_in(org)
            .filter(|a| a.status != AgentStatus::Deleted)
            .count() as u64
    }

    /// The role `principal` holds on `agent_id` (grants live in their agent's org, so the
    /// agent's id settles the org).
    pub(crate) fn role_of(
        &self,
        agent_id: AgentId,
        principal: &str,
    ) -> Option<registry_domain::Role> {
        self.grants
            .get(&(agent_id, principal.to_owned()))
            .map(|g| g.row.role)
    }

    /// `agent` (cloned) with the role `principal` holds on it.
    pub(crate) fn with_role(&self, agent: &Agent, principal: &Principal) -> AgentWithRole {
        AgentWithRole {
            agent: agent.clone(),
            role: self.role_of(agent.id, &principal.to_string()),
        }
    }

    /// Whether `key` (a key of `org`) still has a minter with the authority to mint it: the
    /// domain's rule over the minter's current grant on the key's agent and whether the minter
    /// has a service token in `org` (a principal's name means that name in the key's org).
    pub(crate) fn minter_authority_holds(&self, org: OrgId, key: &ApiKey) -> bool {
        let role = self.role_of(key.agent_id, &key.created_by.to_string());
        let has_live_token = self
            .tokens
            .values()
            .any(|t| t.org == org && t.token.principal == key.created_by);
        registry_domain::minter_authority_holds(&key.created_by, role, has_live_token)
    }
}

/// Cuts one page out of rows already filtered and sorted. Its total counts them all when
/// `bound` is `None` (a total the PostgreSQL store keeps), else up to the bound, marked capped
/// past it — exactly what the PostgreSQL store reports (docs/adr/0008-bounded-totals.md).
pub(crate) fn page_of<T>(rows: Vec<T>, page: PageRequest, bound: Option<CountBound>) -> Page<T> {
    let counted = rows.len() as u64;
    let offset = usize::try_from(page.offset()).unwrap_or(usize::MAX);
    let items = rows
        .into_iter()
        .skip(offset)
        .take(page.limit() as usize)
        .collect();
    match bound {
        None => Page::exact(items, counted),
        Some(bound) => Page::bounded(items, counted.min(bound.probe()), bound),
    }
}

/// [`page_of`] under the domain's page budget: `stored_bytes` sizes each row as the
/// PostgreSQL store counts it (client text and metadata), and a page over the budget is
/// refused with the number of rows that fit.
pub(crate) fn budgeted_page_of<T>(
    rows: Vec<T>,
    page: PageRequest,
    bound: Option<CountBound>,
    stored_bytes: impl Fn(&T) -> u64,
) -> RepoResult<Page<T>> {
    let page = page_of(rows, page, bound);
    let sizes = page.items.iter().map(stored_bytes);
    match registry_domain::paging::rows_fitting_page_budget(sizes) {
        Some(fitting) => Err(RepoError::PageTooLarge { fitting }),
        None => Ok(page),
    }
}

/// Bytes of a metadata object as stored (compact JSON).
pub(crate) fn metadata_bytes(metadata: Option<&Metadata>) -> u64 {
    metadata
        .and_then(|m| serde_json::to_vec(m.as_map()).ok())
        .map_or(0, |v| v.len() as u64)
}

/// The current time at the database's precision (microseconds), for rows the store stamps.
pub(crate) fn now_micros() -> Timestamp {
    let now = time::OffsetDateTime::now_utc();
    let micros = now.nanosecond() / 1_000 * 1_000;
    now.replace_nanosecond(micros).unwrap_or(now)
}

/// `ordering` for ascending, reversed for descending.
pub(crate) fn directed(ordering: Ordering, direction: SortDirection) -> Ordering {
    match direction {
        SortDirection::Asc => ordering,
        SortDirection::Desc => ordering.reverse(),
    }
}
