//! The r2d2 connection pool and the blocking hop every port method goes through.

use crate::error::TxError;
use diesel::connection::SimpleConnection;
use diesel::pg::PgConnection;
use diesel::r2d2::{ConnectionManager, CustomizeConnection, Pool};
use diesel::Connection;
use registry_ports::{Cause, RepoError, RepoResult};
use std::time::Duration;

/// A pool of PostgreSQL connections.
pub type PgPool = Pool<ConnectionManager<PgConnection>>;

/// How a pool connects and how long it lets a statement run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PoolSettings {
    /// Most connections.
    pub max_size: u32,
    /// How long a checkout waits for a connection.
    pub connection_timeout: Duration,
    /// PostgreSQL's `statement_timeout` on every connection (`None`: the server's default, for
    /// migrations). A statement cancelled by it is `Unavailable` (503 + `Retry-After`).
    pub statement_timeout: Option<Duration>,
}

/// Builds a pool to `url`. Connections are opened lazily, so this succeeds while the database
/// is down (requests then fail with `Unavailable` until it is back). Checked-out connections are
/// not tested with an extra query: a broken one fails its statement (`Unavailable`) and is
/// discarded by the pool.
pub fn build_pool(url: &str, settings: PoolSettings) -> PgPool {
    let builder = Pool::builder()
        .max_size(settings.max_size)
        .min_idle(Some(0))
        .connection_timeout(settings.connection_timeout)
        .test_on_check_out(false);
    let builder = match settings.statement_timeout {
        Some(timeout) => builder.connection_customizer(Box::new(StatementTimeout(timeout))),
        None => builder,
    };
    builder.build_unchecked(ConnectionManager::new(url))
}

/// Sets `statement_timeout` once on each new connection.
#[derive(Debug)]
struct StatementTimeout(Duration);

impl CustomizeConnection<PgConnection, diesel::r2d2::Error> for StatementTimeout {
    fn on_acquire(&self, conn: &mut PgConnection) -> Result<(), diesel::r2d2::Error> {
        let millis = self.0.as_millis().max(1);
        conn.batch_execute(&format!("SET statement_timeout = {millis}"))
            .map_err(diesel::r2d2::Error::QueryError)
    }
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
