//! What `serve` accepts, refuses (each setting with its message) and derives.

use super::*;
use crate::cli::tests::settings;

const SECRET: &str = "0123456789abcdef0123456789abcdef";
const ADMIN: &str = "admin-token-0123";

/// The flags of a valid `serve` with `extra` (which replace the valid ones they name).
fn serve_with(extra: &[&str]) -> Result<ServeConfig, String> {
    let secret = format!("--key-hash-secret={SECRET}");
    let admin = format!("--admin-token={ADMIN}");
    let valid = ["--database-url=postgres://db/x", &secret, &admin];
    let named = |flag: &str| flag.split('=').next().unwrap_or(flag).to_owned();
    let mut args: Vec<&str> = valid
        .into_iter()
        .filter(|v| !extra.iter().any(|e| named(e) == named(v)))
        .collect();
    args.extend_from_slice(extra);
    serve_config(&settings(&args))
}

/// The message `serve` refuses `extra` with.
fn refusal(extra: &[&str]) -> String {
    serve_with(extra).expect_err(&format!("{extra:?} was accepted"))
}

#[test]
fn a_valid_configuration_carries_every_setting() {
    let cfg = serve_with(&[
        "--bind=0.0.0.0:9000",
        "--db-pool-size=4",
        "--db-pool-timeout-ms=250",
        "--db-statement-timeout-ms=750",
        "--heartbeat-ttl-seconds=30",
        "--heartbeat-check-interval-seconds=5",
        "--run-migrations=false",
        "--agent-creators=admin",
        "--body-read-timeout-seconds=3",
        "--max-inflight-per-principal=8",
        "--workers=2",
    ])
    .unwrap();
    assert_eq!(cfg.database_url, "postgres://db/x");
    assert_eq!(cfg.bind, "0.0.0.0:9000");
    assert_eq!(cfg.admin_token, ADMIN);
    assert_eq!(cfg.key_hash_secret, SECRET.as_bytes());
    assert_eq!(cfg.pool_size, 4);
    assert_eq!(cfg.pool_timeout, Duration::from_millis(250));
    assert_eq!(cfg.statement_timeout, Duration::from_millis(750));
    assert_eq!(cfg.heartbeat_ttl, Duration::from_secs(30));
    assert_eq!(cfg.heartbeat_interval, Duration::from_secs(5));
    assert!(!cfg.run_migrations);
    assert!(matches!(cfg.creators, CreatorPolicy::AdminOnly));
    assert_eq!(cfg.workers, 2);
    assert_eq!(cfg.limits.body_read_timeout, Duration::from_secs(3));
    assert_eq!(cfg.limits.max_inflight_per_principal, 8);
    assert!(!cfg.insecure);
}

#[test]
fn defaults_derive_the_pool_workers_and_slots_from_the_cores() {
    let cfg = serve_with(&[]).unwrap();
    let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
    assert_eq!(cfg.pool_size as usize, 2 * cores);
    assert_eq!(cfg.workers, cores);
    assert_eq!(
        cfg.limits.execution_slots, cfg.pool_size as usize,
        "as many handlers run as the pool has connections"
    );
    assert_eq!(cfg.bind, "127.0.0.1:8080");
    assert_eq!(cfg.pool_timeout, Duration::from_millis(2000));
    assert_eq!(cfg.statement_timeout, Duration::from_millis(5000));
    assert_eq!(cfg.heartbeat_ttl, Duration::from_secs(90));
    assert_eq!(cfg.heartbeat_interval, Duration::from_secs(15));
    assert!(cfg.run_migrations);
    assert!(matches!(cfg.creators, CreatorPolicy::AnyAuthenticated));
    assert_eq!(cfg.limits.body_read_timeout, Duration::from_secs(10));
    assert_eq!(cfg.limits.max_inflight_per_principal, 32);
}

#[test]
fn execution_slots_follow_an_explicit_pool_size() {
    let cfg = serve_with(&["--db-pool-size=3", "--workers=8"]).unwrap();
    assert_eq!((cfg.pool_size, cfg.limits.execution_slots), (3, 3));
    assert_eq!(cfg.workers, 8);
    // The connection cap each worker gets leaves room for the pool (fds.rs has its arithmetic).
    assert_eq!(
        crate::fds::max_connections_per_worker(1024, cfg.workers, cfg.pool_size),
        (1024 - 256 - 3) / 8
    );
}

#[test]
fn each_refused_setting_says_what_it_needs() {
    let cases = [
        (
            "--database-url=  ",
            "DATABASE_URL is required (e.g. postgres://postgres@127.0.0.1:5432/registry)",
        ),
        (
            "--key-hash-secret=",
            "KEY_HASH_SECRET is required (at least 32 bytes; e.g. `openssl rand -hex 32`)",
        ),
        (
            "--key-hash-secret=0123456789abcdef0123456789abcde",
            "KEY_HASH_SECRET must be at least 32 bytes (got 31)",
        ),
        (
            "--admin-token=",
            "ADMIN_TOKEN is required (at least 16 characters)",
        ),
        (
            "--admin-token=admin-token-012",
            "ADMIN_TOKEN must be at least 16 characters",
        ),
        (
            "--bind=localhost",
            "BIND must be host:port (got \"localhost\")",
        ),
        ("--db-pool-size=0", "DB_POOL_SIZE must be at least 1"),
        (
            "--db-pool-timeout-ms=0",
            "DB_POOL_TIMEOUT_MS must be at least 1",
        ),
        (
            "--db-statement-timeout-ms=0",
            "DB_STATEMENT_TIMEOUT_MS must be at least 1",
        ),
        (
            "--heartbeat-ttl-seconds=0",
            "HEARTBEAT_TTL_SECONDS must be at least 1",
        ),
        (
            "--heartbeat-check-interval-seconds=0",
            "HEARTBEAT_CHECK_INTERVAL_SECONDS must be at least 1",
        ),
        (
            "--log-format=xml",
            "LOG_FORMAT must be json or pretty (got \"xml\")",
        ),
        (
            "--agent-creators=everyone",
            "AGENT_CREATORS must be any or admin (got \"everyone\")",
        ),
        (
            "--body-read-timeout-seconds=0",
            "BODY_READ_TIMEOUT_SECONDS must be at least 1",
        ),
        (
            "--max-inflight-per-principal=0",
            "MAX_INFLIGHT_PER_PRINCIPAL must be at least 1",
        ),
        (
            "--request-timeout-seconds=0",
            "REQUEST_TIMEOUT_SECONDS must be at least 1",
        ),
        (
            "--cors-allowed-origins=https://ok.example,console.example.com",
            "CORS_ALLOWED_ORIGINS: \"console.example.com\" is not an origin (scheme://host[:port])",
        ),
        (
            "--cors-allowed-origins=https://ok.example/path",
            "CORS_ALLOWED_ORIGINS: \"https://ok.example/path\" is not an origin (scheme://host[:port])",
        ),
        (
            "--metrics-token=short",
            "METRICS_TOKEN must be at least 16 characters",
        ),
        ("--workers=0", "WORKERS must be at least 1"),
        (
            "--webhook-delivery-log-keep=0",
            "WEBHOOK_DELIVERY_LOG_KEEP must be between 1 and 100000",
        ),
        (
            "--webhook-delivery-log-keep=100001",
            "WEBHOOK_DELIVERY_LOG_KEEP must be between 1 and 100000",
        ),
    ];
    for (flag, message) in cases {
        assert_eq!(refusal(&[flag]), message, "{flag}");
    }
}

#[test]
fn every_problem_is_reported_at_once_one_per_line() {
    let all = serve_config(&settings(&[
        "--bind=nowhere",
        "--db-pool-size=0",
        "--log-format=xml",
        "--workers=0",
    ]))
    .unwrap_err();
    assert_eq!(
        all.lines().collect::<Vec<_>>(),
        [
            "DATABASE_URL is required (e.g. postgres://postgres@127.0.0.1:5432/registry)",
            "KEY_HASH_SECRET is required (at least 32 bytes; e.g. `openssl rand -hex 32`)",
            "ADMIN_TOKEN is required (at least 16 characters)",
            "BIND must be host:port (got \"nowhere\")",
            "DB_POOL_SIZE must be at least 1",
            "LOG_FORMAT must be json or pretty (got \"xml\")",
            "WORKERS must be at least 1",
        ]
    );
}

#[test]
fn the_admin_token_is_counted_in_characters_and_not_needed_when_insecure() {
    let sixteen = format!("--admin-token={}", "é".repeat(16));
    assert_eq!(serve_with(&[&sixteen]).unwrap().admin_token, "é".repeat(16));
    let fifteen = format!("--admin-token={}", "é".repeat(15));
    assert_eq!(
        refusal(&[&fifteen]),
        "ADMIN_TOKEN must be at least 16 characters",
        "30 bytes, 15 characters"
    );
    let insecure = serve_with(&["--admin-token=", "--insecure-no-auth"]).unwrap();
    assert!(insecure.insecure);
    assert_eq!(insecure.admin_token, "");
    assert!(serve_with(&["--admin-token=short", "--insecure-no-auth"]).is_ok());
}

#[test]
fn bind_takes_a_socket_address_or_any_host_port() {
    for bind in [
        "127.0.0.1:0",
        "[::1]:8080",
        "registry.internal:80",
        "localhost:8080",
    ] {
        let flag = format!("--bind={bind}");
        assert_eq!(serve_with(&[&flag]).unwrap().bind, bind);
    }
}

#[test]
fn the_subcommands_own_requirements_are_checked_alone() {
    let none = settings(&[]);
    assert_eq!(
        database_url(&none).unwrap_err(),
        "DATABASE_URL is required (e.g. postgres://postgres@127.0.0.1:5432/registry)"
    );
    assert_eq!(
        key_hash_secret(&none).unwrap_err(),
        "KEY_HASH_SECRET is required (at least 32 bytes; e.g. `openssl rand -hex 32`)"
    );
    let given = settings(&[
        "--database-url= postgres://db/x ",
        &format!("--key-hash-secret={SECRET}"),
    ]);
    assert_eq!(database_url(&given).unwrap(), "postgres://db/x", "trimmed");
    assert_eq!(key_hash_secret(&given).unwrap(), SECRET.as_bytes());
}

#[test]
fn cors_origins_and_the_metrics_token_are_carried_over() {
    let cfg = serve_with(&[
        "--cors-allowed-origins=https://a.example, http://localhost:3000/",
        "--metrics-token=metrics-token-0123456789",
        "--request-timeout-seconds=7",
    ])
    .unwrap();
    assert_eq!(
        cfg.cors_origins,
        ["https://a.example", "http://localhost:3000"]
    );
    assert_eq!(
        cfg.metrics_token.as_deref(),
        Some("metrics-token-0123456789")
    );
    assert_eq!(
        cfg.limits.request_timeout,
        std::time::Duration::from_secs(7)
    );
    let plain = serve_with(&[]).unwrap();
    assert!(plain.cors_origins.is_empty() && plain.metrics_token.is_none());
}
