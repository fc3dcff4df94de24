//! `GET /agents/{id}` and `GET /agents/name/{name}`.

use crate::repo_error::repo_error;
use crate::{Registry, RegistryError};
use registry_domain::{Agent, AgentRef, Need, Principal};

impl Registry {
    /// The live agent `at` (by id, or by name among live agents). `AgentNotFound` when absent,
    /// Deleted or not readable.
    pub async fn get_agent(
        &self,
        caller: &Principal,
        at: &AgentRef,
    ) -> Result<Agent, RegistryError> {
        self.read_agent_for(caller, at, Need::Read).await
    }

    /// Whether the store answers (`/readyz`): `Unavailable` otherwise.
    pub async fn ping(&self) -> Result<(), RegistryError> {
        self.agents.ping().await.map_err(repo_error)
    }
}

#[cfg(test)]
mod tests {
    use crate::test_support::{agent, alice, Mocks};
    use crate::RegistryError;
    use registry_domain::{AgentRef, AgentStatus, Role};
    use registry_ports::{AgentWithRole, Prefetched};

    /// An ordinary principal's GET is answered from the agent read with its credential: the
    /// agents mock has no expectation, so any store read would panic.
    #[tokio::test]
    async fn a_prefetched_agent_is_read_from_the_credential_round_trip_once() {
        let a = agent("a", AgentStatus::Ready);
        let at = AgentRef::Id(a.id);
        let prefetched = |role| Prefetched {
            at: at.clone(),
            found: Some(AgentWithRole {
                agent: a.clone(),
                role,
            }),
        };
        let registry = Mocks::default().registry();
        let viewer = registry
            .clone()
            .with_prefetched(Some(prefetched(Some(Role::Viewer))));
        assert_eq!(viewer.get_agent(&alice(), &at).await.unwrap(), a);
        let stranger = registry.clone().with_prefetched(Some(prefetched(None)));
        let hidden = stranger.get_agent(&alice(), &at).await;
        assert_eq!(hidden.unwrap_err(), RegistryError::AgentNotFound);
        let absent = registry.with_prefetched(Some(Prefetched {
            at: at.clone(),
            found: None,
        }));
        let absent = absent.get_agent(&alice(), &at).await;
        assert_eq!(absent.unwrap_err(), RegistryError::AgentNotFound);
    }

    /// A prefetch is for the agent it names, and only for the first read.
    #[tokio::test]
    async fn a_prefetch_of_another_agent_or_a_second_read_asks_the_store() {
        let a = agent("a", AgentStatus::Ready);
        let other = agent("b", AgentStatus::Ready);
        let mut mocks = Mocks::default();
        let stored = a.clone();
        mocks
            .agents
            .expect_get_with_role()
            .times(2)
            .returning(move |_, _| {
                Ok(Some(AgentWithRole {
                    agent: stored.clone(),
                    role: Some(Role::Owner),
                }))
            });
        let registry = mocks.registry().with_prefetched(Some(Prefetched {
            at: AgentRef::Id(other.id),
            found: None,
        }));
        let at = AgentRef::Id(a.id);
        assert_eq!(registry.get_agent(&alice(), &at).await.unwrap(), a);
        let registry = registry.with_prefetched(Some(Prefetched {
            at: at.clone(),
            found: None,
        }));
        assert!(
            registry.get_agent(&alice(), &at).await.is_err(),
            "prefetched: absent"
        );
        assert_eq!(
            registry.get_agent(&alice(), &at).await.unwrap(),
            a,
            "then the store"
        );
    }
}
