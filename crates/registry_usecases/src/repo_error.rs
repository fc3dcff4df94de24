//! Mapping of port errors that a use case does not treat specially.

use crate::RegistryError;
use registry_ports::{Cause, RepoError};

/// The default answer to a port error: `Unavailable` stays `Unavailable`, everything else is a
/// bug or corrupt data (`Internal`). Use cases match the errors they expect (`NotFound`,
/// specific `Conflict`s) before falling back to this.
pub(crate) fn repo_error(error: RepoError) -> RegistryError {
    match error {
        RepoError::Unavailable(cause) => RegistryError::Unavailable(cause),
        RepoError::Unexpected(cause) => RegistryError::Internal(cause),
        RepoError::PageTooLarge { fitting } => RegistryError::PageTooLarge { fitting },
        RepoError::QuotaExceeded(q) => RegistryError::QuotaExceeded {
            limit: q.limit,
            current: q.current,
        },
        other => RegistryError::Internal(Cause::context("unexpected store answer", other)),
    }
}
