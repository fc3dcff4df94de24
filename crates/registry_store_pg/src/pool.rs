//! The r2d2 connection pool and the blocking hop every port method goes through.

use crate::error::TxError;
use diesel::pg::PgConnection;
use diesel::r2d2::{ConnectionManager, Pool};
use diesel::Connection;
use registry_ports::{Cause, RepoError, RepoResult};
use std::time::Duration;

/// A pool of PostgreSQL connections.
pub type PgPool = Pool<ConnectionManager<PgConnection>>;

/// Builds a pool of at most `max_size` connections to `url`; a checkout waits at most
/// `connection_timeout`. Connections are opened lazily, so this succeeds while the database is
/// down (requests then fail with `Unavailable` until it is back). Checked-out connections are
/// not tested with an extra query: a broken one fails its statement (`Unavailable`) and is
/// discarded by the pool.
pub fn build_pool(url: &str, max_size: u32, connection_timeout: Duration) -> PgPool {
    Pool::builder()
        .max_size(max_size)
        .min_idle(Some(0))
        .connection_timeout(connection_timeout)
        .test_on_check_out(false)
        .build_unchecked(ConnectionManager::new(url))
}

/// Runs `work` on one pooled connection inside `spawn_blocking`, in the caller's tracing span.
/// For methods whose work is a single statement (atomic by itself).
pub(crate) async fn run<T, F>(pool: &PgPool, work: F) -> RepoResult<T>
where
    T: Send + 'static,
    F: FnOnce(&mut PgConnection) -> Result<T, TxError> + Send + 'static,
{
    let pool = pool.clone();
    let span = tracing::Span::current();
    tokio::task::spawn_blocking(move || {
        let _entered = span.enter();
        let mut conn = pool
            .get()
            .map_err(|e| RepoError::Unavailable(Cause::new(e)))?;
        work(&mut conn).map_err(Into::into)
    })
    .await
    .map_err(|e| RepoError::Unexpected(Cause::context("database task failed", e)))?
}

/// Like [`run`], with the whole of `work` in one transaction (rolled back on any error).
pub(crate) async fn run_tx<T, F>(pool: &PgPool, work: F) -> RepoResult<T>
where
    T: Send + 'static,
    F: FnOnce(&mut PgConnection) -> Result<T, TxError> + Send + 'static,
{
    run(pool, move |conn| conn.transaction(work)).await
}
