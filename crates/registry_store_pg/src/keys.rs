//! [`ApiKeyRepository`] on `agent_api_keys`.

use crate::error::{map_diesel, TxError};
use crate::events::append_events;
use crate::fragments::{LiveAgent, MinterHoldsAuthority};
use crate::paging::{bounded_count, limit, offset, page_from, Counting};
use crate::pool::{run, run_tx};
use crate::rows::{ApiKeyRow, NewApiKeyRow};
use crate::schema::{agent_api_keys as keys, agents};
use crate::PgStore;
use async_trait::async_trait;
use diesel::dsl::exists;
use diesel::prelude::*;
use registry_domain::{AgentId, ApiKey, ApiKeyId, ApiKeyType, NewEvent, Page, PageRequest};
use registry_ports::{ApiKeyRepository, RepoError, RepoResult};

#[async_trait]
impl ApiKeyRepository for PgStore {
    async fn create(
        &self,
        key: &ApiKey,
        secret_hash: &str,
        events: &[NewEvent],
    ) -> RepoResult<ApiKey> {
        let (key, hash, events) = (key.clone(), secret_hash.to_owned(), events.to_vec());
        run_tx(&self.pool, move |conn| {
            let row: ApiKeyRow = diesel::insert_into(keys::table)
                .values(NewApiKeyRow {
                    id: key.id.as_uuid(),
                    agent_id: key.agent_id.as_uuid(),
                    name: &key.name,
                    api_key_type: key.api_key_type.as_str(),
                    secret_hash: &hash,
                    created_at: key.created_at,
                    created_by: key.created_by.to_string(),
                })
                .returning(ApiKeyRow::as_returning())
                .get_result(conn)?;
            append_events(conn, &events)?;
            Ok(ApiKey::try_from(row)?)
        })
        .await
    }

    async fn get(&self, id: ApiKeyId) -> RepoResult<Option<ApiKey>> {
        let row = run(&self.pool, move |conn| {
            Ok(keys::table
                .find(id.as_uuid())
                .select(ApiKeyRow::as_select())
                .first(conn)
                .optional()?)
        })
        .await?;
        row.map(ApiKey::try_from).transpose()
    }

    async fn get_by_name(
        &self,
        agent_id: AgentId,
        name: &str,
        key_type: ApiKeyType,
    ) -> RepoResult<Option<ApiKey>> {
        let name = name.to_owned();
        let row = run(&self.pool, move |conn| {
            Ok(keys::table
                .filter(keys::agent_id.eq(agent_id.as_uuid()))
                .filter(keys::name.eq(name))
                .filter(keys::api_key_type.eq(key_type.as_str()))
                .select(ApiKeyRow::as_select())
                .first(conn)
                .optional()?)
        })
        .await?;
        row.map(ApiKey::try_from).transpose()
    }

    async fn list(&self, agent_id: AgentId, page: PageRequest) -> RepoResult<Page<ApiKey>> {
        let (agent, bound) = (agent_id.as_uuid(), self.count_bound);
        run(&self.pool, move |conn| {
            let of_agent = keys::table.filter(keys::agent_id.eq(agent));
            let rows: Vec<(ApiKeyRow, i64)> = of_agent
                .order_by((keys::created_at.asc(), keys::id.asc()))
                .select((ApiKeyRow::as_select(), bounded_count(of_agent, bound)))
                .limit(limit(page))
                .offset(offset(page))
                .load(conn)?;
            page_from(
                rows,
                page,
                Counting::Bounded(bound),
                ApiKey::try_from,
                || {
                    diesel::select(bounded_count(of_agent, bound))
                        .get_result(conn)
                        .map_err(map_diesel)
                },
            )
            .map_err(TxError::Repo)
        })
        .await
    }

    async fn delete(&self, id: ApiKeyId, events: &[NewEvent]) -> RepoResult<ApiKey> {
        let events = events.to_vec();
        run_tx(&self.pool, move |conn| {
            let row: ApiKeyRow = diesel::delete(keys::table.find(id.as_uuid()))
                .returning(ApiKeyRow::as_returning())
                .get_result(conn)
                .optional()?
                .ok_or(RepoError::NotFound)?;
            append_events(conn, &events)?;
            Ok(ApiKey::try_from(row)?)
        })
        .await
    }

    async fn find_by_hash(&self, secret_hash: &str) -> RepoResult<Option<ApiKey>> {
        let hash = secret_hash.to_owned();
        let row = run(&self.pool, move |conn| {
            Ok(keys::table
                .inner_join(agents::table)
                .filter(keys::secret_hash.eq(hash))
                .filter(keys::api_key_type.eq(ApiKeyType::CREDENTIAL.as_str()))
                .filter(LiveAgent)
                .filter(MinterHoldsAuthority)
                .select(ApiKeyRow::as_select())
                .first(conn)
                .optional()?)
        })
        .await?;
        row.map(ApiKey::try_from).transpose()
    }

    async fn has_key_of_type(&self, agent_id: AgentId, key_type: ApiKeyType) -> RepoResult<bool> {
        run(&self.pool, move |conn| {
            Ok(diesel::select(exists(
                keys::table
                    .filter(keys::agent_id.eq(agent_id.as_uuid()))
                    .filter(keys::api_key_type.eq(key_type.as_str())),
            ))
            .get_result(conn)?)
        })
        .await
    }
}
