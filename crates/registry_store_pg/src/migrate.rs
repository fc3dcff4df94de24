//! Embedded migrations, run under an advisory lock so many replicas may start at once.

use diesel::pg::PgConnection;
use diesel::sql_types::BigInt;
use diesel::RunQueryDsl;
use diesel_migrations::{embed_migrations, EmbeddedMigrations, MigrationHarness};

/// The migrations of `migrations/` at the workspace root, compiled into the binary.
pub const MIGRATIONS: EmbeddedMigrations = embed_migrations!("../../migrations");

/// The session-level advisory lock key held while migrating (`"agentreg"` in ASCII).
pub const MIGRATION_LOCK_KEY: i64 = 0x6167_656e_7472_6567;

/// Applies every pending migration and returns their versions. Holds
/// `pg_advisory_lock(MIGRATION_LOCK_KEY)` meanwhile, so concurrent callers (replicas starting
/// together) run them one after the other: the first applies, the others find nothing pending.
pub fn run_migrations(
    conn: &mut PgConnection,
) -> Result<Vec<String>, Box<dyn std::error::Error + Send + Sync>> {
    diesel::sql_query("SELECT pg_advisory_lock($1)")
        .bind::<BigInt, _>(MIGRATION_LOCK_KEY)
        .execute(conn)?;
    let applied = conn
        .run_pending_migrations(MIGRATIONS)
        .map(|versions| versions.iter().map(ToString::to_string).collect());
    let unlocked = diesel::sql_query("SELECT pg_advisory_unlock($1)")
        .bind::<BigInt, _>(MIGRATION_LOCK_KEY)
        .execute(conn);
    let applied = applied?;
    unlocked?;
    Ok(applied)
}
