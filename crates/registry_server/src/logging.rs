//! Tracing setup: JSON or pretty lines on stderr, filtered by RUST_LOG (default `info`).
//!
//! Lines are formatted on the thread that logs them and written to stderr in batches by a
//! thread of their own (`log_writer`): a request never waits for a `write(2)` of its log line.
//! [`LogGuard`] writes what is still in memory when it is dropped, so `main` keeps it until the
//! very end. JSON lines (`json_line`) are written field by field into the line's buffer and
//! carry the request's id as `span` (`{"request_id": …, "name": "request"}`).

use crate::json_line::JsonLine;
use crate::log_writer::{batched, Flusher};
use std::io::IsTerminal;
use tracing_subscriber::fmt::format::JsonFields;
use tracing_subscriber::EnvFilter;

/// Keeps the log writer thread running; dropping it writes every line still in memory.
#[must_use = "dropping the guard stops the log writer"]
pub struct LogGuard {
    _flusher: Flusher,
}

/// Installs the global subscriber (`json` or anything else = pretty). Pretty lines are coloured
/// only when stderr is a terminal: a log file or a collector gets no escape sequences.
pub fn init(format: &str) -> LogGuard {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    // Without a writer thread (it could not start), each line is written where it is logged.
    let (writer, flusher) = batched(std::io::stderr(), std::io::stderr());
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(std::io::stderr().is_terminal())
        .with_writer(writer);
    if format == "json" {
        let _ = builder
            .fmt_fields(JsonFields::new())
            .event_format(JsonLine)
            .try_init();
    } else {
        let _ = builder.try_init();
    }
    LogGuard { _flusher: flusher }
}
