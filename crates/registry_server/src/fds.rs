//! File descriptors: raise the soft `RLIMIT_NOFILE` to the hard limit, and cap connections
//! below it so a flood of connections meets a full accept queue, not `EMFILE` everywhere
//! (database connections, log files).

/// Descriptors kept out of the connection budget besides the pool's: listeners, epoll, the
/// log, the runtime, libpq's own.
const RESERVED: u64 = 256;

/// Linux's default per-process ceiling (`fs.nr_open`); asking for more than it fails.
const CEILING: u64 = 1 << 20;

/// Raises the soft descriptor limit as far as allowed; returns the soft limit now in force.
pub fn raise_nofile_limit() -> u64 {
    rlimit::increase_nofile_limit(CEILING)
        .or_else(|_| rlimit::getrlimit(rlimit::Resource::NOFILE).map(|(soft, _)| soft))
        .unwrap_or(1024)
        .min(CEILING)
}

/// Connections each of `workers` may hold so that all of them, the pool and [`RESERVED`] fit
/// in `nofile` descriptors (at least 1).
pub fn max_connections_per_worker(nofile: u64, workers: usize, pool_size: u32) -> usize {
    let budget = nofile.saturating_sub(RESERVED + u64::from(pool_size));
    let per_worker = budget / (workers.max(1) as u64);
    usize::try_from(per_worker).unwrap_or(usize::MAX).max(1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn connections_fit_below_the_descriptor_limit() {
        assert_eq!(max_connections_per_worker(20_000, 2, 4), 9_870);
        assert_eq!(max_connections_per_worker(1024, 4, 8), 190);
        assert_eq!(max_connections_per_worker(100, 2, 4), 1);
        assert!(raise_nofile_limit() >= 1);
    }
}
