//! A throwaway PostgreSQL cluster, started when nothing listens at the test server URL but
//! PostgreSQL's server binaries are installed. It runs as a non-root user (`postgres` when we
//! are root), with trust auth, on the URL's port, and is left running for later runs.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

/// Where `initdb` and `pg_ctl` live, newest version first; `None` when not installed.
fn server_bin_dir() -> Option<PathBuf> {
    let mut dirs: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
        .map(|entries| {
            entries
                .filter_map(Result::ok)
                .map(|e| e.path().join("bin"))
                .filter(|bin| bin.join("initdb").exists())
                .collect()
        })
        .unwrap_or_default();
    dirs.sort_by_key(|d| {
        d.parent()
            .and_then(Path::file_name)
            .and_then(|v| v.to_str())
            .and_then(|v| v.parse::<u32>().ok())
            .unwrap_or(0)
    });
    if let Some(newest) = dirs.pop() {
        return Some(newest);
    }
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .find(|dir| dir.join("initdb").exists() && dir.join("pg_ctl").exists())
}

/// Whether this process runs as root (then the cluster runs as `postgres`).
fn running_as_root() -> bool {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("Uid:"))
                .and_then(|l| l.split_whitespace().nth(1).map(|uid| uid == "0"))
        })
        .unwrap_or(false)
}

/// Runs `program args` (as `postgres` when root), returning an error text on failure.
fn run_as_server_user(program: &Path, args: &[&str]) -> Result<(), String> {
    let mut cmd = if running_as_root() {
        let mut c = Command::new("runuser");
        c.args(["-u", "postgres", "--"]).arg(program);
        c
    } else {
        Command::new(program)
    };
    let out = cmd
        .args(args)
        .output()
        .map_err(|e| format!("cannot run {}: {e}", program.display()))?;
    if out.status.success() {
        Ok(())
    } else {
        Err(format!(
            "{} {:?} failed: {}{}",
            program.display(),
            args,
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ))
    }
}

/// Starts (creating it if needed) the throwaway cluster for `port`, unless another test
/// process is already doing so; returns once `ready()` answers or with why it could not.
/// `Ok(false)` means PostgreSQL's server binaries are not installed.
pub(crate) fn start(port: u16, ready: impl Fn() -> bool) -> Result<bool, String> {
    let Some(bin) = server_bin_dir() else {
        return Ok(false);
    };
    let root = std::env::temp_dir().join(format!("registry-test-pg-{port}"));
    let lock = root.with_extension("lock");
    let deadline = Instant::now() + Duration::from_secs(120);
    // The lock directory makes one process (of the many a test run starts) the starter.
    loop {
        if ready() {
            return Ok(true);
        }
        match std::fs::create_dir(&lock) {
            Ok(()) => break,
            Err(_) if Instant::now() < deadline => std::thread::sleep(Duration::from_millis(200)),
            Err(_) => {
                // The starter died: take over.
                let _ = std::fs::remove_dir(&lock);
            }
        }
    }
    let started = init_and_start(&bin, &root, port);
    let _ = std::fs::remove_dir(&lock);
    started?;
    while Instant::now() < deadline {
        if ready() {
            return Ok(true);
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    Err(format!(
        "throwaway cluster in {} did not answer",
        root.display()
    ))
}

fn init_and_start(bin: &Path, root: &Path, port: u16) -> Result<(), String> {
    let data = root.join("data");
    let data_s = data.to_string_lossy().into_owned();
    let root_s = root.to_string_lossy().into_owned();
    std::fs::create_dir_all(root).map_err(|e| format!("cannot create {root_s}: {e}"))?;
    if running_as_root() {
        let status = Command::new("chown")
            .args(["postgres:postgres", &root_s])
            .status()
            .map_err(|e| format!("chown: {e}"))?;
        if !status.success() {
            return Err(format!("chown postgres {root_s} failed"));
        }
    }
    if !data.join("PG_VERSION").exists() {
        run_as_server_user(
            &bin.join("initdb"),
            &[
                "-D",
                &data_s,
                "-U",
                "postgres",
                "--auth=trust",
                "-E",
                "UTF8",
                "--no-sync",
            ],
        )?;
    }
    let options = format!(
        "-p {port} -k {root_s} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=300"
    );
    let log = root.join("server.log").to_string_lossy().into_owned();
    run_as_server_user(
        &bin.join("pg_ctl"),
        &["-D", &data_s, "-l", &log, "-o", &options, "-w", "start"],
    )
}
