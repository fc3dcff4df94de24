//! The r2d2 connection pool and the blocking hop every port method goes through.

use crate::error::TxError;
use diesel::connection::SimpleConnection;
use diesel::connection::{AnsiTransactionManager, TransactionManager};
use diesel::pg::PgConnection;
use diesel::r2d2::{
    ConnectionManager, CustomizeConnection, Pool, PooledConnection, R2D2Connection,
};
use diesel::result::{DatabaseErrorKind, Error as DieselError};
use diesel::Connection;
use registry_ports::{Cause, RepoError, RepoResult};
use std::time::{Duration, Instant};

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

/// Builds a pool to `url` (a libpq URL; several `host:port` pairs with
/// `target_session_attrs=read-write` make new connections find the current primary). Connections
/// are opened lazily, so this succeeds while the database is down (requests then fail with
/// `Unavailable` until it is back). r2d2 does not test checkouts; [`run`] pings a connection
/// idle for [`IDLE_BEFORE_PING`] or more, and discards one that failed or met a read-only
/// server (see [`checkout`] and [`discard_if_read_only`]).
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

/// A connection idle this long is pinged before use: after a failover (or any restart of the
/// database) every idle connection is dead, and a statement on one would fail with 503 however
/// long after the failover it came. A connection in steady use skips the round trip; if its
/// server died meanwhile, its statement fails (503 within the failover window) and it is
/// discarded.
pub const IDLE_BEFORE_PING: Duration = Duration::from_secs(1);

/// When a connection last finished a piece of work (kept in its r2d2 extensions).
struct LastUsed(Instant);

/// A pooled connection, tested with a ping when it was idle for [`IDLE_BEFORE_PING`] or more.
/// One that fails its ping is dropped, and is discarded by the pool (its libpq status is bad,
/// which diesel reports through `has_broken`); the next one is tried, up to the pool's size.
fn checkout(pool: &PgPool) -> RepoResult<PooledConnection<ConnectionManager<PgConnection>>> {
    let mut last_error = None;
    for _ in 0..=pool.max_size() {
        let mut conn = pool
            .get()
            .map_err(|e| RepoError::Unavailable(Cause::new(e)))?;
        let idle = PooledConnection::extensions(&conn)
            .get::<LastUsed>()
            .map(|used| used.0.elapsed());
        if !matches!(idle, Some(idle) if idle >= IDLE_BEFORE_PING) {
            return Ok(conn);
        }
        match conn.ping() {
            Ok(()) => return Ok(conn),
            Err(e) => last_error = Some(e),
        }
    }
    Err(RepoError::Unavailable(Cause::new(last_error.unwrap_or(
        DieselError::DatabaseError(
            DatabaseErrorKind::ClosedConnection,
            Box::new("no live connection".to_owned()),
        ),
    ))))
}

/// Leaves a connection that met a read-only server (SQLSTATE 25006: a standby, or a demoted
/// primary still accepting sessions) with an open transaction, which makes diesel's
/// `has_broken` true, so the pool closes it instead of keeping it: the next connection is
/// opened anew and libpq's `target_session_attrs=read-write` finds the primary.
fn discard_if_read_only(conn: &mut PgConnection, result: &Result<impl Sized, TxError>) {
    if let Err(TxError::Diesel(DieselError::DatabaseError(
        DatabaseErrorKind::ReadOnlyTransaction,
        _,
    ))) = result
    {
        // Whether BEGIN succeeds or fails, the connection is no longer returned as usable.
        let _ = AnsiTransactionManager::begin_transaction(conn);
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
        let mut conn = checkout(&pool)?;
        let result = work(&mut conn);
        discard_if_read_only(&mut conn, &result);
        PooledConnection::extensions_mut(&mut conn).insert(LastUsed(Instant::now()));
        result.map_err(Into::into)
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
