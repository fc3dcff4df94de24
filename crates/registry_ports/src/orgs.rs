//! Organizations (contract §9): the tenants, managed by the platform admin, and the lookups that
//! happen before a request knows its org.

use crate::{AgentWithRole, Ports, RepoResult};
use async_trait::async_trait;
use registry_domain::{
    Agent, AgentRef, ApiKey, Org, OrgChanges, OrgId, OrgRef, OrgSlug, Page, PageRequest,
    ServiceToken, Timestamp,
};

/// Storage of orgs. Not scoped to an org: only the platform admin reaches it (and
/// authentication, to resolve `X-Registry-Org`).
#[cfg_attr(feature = "mock", mockall::automock)]
#[async_trait]
pub trait OrgRepository: Send + Sync {
    /// Inserts `org`. `Conflict(OrgSlug)` if the slug is taken.
    async fn create_org(&self, org: &Org) -> RepoResult<Org>;

    /// The org with this slug, if any.
    async fn org_by_slug(&self, slug: &OrgSlug) -> RepoResult<Option<Org>>;

    /// The org with this slug and the agent `at` in it (by name: the live one), in ONE read:
    /// the platform admin's single-agent GET in a named org (`X-Registry-Org`) then costs one
    /// round trip, like every other principal's. `None` if no org has the slug.
    async fn org_with_agent(
        &self,
        slug: &OrgSlug,
        at: &AgentRef,
    ) -> RepoResult<Option<(OrgRef, Option<Agent>)>>;

    /// A page of orgs by slug, with the total.
    async fn list_orgs(&self, page: PageRequest) -> RepoResult<Page<Org>>;

    /// Applies `changes` (and `updated_at = at`). `NotFound` if absent.
    async fn update_org(
        &self,
        slug: &OrgSlug,
        changes: &OrgChanges,
        at: Timestamp,
    ) -> RepoResult<Org>;

    /// Deletes the org and everything it owns (its Deleted agents, tokens, events). `NotFound`
    /// if absent, `Conflict(OrgHasLiveAgents)` while it has a non-Deleted agent.
    async fn delete_org(&self, slug: &OrgSlug) -> RepoResult<Org>;
}

/// The credential lookups that decide a request's org: across every org, by keyed hash.
#[cfg_attr(feature = "mock", mockall::automock)]
#[async_trait]
pub trait CredentialStore: Send + Sync {
    /// The agent key whose secret hashes to `secret_hash`, with its agent's org — only if it
    /// is a credential (its type is `ApiKeyType::CREDENTIAL`: other keys are secrets kept for
    /// integrations), its agent is not Deleted and its minter (`created_by`) still holds the
    /// authority to mint it ([`registry_domain::minter_authority_holds`] over the minter's
    /// current role on the agent and whether a service token for it exists in that org), all
    /// decided in this one read: no cache, so a revoked grant or token ends the minter's keys
    /// on the next request.
    async fn find_key(&self, secret_hash: &str) -> RepoResult<Option<(ApiKey, OrgRef)>>;

    /// [`find_key`](Self::find_key) together with the key's agent, in the same read (the
    /// lookup visits the agent anyway, to check it is not Deleted): an agent's requests about
    /// itself, such as its heartbeat, then need no second read of it.
    async fn find_key_with_agent(&self, secret_hash: &str) -> RepoResult<Option<KeyWithAgent>>;

    /// The service token whose secret hashes to `secret_hash`, with its org.
    async fn find_token(&self, secret_hash: &str) -> RepoResult<Option<(ServiceToken, OrgRef)>>;

    /// [`find_token`](Self::find_token) together with the agent `at` in the token's org (by
    /// name: the live one) and the token principal's role on it, in ONE read: an ordinary
    /// principal's single-agent GET then costs one round trip, with no credential cache.
    async fn find_token_with_agent(
        &self,
        secret_hash: &str,
        at: &AgentRef,
    ) -> RepoResult<Option<TokenWithAgent>>;
}

/// What [`CredentialStore::find_key_with_agent`] reads.
#[derive(Debug, Clone, PartialEq)]
pub struct KeyWithAgent {
    /// The key.
    pub key: ApiKey,
    /// Its agent's org.
    pub org: OrgRef,
    /// Its agent.
    pub agent: Agent,
}

/// What [`CredentialStore::find_token_with_agent`] reads.
#[derive(Debug, Clone, PartialEq)]
pub struct TokenWithAgent {
    /// The token.
    pub token: ServiceToken,
    /// Its org.
    pub org: OrgRef,
    /// The agent asked for, with the token principal's role; `None` when absent.
    pub agent: Option<AgentWithRole>,
}

/// Hands out the ports of one org. Every tenant port a request uses comes from here, bound to
/// the caller's org, and every statement behind it filters by that org: a port cannot be
/// obtained without naming an org, so isolation does not depend on handlers remembering it.
pub trait Tenancy: Send + Sync {
    /// The ports bound to `org`.
    fn ports(&self, org: OrgId) -> Ports;
}
