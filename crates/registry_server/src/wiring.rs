//! Wiring: the only place naming concrete adapters (PostgreSQL).

use crate::config::ServeConfig;
use registry_http::{AppState, PoolStats};
use registry_store_pg::{build_pool, run_migrations, PgPool, PgStore, PoolSettings};
use registry_usecases::{CreatorPolicy, CredentialAuthenticator, Registry, RegistryConfig};
use std::sync::Arc;
use std::time::Duration;

/// The registry over PostgreSQL: each org's requests get that org's ports.
pub fn registry(pool: PgPool, config: RegistryConfig) -> Registry {
    Registry::with_tenancy(PgStore::new(pool), config)
}

/// The pool of `serve`.
pub fn pool(cfg: &ServeConfig) -> PgPool {
    build_pool(
        &cfg.database_url,
        PoolSettings {
            max_size: cfg.pool_size,
            connection_timeout: cfg.pool_timeout,
            statement_timeout: Some(cfg.statement_timeout),
        },
    )
}

/// The registry configuration of `serve`.
pub fn registry_config(cfg: &ServeConfig) -> RegistryConfig {
    RegistryConfig {
        admin_token: cfg.admin_token.clone(),
        key_hash_secret: cfg.key_hash_secret.clone(),
        creators: cfg.creators.clone(),
        authorization_enabled: !cfg.insecure,
        heartbeat_ttl: cfg.heartbeat_ttl,
        default_org_max_agents: cfg.default_org_max_agents,
    }
}

/// A registry for CLI subcommands (acting as the admin; no admin token needed).
pub fn cli_registry(database_url: &str, key_hash_secret: Vec<u8>) -> Registry {
    let pool = build_pool(
        database_url,
        PoolSettings {
            max_size: 2,
            connection_timeout: Duration::from_secs(5),
            statement_timeout: None,
        },
    );
    registry(
        pool,
        RegistryConfig {
            admin_token: String::new(),
            key_hash_secret,
            creators: CreatorPolicy::AdminOnly,
            authorization_enabled: true,
            heartbeat_ttl: Duration::from_secs(90),
            default_org_max_agents: None,
        },
    )
}

/// The HTTP state: registry, authenticator, limits and pool gauges.
pub fn app_state(registry: Registry, pool: PgPool, cfg: &ServeConfig) -> AppState {
    let authenticator = Arc::new(CredentialAuthenticator::from_registry(&registry));
    let state = AppState::new(registry, authenticator)
        .with_limits(cfg.limits)
        .with_cors_origins(cfg.cors_origins.clone())
        .with_metrics_token(cfg.metrics_token.clone())
        .with_card_signer(
            cfg.card_signer
                .clone()
                .map(|s| s as Arc<dyn registry_ports::CardSigner>),
        );
    state.with_pool_stats(Arc::new(move || {
        let state = pool.state();
        PoolStats {
            connections: state.connections,
            idle_connections: state.idle_connections,
            max_size: pool.max_size(),
        }
    }))
}

/// Applies pending migrations (advisory-locked), in a blocking thread.
pub async fn migrate(pool: PgPool) -> Result<Vec<String>, String> {
    tokio::task::spawn_blocking(move || {
        let mut conn = pool
            .get()
            .map_err(|e| format!("database unreachable: {e}"))?;
        run_migrations(&mut conn).map_err(|e| format!("migration failed: {e}"))
    })
    .await
    .map_err(|e| format!("migration task failed: {e}"))?
}
