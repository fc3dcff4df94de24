//! Row structs (what diesel reads and writes) and their conversions to and from the domain.
//! Text columns hold the domain's wire spellings; a value the domain does not know is corrupt
//! data and becomes `RepoError::Unexpected`.

use crate::schema::{
    agent_api_keys, agents, deployment_history, deployments, grants, service_tokens,
};
use crate::stored_json::StoredJson;
use diesel::prelude::*;
use registry_domain::{
    AcpType, Agent, AgentId, AgentInputType, AgentName, AgentStatus, ApiKey, ApiKeyId, ApiKeyType,
    Deployment, DeploymentHistory, DeploymentId, DeploymentStatus, Description, Grant, HistoryId,
    Metadata, Principal, Role, ServiceToken, ServiceTokenId, Timestamp, ValidationError,
};
use registry_ports::{Cause, RepoError, RepoResult};
use serde_json::Value;
use uuid::Uuid;

/// A stored value the domain rejects: corrupt data.
pub(crate) fn corrupt(table: &str, e: ValidationError) -> RepoError {
    RepoError::Unexpected(Cause::context(format!("corrupt {table}"), e))
}

/// Stored metadata of the row `id` of `table` (an undecodable document fails this row only).
fn metadata_from(table: &str, id: Uuid, value: Option<StoredJson>) -> RepoResult<Option<Metadata>> {
    let bad = |reason: String| {
        RepoError::Unexpected(
            format!("corrupt {table} row {id}: registration_metadata: {reason}").into(),
        )
    };
    value
        .map(|v| Metadata::from_stored(v.0.map_err(bad)?).map_err(|e| bad(e.to_string())))
        .transpose()
}

fn metadata_to(value: &Option<Metadata>) -> Option<StoredJson> {
    value
        .as_ref()
        .map(|m| StoredJson::from(Value::Object(m.as_map().clone())))
}

/// One `agents` row.
#[derive(Debug, Clone, Queryable, Selectable, Insertable, AsChangeset, QueryableByName)]
#[diesel(table_name = agents, check_for_backend(diesel::pg::Pg), treat_none_as_null = true)]
pub(crate) struct AgentRow {
    pub(crate) id: Uuid,
    pub(crate) name: String,
    pub(crate) description: String,
    pub(crate) status: String,
    pub(crate) status_reason: Option<String>,
    pub(crate) acp_type: String,
    pub(crate) acp_url: Option<String>,
    pub(crate) registration_metadata: Option<StoredJson>,
    pub(crate) agent_input_type: Option<String>,
    pub(crate) production_deployment_id: Option<Uuid>,
    pub(crate) created_at: Timestamp,
    pub(crate) updated_at: Timestamp,
    pub(crate) registered_at: Option<Timestamp>,
    pub(crate) last_seen_at: Option<Timestamp>,
    pub(crate) deleted_at: Option<Timestamp>,
    pub(crate) deleted_by: Option<String>,
    pub(crate) version: i64,
}

impl From<&Agent> for AgentRow {
    fn from(a: &Agent) -> Self {
        Self {
            id: a.id.as_uuid(),
            name: a.name.as_str().to_owned(),
            description: a.description.as_str().to_owned(),
            status: a.status.as_str().to_owned(),
            status_reason: a.status_reason.clone(),
            acp_type: a.acp_type.as_str().to_owned(),
            acp_url: a.acp_url.clone(),
            registration_metadata: metadata_to(&a.registration_metadata),
            agent_input_type: a.agent_input_type.map(|t| t.as_str().to_owned()),
            production_deployment_id: a.production_deployment_id.map(|d| d.as_uuid()),
            created_at: a.created_at,
            updated_at: a.updated_at,
            registered_at: a.registered_at,
            last_seen_at: a.last_seen_at,
            deleted_at: a.deleted_at,
            deleted_by: a.deleted_by.clone(),
            version: a.version,
        }
    }
}

impl TryFrom<AgentRow> for Agent {
    type Error = RepoError;

    fn try_from(r: AgentRow) -> RepoResult<Self> {
        let bad = |e| corrupt(&format!("agents row {}", r.id), e);
        Ok(Agent {
            id: AgentId::from_uuid(r.id),
            name: AgentName::parse(&r.name).map_err(bad)?,
            description: Description::parse(&r.description).map_err(bad)?,
            status: AgentStatus::parse(&r.status).map_err(bad)?,
            status_reason: r.status_reason,
            acp_type: AcpType::parse(&r.acp_type).map_err(bad)?,
            acp_url: r.acp_url,
            registration_metadata: metadata_from("agents", r.id, r.registration_metadata)?,
            agent_input_type: r
                .agent_input_type
                .as_deref()
                .map(AgentInputType::parse)
                .transpose()
                .map_err(bad)?,
            production_deployment_id: r.production_deployment_id.map(DeploymentId::from_uuid),
            created_at: r.created_at,
            updated_at: r.updated_at,
            registered_at: r.registered_at,
            last_seen_at: r.last_seen_at,
            deleted_at: r.deleted_at,
            deleted_by: r.deleted_by,
            version: r.version,
        })
    }
}

/// One `deployments` row.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = deployments, check_for_backend(diesel::pg::Pg))]
pub(crate) struct DeploymentRow {
    pub(crate) id: Uuid,
    pub(crate) agent_id: Uuid,
    pub(crate) docker_image: String,
    pub(crate) registration_metadata: Option<StoredJson>,
    pub(crate) status: String,
    pub(crate) acp_url: Option<String>,
    pub(crate) is_production: bool,
    pub(crate) sgp_deploy_id: Option<String>,
    pub(crate) helm_release_name: Option<String>,
    pub(crate) created_at: Timestamp,
    pub(crate) promoted_at: Option<Timestamp>,
    pub(crate) expires_at: Option<Timestamp>,
}

impl From<&Deployment> for DeploymentRow {
    fn from(d: &Deployment) -> Self {
        Self {
            id: d.id.as_uuid(),
            agent_id: d.agent_id.as_uuid(),
            docker_image: d.docker_image.clone(),
            registration_metadata: metadata_to(&d.registration_metadata),
            status: d.status.as_str().to_owned(),
            acp_url: d.acp_url.clone(),
            is_production: d.is_production,
            sgp_deploy_id: d.sgp_deploy_id.clone(),
            helm_release_name: d.helm_release_name.clone(),
            created_at: d.created_at,
            promoted_at: d.promoted_at,
            expires_at: d.expires_at,
        }
    }
}

impl TryFrom<DeploymentRow> for Deployment {
    type Error = RepoError;

    fn try_from(r: DeploymentRow) -> RepoResult<Self> {
        Ok(Deployment {
            id: DeploymentId::from_uuid(r.id),
            agent_id: AgentId::from_uuid(r.agent_id),
            docker_image: r.docker_image,
            registration_metadata: metadata_from("deployments", r.id, r.registration_metadata)?,
            status: DeploymentStatus::parse(&r.status)
                .map_err(|e| corrupt(&format!("deployments row {}", r.id), e))?,
            acp_url: r.acp_url,
            is_production: r.is_production,
            sgp_deploy_id: r.sgp_deploy_id,
            helm_release_name: r.helm_release_name,
            created_at: r.created_at,
            promoted_at: r.promoted_at,
            expires_at: r.expires_at,
        })
    }
}

/// One `deployment_history` row.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = deployment_history, check_for_backend(diesel::pg::Pg))]
pub(crate) struct HistoryRow {
    pub(crate) id: Uuid,
    pub(crate) agent_id: Uuid,
    pub(crate) author_name: String,
    pub(crate) author_email: String,
    pub(crate) branch_name: String,
    pub(crate) build_timestamp: Timestamp,
    pub(crate) deployment_timestamp: Timestamp,
    pub(crate) commit_hash: String,
}

impl From<&DeploymentHistory> for HistoryRow {
    fn from(h: &DeploymentHistory) -> Self {
        Self {
            id: h.id.as_uuid(),
            agent_id: h.agent_id.as_uuid(),
            author_name: h.author_name.clone(),
            author_email: h.author_email.clone(),
            branch_name: h.branch_name.clone(),
            build_timestamp: h.build_timestamp,
            deployment_timestamp: h.deployment_timestamp,
            commit_hash: h.commit_hash.clone(),
        }
    }
}

impl From<HistoryRow> for DeploymentHistory {
    fn from(r: HistoryRow) -> Self {
        DeploymentHistory {
            id: HistoryId::from_uuid(r.id),
            agent_id: AgentId::from_uuid(r.agent_id),
            author_name: r.author_name,
            author_email: r.author_email,
            branch_name: r.branch_name,
            build_timestamp: r.build_timestamp,
            deployment_timestamp: r.deployment_timestamp,
            commit_hash: r.commit_hash,
        }
    }
}

/// One `agent_api_keys` row without its hash (what is ever read back).
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = agent_api_keys, check_for_backend(diesel::pg::Pg))]
pub(crate) struct ApiKeyRow {
    pub(crate) id: Uuid,
    pub(crate) agent_id: Uuid,
    pub(crate) name: String,
    pub(crate) api_key_type: String,
    pub(crate) created_at: Timestamp,
    pub(crate) created_by: String,
}

/// A new `agent_api_keys` row, with its hash.
#[derive(Debug, Insertable)]
#[diesel(table_name = agent_api_keys)]
pub(crate) struct NewApiKeyRow<'a> {
    pub(crate) id: Uuid,
    pub(crate) agent_id: Uuid,
    /// The org of the agent (the foreign key refuses any other).
    pub(crate) org_id: Uuid,
    pub(crate) name: &'a str,
    pub(crate) api_key_type: &'a str,
    pub(crate) secret_hash: &'a str,
    pub(crate) created_at: Timestamp,
    pub(crate) created_by: String,
}

impl TryFrom<ApiKeyRow> for ApiKey {
    type Error = RepoError;

    fn try_from(r: ApiKeyRow) -> RepoResult<Self> {
        Ok(ApiKey {
            id: ApiKeyId::from_uuid(r.id),
            agent_id: AgentId::from_uuid(r.agent_id),
            name: r.name,
            api_key_type: ApiKeyType::parse(&r.api_key_type)
                .map_err(|e| corrupt("agent_api_keys", e))?,
            created_at: r.created_at,
            created_by: Principal::parse(&r.created_by, "created_by")
                .map_err(|e| corrupt("agent_api_keys", e))?,
        })
    }
}

/// One `service_tokens` row without its hash.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = service_tokens, check_for_backend(diesel::pg::Pg))]
pub(crate) struct ServiceTokenRow {
    pub(crate) id: Uuid,
    pub(crate) name: String,
    pub(crate) principal: String,
    pub(crate) created_at: Timestamp,
}

/// A new `service_tokens` row, with its hash.
#[derive(Debug, Insertable)]
#[diesel(table_name = service_tokens)]
pub(crate) struct NewServiceTokenRow<'a> {
    pub(crate) org_id: Uuid,
    pub(crate) id: Uuid,
    pub(crate) name: &'a str,
    pub(crate) principal: String,
    pub(crate) secret_hash: &'a str,
    pub(crate) created_at: Timestamp,
}

impl TryFrom<ServiceTokenRow> for ServiceToken {
    type Error = RepoError;

    fn try_from(r: ServiceTokenRow) -> RepoResult<Self> {
        Ok(ServiceToken {
            id: ServiceTokenId::from_uuid(r.id),
            name: r.name,
            principal: Principal::parse(&r.principal, "principal")
                .map_err(|e| corrupt("service_tokens", e))?,
            created_at: r.created_at,
        })
    }
}

/// One `grants` row.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = grants, check_for_backend(diesel::pg::Pg))]
pub(crate) struct GrantRow {
    pub(crate) agent_id: Uuid,
    pub(crate) principal: String,
    pub(crate) role: String,
    pub(crate) created_at: Timestamp,
}

impl GrantRow {
    /// The row granting `role` to `principal` on `agent_id` at `at`.
    pub(crate) fn new(agent_id: AgentId, principal: &Principal, role: Role, at: Timestamp) -> Self {
        Self {
            agent_id: agent_id.as_uuid(),
            principal: principal.to_string(),
            role: role.as_str().to_owned(),
            created_at: at,
        }
    }
}

impl TryFrom<GrantRow> for Grant {
    type Error = RepoError;

    fn try_from(r: GrantRow) -> RepoResult<Self> {
        let bad = |e| corrupt("grants", e);
        Ok(Grant {
            agent_id: AgentId::from_uuid(r.agent_id),
            principal: Principal::parse(&r.principal, "principal").map_err(bad)?,
            role: role_from(&r.role)?,
            created_at: r.created_at,
        })
    }
}

/// A stored role name as a [`Role`].
pub(crate) fn role_from(text: &str) -> RepoResult<Role> {
    Role::parse(text).map_err(|e| corrupt("grants", e))
}
