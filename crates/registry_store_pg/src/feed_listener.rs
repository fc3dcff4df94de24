//! The feed's wake-ups from PostgreSQL (ADR 0010): one thread per process with a connection of
//! its own that LISTENs on [`FEED_CHANNEL`], sends one NOTIFY there after this process's
//! writes (at most one per tick, outside every writing transaction: a NOTIFY inside one would
//! serialize all commits), and polls the feed's head as the fallback for what no notification
//! announces (the heartbeat monitor's writes, the watermark passing events that committed
//! behind an older transaction, a lost connection).

use diesel::pg::PgConnection;
use diesel::prelude::*;
use diesel::sql_types::BigInt;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// The channel every replica listens on.
pub const FEED_CHANNEL: &str = "registry_feed";

/// How often the thread reads arrived notifications and sends its own.
const TICK: Duration = Duration::from_millis(20);

/// How long the thread waits before reconnecting after an error.
const RECONNECT_AFTER: Duration = Duration::from_secs(1);

/// Tells the listener thread that this process wrote events (it then NOTIFYs the others).
#[derive(Debug, Clone, Default)]
pub struct FeedNotifier {
    pending: Arc<AtomicBool>,
}

impl FeedNotifier {
    /// This process committed a write: notify the other replicas at the next tick.
    pub fn written(&self) {
        self.pending.store(true, Ordering::Release);
    }
}

/// The feed's head as the fallback poll reads it: the watermark and the last event id handed
/// out; either moving means streams may have something new.
#[derive(Debug, PartialEq, QueryableByName)]
struct Head {
    #[diesel(sql_type = BigInt)]
    watermark: i64,
    #[diesel(sql_type = BigInt)]
    last_id: i64,
}

const HEAD_SQL: &str = "SELECT agent_events_watermark() AS watermark, \
                        (SELECT last_value FROM agent_events_id_seq) AS last_id";

/// Starts the listener thread on `database_url`: it calls `wake` on every notification, on
/// every change of the head seen by the poll (every `poll`), and on each (re)connection.
/// Returns the handle through which this process announces its writes. The thread lives as
/// long as the process.
pub fn spawn_feed_listener(
    database_url: String,
    poll: Duration,
    wake: impl Fn() + Send + 'static,
) -> std::io::Result<FeedNotifier> {
    let notifier = FeedNotifier::default();
    let pending = notifier.pending.clone();
    std::thread::Builder::new()
        .name("feed-listener".to_owned())
        .spawn(move || loop {
            if let Err(err) = listen(&database_url, poll, &wake, &pending) {
                tracing::warn!(error = %err, "feed listener: reconnecting");
            }
            std::thread::sleep(RECONNECT_AFTER);
        })?;
    Ok(notifier)
}

/// One connection's life: LISTEN, then tick until an error.
fn listen(
    database_url: &str,
    poll: Duration,
    wake: &impl Fn(),
    pending: &AtomicBool,
) -> Result<(), Box<dyn std::error::Error>> {
    let mut conn = PgConnection::establish(database_url)?;
    diesel::sql_query(format!("LISTEN {FEED_CHANNEL}")).execute(&mut conn)?;
    wake();
    let mut head: Option<Head> = None;
    let mut polled = Instant::now();
    loop {
        let mut heard = false;
        for notification in conn.notifications_iter() {
            notification?;
            heard = true;
        }
        if heard {
            wake();
        }
        if pending.swap(false, Ordering::AcqRel) {
            diesel::sql_query(format!("NOTIFY {FEED_CHANNEL}")).execute(&mut conn)?;
        }
        if polled.elapsed() >= poll {
            polled = Instant::now();
            let now: Head = diesel::sql_query(HEAD_SQL).get_result(&mut conn)?;
            if head.as_ref() != Some(&now) {
                head = Some(now);
                wake();
            }
        }
        std::thread::sleep(TICK);
    }
}
