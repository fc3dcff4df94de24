//! Wiring: the only place naming concrete adapters (PostgreSQL).

use crate::config::ServeConfig;
use registry_domain::{RetryPolicy, TargetRules};
use registry_http::{AppState, FeedWake, PoolStats};
use registry_ports::{Tenancy, WebhookQueue};
use registry_store_pg::{
    build_pool, run_migrations, spawn_feed_listener, PgPool, PgStore, PoolSettings,
};
use registry_usecases::{CreatorPolicy, CredentialAuthenticator, Registry, RegistryConfig};
use registry_webhooks::{DnsResolver, WebhookClient, WebhookMetrics, Worker, WorkerConfig};
use std::sync::Arc;
use std::time::Duration;

/// The registry over PostgreSQL: each org's requests get that org's ports; webhook hosts are
/// resolved by the system resolver.
pub fn registry(pool: PgPool, config: RegistryConfig) -> Registry {
    Registry::with_tenancy(PgStore::new(pool), config).with_host_resolver(Arc::new(DnsResolver))
}

/// The webhook delivery worker over PostgreSQL (the lease queue and every org's feed).
pub fn webhook_worker(
    pool: PgPool,
    cfg: &ServeConfig,
    metrics: WebhookMetrics,
) -> Result<Worker, String> {
    let store = PgStore::new(pool);
    let queue: Arc<dyn WebhookQueue> = store.clone();
    let tenancy: Arc<dyn Tenancy> = store;
    let client =
        WebhookClient::new(cfg.webhook_targets, cfg.webhook_timeout).map_err(|e| e.to_string())?;
    let config = WorkerConfig {
        concurrency: cfg.webhook_concurrency,
        // A claim outlives the longest attempt, with room for the writes around it.
        lease: cfg.webhook_timeout + Duration::from_secs(10),
        retry: RetryPolicy {
            window: cfg.webhook_retry_window,
            ..RetryPolicy::default()
        },
        delivery_log_keep: cfg.webhook_delivery_log_keep,
        ..WorkerConfig::default()
    };
    Ok(Worker::new(queue, tenancy, client, metrics, config))
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
        webhook_targets: cfg.webhook_targets,
        webhook_secret_overlap: cfg.webhook_secret_overlap,
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
            webhook_targets: TargetRules::default(),
            webhook_secret_overlap: Duration::from_secs(86_400),
        },
    )
}

/// The HTTP state: registry, authenticator, limits and pool gauges.
pub fn app_state(registry: Registry, pool: PgPool, cfg: &ServeConfig) -> AppState {
    let authenticator = Arc::new(CredentialAuthenticator::from_registry(&registry));
    let state = AppState::new(registry, authenticator)
        .with_limits(cfg.limits)
        .with_feed_wake(feed_wake(cfg))
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

/// The event streams' wake-ups: this process's writes, and the PostgreSQL listener's
/// notifications from other replicas and head polls (docs/adr/0010-change-feed.md). Without
/// the listener thread (it could not start) streams still wake on this process's writes and
/// at their keep-alives.
fn feed_wake(cfg: &ServeConfig) -> FeedWake {
    let wake = FeedWake::new();
    let woken = wake.clone();
    match spawn_feed_listener(cfg.database_url.clone(), cfg.feed_poll, move || {
        woken.wake()
    }) {
        Ok(notifier) => wake.with_on_write(Arc::new(move || notifier.written())),
        Err(err) => {
            tracing::error!(error = %err, "feed listener thread could not start");
            wake
        }
    }
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
