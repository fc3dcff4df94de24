//! Black-box test harness: starts the built `agent-registry` binary on a fresh PostgreSQL
//! database (from `registry_test_db`) and talks HTTP to it, as a client would.
//!
//! The e2e tests (`tests/e2e/`, one module per area) use [`TestServer`] and [`Client`].
#![allow(clippy::unwrap_used, clippy::expect_used)]

pub mod load;

use diesel::connection::SimpleConnection;
use registry_test_db::TestDatabase;
use serde_json::Value;
use std::io::Read;
use std::net::TcpListener;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

/// The admin token every test server is started with.
pub const ADMIN_TOKEN: &str = "e2e-admin-token-0123456789";

/// Path of the `agent-registry` binary: `AGENT_REGISTRY_BIN` if set (`just abuse` runs the
/// release build), else the debug build, built once per test process (a no-op when `just test`
/// already built it).
pub fn binary() -> PathBuf {
    static BIN: OnceLock<PathBuf> = OnceLock::new();
    BIN.get_or_init(|| {
        if let Some(bin) = std::env::var_os("AGENT_REGISTRY_BIN") {
            return PathBuf::from(bin);
        }
        let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..");
        let status = Command::new(env!("CARGO"))
            .args([
                "build",
                "-q",
                "-p",
                "registry_server",
                "--bin",
                "agent-registry",
            ])
            .current_dir(&root)
            .status()
            .expect("cargo build runs");
        assert!(status.success(), "building agent-registry failed");
        let target = std::env::var_os("CARGO_TARGET_DIR")
            .map(PathBuf::from)
            .unwrap_or_else(|| root.join("target"));
        let bin = target.join("debug").join("agent-registry");
        assert!(
            bin.exists(),
            "agent-registry not found at {}",
            bin.display()
        );
        bin
    })
    .clone()
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

/// A running `agent-registry serve` on its own database. Killed (and the database dropped) on drop.
pub struct TestServer {
    /// `http://127.0.0.1:<port>`.
    pub base: String,
    child: Child,
    log: PathBuf,
    /// The database (dropped after the server is killed).
    pub db: TestDatabase,
}

impl TestServer {
    /// Starts a server with the default test configuration.
    pub fn start() -> Self {
        Self::start_with(&[])
    }

    /// Starts a server with extra environment variables (overriding the defaults).
    pub fn start_with(env: &[(&str, &str)]) -> Self {
        let db = TestDatabase::new();
        Self::start_on(db, env)
    }

    /// Starts a server on an existing database.
    pub fn start_on(db: TestDatabase, env: &[(&str, &str)]) -> Self {
        let (base, child, log) = launch(db.url(), env);
        let mut server = TestServer {
            base,
            child,
            log,
            db,
        };
        server.wait_ready();
        server
    }

    /// Another `agent-registry serve` on this server's database: a replica behind the same
    /// load balancer, as operators run them. Killed on drop (before the database is).
    pub fn replica(&self, env: &[(&str, &str)]) -> Replica {
        let (base, mut child, log) = launch(self.db.url(), env);
        await_ready(&base, &mut child, &log);
        Replica { base, child, log }
    }
}

/// A second server on another's database ([`TestServer::replica`]).
pub struct Replica {
    /// `http://127.0.0.1:<port>`.
    pub base: String,
    child: Child,
    log: PathBuf,
}

impl Replica {
    /// A server on a database the test manages itself (`db_url` verbatim, e.g. a failover
    /// cluster's multi-host URL), started and awaited like any other. Killed on drop.
    pub fn start_on_url(db_url: &str, env: &[(&str, &str)]) -> Self {
        let (base, mut child, log) = launch(db_url, env);
        await_ready(&base, &mut child, &log);
        Replica { base, child, log }
    }

    /// The server's process id (the same one for its whole life: it is never restarted).
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// The exit status, if the process has exited.
    pub fn exited(&mut self) -> Option<std::process::ExitStatus> {
        self.child.try_wait().unwrap()
    }

    /// Everything the server wrote to stderr so far.
    pub fn logs(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    /// A client authenticated as the admin.
    pub fn admin(&self) -> Client {
        Client::new(&self.base, Some(ADMIN_TOKEN))
    }

    /// A client with the given bearer token.
    pub fn with_token(&self, token: &str) -> Client {
        Client::new(&self.base, Some(token))
    }
}

impl Drop for Replica {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_file(&self.log);
    }
}

/// Waits until the server at `base` answers `/readyz` with 200 (panics with its log after 30 s
/// or when it exits).
fn await_ready(base: &str, child: &mut Child, log: &PathBuf) {
    let deadline = Instant::now() + Duration::from_secs(30);
    let logs = || std::fs::read_to_string(log).unwrap_or_default();
    while Instant::now() < deadline {
        if let Ok(Some(status)) = child.try_wait() {
            panic!("agent-registry exited with {status}:\n{}", logs());
        }
        if let Ok(r) = ureq::get(&format!("{base}/readyz")).call() {
            if r.status() == 200 {
                return;
            }
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    panic!("agent-registry not ready after 30 s:\n{}", logs());
}

/// Spawns `agent-registry serve` on `db_url` with the test configuration and `env`; returns its
/// base URL, process and log file.
fn launch(db_url: &str, env: &[(&str, &str)]) -> (String, Child, PathBuf) {
    {
        let port = free_port();
        let log = std::env::temp_dir().join(format!(
            "agent-registry-e2e-{port}-{}.log",
            std::process::id()
        ));
        let log_file = std::fs::File::create(&log).unwrap();
        let mut cmd = Command::new(binary());
        cmd.arg("serve")
            .env_clear()
            .env("PATH", std::env::var("PATH").unwrap_or_default())
            .env("DATABASE_URL", db_url)
            .env("BIND", format!("127.0.0.1:{port}"))
            .env("ADMIN_TOKEN", ADMIN_TOKEN)
            .env("KEY_HASH_SECRET", "e2e-key-hash-secret-0123456789abcdef")
            .env("DB_POOL_SIZE", "4")
            .env("WORKERS", "2")
            .env("LOG_FORMAT", "json")
            .env("RUST_LOG", "info")
            .stdout(Stdio::null())
            .stderr(log_file.try_clone().unwrap());
        for (k, v) in env {
            cmd.env(k, v);
        }
        let child = cmd.spawn().expect("agent-registry starts");
        (format!("http://127.0.0.1:{port}"), child, log)
    }
}

impl TestServer {
    fn wait_ready(&mut self) {
        await_ready(&self.base, &mut self.child, &self.log);
    }

    /// Everything the server wrote to stderr so far.
    pub fn logs(&self) -> String {
        let mut s = String::new();
        if let Ok(mut f) = std::fs::File::open(&self.log) {
            let _ = f.read_to_string(&mut s);
        }
        s
    }

    /// [`logs`](Self::logs) once they contain `needle`, waiting up to 5 s: the server writes
    /// its log lines from a thread of their own, so a line may reach the file just after the
    /// response that it logs. Returns what was there at the deadline otherwise.
    pub fn logs_containing(&self, needle: &str) -> String {
        let deadline = Instant::now() + Duration::from_secs(5);
        loop {
            let logs = self.logs();
            if logs.contains(needle) || Instant::now() >= deadline {
                return logs;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// Sends SIGTERM and waits for the exit status.
    pub fn terminate(&mut self) -> std::process::ExitStatus {
        self.send_sigterm();
        self.wait_exit(Duration::from_secs(30))
    }

    /// Sends SIGTERM (without waiting).
    pub fn send_sigterm(&self) {
        let status = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status()
            .expect("kill runs");
        assert!(status.success(), "kill -TERM {} failed", self.child.id());
    }

    /// The exit status, if the process has exited.
    pub fn exited(&mut self) -> Option<std::process::ExitStatus> {
        self.child.try_wait().unwrap()
    }

    /// Waits up to `within` for the process to exit (panics, with the log, if it does not).
    pub fn wait_exit(&mut self, within: Duration) -> std::process::ExitStatus {
        let deadline = Instant::now() + within;
        loop {
            if let Some(status) = self.exited() {
                return status;
            }
            assert!(
                Instant::now() < deadline,
                "agent-registry still running {within:?} after SIGTERM:\n{}",
                self.logs()
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// The rows of `sql`, a query of one text column named `t`, on the server's database.
    pub fn texts(&self, sql: &str) -> Vec<String> {
        #[derive(diesel::QueryableByName)]
        struct Row {
            #[diesel(sql_type = diesel::sql_types::Text)]
            t: String,
        }
        let rows: Vec<Row> =
            diesel::RunQueryDsl::load(diesel::sql_query(sql), &mut self.db.connect())
                .unwrap_or_else(|e| panic!("{sql}: {e}"));
        rows.into_iter().map(|r| r.t).collect()
    }

    /// Every grant row (`agent_id principal role created_at`), ordered.
    pub fn grant_rows(&self) -> Vec<String> {
        self.texts(
            "SELECT concat_ws(' ', agent_id, principal, role, created_at) AS t FROM grants \
             ORDER BY agent_id, principal",
        )
    }

    /// Takes `LOCK TABLE <table> IN ACCESS EXCLUSIVE MODE` in a transaction on a connection of
    /// its own: every statement of the server on that table waits until [`TableLock::release`].
    pub fn lock_table(&self, table: &str) -> TableLock {
        let mut conn = self.db.connect();
        conn.batch_execute(&format!(
            "BEGIN; LOCK TABLE {table} IN ACCESS EXCLUSIVE MODE"
        ))
        .unwrap();
        TableLock { conn }
    }

    /// How many of the database's sessions are waiting for a lock right now.
    pub fn lock_waiters(&self) -> usize {
        self.texts(
            "SELECT count(*)::text AS t FROM pg_stat_activity \
             WHERE datname = current_database() AND wait_event_type = 'Lock'",
        )[0]
        .parse()
        .unwrap()
    }

    /// Waits (up to 10 s) until a session of the server waits for a lock: a request is in flight.
    pub fn wait_for_lock_waiter(&self) {
        let deadline = Instant::now() + Duration::from_secs(10);
        while self.lock_waiters() == 0 {
            assert!(
                Instant::now() < deadline,
                "no statement ever waited for the lock"
            );
            std::thread::sleep(Duration::from_millis(10));
        }
    }

    /// Kills the server with SIGKILL (no shutdown of any kind, as a crash) and starts a new one
    /// on the same database and port-free address with `env`; waits until it is ready.
    pub fn kill_and_restart(&mut self, env: &[(&str, &str)]) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let (base, child, log) = launch(self.db.url(), env);
        let _ = std::fs::remove_file(&self.log);
        (self.base, self.child, self.log) = (base, child, log);
        self.wait_ready();
    }

    /// The process id.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// A client authenticated as the admin.
    pub fn admin(&self) -> Client {
        Client::new(&self.base, Some(ADMIN_TOKEN))
    }

    /// A client without credentials.
    pub fn anonymous(&self) -> Client {
        Client::new(&self.base, None)
    }

    /// A client with the given bearer token.
    pub fn with_token(&self, token: &str) -> Client {
        Client::new(&self.base, Some(token))
    }

    /// Creates a service token for `user:<name>` (as the admin) and returns its client.
    pub fn user(&self, name: &str) -> Client {
        let r = self.admin().post(
            "/service_tokens",
            &serde_json::json!({"name": name, "kind": "user"}),
        );
        assert_eq!(r.status, 201, "creating token for {name}: {}", r.body);
        let token = r.json()["token"].as_str().unwrap().to_owned();
        self.with_token(&token)
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_file(&self.log);
    }
}

/// A table lock held by the test's own connection ([`TestServer::lock_table`]).
pub struct TableLock {
    conn: diesel::PgConnection,
}

impl TableLock {
    /// Commits, releasing the lock.
    pub fn release(mut self) {
        self.conn.batch_execute("COMMIT").unwrap();
    }
}

/// A tiny HTTP client with an optional bearer token.
#[derive(Clone)]
pub struct Client {
    base: String,
    token: Option<String>,
    /// Sent with every request (e.g. `X-Registry-Org`).
    headers: Vec<(String, String)>,
    agent: ureq::Agent,
}

/// A response: status, headers (lower-cased names) and body text.
#[derive(Debug, Clone)]
pub struct Resp {
    /// HTTP status.
    pub status: u16,
    /// Headers, names lower-cased.
    pub headers: Vec<(String, String)>,
    /// Body text.
    pub body: String,
}

impl Resp {
    /// The body as JSON (panics with the body when it is not JSON).
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.body))
    }

    /// A header value.
    pub fn header(&self, name: &str) -> Option<&str> {
        let name = name.to_ascii_lowercase();
        self.headers
            .iter()
            .find(|(k, _)| *k == name)
            .map(|(_, v)| v.as_str())
    }
}

impl Client {
    /// A client for `base` with an optional bearer token.
    pub fn new(base: &str, token: Option<&str>) -> Self {
        Self {
            base: base.to_owned(),
            token: token.map(str::to_owned),
            headers: Vec::new(),
            agent: ureq::AgentBuilder::new()
                .timeout(Duration::from_secs(30))
                .build(),
        }
    }

    /// The same client sending `X-Registry-Org: <slug>` (the platform admin acting in an org).
    pub fn in_org(&self, slug: &str) -> Self {
        let mut client = self.clone();
        client
            .headers
            .push(("X-Registry-Org".to_owned(), slug.to_owned()));
        client
    }

    /// The bearer token, if any.
    pub fn token(&self) -> Option<&str> {
        self.token.as_deref()
    }

    /// A request builder with the token set.
    pub fn request(&self, method: &str, path: &str) -> ureq::Request {
        let mut req = self
            .agent
            .request(method, &format!("{}{}", self.base, path));
        if let Some(t) = &self.token {
            req = req.set("Authorization", &format!("Bearer {t}"));
        }
        for (name, value) in &self.headers {
            req = req.set(name, value);
        }
        req
    }

    /// Sends a prepared request (with an optional raw body) and collects the response.
    pub fn send(req: ureq::Request, body: Option<&str>) -> Resp {
        let result = match body {
            Some(b) => req.set("Content-Type", "application/json").send_string(b),
            None => req.call(),
        };
        let resp = match result {
            Ok(r) => r,
            Err(ureq::Error::Status(_, r)) => r,
            Err(e) => panic!("transport error: {e}"),
        };
        let status = resp.status();
        let headers = resp
            .headers_names()
            .into_iter()
            .map(|n| {
                let v = resp.header(&n).unwrap_or_default().to_owned();
                (n.to_ascii_lowercase(), v)
            })
            .collect();
        let body = resp.into_string().unwrap_or_default();
        Resp {
            status,
            headers,
            body,
        }
    }

    /// GET.
    pub fn get(&self, path: &str) -> Resp {
        Self::send(self.request("GET", path), None)
    }

    /// DELETE.
    pub fn delete(&self, path: &str) -> Resp {
        Self::send(self.request("DELETE", path), None)
    }

    /// POST with a JSON body.
    pub fn post(&self, path: &str, body: &Value) -> Resp {
        Self::send(self.request("POST", path), Some(&body.to_string()))
    }

    /// POST without a body.
    pub fn post_empty(&self, path: &str) -> Resp {
        Self::send(self.request("POST", path), None)
    }

    /// PUT with a JSON body.
    pub fn put(&self, path: &str, body: &Value) -> Resp {
        Self::send(self.request("PUT", path), Some(&body.to_string()))
    }

    /// PATCH with a JSON body.
    pub fn patch(&self, path: &str, body: &Value) -> Resp {
        Self::send(self.request("PATCH", path), Some(&body.to_string()))
    }

    /// PATCH with a JSON body and `If-Match: <etag>`.
    pub fn patch_if_match(&self, path: &str, etag: &str, body: &Value) -> Resp {
        Self::send(
            self.request("PATCH", path).set("If-Match", etag),
            Some(&body.to_string()),
        )
    }

    /// POST with a raw (possibly malformed) body.
    pub fn post_raw(&self, path: &str, body: &str) -> Resp {
        Self::send(self.request("POST", path), Some(body))
    }

    /// Grants `role` on agent `agent_id` to `principal` (`POST /agents/{agent_id}/grants`).
    pub fn grant(&self, agent_id: &str, principal: &str, role: &str) -> Resp {
        self.post(
            &format!("/agents/{agent_id}/grants"),
            &serde_json::json!({"principal": principal, "role": role}),
        )
    }

    /// Registers a build of `name` and returns the agent JSON (asserting the peer's 200).
    pub fn register_build(&self, name: &str) -> Value {
        let r = self.post(
            "/agents/register-build",
            &serde_json::json!({"name": name, "description": format!("{name} agent")}),
        );
        assert_eq!(r.status, 200, "register-build {name}: {}", r.body);
        r.json()
    }

    /// Deploy-time registration of `name` by name (`POST /agents/register`, async, at
    /// `http://<name>:8000`): asserts the peer's 200 and returns the answer (`agent_api_key` is
    /// set when a key was minted).
    pub fn register(&self, name: &str) -> Value {
        let r = self.post(
            "/agents/register",
            &serde_json::json!({"name": name, "description": format!("{name} agent"),
                                "acp_url": format!("http://{name}:8000"), "acp_type": "async"}),
        );
        assert_eq!(r.status, 200, "register {name}: {}", r.body);
        r.json()
    }
}

/// Registers `n` builds (`flood-0`...) as `client`, 4 at a time (retrying 429s).
pub fn seed_agents(client: &Client, n: usize) {
    std::thread::scope(|s| {
        for t in 0..4 {
            s.spawn(move || {
                for i in (t..n).step_by(4) {
                    let body =
                        serde_json::json!({"name": format!("flood-{i}"), "description": "d"});
                    let mut r = client.post("/agents/register-build", &body);
                    while r.status == 429 {
                        std::thread::sleep(Duration::from_millis(20));
                        r = client.post("/agents/register-build", &body);
                    }
                    assert_eq!(r.status, 200, "seeding flood-{i}: {}", r.body);
                }
            });
        }
    });
}

/// The text of `json[member]` (panics, showing `json`, when it is not a string): ids, keys,
/// tokens.
pub fn text(json: &Value, member: &str) -> String {
    json[member]
        .as_str()
        .unwrap_or_else(|| panic!("no text {member:?} in {json}"))
        .to_owned()
}

/// A unique agent name for a test.
pub fn unique_name(prefix: &str) -> String {
    format!(
        "{prefix}-{}",
        &uuid::Uuid::new_v4().simple().to_string()[..12]
    )
}
