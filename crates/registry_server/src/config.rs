//! Validated configuration: what `Settings` says, checked once at start with clear messages.

use crate::cli::Settings;
use registry_domain::TargetRules;
use registry_http::Limits;
use registry_signing::Ed25519CardSigner;
use registry_usecases::CreatorPolicy;
use std::sync::Arc;
use std::time::Duration;

/// Shortest admin token accepted (unless authorization is disabled).
pub const MIN_ADMIN_TOKEN_LEN: usize = 16;
/// Shortest hashing secret accepted, in bytes.
pub const MIN_KEY_HASH_SECRET_LEN: usize = 32;
/// Most attempts a webhook's delivery log may be configured to keep (`WEBHOOK_DELIVERY_LOG_KEEP`):
/// the log is trimmed on every attempt by reading that far down its index.
pub const MAX_DELIVERY_LOG_KEEP: u32 = 100_000;

/// Configuration of `serve`.
#[derive(Debug, Clone)]
pub struct ServeConfig {
    /// Database URL.
    pub database_url: String,
    /// Listen address.
    pub bind: String,
    /// Admin token (may be empty only when insecure).
    pub admin_token: String,
    /// Hashing secret.
    pub key_hash_secret: Vec<u8>,
    /// Pool size.
    pub pool_size: u32,
    /// Pool checkout timeout.
    pub pool_timeout: Duration,
    /// `statement_timeout` of every pooled connection.
    pub statement_timeout: Duration,
    /// Heartbeat TTL.
    pub heartbeat_ttl: Duration,
    /// Monitor period.
    pub heartbeat_interval: Duration,
    /// Run migrations at start.
    pub run_migrations: bool,
    /// Who may create agents.
    pub creators: CreatorPolicy,
    /// HTTP workers.
    pub workers: usize,
    /// Body read and request timeouts, per-principal in-flight cap, execution slots.
    pub limits: Limits,
    /// Browser origins allowed by CORS.
    pub cors_origins: Vec<String>,
    /// The bearer token `/metrics` needs, if any.
    pub metrics_token: Option<String>,
    /// `max_agents` of new orgs created without one.
    pub default_org_max_agents: Option<u32>,
    /// How often the feed listener polls the feed's head.
    pub feed_poll: Duration,
    /// What webhook targets may be beyond public `https` hosts.
    pub webhook_targets: TargetRules,
    /// How long a rotated-out webhook secret keeps signing.
    pub webhook_secret_overlap: Duration,
    /// Timeout of one delivery attempt.
    pub webhook_timeout: Duration,
    /// Subscriptions delivered to at once.
    pub webhook_concurrency: usize,
    /// How long a failing event is retried.
    pub webhook_retry_window: Duration,
    /// Attempts each webhook's delivery log keeps.
    pub webhook_delivery_log_keep: u32,
    /// Signs served A2A cards (`CARD_SIGNING_KEY_FILE`), if configured.
    pub card_signer: Option<Arc<Ed25519CardSigner>>,
    /// Authorization disabled.
    pub insecure: bool,
}

/// The database URL, required by every subcommand.
pub fn database_url(s: &Settings) -> Result<String, String> {
    match s.database_url.as_deref().map(str::trim) {
        Some(url) if !url.is_empty() => Ok(url.to_owned()),
        _ => Err(
            "DATABASE_URL is required (e.g. postgres://postgres@127.0.0.1:5432/registry)"
                .to_owned(),
        ),
    }
}

/// The hashing secret (≥ 32 bytes).
pub fn key_hash_secret(s: &Settings) -> Result<Vec<u8>, String> {
    let secret = s.key_hash_secret.clone().unwrap_or_default();
    if secret.is_empty() {
        return Err(
            "KEY_HASH_SECRET is required (at least 32 bytes; e.g. `openssl rand -hex 32`)"
                .to_owned(),
        );
    }
    if secret.len() < MIN_KEY_HASH_SECRET_LEN {
        return Err(format!(
            "KEY_HASH_SECRET must be at least {MIN_KEY_HASH_SECRET_LEN} bytes (got {})",
            secret.len()
        ));
    }
    Ok(secret.into_bytes())
}

/// Validates everything `serve` needs; every problem is reported, one per line.
pub fn serve_config(s: &Settings) -> Result<ServeConfig, String> {
    let mut problems = Vec::new();
    let database_url = database_url(s)
        .map_err(|e| problems.push(e))
        .unwrap_or_default();
    let key_hash_secret = key_hash_secret(s)
        .map_err(|e| problems.push(e))
        .unwrap_or_default();
    let admin_token = s.admin_token.clone().unwrap_or_default();
    if !s.insecure_no_auth {
        if admin_token.is_empty() {
            problems.push("ADMIN_TOKEN is required (at least 16 characters)".to_owned());
        } else if admin_token.chars().count() < MIN_ADMIN_TOKEN_LEN {
            problems.push(format!(
                "ADMIN_TOKEN must be at least {MIN_ADMIN_TOKEN_LEN} characters"
            ));
        }
    }
    if s.bind.parse::<std::net::SocketAddr>().is_err() && !s.bind.contains(':') {
        problems.push(format!("BIND must be host:port (got {:?})", s.bind));
    }
    if s.db_pool_size == Some(0) {
        problems.push("DB_POOL_SIZE must be at least 1".to_owned());
    }
    if s.db_pool_timeout_ms == 0 {
        problems.push("DB_POOL_TIMEOUT_MS must be at least 1".to_owned());
    }
    if s.db_statement_timeout_ms == 0 {
        problems.push("DB_STATEMENT_TIMEOUT_MS must be at least 1".to_owned());
    }
    if s.heartbeat_ttl_seconds == 0 {
        problems.push("HEARTBEAT_TTL_SECONDS must be at least 1".to_owned());
    }
    if s.heartbeat_check_interval_seconds == 0 {
        problems.push("HEARTBEAT_CHECK_INTERVAL_SECONDS must be at least 1".to_owned());
    }
    if !matches!(s.log_format.as_str(), "json" | "pretty") {
        problems.push(format!(
            "LOG_FORMAT must be json or pretty (got {:?})",
            s.log_format
        ));
    }
    let creators = match s.agent_creators.as_str() {
        "any" => CreatorPolicy::AnyAuthenticated,
        "admin" => CreatorPolicy::AdminOnly,
        other => {
            problems.push(format!(
                "AGENT_CREATORS must be any or admin (got {other:?})"
            ));
            CreatorPolicy::AnyAuthenticated
        }
    };
    if s.body_read_timeout_seconds == 0 {
        problems.push("BODY_READ_TIMEOUT_SECONDS must be at least 1".to_owned());
    }
    if s.request_timeout_seconds == 0 {
        problems.push("REQUEST_TIMEOUT_SECONDS must be at least 1".to_owned());
    }
    let cors_origins: Vec<String> = s
        .cors_allowed_origins
        .iter()
        .map(|o| o.trim().trim_end_matches('/').to_owned())
        .filter(|o| !o.is_empty())
        .collect();
    for origin in &cors_origins {
        let valid = url::Url::parse(origin).is_ok_and(|u| {
            matches!(u.scheme(), "http" | "https") && u.host_str().is_some() && u.path() == "/"
        });
        if !valid {
            problems.push(format!(
                "CORS_ALLOWED_ORIGINS: {origin:?} is not an origin (scheme://host[:port])"
            ));
        }
    }
    if s.metrics_token.as_deref().is_some_and(|t| t.len() < 16) {
        problems.push("METRICS_TOKEN must be at least 16 characters".to_owned());
    }
    if s.max_inflight_per_principal == 0 {
        problems.push("MAX_INFLIGHT_PER_PRINCIPAL must be at least 1".to_owned());
    }
    if !(1..=15_000).contains(&s.sse_keepalive_ms) {
        problems.push("SSE_KEEPALIVE_MS must be between 1 and 15000".to_owned());
    }
    if !(10..=1000).contains(&s.feed_poll_ms) {
        problems.push("FEED_POLL_MS must be between 10 and 1000".to_owned());
    }
    if s.webhook_timeout_seconds == 0 {
        problems.push("WEBHOOK_TIMEOUT_SECONDS must be at least 1".to_owned());
    }
    if s.webhook_concurrency == 0 {
        problems.push("WEBHOOK_CONCURRENCY must be at least 1".to_owned());
    }
    if s.webhook_retry_window_seconds == 0 {
        problems.push("WEBHOOK_RETRY_WINDOW_SECONDS must be at least 1".to_owned());
    }
    if !(1..=MAX_DELIVERY_LOG_KEEP).contains(&s.webhook_delivery_log_keep) {
        problems.push(format!(
            "WEBHOOK_DELIVERY_LOG_KEEP must be between 1 and {MAX_DELIVERY_LOG_KEEP}"
        ));
    }
    if s.workers == Some(0) {
        problems.push("WORKERS must be at least 1".to_owned());
    }
    let card_signer = s.card_signing_key_file.as_deref().and_then(|path| {
        Ed25519CardSigner::from_pem_file(path)
            .map(Arc::new)
            .map_err(|e| problems.push(format!("CARD_SIGNING_KEY_FILE: {e}")))
            .ok()
    });
    if !problems.is_empty() {
        return Err(problems.join("\n"));
    }
    let pool_size = s.db_pool_size.unwrap_or(2 * cores());
    Ok(ServeConfig {
        database_url,
        bind: s.bind.clone(),
        admin_token,
        key_hash_secret,
        pool_size,
        pool_timeout: Duration::from_millis(s.db_pool_timeout_ms),
        statement_timeout: Duration::from_millis(s.db_statement_timeout_ms),
        heartbeat_ttl: Duration::from_secs(s.heartbeat_ttl_seconds),
        heartbeat_interval: Duration::from_secs(s.heartbeat_check_interval_seconds),
        run_migrations: s.run_migrations,
        creators,
        workers: s.workers.unwrap_or_else(|| cores() as usize),
        limits: Limits {
            body_read_timeout: Duration::from_secs(s.body_read_timeout_seconds),
            max_inflight_per_principal: s.max_inflight_per_principal,
            // What the handlers contend for is the pool: as many run as it has connections.
            execution_slots: pool_size as usize,
            request_timeout: Duration::from_secs(s.request_timeout_seconds),
            sse_keep_alive: Duration::from_millis(s.sse_keepalive_ms),
        },
        feed_poll: Duration::from_millis(s.feed_poll_ms),
        cors_origins,
        metrics_token: s.metrics_token.clone(),
        default_org_max_agents: s.default_org_max_agents,
        webhook_targets: TargetRules {
            allow_http: s.webhook_allow_http,
            allow_private: s.webhook_allow_private_targets,
        },
        webhook_secret_overlap: Duration::from_secs(s.webhook_secret_overlap_seconds),
        webhook_timeout: Duration::from_secs(s.webhook_timeout_seconds),
        webhook_concurrency: s.webhook_concurrency,
        webhook_retry_window: Duration::from_secs(s.webhook_retry_window_seconds),
        webhook_delivery_log_keep: s.webhook_delivery_log_keep,
        card_signer,
        insecure: s.insecure_no_auth,
    })
}

/// The CPU cores this process may use (2 if unknown).
fn cores() -> u32 {
    std::thread::available_parallelism().map_or(2, |n| u32::try_from(n.get()).unwrap_or(u32::MAX))
}

#[cfg(test)]
mod tests;
