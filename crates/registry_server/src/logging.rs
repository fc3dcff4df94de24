//! Tracing setup: JSON or pretty lines on stderr, filtered by RUST_LOG (default `info`).
//!
//! Lines are formatted on the thread that logs them and handed to a writer thread
//! (tracing-appender's non-blocking writer), which writes them to stderr in batches: a request
//! never waits for a `write(2)` of its log line, and a burst of lines costs a few system calls
//! instead of one each. The queue holds up to [`QUEUED_LINES`] lines; past that a logging
//! thread waits for the writer (no line is dropped). [`LogGuard`] flushes what is queued when
//! it is dropped, so `main` keeps it until the very end.

use std::io::{BufWriter, IsTerminal};
use tracing_appender::non_blocking::{NonBlockingBuilder, WorkerGuard};
use tracing_subscriber::EnvFilter;

/// Lines queued for the writer thread before a logging thread waits for it.
pub const QUEUED_LINES: usize = 128_000;

/// Bytes the writer thread gathers before a `write(2)`; it also writes whenever the queue
/// runs empty, so a line never waits for more to come.
const WRITE_BUFFER_BYTES: usize = 64 * 1024;

/// Keeps the log writer thread running; dropping it writes every queued line and flushes.
#[must_use = "dropping the guard stops the log writer"]
pub struct LogGuard {
    _writer: WorkerGuard,
}

/// Installs the global subscriber (`json` or anything else = pretty). Pretty lines are coloured
/// only when stderr is a terminal: a log file or a collector gets no escape sequences.
pub fn init(format: &str) -> LogGuard {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    let (writer, guard) = NonBlockingBuilder::default()
        .lossy(false)
        .buffered_lines_limit(QUEUED_LINES)
        .thread_name("log-writer")
        .finish(BufWriter::with_capacity(
            WRITE_BUFFER_BYTES,
            std::io::stderr(),
        ));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(std::io::stderr().is_terminal())
        .with_writer(writer);
    if format == "json" {
        let _ = builder
            .json()
            .flatten_event(true)
            .with_current_span(true)
            .try_init();
    } else {
        let _ = builder.try_init();
    }
    LogGuard { _writer: guard }
}
