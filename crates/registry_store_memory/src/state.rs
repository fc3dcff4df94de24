//! The tables of the in-memory store and the helpers every port shares.

use registry_domain::{
    Agent, AgentId, AgentName, AgentStatus, ApiKey, ApiKeyId, AuditEvent, CountBound, Deployment,
    DeploymentHistory, DeploymentId, Grant, HistoryId, Metadata, NewEvent, Page, PageRequest,
    Principal, ServiceToken, ServiceTokenId, SortDirection, Timestamp,
};
use registry_ports::{AgentWithRole, RepoError, RepoResult};
use std::cmp::Ordering;
use std::collections::HashMap;

/// An API key row: metadata plus the keyed hash of its secret.
pub(crate) struct StoredKey {
    pub(crate) key: ApiKey,
    pub(crate) hash: String,
}

/// A service-token row: metadata plus the keyed hash of its secret.
pub(crate) struct StoredToken {
    pub(crate) token: ServiceToken,
    pub(crate) hash: String,
}

/// Every table. Mutated only under the store's lock.
#[derive(Default)]
pub(crate) struct State {
    pub(crate) agents: HashMap<AgentId, Agent>,
    pub(crate) deployments: HashMap<DeploymentId, Deployment>,
    pub(crate) history: HashMap<HistoryId, DeploymentHistory>,
    pub(crate) keys: HashMap<ApiKeyId, StoredKey>,
    pub(crate) tokens: HashMap<ServiceTokenId, StoredToken>,
    /// Grants keyed by (agent, principal text).
    pub(crate) grants: HashMap<(AgentId, String), Grant>,
    /// The audit trail in append order; ids are 1-based and increasing.
    pub(crate) events: Vec<AuditEvent>,
}

impl State {
    /// Appends events with the next ids, as part of the current transaction.
    pub(crate) fn append_events(&mut self, events: &[NewEvent]) {
        for event in events {
            let id = self.events.last().map_or(1, |e| e.id + 1);
            self.events.push(AuditEvent {
                id,
                event: event.clone(),
            });
        }
    }

    /// The non-Deleted agent named `name`, if any.
    pub(crate) fn live_agent_named(&self, name: &AgentName) -> Option<&Agent> {
        self.agents
            .values()
            .find(|a| a.status != AgentStatus::Deleted && &a.name == name)
    }

    /// `agent` (cloned) with the role `principal` holds on it.
    pub(crate) fn with_role(&self, agent: &Agent, principal: &Principal) -> AgentWithRole {
        AgentWithRole {
            agent: agent.clone(),
            role: self
                .grants
                .get(&(agent.id, principal.to_string()))
                .map(|g| g.role),
        }
    }

    /// Whether `key`'s minter still holds the authority to mint it: the domain's rule over the
    /// minter's current grant on the key's agent and its service tokens.
    pub(crate) fn minter_authority_holds(&self, key: &ApiKey) -> bool {
        let minter = key.created_by.to_string();
        let role = self.grants.get(&(key.agent_id, minter)).map(|g| g.role);
        let has_live_token = self
            .tokens
            .values()
            .any(|t| t.token.principal == key.created_by);
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
