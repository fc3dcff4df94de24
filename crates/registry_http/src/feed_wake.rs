//! [`FeedWake`]: how the event streams of this process learn that the feed may have moved, so
//! each reads the store only then (and at its keep-alive), not on a timer of its own.

use std::sync::Arc;
use tokio::sync::watch;

/// Called after a write this process answered (see [`FeedWake::with_on_write`]).
pub type OnWrite = Arc<dyn Fn() + Send + Sync>;

/// A wake-up counter shared by every event stream of the process. It is bumped after every
/// write request this process answers successfully (its events have committed by then), and
/// by whatever the server adds: the PostgreSQL listener bumps it on another replica's
/// notification and when its poll sees the feed's head move (the fallback; ADR 0010).
#[derive(Clone)]
pub struct FeedWake {
    sender: Arc<watch::Sender<u64>>,
    on_write: Option<OnWrite>,
}

impl Default for FeedWake {
    fn default() -> Self {
        Self::new()
    }
}

impl FeedWake {
    /// A counter bumped only by this process's own writes.
    pub fn new() -> Self {
        Self {
            sender: Arc::new(watch::channel(0).0),
            on_write: None,
        }
    }

    /// Also calls `on_write` after each successful write (the server tells other replicas).
    pub fn with_on_write(mut self, on_write: OnWrite) -> Self {
        self.on_write = Some(on_write);
        self
    }

    /// Wakes every stream: the feed may have moved.
    pub fn wake(&self) {
        self.sender.send_modify(|n| *n = n.wrapping_add(1));
    }

    /// A receiver that sees the next wake-up.
    pub(crate) fn subscribe(&self) -> watch::Receiver<u64> {
        self.sender.subscribe()
    }

    /// A write request this process answered with success: wake the streams, tell the rest.
    pub(crate) fn written(&self) {
        self.wake();
        if let Some(on_write) = &self.on_write {
            on_write();
        }
    }
}
