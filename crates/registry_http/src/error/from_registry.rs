//! Every use-case error as a problem: its code and the text the client reads (the peer's
//! wording where it has one). Unavailable and internal errors are logged here, once, with
//! their whole cause chain (ADR 0005).

use super::{ApiError, ErrorCode as C};
use registry_usecases::{ApiKeyLookup, RegistryError};

impl From<RegistryError> for ApiError {
    fn from(err: RegistryError) -> Self {
        match err {
            RegistryError::Validation(v) => Self::validation(&v),
            RegistryError::AgentNotFound => Self::agent_not_found(),
            RegistryError::NameTaken => {
                Self::new(C::AgentNameTaken, "An agent with this name already exists.")
            }
            RegistryError::Forbidden => {
                Self::new(C::Forbidden, "The caller may not perform this operation.")
            }
            RegistryError::PreconditionFailed => Self::new(
                C::PreconditionFailed,
                "If-Match does not match the current ETag.",
            ),
            RegistryError::AgentStatusConflict { agent, status } => Self::new(
                C::Conflict,
                format!("Agent {agent} is {status}: its deployments cannot be promoted."),
            ),
            RegistryError::DeploymentNotFound { agent, deployment } => Self::new(
                C::DeploymentNotFound,
                format!("Deployment {deployment} not found for agent {agent}"),
            ),
            RegistryError::DeploymentNotPromotable(id) => Self::new(
                C::DeploymentNotReady,
                format!("Deployment {id} cannot be promoted: it must be Ready and not deleted."),
            ),
            RegistryError::DeploymentExpired(id) => Self::new(
                C::DeploymentNotReady,
                format!("Deployment {id} has been deleted and cannot be registered."),
            ),
            RegistryError::ProductionDeployment => Self::new(
                C::ProductionDeployment,
                "Cannot delete the current production deployment. Promote a different \
                 deployment first.",
            ),
            RegistryError::HistoryNotFound(id) => Self::new(
                C::DeploymentHistoryNotFound,
                format!("Deployment not found: Item with id '{id}' does not exist."),
            ),
            RegistryError::ApiKeyNotFound(lookup) => Self::new(
                C::ApiKeyNotFound,
                match lookup {
                    ApiKeyLookup::Id(id) => format!("Item with id '{id}' does not exist."),
                    ApiKeyLookup::Name => "Agent api_key not found.".to_owned(),
                },
            ),
            RegistryError::ApiKeyExists {
                agent,
                name,
                api_key_type,
            } => Self::new(
                C::ApiKeyExists,
                format!(
                    "{api_key_type} agent API key '{name}' already exists for agent ID {agent}."
                ),
            ),
            RegistryError::ServiceTokenNotFound => {
                Self::new(C::ServiceTokenNotFound, "Service token not found.")
            }
            RegistryError::ServiceTokenExists => Self::new(
                C::ServiceTokenExists,
                "A service token with this name already exists.",
            ),
            RegistryError::GrantNotFound => Self::new(C::GrantNotFound, "Grant not found."),
            RegistryError::CardNotFound => Self::new(C::CardNotFound, "The agent has no card."),
            RegistryError::LastOwner => {
                Self::new(C::LastOwner, "An agent must keep at least one owner.")
            }
            RegistryError::PageTooLarge { fitting } => Self::invalid(
                C::ValidationFailed,
                "limit",
                &format!(
                    "this page would carry more than {} MiB of stored data; ask for at most \
                     {fitting} per page",
                    registry_domain::paging::MAX_PAGE_BYTES / (1024 * 1024)
                ),
            ),
            RegistryError::Contention => Self::contention(),
            RegistryError::QuotaExceeded { limit, current } => Self::quota_exceeded(limit, current),
            RegistryError::OrgNotFound => Self::org_not_found(),
            RegistryError::WebhookNotFound => Self::new(C::WebhookNotFound, "Webhook not found."),
            RegistryError::OrgExists => {
                Self::new(C::OrgExists, "An org with this slug already exists.")
            }
            RegistryError::OrgInUse => Self::new(
                C::OrgInUse,
                "The org cannot be deleted: it is the default org or still has live agents.",
            ),
            e @ RegistryError::Unavailable(_) => {
                tracing::warn!(
                    request_id = %crate::current_request_id().unwrap_or_default(),
                    error = %registry_ports::ErrorChain(&e),
                    "store unavailable"
                );
                Self::unavailable()
            }
            e @ RegistryError::Internal(_) => {
                tracing::error!(
                    request_id = %crate::current_request_id().unwrap_or_default(),
                    error = %registry_ports::ErrorChain(&e),
                    "internal error"
                );
                Self::internal(None)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use actix_web::ResponseError;

    #[test]
    fn only_retryable_answers_say_when_to_retry() {
        let retry = |e: ApiError| {
            e.error_response()
                .headers()
                .get("retry-after")
                .map(|v| v.to_str().unwrap_or_default().to_owned())
        };
        let contention = ApiError::from(RegistryError::Contention);
        assert_eq!(contention.status.as_u16(), 409);
        assert_eq!(retry(contention), Some("1".to_owned()));
        assert_eq!(retry(ApiError::unavailable()), Some("1".to_owned()));
        assert_eq!(retry(ApiError::too_many_requests()), Some("1".to_owned()));
        assert_eq!(retry(ApiError::from(RegistryError::NameTaken)), None);
        assert_eq!(retry(ApiError::from(RegistryError::LastOwner)), None);
    }
}
