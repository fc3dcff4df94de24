//! [`ServiceTokenRepository`] on `service_tokens`.

use crate::error::{map_diesel, TxError};
use crate::paging::{bounded_count, limit, offset, page_from, Counting};
use crate::pool::run;
use crate::rows::{NewServiceTokenRow, ServiceTokenRow};
use crate::schema::service_tokens as tokens;
use crate::PgStore;
use async_trait::async_trait;
use diesel::prelude::*;
use registry_domain::{Page, PageRequest, ServiceToken, ServiceTokenId};
use registry_ports::{RepoError, RepoResult, ServiceTokenRepository};

#[async_trait]
impl ServiceTokenRepository for PgStore {
    async fn create(&self, token: &ServiceToken, secret_hash: &str) -> RepoResult<ServiceToken> {
        let (token, hash) = (token.clone(), secret_hash.to_owned());
        let row = run(&self.pool, move |conn| {
            Ok(diesel::insert_into(tokens::table)
                .values(NewServiceTokenRow {
                    id: token.id.as_uuid(),
                    name: &token.name,
                    principal: token.principal.to_string(),
                    secret_hash: &hash,
                    created_at: token.created_at,
                })
                .returning(ServiceTokenRow::as_returning())
                .get_result(conn)?)
        })
        .await?;
        ServiceToken::try_from(row)
    }

    async fn list(&self, page: PageRequest) -> RepoResult<Page<ServiceToken>> {
        let bound = self.count_bound;
        run(&self.pool, move |conn| {
            let rows: Vec<(ServiceTokenRow, i64)> = tokens::table
                .order_by((tokens::created_at.asc(), tokens::id.asc()))
                .select((
                    ServiceTokenRow::as_select(),
                    bounded_count(tokens::table, bound),
                ))
                .limit(limit(page))
                .offset(offset(page))
                .load(conn)?;
            let counting = Counting::Bounded(bound);
            page_from(rows, page, counting, ServiceToken::try_from, || {
                diesel::select(bounded_count(tokens::table, bound))
                    .get_result(conn)
                    .map_err(map_diesel)
            })
            .map_err(TxError::Repo)
        })
        .await
    }

    async fn revoke(&self, id: ServiceTokenId) -> RepoResult<ServiceToken> {
        let row = run(&self.pool, move |conn| {
            Ok(diesel::delete(tokens::table.find(id.as_uuid()))
                .returning(ServiceTokenRow::as_returning())
                .get_result(conn)
                .optional()?
                .ok_or(RepoError::NotFound)?)
        })
        .await?;
        ServiceToken::try_from(row)
    }

    async fn find_by_hash(&self, secret_hash: &str) -> RepoResult<Option<ServiceToken>> {
        let hash = secret_hash.to_owned();
        let row = run(&self.pool, move |conn| {
            Ok(tokens::table
                .filter(tokens::secret_hash.eq(hash))
                .select(ServiceTokenRow::as_select())
                .first(conn)
                .optional()?)
        })
        .await?;
        row.map(ServiceToken::try_from).transpose()
    }
}
