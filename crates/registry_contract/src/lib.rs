#![doc = include_str!("../README.md")]

use registry_ports::{
    AgentRepository, ApiKeyRepository, Authorizer, DeploymentRepository, EventLog,
    HistoryRepository, ServiceTokenRepository,
};
use std::sync::Arc;

/// One adapter's implementation of every port, over one fresh, empty store.
pub struct Stores {
    /// Agents.
    pub agents: Arc<dyn AgentRepository>,
    /// Deployments.
    pub deployments: Arc<dyn DeploymentRepository>,
    /// Deployment history.
    pub history: Arc<dyn HistoryRepository>,
    /// Agent API keys.
    pub keys: Arc<dyn ApiKeyRepository>,
    /// Service tokens.
    pub tokens: Arc<dyn ServiceTokenRepository>,
    /// Audit trail.
    pub events: Arc<dyn EventLog>,
    /// Grants.
    pub authorizer: Arc<dyn Authorizer>,
    /// Keeps the backing store alive for the test (e.g. a throwaway database); dropped last.
    pub guard: Option<Box<dyn std::any::Any + Send + Sync>>,
}
