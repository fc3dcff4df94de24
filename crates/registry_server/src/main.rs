#![doc = include_str!("../README.md")]

mod cli;
mod config;
mod fds;
mod json_line;
mod log_writer;
mod logging;
mod monitor;
mod tokens;
mod wiring;

use clap::Parser;
use cli::{Cli, Command};
use std::process::ExitCode;

/// jemalloc returns freed memory to the OS (ADR 0004).
#[global_allocator]
static ALLOCATOR: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

fn main() -> ExitCode {
    let cli = Cli::parse();
    let log = logging::init(&cli.settings.log_format);
    let system = actix_web::rt::System::new();
    let result = match cli.command.unwrap_or(Command::Serve) {
        Command::Serve => system.block_on(serve(&cli.settings)),
        Command::Migrate => system.block_on(migrate(&cli.settings)),
        Command::Tokens { action } => system.block_on(tokens::run(&cli.settings, action)),
    };
    // Every queued log line is written before the exit message (and before exiting).
    drop(log);
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("agent-registry: {message}");
            ExitCode::from(2)
        }
    }
}

/// `migrate`: apply pending migrations and exit.
async fn migrate(settings: &cli::Settings) -> Result<(), String> {
    let url = config::database_url(settings)?;
    let pool = registry_store_pg::build_pool(
        &url,
        registry_store_pg::PoolSettings {
            max_size: 1,
            connection_timeout: std::time::Duration::from_secs(10),
            statement_timeout: None,
        },
    );
    let applied = wiring::migrate(pool).await?;
    tracing::info!(applied = ?applied, "migrations applied");
    println!("{} migration(s) applied", applied.len());
    Ok(())
}

/// `serve`: migrations (unless disabled), the heartbeat monitor, the webhook worker, the HTTP
/// server; graceful shutdown on SIGTERM/SIGINT (in-flight requests drain, then the monitor and
/// the worker stop).
async fn serve(settings: &cli::Settings) -> Result<(), String> {
    let cfg = config::serve_config(settings).map_err(|e| format!("invalid configuration:\n{e}"))?;
    if cfg.insecure {
        tracing::warn!(
            "AUTHORIZATION IS DISABLED (--insecure-no-auth / INSECURE_NO_AUTH): requests without \
             credentials act as the admin. Never run this way in production."
        );
    }
    let pool = wiring::pool(&cfg);
    if cfg.run_migrations {
        let applied = wiring::migrate(pool.clone())
            .await
            .map_err(|e| format!("{e} (set RUN_MIGRATIONS=false to start without migrating)"))?;
        tracing::info!(applied = applied.len(), "migrations up to date");
    }
    let registry = wiring::registry(pool.clone(), wiring::registry_config(&cfg));
    let state = wiring::app_state(registry.clone(), pool.clone(), &cfg);
    let webhook_metrics = registry_webhooks::WebhookMetrics::new();
    for collector in webhook_metrics.collectors() {
        state
            .register_metrics(collector)
            .map_err(|e| format!("webhook metrics: {e}"))?;
    }
    let worker = wiring::webhook_worker(pool, &cfg, webhook_metrics)?;

    let feed_wake = state.feed_wake();
    actix_web::rt::spawn(async move {
        stop_signal().await;
        feed_wake.close();
    });
    let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
    let monitor = actix_web::rt::spawn(monitor::run(
        registry,
        cfg.heartbeat_interval,
        stop_rx.clone(),
    ));
    let webhooks = actix_web::rt::spawn(worker.run(stop_rx));

    let nofile = fds::raise_nofile_limit();
    let max_connections = fds::max_connections_per_worker(nofile, cfg.workers, cfg.pool_size);
    let server = actix_web::HttpServer::new(move || registry_http::build_app(state.clone()))
        .workers(cfg.workers)
        .max_connections(max_connections)
        .bind(&cfg.bind)
        .map_err(|e| format!("cannot listen on {}: {e}", cfg.bind))?
        .run();
    tracing::info!(
        bind = %cfg.bind,
        workers = cfg.workers,
        nofile,
        max_connections_per_worker = max_connections,
        "agent-registry listening"
    );
    let served = server.await;
    let _ = stop_tx.send(true);
    let _ = monitor.await;
    let _ = webhooks.await;
    tracing::info!("agent-registry stopped");
    served.map_err(|e| format!("server error: {e}"))
}

/// SIGTERM or SIGINT (the signals on which actix stops gracefully): the event streams end
/// then, so that open ones do not hold the graceful stop for its whole timeout.
async fn stop_signal() {
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut term) => {
                term.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    tokio::select! {
        _ = tokio::signal::ctrl_c() => {}
        () = term => {}
    }
}
