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
        let (token, hash, org) = (token.clone(), secret_hash.to_owned(), self.org());
        let row = run(&self.pool, move |conn| {
            Ok(diesel::insert_into(tokens::table)
                .values(NewServiceTokenRow {
                    org_id: org,
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
        let (bound, org) = (self.count_bound, self.org());
        run(&self.pool, move |conn| {
            let of_org = tokens::table.filter(tokens::org_id.eq(org));
            let rows: Vec<(ServiceTokenRow, i64)> = of_org
                .order_by((tokens::created_at.asc(), tokens::id.asc()))
                .select((ServiceTokenRow::as_select(), bounded_count(of_org, bound)))
                .limit(limit(page))
                .offset(offset(page))
                .load(conn)?;
            let counting = Counting::Bounded(bound);
            page_from(rows, page, counting, ServiceToken::try_from, || {
                diesel::select(bounded_count(of_org, bound))
                    .get_result(conn)
                    .map_err(map_diesel)
            })
            .map_err(TxError::Repo)
        })
        .await
    }

    async fn revoke(&self, id: ServiceTokenId) -> RepoResult<ServiceToken> {
        let org = self.org();
        let row = run(&self.pool, move |conn| {
            let mine = tokens::table
                .find(id.as_uuid())
                .filter(tokens::org_id.eq(org));
            Ok(diesel::delete(mine)
                .returning(ServiceTokenRow::as_returning())
                .get_result(conn)
                .optional()?
                .ok_or(RepoError::NotFound)?)
        })
        .await?;
        ServiceToken::try_from(row)
    }
}
