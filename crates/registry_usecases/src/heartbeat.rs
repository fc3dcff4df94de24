//! `POST /agents/{id}/heartbeat`.

use crate::audit::{self, now};
use crate::repo_error::repo_error;
use crate::retry::{retry_on_stale, Attempt};
use crate::{Registry, RegistryError};
use registry_domain::{
    apply, decide, Agent, AgentId, AgentRef, Decision, LifecycleEvent, Need, Principal,
};

impl Registry {
    /// Records a heartbeat: `last_seen_at = now`; Unhealthy → Ready. By the agent's own key or
    /// a principal with `update`. A heartbeat that changes no status is one cheap write of
    /// `last_seen_at` alone: the version (the ETag) and `updated_at` stay as they are, so a
    /// live agent's heartbeats neither break a client's `If-Match` nor reorder lists. One that
    /// changes the status is a versioned write with its transition event.
    ///
    /// Errors: `AgentNotFound`, `Forbidden`, `Contention`, `Unavailable`, `Internal`.
    pub async fn heartbeat(&self, caller: &Principal, id: AgentId) -> Result<Agent, RegistryError> {
        let mut current = self
            .read_agent_for(caller, &AgentRef::Id(id), Need::SelfService)
            .await?;
        let actor = caller.to_string();
        retry_on_stale(async || {
            let at = now();
            match decide(Some(current.status), LifecycleEvent::Heartbeat) {
                Decision::Unchanged => {
                    let seen = self.agents.record_heartbeat(id, current.status, at).await;
                    match seen.map_err(repo_error)? {
                        Some(agent) => Ok(Attempt::Done(agent)),
                        None => {
                            // Its status changed meanwhile (or it was deleted): decide again.
                            current = self.read_again(id).await?;
                            Ok(Attempt::Stale)
                        }
                    }
                }
                Decision::Reject(_) => Err(RegistryError::AgentNotFound),
                Decision::Change(_) | Decision::Create(_) => {
                    let changed = self
                        .update_agent(current.clone(), |agent| {
                            let from = agent.status;
                            let transition = apply(agent, LifecycleEvent::Heartbeat, at, &actor)
                                .map_err(|_| RegistryError::AgentNotFound)?;
                            agent.last_seen_at = Some(at);
                            Ok(Some(
                                transition
                                    .map(|t| audit::transition(agent.id, from, t, caller, at))
                                    .into_iter()
                                    .collect(),
                            ))
                        })
                        .await?;
                    Ok(Attempt::Done(changed))
                }
            }
        })
        .await
    }
}

#[cfg(test)]
mod tests {
    use crate::test_support::{agent, Mocks};
    use registry_domain::{AgentRef, AgentStatus, Principal};
    use registry_ports::{AgentWithRole, Prefetched};

    /// An agent heartbeating itself, its row read with its key: the heartbeat is one write
    /// (the agents mock expects no read).
    #[tokio::test]
    async fn a_prefetched_agent_heartbeats_with_one_write() {
        let a = agent("a", AgentStatus::Ready);
        let mut mocks = Mocks::default();
        let stored = a.clone();
        mocks
            .agents
            .expect_record_heartbeat()
            .times(1)
            .returning(move |_, _, at| {
                Ok(Some(registry_domain::Agent {
                    last_seen_at: Some(at),
                    ..stored.clone()
                }))
            });
        let registry = mocks.registry().with_prefetched(Some(Prefetched {
            at: AgentRef::Id(a.id),
            found: Some(AgentWithRole {
                agent: a.clone(),
                role: None,
            }),
        }));
        let seen = registry
            .heartbeat(&Principal::Agent(a.id), a.id)
            .await
            .unwrap();
        assert!(seen.last_seen_at.is_some());
        assert_eq!(seen.version, a.version, "no version bump");
    }
}
