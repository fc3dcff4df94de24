//! `POST /agents/register` with `registration_metadata.deployment_id`: deployment-scoped
//! registration (peer §5.1): only that deployment of the agent becomes Ready.

use crate::access::name_taken;
use crate::repo_error::repo_error;
use crate::{RegisterOutput, Registry, RegistryError};
use registry_domain::{AgentRef, DeploymentId, Need, Principal};
use registry_ports::{Constraint, RepoError};

/// A deployment-scoped registration, validated.
#[derive(Debug, Clone, PartialEq)]
pub struct RegisterDeploymentInput {
    /// The agent (by `agent_id` when given, else by name).
    pub agent: AgentRef,
    /// Its deployment that is now serving.
    pub deployment_id: DeploymentId,
    /// Where it serves.
    pub acp_url: String,
}

impl Registry {
    /// Marks the agent's deployment Ready with its `acp_url`; the agent row is untouched. Needs
    /// `update` on the agent or its own key. A deployment of another agent, or of an agent with
    /// no live holder of the name, is `DeploymentNotFound`; an expired one `DeploymentExpired`.
    /// An internal key is minted and returned once when the agent has none.
    ///
    /// Errors: `AgentNotFound` (by id), `NameTaken` (by name, unreadable), `Forbidden`,
    /// `DeploymentNotFound`, `DeploymentExpired`, `Unavailable`, `Internal`.
    pub async fn register_deployment(
        &self,
        caller: &Principal,
        input: RegisterDeploymentInput,
    ) -> Result<RegisterOutput, RegistryError> {
        let not_found = |agent: AgentRef| RegistryError::DeploymentNotFound {
            agent,
            deployment: input.deployment_id,
        };
        let agent = match &input.agent {
            AgentRef::Id(_) => {
                self.read_agent_for(caller, &input.agent, Need::SelfService)
                    .await?
            }
            AgentRef::Name(_) => match self.read_access(caller, &input.agent).await? {
                Some(access) => access
                    .into_agent_for(Need::SelfService)
                    .map_err(name_taken)?,
                None => return Err(not_found(input.agent.clone())),
            },
        };
        match self
            .deployments
            .mark_ready(agent.id, input.deployment_id, &input.acp_url)
            .await
        {
            Ok(_) => {}
            Err(RepoError::NotFound) => return Err(not_found(AgentRef::Id(agent.id))),
            Err(RepoError::Conflict(Constraint::DeploymentExpired)) => {
                return Err(RegistryError::DeploymentExpired(input.deployment_id))
            }
            Err(e) => return Err(repo_error(e)),
        }
        self.registered(caller, agent, false).await
    }
}
