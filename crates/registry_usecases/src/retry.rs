//! Optimistic concurrency in one place: agent writes are conditioned on the version read
//! (the store refuses a stale one), and a stale write is decided again on a fresh read, a
//! bounded number of times.

use crate::repo_error::repo_error;
use crate::{Registry, RegistryError};
use registry_domain::{Agent, NewEvent};
use registry_ports::{Constraint, RepoError};

/// How many times a conditioned write is tried before the use case answers `Contention`.
const MAX_ATTEMPTS: usize = 5;

/// The outcome of one try of a conditioned write.
pub(crate) enum Attempt<T> {
    /// Written (or nothing to write): the result.
    Done(T),
    /// The row changed since it was read: read again and retry.
    Stale,
}

/// Runs `attempt` until it is not stale, a bounded number of times; then `Contention`.
pub(crate) async fn retry_on_stale<T>(
    mut attempt: impl AsyncFnMut() -> Result<Attempt<T>, RegistryError>,
) -> Result<T, RegistryError> {
    for _ in 0..MAX_ATTEMPTS {
        if let Attempt::Done(value) = attempt().await? {
            return Ok(value);
        }
    }
    Err(RegistryError::Contention)
}

impl Registry {
    /// Changes `agent` (as read, already authorized): `change` edits the current version in
    /// place and returns the events to record with it (`None`: nothing to write, the agent is
    /// the answer). The write is conditioned on the version read; on a stale version the agent
    /// is read again and `change` decides anew. An agent deleted meanwhile is `AgentNotFound`;
    /// a rename onto a live name is `NameTaken`.
    pub(crate) async fn update_agent(
        &self,
        mut agent: Agent,
        mut change: impl FnMut(&mut Agent) -> Result<Option<Vec<NewEvent>>, RegistryError>,
    ) -> Result<Agent, RegistryError> {
        retry_on_stale(async || {
            let Some(events) = change(&mut agent)? else {
                return Ok(Attempt::Done(agent.clone()));
            };
            match self.agents.update(&agent, &events).await {
                Ok(stored) => Ok(Attempt::Done(stored)),
                Err(RepoError::Conflict(Constraint::StaleVersion)) => {
                    agent = self.read_again(agent.id).await?;
                    Ok(Attempt::Stale)
                }
                Err(RepoError::Conflict(Constraint::LiveAgentName)) => {
                    Err(RegistryError::NameTaken)
                }
                Err(RepoError::NotFound) => Err(RegistryError::AgentNotFound),
                Err(e) => Err(repo_error(e)),
            }
        })
        .await
    }
}

#[cfg(test)]
mod tests {
    use crate::test_support::{agent, Mocks};
    use crate::RegistryError;
    use registry_domain::{AgentRef, AgentStatus, Principal};
    use registry_ports::{Constraint, RepoError};

    /// A fault only a double can inject: every write finds the version stale.
    #[tokio::test]
    async fn stale_versions_are_retried_then_reported_as_contention() {
        let a = agent("a", AgentStatus::Ready);
        let mut m = Mocks::default();
        let stored = a.clone();
        m.agents
            .expect_get()
            .returning(move |_| Ok(Some(stored.clone())));
        m.agents
            .expect_update()
            .times(super::MAX_ATTEMPTS)
            .returning(|_, _| Err(RepoError::Conflict(Constraint::StaleVersion)));
        let err = m
            .registry()
            .delete_agent(&Principal::Admin, &AgentRef::Id(a.id))
            .await;
        assert_eq!(err.unwrap_err(), RegistryError::Contention);
    }
}
