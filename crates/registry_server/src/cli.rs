//! The command line: subcommands and every configuration flag (each also read from the
//! environment).

use clap::{ArgAction, Args, Parser, Subcommand};

/// Agent Registry: the registry of AI agents through their lifecycle (build-time registration,
/// deployments, promotion, heartbeats, deletion), wire-compatible with the Agentex registry API.
#[derive(Debug, Parser)]
#[command(name = "agent-registry", version, propagate_version = true)]
pub struct Cli {
    /// Configuration (flags override the environment).
    #[command(flatten)]
    pub settings: Settings,
    /// What to do (default: serve).
    #[command(subcommand)]
    pub command: Option<Command>,
}

/// Subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the HTTP server (the default): migrations first unless RUN_MIGRATIONS=false.
    Serve,
    /// Apply pending database migrations and exit (safe to run from many replicas at once).
    Migrate,
    /// Manage service tokens (acts as the admin; needs DATABASE_URL and KEY_HASH_SECRET).
    Tokens {
        /// Token action.
        #[command(subcommand)]
        action: TokensCommand,
    },
}

/// `tokens` subcommands.
#[derive(Debug, Subcommand)]
pub enum TokensCommand {
    /// Create a token and print it once (principal `<kind>:<name>`).
    Create {
        /// Token name: letters, digits, `-_.@`, 1..=128 characters.
        name: String,
        /// `user` (a person), `service` (a machine) or `admin` (an org admin).
        #[arg(long, default_value = "user")]
        kind: String,
        /// The org's slug.
        #[arg(long, default_value = "default")]
        org: String,
    },
    /// List an org's tokens (never their secrets).
    List {
        /// The org's slug.
        #[arg(long, default_value = "default")]
        org: String,
    },
    /// Revoke a token by id; it stops authenticating at once.
    Revoke {
        /// Token id (UUID).
        id: String,
        /// The org's slug.
        #[arg(long, default_value = "default")]
        org: String,
    },
}

/// Configuration. Each flag also reads the environment variable in brackets.
#[derive(Debug, Clone, Args)]
pub struct Settings {
    /// PostgreSQL URL (required), e.g. postgres://user@host:5432/db.
    #[arg(long, env = "DATABASE_URL", global = true, hide_env_values = true)]
    pub database_url: Option<String>,
    /// Address to listen on.
    #[arg(long, env = "BIND", global = true, default_value = "127.0.0.1:8080")]
    pub bind: String,
    /// The admin bearer token (required for serve; at least 16 characters unless
    /// --insecure-no-auth).
    #[arg(long, env = "ADMIN_TOKEN", global = true, hide_env_values = true)]
    pub admin_token: Option<String>,
    /// Server secret for the keyed hash of stored credentials (required; at least 32 bytes).
    #[arg(long, env = "KEY_HASH_SECRET", global = true, hide_env_values = true)]
    pub key_hash_secret: Option<String>,
    /// Maximum database connections [default: 2 × CPU cores]. More connections than the
    /// database's cores add queueing inside PostgreSQL and lengthen the latency tail.
    #[arg(long, env = "DB_POOL_SIZE", global = true)]
    pub db_pool_size: Option<u32>,
    /// How long a request waits for a database connection before answering 503 (ms).
    #[arg(
        long,
        env = "DB_POOL_TIMEOUT_MS",
        global = true,
        default_value_t = 2000
    )]
    pub db_pool_timeout_ms: u64,
    /// The longest a single SQL statement may run before PostgreSQL cancels it and the request
    /// answers 503 with `Retry-After` (ms; `statement_timeout` on every pooled connection).
    #[arg(
        long,
        env = "DB_STATEMENT_TIMEOUT_MS",
        global = true,
        default_value_t = 5000
    )]
    pub db_statement_timeout_ms: u64,
    /// A Ready agent whose last heartbeat is older than this becomes Unhealthy (seconds).
    #[arg(
        long,
        env = "HEARTBEAT_TTL_SECONDS",
        global = true,
        default_value_t = 90
    )]
    pub heartbeat_ttl_seconds: u64,
    /// How often the heartbeat monitor runs (seconds).
    #[arg(
        long,
        env = "HEARTBEAT_CHECK_INTERVAL_SECONDS",
        global = true,
        default_value_t = 15
    )]
    pub heartbeat_check_interval_seconds: u64,
    /// Log format: `pretty` or `json` (one JSON object per line). Filter with RUST_LOG.
    #[arg(long, env = "LOG_FORMAT", global = true, default_value = "pretty")]
    pub log_format: String,
    /// Run migrations at serve start (`true`/`false`).
    #[arg(long, env = "RUN_MIGRATIONS", global = true, default_value_t = true, action = ArgAction::Set)]
    pub run_migrations: bool,
    /// Who may register agents: `any` authenticated non-agent principal, or `admin` only.
    #[arg(long, env = "AGENT_CREATORS", global = true, default_value = "any")]
    pub agent_creators: String,
    /// How long a request body may take to arrive before 408 and a closed connection (seconds).
    #[arg(
        long,
        env = "BODY_READ_TIMEOUT_SECONDS",
        global = true,
        default_value_t = 10
    )]
    pub body_read_timeout_seconds: u64,
    /// Requests one authenticated principal may have in flight; more are refused with 429.
    #[arg(
        long,
        env = "MAX_INFLIGHT_PER_PRINCIPAL",
        global = true,
        default_value_t = 32
    )]
    pub max_inflight_per_principal: usize,
    /// How long a request may take from arrival to answer before 503 with Retry-After
    /// (seconds).
    #[arg(
        long,
        env = "REQUEST_TIMEOUT_SECONDS",
        global = true,
        default_value_t = 30
    )]
    pub request_timeout_seconds: u64,
    /// The longest an event stream (`GET /events/stream`) stays silent before a keep-alive
    /// comment (milliseconds, 1..=15000).
    #[arg(
        long,
        env = "SSE_KEEPALIVE_MS",
        global = true,
        default_value_t = 15_000
    )]
    pub sse_keepalive_ms: u64,
    /// How often each replica polls the change feed's head, the fallback to LISTEN/NOTIFY for
    /// waking event streams (milliseconds, 10..=1000).
    #[arg(long, env = "FEED_POLL_MS", global = true, default_value_t = 250)]
    pub feed_poll_ms: u64,
    /// Browser origins allowed by CORS, comma-separated (e.g. https://console.example.com);
    /// unset: no CORS headers.
    #[arg(
        long,
        env = "CORS_ALLOWED_ORIGINS",
        global = true,
        value_delimiter = ','
    )]
    pub cors_allowed_origins: Vec<String>,
    /// `max_agents` of a new org created without one (unset: unlimited).
    #[arg(long, env = "DEFAULT_ORG_MAX_AGENTS", global = true)]
    pub default_org_max_agents: Option<u32>,
    /// When set, GET /metrics needs `Authorization: Bearer <this token>`.
    #[arg(long, env = "METRICS_TOKEN", global = true, hide_env_values = true)]
    pub metrics_token: Option<String>,
    /// Webhook targets may be plain `http` URLs (`true`/`false`; default false: https only).
    #[arg(long, env = "WEBHOOK_ALLOW_HTTP", global = true, default_value_t = false, action = ArgAction::Set)]
    pub webhook_allow_http: bool,
    /// Webhook targets may be (or resolve to) loopback, private, link-local or unspecified
    /// addresses (`true`/`false`; default false).
    #[arg(long, env = "WEBHOOK_ALLOW_PRIVATE_TARGETS", global = true, default_value_t = false, action = ArgAction::Set)]
    pub webhook_allow_private_targets: bool,
    /// Timeout of one webhook delivery attempt (seconds).
    #[arg(
        long,
        env = "WEBHOOK_TIMEOUT_SECONDS",
        global = true,
        default_value_t = 10
    )]
    pub webhook_timeout_seconds: u64,
    /// How long a rotated-out webhook secret keeps signing beside the new one (seconds).
    #[arg(
        long,
        env = "WEBHOOK_SECRET_OVERLAP_SECONDS",
        global = true,
        default_value_t = 86_400
    )]
    pub webhook_secret_overlap_seconds: u64,
    /// Webhook subscriptions this replica delivers to at once.
    #[arg(long, env = "WEBHOOK_CONCURRENCY", global = true, default_value_t = 16)]
    pub webhook_concurrency: usize,
    /// How long a failing event is retried before its subscription is marked `failing`
    /// (seconds; at least 24 h in production).
    #[arg(
        long,
        env = "WEBHOOK_RETRY_WINDOW_SECONDS",
        global = true,
        default_value_t = 86_400
    )]
    pub webhook_retry_window_seconds: u64,
    /// Attempts each webhook's delivery log keeps, the newest (1..=100000); older ones are
    /// dropped as new ones are logged.
    #[arg(
        long,
        env = "WEBHOOK_DELIVERY_LOG_KEEP",
        global = true,
        default_value_t = registry_webhooks::DELIVERY_LOG_KEEP
    )]
    pub webhook_delivery_log_keep: u32,
    /// An Ed25519 PKCS#8 PEM key file: served A2A cards are signed with its first key, and every
    /// key in it is published at /.well-known/jwks.json (docs/discovery.md, key rotation).
    #[arg(long, env = "CARD_SIGNING_KEY_FILE", global = true)]
    pub card_signing_key_file: Option<std::path::PathBuf>,
    /// HTTP worker threads (default: the number of CPU cores).
    #[arg(long, env = "WORKERS", global = true)]
    pub workers: Option<usize>,
    /// DANGEROUS: disable authorization; requests without credentials act as the admin. Logs a
    /// warning at every start.
    #[arg(long, env = "INSECURE_NO_AUTH", global = true, action = ArgAction::SetTrue)]
    pub insecure_no_auth: bool,
}

#[cfg(test)]
pub(crate) mod tests;
