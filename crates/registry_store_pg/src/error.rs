//! From diesel and pool errors to [`RepoError`], constraint by constraint.

use diesel::result::{DatabaseErrorKind, Error as DieselError};
use registry_ports::{Cause, Constraint, RepoError};

/// The port constraint a named database constraint stands for.
fn constraint_named(name: &str) -> Option<Constraint> {
    match name {
        "agents_live_name_key" => Some(Constraint::LiveAgentName),
        "agent_api_keys_agent_name_type_key" => Some(Constraint::ApiKeyName),
        "agent_api_keys_secret_hash_key" | "service_tokens_secret_hash_key" => {
            Some(Constraint::SecretHash)
        }
        "service_tokens_name_key" => Some(Constraint::ServiceTokenName),
        "orgs_slug_key" => Some(Constraint::OrgSlug),
        _ => None,
    }
}

/// What PostgreSQL says when a statement ran past `statement_timeout` (SQLSTATE 57014, which
/// diesel does not classify).
const STATEMENT_TIMEOUT: &str = "canceling statement due to statement timeout";

/// Maps a diesel error: `NotFound` → `NotFound`; a unique violation of a known constraint →
/// its `Conflict`; a foreign-key violation (the parent agent is absent) → `NotFound`; a lost
/// connection, a write refused by a read-only server (SQLSTATE 25006: a standby during a
/// failover; the pool then closes that connection) or a statement cancelled by
/// `statement_timeout` (the database is too slow now; the connection stays usable) →
/// `Unavailable`; anything else → `Unexpected`. The last two keep the diesel error as their
/// cause; nothing is logged here (the caller that handles the error logs it).
pub(crate) fn map_diesel(error: DieselError) -> RepoError {
    let connection_lost = match &error {
        DieselError::NotFound => return RepoError::NotFound,
        DieselError::DatabaseError(kind, info) => {
            let constraint = info.constraint_name().and_then(constraint_named);
            match (kind, constraint) {
                (DatabaseErrorKind::UniqueViolation, Some(c)) => return RepoError::Conflict(c),
                (DatabaseErrorKind::ForeignKeyViolation, _) => return RepoError::NotFound,
                (
                    DatabaseErrorKind::ClosedConnection
                    | DatabaseErrorKind::UnableToSendCommand
                    | DatabaseErrorKind::ReadOnlyTransaction,
                    _,
                ) => true,
                _ => info.message().starts_with(STATEMENT_TIMEOUT),
            }
        }
        DieselError::BrokenTransactionManager => true,
        _ => false,
    };
    if connection_lost {
        RepoError::Unavailable(Cause::new(error))
    } else {
        RepoError::Unexpected(Cause::new(error))
    }
}

/// Errors a transaction body can end with: diesel's (mapped on the way out) or a port error
/// decided by the body itself.
#[derive(Debug)]
pub(crate) enum TxError {
    /// From the database.
    Diesel(DieselError),
    /// Decided by the adapter (e.g. `Conflict(StaleVersion)`).
    Repo(RepoError),
}

impl From<DieselError> for TxError {
    fn from(e: DieselError) -> Self {
        TxError::Diesel(e)
    }
}

impl From<RepoError> for TxError {
    fn from(e: RepoError) -> Self {
        TxError::Repo(e)
    }
}

impl From<TxError> for RepoError {
    fn from(e: TxError) -> Self {
        match e {
            TxError::Diesel(e) => map_diesel(e),
            TxError::Repo(e) => e,
        }
    }
}
