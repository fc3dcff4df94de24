//! [`CredentialStore`]: the credential lookups that decide a request's org, across orgs, each
//! one statement (the hot path of every authenticated request).

use crate::fragments::{LiveAgent, MinterHoldsAuthority};
use crate::pool::run;
use crate::rows::{role_from, AgentRow, ApiKeyRow, ServiceTokenRow};
use crate::schema::{agent_api_keys as keys, agents, grants, orgs, service_tokens as tokens};
use crate::PgStore;
use async_trait::async_trait;
use diesel::pg::Pg;
use diesel::prelude::*;
use registry_domain::{Agent, AgentRef, ApiKey, ApiKeyType, OrgId, OrgRef, OrgSlug, ServiceToken};
use registry_ports::{
    AgentWithRole, CredentialStore, KeyWithAgent, RepoError, RepoResult, TokenWithAgent,
};
use uuid::Uuid;

/// An org as a request acts in it, from its stored id and slug.
pub(crate) fn org_ref(id: Uuid, slug: &str) -> RepoResult<OrgRef> {
    let slug = OrgSlug::parse(slug, "orgs.slug")
        .map_err(|e| RepoError::Unexpected(format!("corrupt org slug: {e}").into()))?;
    Ok(OrgRef {
        id: OrgId::from_uuid(id),
        slug,
    })
}

/// A token row with its org's id and slug, an agent and the token principal's role on it.
type TokenRead = (ServiceTokenRow, Uuid, String, AgentRow, Option<String>);

/// What a token lookup with an agent read, in domain terms.
fn token_with_agent((token, org_id, slug, agent, role): TokenRead) -> RepoResult<TokenWithAgent> {
    Ok(TokenWithAgent {
        token: ServiceToken::try_from(token)?,
        org: org_ref(org_id, &slug)?,
        agent: Some(AgentWithRole {
            agent: Agent::try_from(agent)?,
            role: role.as_deref().map(role_from).transpose()?,
        }),
    })
}

#[async_trait]
impl CredentialStore for PgStore {
    async fn find_key(&self, secret_hash: &str) -> RepoResult<Option<(ApiKey, OrgRef)>> {
        let found = self.find_key_with_agent(secret_hash).await?;
        Ok(found.map(|read| (read.key, read.org)))
    }

    async fn find_key_with_agent(&self, secret_hash: &str) -> RepoResult<Option<KeyWithAgent>> {
        let hash = secret_hash.to_owned();
        let row: Option<(ApiKeyRow, AgentRow, Uuid, String)> = run(&self.pool, move |conn| {
            Ok(keys::table
                .inner_join(agents::table.inner_join(orgs::table))
                .filter(keys::secret_hash.eq(hash))
                .filter(keys::api_key_type.eq(ApiKeyType::CREDENTIAL.as_str()))
                .filter(LiveAgent)
                .filter(MinterHoldsAuthority)
                .select((
                    ApiKeyRow::as_select(),
                    AgentRow::as_select(),
                    orgs::id,
                    orgs::slug,
                ))
                .first(conn)
                .optional()?)
        })
        .await?;
        row.map(|(key, agent, org_id, slug)| {
            Ok(KeyWithAgent {
                key: ApiKey::try_from(key)?,
                agent: Agent::try_from(agent)?,
                org: org_ref(org_id, &slug)?,
            })
        })
        .transpose()
    }

    async fn find_token(&self, secret_hash: &str) -> RepoResult<Option<(ServiceToken, OrgRef)>> {
        let hash = secret_hash.to_owned();
        let row: Option<(ServiceTokenRow, Uuid, String)> = run(&self.pool, move |conn| {
            Ok(tokens::table
                .inner_join(orgs::table)
                .filter(tokens::secret_hash.eq(hash))
                .select((ServiceTokenRow::as_select(), orgs::id, orgs::slug))
                .first(conn)
                .optional()?)
        })
        .await?;
        row.map(|(token, org_id, slug)| {
            Ok((ServiceToken::try_from(token)?, org_ref(org_id, &slug)?))
        })
        .transpose()
    }

    /// One statement when the agent is there (the common case); when it is not, a second
    /// read of the token alone tells a missing agent (404) from a bad token (401).
    async fn find_token_with_agent(
        &self,
        secret_hash: &str,
        at: &AgentRef,
    ) -> RepoResult<Option<TokenWithAgent>> {
        let (hash, at) = (secret_hash.to_owned(), at.clone());
        let row: Option<TokenRead> = run(&self.pool, move |conn| {
            let with_role = grants::table.on(grants::agent_id
                .eq(agents::id)
                .and(grants::org_id.eq(agents::org_id))
                .and(grants::principal.eq(tokens::principal)));
            let agent_row: diesel::dsl::AsSelect<AgentRow, Pg> = AgentRow::as_select();
            let token_row: diesel::dsl::AsSelect<ServiceTokenRow, Pg> =
                ServiceTokenRow::as_select();
            let columns = (
                token_row,
                orgs::id,
                orgs::slug,
                agent_row,
                grants::role.nullable(),
            );
            let in_its_org = agents::org_id.eq(tokens::org_id);
            Ok(match at {
                AgentRef::Id(id) => tokens::table
                    .inner_join(orgs::table)
                    .inner_join(agents::table.on(in_its_org.and(agents::id.eq(id.as_uuid()))))
                    .left_join(with_role)
                    .filter(tokens::secret_hash.eq(hash))
                    .select(columns)
                    .first(conn)
                    .optional()?,
                AgentRef::Name(name) => tokens::table
                    .inner_join(orgs::table)
                    .inner_join(
                        agents::table.on(in_its_org
                            .and(agents::name.eq(name.as_str().to_owned()))
                            .and(LiveAgent)),
                    )
                    .left_join(with_role)
                    .filter(tokens::secret_hash.eq(hash))
                    .select(columns)
                    .first(conn)
                    .optional()?,
            })
        })
        .await?;
        match row {
            Some(read) => token_with_agent(read).map(Some),
            None => Ok(self
                .find_token(secret_hash)
                .await?
                .map(|(token, org)| TokenWithAgent {
                    token,
                    org,
                    agent: None,
                })),
        }
    }
}
