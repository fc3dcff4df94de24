//! The command line as `agent-registry` parses it: subcommands, flags, defaults, environment.

use super::{Cli, Command, Settings, TokensCommand};
use clap::{CommandFactory, FromArgMatches, Parser};

/// Every configuration flag beside the environment variable it also reads.
const FLAG_ENV: [(&str, &str); 30] = [
    ("database_url", "DATABASE_URL"),
    ("bind", "BIND"),
    ("admin_token", "ADMIN_TOKEN"),
    ("key_hash_secret", "KEY_HASH_SECRET"),
    ("db_pool_size", "DB_POOL_SIZE"),
    ("db_pool_timeout_ms", "DB_POOL_TIMEOUT_MS"),
    ("db_statement_timeout_ms", "DB_STATEMENT_TIMEOUT_MS"),
    ("heartbeat_ttl_seconds", "HEARTBEAT_TTL_SECONDS"),
    (
        "heartbeat_check_interval_seconds",
        "HEARTBEAT_CHECK_INTERVAL_SECONDS",
    ),
    ("log_format", "LOG_FORMAT"),
    ("run_migrations", "RUN_MIGRATIONS"),
    ("agent_creators", "AGENT_CREATORS"),
    ("body_read_timeout_seconds", "BODY_READ_TIMEOUT_SECONDS"),
    ("max_inflight_per_principal", "MAX_INFLIGHT_PER_PRINCIPAL"),
    ("request_timeout_seconds", "REQUEST_TIMEOUT_SECONDS"),
    ("sse_keepalive_ms", "SSE_KEEPALIVE_MS"),
    ("feed_poll_ms", "FEED_POLL_MS"),
    ("webhook_allow_http", "WEBHOOK_ALLOW_HTTP"),
    (
        "webhook_allow_private_targets",
        "WEBHOOK_ALLOW_PRIVATE_TARGETS",
    ),
    ("webhook_timeout_seconds", "WEBHOOK_TIMEOUT_SECONDS"),
    (
        "webhook_secret_overlap_seconds",
        "WEBHOOK_SECRET_OVERLAP_SECONDS",
    ),
    ("webhook_concurrency", "WEBHOOK_CONCURRENCY"),
    (
        "webhook_retry_window_seconds",
        "WEBHOOK_RETRY_WINDOW_SECONDS",
    ),
    ("webhook_delivery_log_keep", "WEBHOOK_DELIVERY_LOG_KEEP"),
    ("card_signing_key_file", "CARD_SIGNING_KEY_FILE"),
    ("cors_allowed_origins", "CORS_ALLOWED_ORIGINS"),
    ("metrics_token", "METRICS_TOKEN"),
    ("default_org_max_agents", "DEFAULT_ORG_MAX_AGENTS"),
    ("workers", "WORKERS"),
    ("insecure_no_auth", "INSECURE_NO_AUTH"),
];

/// `args` (after the program name) parsed as the binary parses them, but blind to the process
/// environment, so that what the machine running the tests exports changes nothing.
pub(crate) fn try_parse(args: &[&str]) -> Result<Cli, clap::Error> {
    let command = Cli::command().mut_args(|arg| arg.env(None));
    let matches = command
        .try_get_matches_from(std::iter::once("agent-registry").chain(args.iter().copied()))?;
    Cli::from_arg_matches(&matches)
}

/// `args` parsed (see [`try_parse`]); panics with clap's message when they are refused.
pub(crate) fn parse(args: &[&str]) -> Cli {
    try_parse(args).unwrap_or_else(|e| panic!("{args:?}: {e}"))
}

/// The settings of `args` (see [`try_parse`]).
pub(crate) fn settings(args: &[&str]) -> Settings {
    parse(args).settings
}

#[test]
fn without_a_subcommand_the_binary_serves() {
    assert!(parse(&[]).command.is_none(), "main runs `serve` then");
    assert!(matches!(parse(&["serve"]).command, Some(Command::Serve)));
    assert!(matches!(
        parse(&["migrate"]).command,
        Some(Command::Migrate)
    ));
}

#[test]
fn tokens_subcommands_take_their_arguments() {
    let action = |args: &[&str]| match parse(args).command {
        Some(Command::Tokens { action }) => action,
        other => panic!("{args:?}: {other:?}"),
    };
    assert!(matches!(
        action(&["tokens", "create", "ci"]),
        TokensCommand::Create { name, kind, org } if name == "ci" && kind == "user" && org == "default"
    ));
    assert!(matches!(
        action(&["tokens", "create", "ci", "--kind", "admin", "--org", "team-a"]),
        TokensCommand::Create { name, kind, org } if name == "ci" && kind == "admin" && org == "team-a"
    ));
    assert!(matches!(
        action(&["tokens", "list", "--org", "team-a"]),
        TokensCommand::List { org } if org == "team-a"
    ));
    assert!(matches!(
        action(&["tokens", "revoke", "0b7a"]),
        TokensCommand::Revoke { id, org } if id == "0b7a" && org == "default"
    ));
}

#[test]
fn missing_arguments_and_unknown_words_are_refused() {
    for args in [
        &["tokens"][..],
        &["tokens", "create"],
        &["tokens", "revoke"],
        &["tokens", "rotate"],
        &["deploy"],
        &["--no-such-flag"],
        &["--db-pool-size", "many"],
        &["--run-migrations", "maybe"],
        &["--insecure-no-auth=true"],
        &["--bind=a:1", "--bind=b:2"],
    ] {
        assert!(try_parse(args).is_err(), "{args:?} was accepted");
    }
}

#[test]
fn defaults_are_documented_ones() {
    let s = settings(&[]);
    assert_eq!(s.database_url, None);
    assert_eq!(s.bind, "127.0.0.1:8080");
    assert_eq!(s.admin_token, None);
    assert_eq!(s.key_hash_secret, None);
    assert_eq!(s.db_pool_size, None, "derived from the cores: config.rs");
    assert_eq!(s.db_pool_timeout_ms, 2000);
    assert_eq!(s.db_statement_timeout_ms, 5000);
    assert_eq!(s.heartbeat_ttl_seconds, 90);
    assert_eq!(s.heartbeat_check_interval_seconds, 15);
    assert_eq!(s.log_format, "pretty");
    assert!(s.run_migrations);
    assert_eq!(s.agent_creators, "any");
    assert_eq!(s.body_read_timeout_seconds, 10);
    assert_eq!(s.max_inflight_per_principal, 32);
    assert_eq!(s.workers, None, "derived from the cores: config.rs");
    assert!(!s.insecure_no_auth);
}

#[test]
fn every_flag_sets_its_setting_before_or_after_the_subcommand() {
    let flags = [
        "--database-url=postgres://db/x",
        "--bind=0.0.0.0:9",
        "--admin-token=t",
        "--key-hash-secret=k",
        "--db-pool-size=3",
        "--db-pool-timeout-ms=4",
        "--db-statement-timeout-ms=44",
        "--heartbeat-ttl-seconds=5",
        "--heartbeat-check-interval-seconds=6",
        "--log-format=json",
        "--run-migrations=false",
        "--agent-creators=admin",
        "--body-read-timeout-seconds=7",
        "--max-inflight-per-principal=8",
        "--workers=9",
        "--insecure-no-auth",
    ];
    let before: Vec<&str> = flags.iter().copied().chain(["tokens", "list"]).collect();
    let after: Vec<&str> = ["tokens", "list"].into_iter().chain(flags).collect();
    for args in [before, after] {
        let s = settings(&args);
        assert_eq!(s.database_url.as_deref(), Some("postgres://db/x"));
        assert_eq!(s.bind, "0.0.0.0:9");
        assert_eq!(s.admin_token.as_deref(), Some("t"));
        assert_eq!(s.key_hash_secret.as_deref(), Some("k"));
        assert_eq!(s.db_pool_size, Some(3));
        assert_eq!(s.db_pool_timeout_ms, 4);
        assert_eq!(s.db_statement_timeout_ms, 44);
        assert_eq!(s.heartbeat_ttl_seconds, 5);
        assert_eq!(s.heartbeat_check_interval_seconds, 6);
        assert_eq!(s.log_format, "json");
        assert!(!s.run_migrations);
        assert_eq!(s.agent_creators, "admin");
        assert_eq!(s.body_read_timeout_seconds, 7);
        assert_eq!(s.max_inflight_per_principal, 8);
        assert_eq!(s.workers, Some(9));
        assert!(s.insecure_no_auth);
    }
}

#[test]
fn every_flag_reads_its_environment_variable_and_secrets_stay_hidden() {
    let command = Cli::command();
    let settings: Vec<_> = command
        .get_arguments()
        .filter(|a| a.get_id() != "help" && a.get_id() != "version")
        .collect();
    assert_eq!(
        settings.len(),
        FLAG_ENV.len(),
        "a flag is missing from FLAG_ENV"
    );
    for (id, env) in FLAG_ENV {
        let arg = settings
            .iter()
            .find(|a| a.get_id() == id)
            .unwrap_or_else(|| panic!("no flag {id}"));
        assert_eq!(arg.get_env().and_then(|e| e.to_str()), Some(env), "{id}");
        assert!(arg.is_global_set(), "{id} is accepted after a subcommand");
        let secret = [
            "database_url",
            "admin_token",
            "key_hash_secret",
            "metrics_token",
        ]
        .contains(&id);
        assert_eq!(
            arg.is_hide_env_values_set(),
            secret,
            "{id}: --help shows its value?"
        );
    }
}

/// The one test that reads the process environment, as the binary does (each test of this
/// crate's others parse blind to it): the environment fills what no flag gives, a flag wins
/// over it, and boolean variables read `true`/`false`.
#[test]
fn the_environment_fills_what_flags_do_not_give_and_flags_win() {
    let vars = [
        ("DB_POOL_SIZE", "7"),
        ("LOG_FORMAT", "json"),
        ("RUN_MIGRATIONS", "false"),
        ("INSECURE_NO_AUTH", "true"),
    ];
    let saved: Vec<_> = vars
        .iter()
        .map(|(k, _)| (*k, std::env::var_os(k)))
        .collect();
    for (k, v) in vars {
        std::env::set_var(k, v);
    }
    let parsed = Cli::try_parse_from(["agent-registry", "--log-format", "pretty", "migrate"]);
    for (k, v) in saved {
        match v {
            Some(v) => std::env::set_var(k, v),
            None => std::env::remove_var(k),
        }
    }
    let s = parsed.unwrap().settings;
    assert_eq!(s.db_pool_size, Some(7));
    assert_eq!(s.log_format, "pretty", "the flag wins");
    assert!(!s.run_migrations);
    assert!(s.insecure_no_auth);
}
