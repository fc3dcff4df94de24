//! The error every port returns, and the cause it keeps for the log.

use std::error::Error;
use std::fmt;
use std::sync::Arc;

/// Which database rule refused a write. Callers map each to a specific answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Constraint {
    /// Another non-Deleted agent already has this name.
    LiveAgentName,
    /// What the write was decided on changed since it was read (the agent's `version`, or a
    /// promoted deployment's row): reload and retry.
    StaleVersion,
    /// The deployment is the agent's production deployment and cannot be deleted.
    ProductionDeployment,
    /// The deployment is expired (soft-deleted) and cannot be registered again.
    DeploymentExpired,
    /// An API key with this (agent, name, type) exists.
    ApiKeyName,
    /// A credential with this hash exists (never expected in practice).
    SecretHash,
    /// A service token with this name exists.
    ServiceTokenName,
    /// Removing this grant would leave the agent without an owner.
    LastOwner,
    /// An org with this slug exists.
    OrgSlug,
    /// The org still has live agents, so it cannot be deleted.
    OrgHasLiveAgents,
}

/// The error of every port method.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RepoError {
    /// The addressed row does not exist.
    #[error("not found")]
    NotFound,
    /// A rule of the store refused the write.
    #[error("conflict: {0:?}")]
    Conflict(Constraint),
    /// The store cannot be reached now (connection refused, pool timeout); retry later.
    #[error("store unavailable")]
    Unavailable(#[source] Cause),
    /// A list page would carry more stored data than `MAX_PAGE_BYTES`; `fitting` leading rows
    /// would fit (domain `rows_fitting_page_budget`).
    #[error("page too large: {fitting} rows fit")]
    PageTooLarge {
        /// The `limit` that would fit.
        fitting: u32,
    },
    /// Creating one more live agent would exceed the org's `max_agents`; nothing was written.
    #[error("quota exceeded: {} of {}", .0.current, .0.limit)]
    QuotaExceeded(registry_domain::QuotaExceeded),
    /// Anything else; a bug or corrupt data. The cause is for logs only.
    #[error("unexpected store error")]
    Unexpected(#[source] Cause),
}

/// Result alias for port methods.
pub type RepoResult<T> = Result<T, RepoError>;

/// The error behind an `Unavailable` or `Unexpected` answer, kept whole (with its own sources)
/// so that the one log line written where the request ends can show the full chain; see
/// [`ErrorChain`]. Cheap to clone (shared).
///
/// Two causes are equal when their chains read the same, so errors holding one stay comparable
/// in tests (`assert_eq!(err, RepoError::Unavailable("down".into()))`).
#[derive(Clone)]
pub struct Cause(Arc<dyn Error + Send + Sync>);

impl Cause {
    /// The cause is `error` (and its sources).
    pub fn new(error: impl Error + Send + Sync + 'static) -> Self {
        Self(Arc::new(error))
    }

    /// `message`, caused by `source`: adds what was being done to an error from below.
    pub fn context(message: impl Into<String>, source: impl Error + Send + Sync + 'static) -> Self {
        Self::new(Context {
            message: message.into(),
            source: Box::new(source),
        })
    }
}

/// A message alone (no error type below it).
impl From<String> for Cause {
    fn from(message: String) -> Self {
        Self(Arc::from(Box::<dyn Error + Send + Sync>::from(message)))
    }
}

/// A message alone (no error type below it).
impl From<&str> for Cause {
    fn from(message: &str) -> Self {
        Self::from(message.to_owned())
    }
}

impl fmt::Display for Cause {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

impl fmt::Debug for Cause {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Cause({:?})", ErrorChain(self).to_string())
    }
}

/// Transparent: the wrapped error's message, then its sources.
impl Error for Cause {
    fn source(&self) -> Option<&(dyn Error + 'static)> {
        self.0.source()
    }
}

impl PartialEq for Cause {
    fn eq(&self, other: &Self) -> bool {
        ErrorChain(self).to_string() == ErrorChain(other).to_string()
    }
}

impl Eq for Cause {}

/// What [`Cause::context`] builds.
#[derive(Debug)]
struct Context {
    message: String,
    source: Box<dyn Error + Send + Sync>,
}

impl fmt::Display for Context {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl Error for Context {
    fn source(&self) -> Option<&(dyn Error + 'static)> {
        Some(&*self.source)
    }
}

/// Displays an error followed by each of its sources, `outer: inner: innermost`: how an error
/// is written to the log, once, where it is handled.
pub struct ErrorChain<'a>(pub &'a (dyn Error + 'static));

impl fmt::Display for ErrorChain<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)?;
        let mut source = self.0.source();
        while let Some(error) = source {
            write!(f, ": {error}")?;
            source = error.source();
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_chain_shows_every_source_once() {
        let io = std::io::Error::new(std::io::ErrorKind::ConnectionRefused, "refused");
        let error = RepoError::Unavailable(Cause::context("pool checkout", io));
        assert_eq!(
            ErrorChain(&error).to_string(),
            "store unavailable: pool checkout: refused"
        );
        assert_eq!(error.to_string(), "store unavailable");
    }

    #[test]
    fn causes_compare_by_their_chain() {
        assert_eq!(Cause::from("down"), Cause::from("down".to_owned()));
        assert_ne!(Cause::from("down"), Cause::from("up"));
        let io = || std::io::Error::other("disk");
        assert_eq!(Cause::context("read", io()), Cause::context("read", io()));
        assert_eq!(
            format!("{:?}", Cause::context("read", io())),
            r#"Cause("read: disk")"#
        );
    }
}
