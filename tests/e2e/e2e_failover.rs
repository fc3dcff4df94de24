//! A PostgreSQL failover under load, on the engine operators run (pg_auto_failover): a monitor
//! and two nodes on loopback ports with synchronous replication, the server given the
//! formation's multi-host URL (`target_session_attrs=read-write`). 16 clients create agents and
//! patch them; the primary's keeper is frozen and its PostgreSQL stopped with
//! `pg_ctl stop -m immediate` (the machine died); the monitor promotes the standby. Asserted:
//! every acknowledged create and patch is there afterwards, no answer was a 5xx other than 503
//! with `Retry-After`, the server process never restarted, and servers started after the
//! failover migrate through the new primary and serve. Printed: the counts and the seconds from
//! the kill to the first successful write.
//!
//! `pg_autoctl` refuses to run as root: as root the test runs it as the OS user `pgaf`
//! (`scripts/ensure-pg-auto-failover.sh`, run first, installs the package and creates the user).
//! Every process it starts is stopped on drop; every wait is bounded.

use registry_e2e::{text, Client, Replica, ADMIN_TOKEN};
use serde_json::json;
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::thread;
use std::time::{Duration, Instant};

/// Where Debian's PostgreSQL 15 (the version `postgresql-15-auto-failover` is built for) lives.
const PG_BIN: &str = "/usr/lib/postgresql/15/bin";
/// The unprivileged OS user that runs `pg_autoctl` when the test runs as root.
const OS_USER: &str = "pgaf";
/// Concurrent clients writing during the failover.
const CLIENTS: usize = 16;

/// Runs `cmd`, panicking with its output when it cannot start or fails.
fn run(cmd: &mut Command, what: &str) -> Output {
    let out = cmd
        .output()
        .unwrap_or_else(|e| panic!("{what}: cannot run {cmd:?}: {e}"));
    assert!(
        out.status.success(),
        "{what} failed ({}):\n{}{}",
        out.status,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

/// One `pg_autoctl ... --run` process (a monitor or a node). It stays in the test's process
/// group, so a test runner that kills the group on timeout stops it (and its PostgreSQL) too.
struct Keeper {
    pgdata: PathBuf,
    port: u16,
    child: Child,
}

/// A pg_auto_failover formation in a temporary directory, torn down on drop.
struct Cluster {
    dir: PathBuf,
    as_root: bool,
    keepers: Vec<Keeper>,
    frozen: Vec<u32>,
}

impl Cluster {
    /// An empty formation directory (owned by [`OS_USER`] when running as root).
    fn new() -> Self {
        run(
            &mut Command::new(concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/../scripts/ensure-pg-auto-failover.sh"
            )),
            "installing pg_auto_failover (postgresql-15-auto-failover) and its OS user",
        );
        assert!(
            Path::new(PG_BIN).join("pg_ctl").exists(),
            "PostgreSQL 15 binaries not found in {PG_BIN}: the failover test needs Debian's postgresql-15"
        );
        let uid = run(Command::new("id").arg("-u"), "id -u");
        let as_root = String::from_utf8_lossy(&uid.stdout).trim() == "0";
        let dir = std::env::temp_dir().join(format!("registry-failover-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        if as_root {
            run(
                Command::new("chown")
                    .arg(format!("{OS_USER}:{OS_USER}"))
                    .arg(&dir),
                "chown",
            );
        }
        run(Command::new("chmod").arg("700").arg(&dir), "chmod");
        Cluster {
            dir,
            as_root,
            keepers: Vec::new(),
            frozen: Vec::new(),
        }
    }

    /// `program` as the PostgreSQL OS user, its configuration kept in the formation directory.
    fn command(&self, program: &str) -> Command {
        let mut cmd = if self.as_root {
            let mut cmd = Command::new("setpriv");
            cmd.args([
                "--reuid",
                OS_USER,
                "--regid",
                OS_USER,
                "--init-groups",
                program,
            ]);
            cmd
        } else {
            Command::new(program)
        };
        cmd.env("HOME", &self.dir)
            .env("XDG_CONFIG_HOME", self.dir.join("config"))
            .env("XDG_DATA_HOME", self.dir.join("share"))
            .current_dir(&self.dir);
        cmd
    }

    /// Starts `pg_autoctl create <kind> ... --run` for a new data directory `name`.
    fn spawn(&mut self, name: &str, kind: &str, extra: &[&str]) -> u16 {
        let port = free_port();
        let pgdata = self.dir.join(name);
        let log = std::fs::File::create(self.dir.join(format!("{name}.log"))).unwrap();
        let child = self
            .command("pg_autoctl")
            .args(["create", kind, "--pgdata"])
            .arg(&pgdata)
            .args(["--pgport", &port.to_string(), "--hostname", "127.0.0.1"])
            .args(["--auth", "trust", "--no-ssl", "--pgctl"])
            .arg(Path::new(PG_BIN).join("pg_ctl"))
            .args(extra)
            .arg("--run")
            .stdin(Stdio::null())
            .stdout(log.try_clone().unwrap())
            .stderr(log)
            .spawn()
            .expect("pg_autoctl starts");
        self.keepers.push(Keeper {
            pgdata,
            port,
            child,
        });
        port
    }

    /// The single text value of `query` on `port`'s database `db`, or `None` if it failed.
    fn sql(port: u16, db: &str, query: &str) -> Option<String> {
        let out = Command::new("psql")
            .args([
                "-h",
                "127.0.0.1",
                "-p",
                &port.to_string(),
                "-U",
                OS_USER,
                "-d",
                db,
            ])
            .args(["-X", "-q", "-A", "-t", "-c", query])
            .env("PGCONNECT_TIMEOUT", "3")
            .output()
            .ok()?;
        out.status
            .success()
            .then(|| String::from_utf8_lossy(&out.stdout).trim().to_owned())
    }

    fn monitor_port(&self) -> u16 {
        self.keepers[0].port
    }

    /// The monitor's view: `name:reported/assigned` per node.
    fn states(&self) -> String {
        Self::sql(
            self.monitor_port(),
            "pg_auto_failover",
            "SELECT string_agg(nodename || ':' || reportedstate || '/' || goalstate, ' ' \
             ORDER BY nodename) FROM pgautofailover.node",
        )
        .unwrap_or_else(|| "(monitor unreachable)".to_owned())
    }

    /// Waits up to `within` for `done`, panicking with `what`, the monitor's view and the logs.
    fn wait(&self, what: &str, within: Duration, mut done: impl FnMut(&Self) -> bool) {
        let deadline = Instant::now() + within;
        while !done(self) {
            if Instant::now() >= deadline {
                panic!(
                    "pg_auto_failover: {what} not reached within {within:?}; monitor: {}\n{}",
                    self.states(),
                    self.log_tails()
                );
            }
            thread::sleep(Duration::from_millis(250));
        }
    }

    /// The last lines of every keeper's log.
    fn log_tails(&self) -> String {
        let mut all = String::new();
        for name in ["monitor", "node1", "node2"] {
            let log =
                std::fs::read_to_string(self.dir.join(format!("{name}.log"))).unwrap_or_default();
            let lines: Vec<&str> = log.lines().collect();
            let tail = lines[lines.len().saturating_sub(15)..].join("\n");
            all.push_str(&format!("--- {name}.log\n{tail}\n"));
        }
        all
    }

    /// A monitor tuned to detect a dead primary in seconds (the defaults take ~50 s: 20 s to
    /// call a node unhealthy, 30 s waiting for the old primary to acknowledge its demotion),
    /// then two nodes, synchronous; returns the formation's multi-host URL.
    fn start(&mut self) -> String {
        let monitor = self.spawn("monitor", "monitor", &[]);
        self.wait("the monitor", Duration::from_secs(240), |_| {
            Self::sql(
                monitor,
                "pg_auto_failover",
                "SELECT count(*) FROM pgautofailover.node",
            )
            .is_some()
        });
        let tuning = [
            ("health_check_period", 1000),
            ("health_check_timeout", 1000),
            ("health_check_max_retries", 1),
            ("health_check_retry_delay", 500),
            ("node_considered_unhealthy_timeout", 3000),
            ("primary_demote_timeout", 3000),
        ];
        for (name, value) in tuning {
            let set = format!("ALTER SYSTEM SET pgautofailover.{name} = {value}");
            assert!(
                Self::sql(monitor, "pg_auto_failover", &set).is_some(),
                "cannot tune the monitor: {set}"
            );
        }
        Self::sql(monitor, "pg_auto_failover", "SELECT pg_reload_conf()").unwrap();

        let monitor_uri =
            format!("postgres://autoctl_node@127.0.0.1:{monitor}/pg_auto_failover?sslmode=prefer");
        for (i, name) in ["node1", "node2"].into_iter().enumerate() {
            let node_args = [
                "--monitor",
                &monitor_uri,
                "--name",
                name,
                "--dbname",
                "registry",
            ];
            self.spawn(name, "postgres", &node_args);
            let expected = if i == 0 {
                "node1:single/single".to_owned()
            } else {
                "node1:primary/primary node2:secondary/secondary".to_owned()
            };
            self.wait(&expected, Duration::from_secs(300), |c| {
                c.states() == expected
            });
        }
        let uri = run(
            self.command("pg_autoctl")
                .args(["show", "uri", "--formation", "default", "--pgdata"])
                .arg(&self.keepers[0].pgdata),
            "pg_autoctl show uri",
        );
        String::from_utf8_lossy(&uri.stdout).trim().to_owned()
    }

    /// The keeper index and port of the node the monitor has made primary.
    fn primary(&self) -> (usize, u16) {
        let port: u16 = Self::sql(
            self.monitor_port(),
            "pg_auto_failover",
            "SELECT nodeport FROM pgautofailover.node \
             WHERE goalstate IN ('primary', 'wait_primary')",
        )
        .and_then(|p| p.parse().ok())
        .expect("one primary");
        let index = self.keepers.iter().position(|k| k.port == port).unwrap();
        (index, port)
    }

    /// The node dies as its machine would: its `pg_autoctl` processes are frozen (so nothing
    /// restarts PostgreSQL or answers the monitor) and PostgreSQL is stopped at once.
    fn kill_hard(&mut self, index: usize) {
        let keeper = self.keepers[index].child.id();
        let keepers = descendants(keeper)
            .into_iter()
            .filter(|(_, comm)| comm.starts_with("pg_autoctl"));
        for pid in std::iter::once(keeper).chain(keepers.map(|(pid, _)| pid)) {
            run(
                Command::new("kill").args(["-STOP", &pid.to_string()]),
                "kill -STOP",
            );
            self.frozen.push(pid);
        }
        let pg_ctl = Path::new(PG_BIN).join("pg_ctl");
        run(
            self.command(pg_ctl.to_str().unwrap())
                .args(["stop", "-m", "immediate", "-D"])
                .arg(&self.keepers[index].pgdata),
            "pg_ctl stop -m immediate",
        );
    }
}

/// The descendants of `root` (pid and command name), from `/proc`.
fn descendants(root: u32) -> Vec<(u32, String)> {
    let mut all = Vec::new();
    for entry in std::fs::read_dir("/proc").unwrap().flatten() {
        let Ok(pid) = entry.file_name().to_string_lossy().parse::<u32>() else {
            continue;
        };
        let Ok(stat) = std::fs::read_to_string(entry.path().join("stat")) else {
            continue;
        };
        // "pid (comm) state ppid ..."; comm may hold spaces, so split at its last ')'.
        let (Some(open), Some(close)) = (stat.find('('), stat.rfind(')')) else {
            continue;
        };
        let ppid = stat[close + 1..].split_whitespace().nth(1);
        if let Some(ppid) = ppid.and_then(|p| p.parse::<u32>().ok()) {
            all.push((pid, ppid, stat[open + 1..close].to_owned()));
        }
    }
    let mut found = Vec::new();
    let mut parents = vec![root];
    while let Some(parent) = parents.pop() {
        for (pid, ppid, comm) in &all {
            if *ppid == parent {
                parents.push(*pid);
                found.push((*pid, comm.clone()));
            }
        }
    }
    found
}

impl Drop for Cluster {
    fn drop(&mut self) {
        for pid in &self.frozen {
            let _ = Command::new("kill")
                .args(["-CONT", &pid.to_string()])
                .status();
        }
        for keeper in self.keepers.iter().rev() {
            let _ = self
                .command("pg_autoctl")
                .args(["stop", "--immediate", "--pgdata"])
                .arg(&keeper.pgdata)
                .output();
        }
        let pg_ctl = Path::new(PG_BIN).join("pg_ctl");
        let keepers = std::mem::take(&mut self.keepers);
        for mut keeper in keepers {
            let deadline = Instant::now() + Duration::from_secs(30);
            while keeper.child.try_wait().ok().flatten().is_none() && Instant::now() < deadline {
                thread::sleep(Duration::from_millis(100));
            }
            if keeper.child.try_wait().ok().flatten().is_none() {
                // The keeper and every process it started, by pid.
                let pid = keeper.child.id();
                for (child, _) in descendants(pid) {
                    let _ = Command::new("kill")
                        .args(["-KILL", &child.to_string()])
                        .status();
                }
                let _ = keeper.child.kill();
                let _ = keeper.child.wait();
            }
            if keeper.pgdata.join("postmaster.pid").exists() {
                let _ = self
                    .command(pg_ctl.to_str().unwrap())
                    .args(["stop", "-m", "immediate", "-D"])
                    .arg(&keeper.pgdata)
                    .output();
            }
        }
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// What the clients saw.
#[derive(Default)]
struct Ledger {
    /// Acknowledged agents: id and the description of the last acknowledged write (empty when
    /// a later patch got neither an acknowledgement nor a 503, which is booked as bad).
    acknowledged: Vec<(String, String)>,
    creates: usize,
    patches: usize,
    unavailable: usize,
    /// Answers that break the promise: a 5xx other than 503 with `Retry-After`, or any
    /// status the load does not expect.
    bad: Vec<String>,
    /// From the kill to the first successful write that started after it.
    recovered_after: Option<Duration>,
}

/// Shared between the clients and the test.
struct Load {
    stop: AtomicBool,
    killed_at: OnceLock<Instant>,
    ledger: Mutex<Ledger>,
    done_after_kill: AtomicUsize,
}

impl Load {
    /// Books one answer to a write that started at `started`; true if it was acknowledged.
    fn book(&self, what: &str, started: Instant, status: u16, retry_after: bool) -> bool {
        let mut ledger = self.ledger.lock().unwrap();
        match status {
            200 | 201 => {
                if let Some(killed) = self.killed_at.get().filter(|k| started > **k) {
                    let since = started.duration_since(*killed);
                    self.done_after_kill.fetch_add(1, Ordering::SeqCst);
                    let first = ledger.recovered_after.get_or_insert(since);
                    *first = (*first).min(since);
                }
                true
            }
            503 if retry_after => {
                ledger.unavailable += 1;
                false
            }
            _ => {
                ledger
                    .bad
                    .push(format!("{what}: {status} (Retry-After: {retry_after})"));
                false
            }
        }
    }
}

/// One client: creates an agent, then patches its description twice, retrying a patch that
/// got 503 until it is acknowledged (so the last acknowledged description is the one stored).
fn client(load: Arc<Load>, base: String, me: usize) {
    let admin = Client::new(&base, Some(ADMIN_TOKEN));
    let mut n = 0;
    while !load.stop.load(Ordering::SeqCst) {
        n += 1;
        let name = format!("failover-{me}-{n}");
        let started = Instant::now();
        let created = admin.post(
            "/agents/register-build",
            &json!({"name": name, "description": "v0"}),
        );
        let retry = created.header("retry-after").is_some();
        if !load.book("create", started, created.status, retry) {
            continue;
        }
        let id = text(&created.json(), "id");
        let index = {
            let mut ledger = load.ledger.lock().unwrap();
            ledger.creates += 1;
            ledger.acknowledged.push((id.clone(), "v0".to_owned()));
            ledger.acknowledged.len() - 1
        };
        for version in 1..=2 {
            let description = format!("v{version}");
            let give_up = Instant::now() + Duration::from_secs(120);
            loop {
                let started = Instant::now();
                let patched = admin.patch(
                    &format!("/agents/{id}"),
                    &json!({ "description": description }),
                );
                let retry = patched.header("retry-after").is_some();
                if load.book("patch", started, patched.status, retry) {
                    let mut ledger = load.ledger.lock().unwrap();
                    ledger.patches += 1;
                    ledger.acknowledged[index].1 = description.clone();
                    break;
                }
                if patched.status != 503 || Instant::now() > give_up {
                    // Booked as bad (or never acknowledged): the stored value is unknown now.
                    load.ledger.lock().unwrap().acknowledged[index].1.clear();
                    break;
                }
                thread::sleep(Duration::from_millis(50));
            }
        }
    }
}

#[test]
fn a_postgres_failover_under_load_loses_no_acknowledged_write() {
    let mut cluster = Cluster::new();
    let setup = Instant::now();
    let uri = cluster.start();
    let (old, old_port) = cluster.primary();
    let sync = Cluster::sql(old_port, "registry", "SHOW synchronous_standby_names").unwrap();
    assert!(!sync.is_empty(), "replication is not synchronous");
    println!(
        "pg_auto_failover formation up in {:.1} s: {uri} (synchronous_standby_names = {sync})",
        setup.elapsed().as_secs_f64()
    );

    let env = [
        ("PGUSER", OS_USER),
        ("PGCONNECT_TIMEOUT", "2"),
        ("DB_POOL_SIZE", "8"),
        ("DB_POOL_TIMEOUT_MS", "1000"),
        ("HEARTBEAT_CHECK_INTERVAL_SECONDS", "1"),
    ];
    let mut server = Replica::start_on_url(&uri, &env);
    let pid = server.pid();
    let load = Arc::new(Load {
        stop: AtomicBool::new(false),
        killed_at: OnceLock::new(),
        ledger: Mutex::new(Ledger::default()),
        done_after_kill: AtomicUsize::new(0),
    });
    let clients: Vec<_> = (0..CLIENTS)
        .map(|me| {
            let (load, base) = (load.clone(), server.base.clone());
            thread::spawn(move || client(load, base, me))
        })
        .collect();

    thread::sleep(Duration::from_secs(3));
    let before = load.ledger.lock().unwrap().creates;
    assert!(before > 0, "no write acknowledged before the kill");
    cluster.kill_hard(old);
    let killed = Instant::now();
    load.killed_at.set(killed).unwrap();
    println!("primary killed after {before} acknowledged creates");

    // Writes resume once the monitor has promoted the standby; then a few more seconds of load.
    let deadline = killed + Duration::from_secs(120);
    while load.done_after_kill.load(Ordering::SeqCst) == 0 && Instant::now() < deadline {
        thread::sleep(Duration::from_millis(50));
    }
    let recovered = load.done_after_kill.load(Ordering::SeqCst) > 0;
    if recovered {
        thread::sleep(Duration::from_secs(3));
    }
    load.stop.store(true, Ordering::SeqCst);
    for c in clients {
        c.join().expect("a client thread panicked");
    }
    let states = cluster.states();
    assert!(
        recovered,
        "no write succeeded within 120 s of the kill; monitor: {states}\n{}\nserver log:\n{}",
        cluster.log_tails(),
        server.logs()
    );

    let ledger = load.ledger.lock().unwrap();
    let admin = server.admin();
    let mut lost = Vec::new();
    for (id, description) in ledger.acknowledged.iter().filter(|(_, d)| !d.is_empty()) {
        let read = admin.get(&format!("/agents/{id}"));
        if read.status != 200 || read.json()["description"] != description.as_str() {
            lost.push(format!(
                "{id} (expected {description}): {} {}",
                read.status, read.body
            ));
        }
    }
    let recovery = ledger.recovered_after.unwrap();
    println!(
        "failover: acknowledged creates {}, acknowledged patches {}, agents checked {}, \
         present {}, lost {}; 503 + Retry-After seen {}; other 5xx or unexpected {}; \
         kill -> first successful write {:.2} s; monitor after: {states}",
        ledger.creates,
        ledger.patches,
        ledger.acknowledged.len(),
        ledger.acknowledged.len() - lost.len(),
        lost.len(),
        ledger.unavailable,
        ledger.bad.len(),
        recovery.as_secs_f64()
    );
    assert!(lost.is_empty(), "acknowledged writes lost: {lost:#?}");
    assert!(
        ledger.bad.is_empty(),
        "answers other than 2xx or 503 + Retry-After: {:?}",
        ledger.bad
    );
    assert!(
        server.exited().is_none(),
        "the server exited:\n{}",
        server.logs()
    );
    assert_eq!(server.pid(), pid);
    assert!(
        recovery < Duration::from_secs(60),
        "writes resumed only {recovery:?} after the kill"
    );
    let (new, _) = cluster.primary();
    assert_ne!(new, old, "the monitor promoted the standby");

    // Replicas starting together after the failover migrate (advisory-locked) through the new
    // primary and serve the same data.
    let (first_id, _) = ledger.acknowledged[0].clone();
    let starts: Vec<_> = (0..2)
        .map(|_| {
            let uri = uri.clone();
            thread::spawn(move || {
                let env = [("PGUSER", OS_USER), ("DB_POOL_SIZE", "2")];
                Replica::start_on_url(&uri, &env)
            })
        })
        .collect();
    for start in starts {
        let replica = start.join().expect("a replica starts after the failover");
        assert_eq!(
            replica.admin().get(&format!("/agents/{first_id}")).status,
            200
        );
    }
}
