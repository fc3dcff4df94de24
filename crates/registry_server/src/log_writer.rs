//! A log writer that never makes a request wait for a system call: each formatted line is
//! appended to a shared in-memory batch (one lock, one copy, no allocation once the batch has
//! grown), and a thread of its own writes the batch to stderr every [`FLUSH_EVERY`] — or sooner,
//! once [`WAKE_BYTES`] have gathered. At ten thousand lines a second that is a few dozen writes
//! and wake-ups instead of ten thousand of each (a channel-based writer such as
//! tracing-appender's wakes its thread for nearly every line; measured in docs/benchmarks.md).
//!
//! Nothing is dropped: past [`MAX_BATCH_BYTES`] waiting to be written (stderr blocked), a
//! logging thread waits for the writer. [`Flusher`] writes what is left when dropped.

use std::io::Write;
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError};
use std::thread::JoinHandle;
use std::time::Duration;
use tracing_subscriber::fmt::MakeWriter;

/// The longest a line waits in memory before it is written.
pub const FLUSH_EVERY: Duration = Duration::from_millis(20);
/// A batch this large is written without waiting for [`FLUSH_EVERY`].
pub const WAKE_BYTES: usize = 64 * 1024;
/// Past this many bytes waiting, a logging thread waits until the writer has taken them.
pub const MAX_BATCH_BYTES: usize = 8 * 1024 * 1024;

/// The batch and the writer thread's signals.
#[derive(Default)]
struct Shared {
    state: Mutex<State>,
    /// Wakes the writer thread (a full batch, or closing).
    wake: Condvar,
    /// Wakes logging threads waiting for room.
    room: Condvar,
}

#[derive(Default)]
struct State {
    batch: Vec<u8>,
    closing: bool,
    /// Set when the writer thread could not start: each line is written here at once.
    direct: Option<Box<dyn Write + Send>>,
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, State> {
        // A panic while holding the lock cannot leave the batch half-written in a way that
        // matters for a log: keep going with what is there.
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn append(&self, line: &[u8]) {
        let mut state = self.lock();
        if let Some(out) = state.direct.as_mut() {
            let _ = out.write_all(line);
            return;
        }
        while state.batch.len() >= MAX_BATCH_BYTES && !state.closing {
            state = self
                .room
                .wait(state)
                .unwrap_or_else(PoisonError::into_inner);
        }
        state.batch.extend_from_slice(line);
        if state.batch.len() >= WAKE_BYTES {
            self.wake.notify_one();
        }
    }
}

/// The `MakeWriter` of the log subscriber: every line goes into the shared batch.
#[derive(Clone)]
pub struct BatchWriter {
    shared: Arc<Shared>,
}

/// One line's writer (what `BatchWriter::make_writer` hands out).
pub struct LineWriter<'a> {
    shared: &'a Shared,
}

impl Write for LineWriter<'_> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.shared.append(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl<'a> MakeWriter<'a> for BatchWriter {
    type Writer = LineWriter<'a>;

    fn make_writer(&'a self) -> Self::Writer {
        LineWriter {
            shared: &self.shared,
        }
    }
}

/// Keeps the writer thread running; dropping it writes every line still in memory and waits
/// for that write.
#[must_use = "dropping the flusher stops the log writer"]
pub struct Flusher {
    shared: Arc<Shared>,
    thread: Option<JoinHandle<()>>,
}

impl Drop for Flusher {
    fn drop(&mut self) {
        self.shared.lock().closing = true;
        self.shared.wake.notify_one();
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// A writer into `out` and the flusher that owns its thread. Should the thread not start,
/// each line is written into `fallback` by the thread that logs it.
pub fn batched<W: Write + Send + 'static>(
    out: W,
    fallback: impl Write + Send + 'static,
) -> (BatchWriter, Flusher) {
    let shared = Arc::new(Shared::default());
    let writer = BatchWriter {
        shared: Arc::clone(&shared),
    };
    let for_thread = Arc::clone(&shared);
    let thread = std::thread::Builder::new()
        .name("log-writer".to_owned())
        .spawn(move || write_batches(&for_thread, out));
    let thread = match thread {
        Ok(thread) => Some(thread),
        Err(_) => {
            shared.lock().direct = Some(Box::new(fallback));
            None
        }
    };
    (writer, Flusher { shared, thread })
}

/// The writer thread: take the batch every [`FLUSH_EVERY`] (or when woken), write it outside
/// the lock, until closing and nothing is left.
fn write_batches<W: Write>(shared: &Shared, mut out: W) {
    let mut spare: Vec<u8> = Vec::new();
    loop {
        let closing = {
            let mut state = shared.lock();
            if state.batch.len() < WAKE_BYTES && !state.closing {
                state = shared
                    .wake
                    .wait_timeout(state, FLUSH_EVERY)
                    .unwrap_or_else(PoisonError::into_inner)
                    .0;
            }
            std::mem::swap(&mut state.batch, &mut spare);
            state.closing
        };
        shared.room.notify_all();
        if !spare.is_empty() {
            // A failed write (stderr closed) loses those lines; there is nowhere to report it.
            let _ = out.write_all(&spare).and_then(|()| out.flush());
            spare.clear();
        }
        if closing && shared.lock().batch.is_empty() {
            return;
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    /// A `Write` into a shared buffer the test reads.
    #[derive(Clone, Default)]
    struct Sink(Arc<Mutex<Vec<u8>>>);

    impl Write for Sink {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(buf);
            Ok(buf.len())
        }

        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn every_line_is_written_in_order_by_the_time_the_flusher_is_dropped() {
        let sink = Sink::default();
        let (writer, flusher) = batched(sink.clone(), std::io::sink());
        let threads: Vec<_> = (0..4)
            .map(|t| {
                let writer = writer.clone();
                std::thread::spawn(move || {
                    for i in 0..5_000 {
                        let line = format!("t{t} line {i}\n");
                        writer.make_writer().write_all(line.as_bytes()).unwrap();
                    }
                })
            })
            .collect();
        for t in threads {
            t.join().unwrap();
        }
        drop(flusher);
        let written = String::from_utf8(sink.0.lock().unwrap().clone()).unwrap();
        assert_eq!(written.lines().count(), 20_000);
        for t in 0..4 {
            let mine: Vec<&str> = written
                .lines()
                .filter(|l| l.starts_with(&format!("t{t} ")))
                .collect();
            let expected: Vec<String> = (0..5_000).map(|i| format!("t{t} line {i}")).collect();
            assert_eq!(mine, expected, "thread {t}'s lines, whole and in order");
        }
    }

    #[test]
    fn a_line_reaches_the_output_within_the_flush_interval() {
        let sink = Sink::default();
        let (writer, _flusher) = batched(sink.clone(), std::io::sink());
        writer.make_writer().write_all(b"one line\n").unwrap();
        let deadline = std::time::Instant::now() + FLUSH_EVERY * 50;
        while sink.0.lock().unwrap().is_empty() {
            assert!(std::time::Instant::now() < deadline, "never written");
            std::thread::sleep(Duration::from_millis(2));
        }
        assert_eq!(&*sink.0.lock().unwrap(), b"one line\n");
    }
}
