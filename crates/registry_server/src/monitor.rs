//! The heartbeat monitor: periodically marks Ready agents whose heartbeat is older than the TTL
//! Unhealthy (one idempotent statement, safe on many replicas). Errors are logged; it stops
//! when told to.

use registry_ports::ErrorChain;
use registry_usecases::Registry;
use std::time::Duration;
use tokio::sync::watch;

/// Runs until `stop` changes (or its sender is dropped).
pub async fn run(registry: Registry, every: Duration, mut stop: watch::Receiver<bool>) {
    let mut ticker = tokio::time::interval(every);
    ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            _ = ticker.tick() => {
                match registry.expire_heartbeats(time::OffsetDateTime::now_utc()).await {
                    Ok(ids) if !ids.is_empty() => {
                        tracing::info!(count = ids.len(), "heartbeat monitor marked agents Unhealthy");
                    }
                    Ok(_) => {}
                    Err(e) => tracing::warn!(error = %ErrorChain(&e), "heartbeat monitor run failed"),
                }
            }
            _ = stop.changed() => break,
        }
    }
    tracing::info!("heartbeat monitor stopped");
}
