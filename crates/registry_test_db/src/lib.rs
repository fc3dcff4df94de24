#![doc = include_str!("../README.md")]

mod cluster;
mod templates;
mod url;

use diesel::pg::PgConnection;
use diesel::sql_types::{BigInt, Text};
use diesel::{Connection, QueryableByName, RunQueryDsl};
use registry_store_pg::{build_pool, run_migrations, PgPool, PoolSettings};
use std::sync::{Mutex, OnceLock};
use std::time::Duration;

/// The server tests use when `TEST_DATABASE_URL` is not set.
pub const DEFAULT_SERVER_URL: &str = "postgres://postgres@127.0.0.1:5432/postgres";

/// Prefix of every per-test database: `regtest_<creator pid>_<random>`.
const TEST_DB_PREFIX: &str = "regtest_";

/// Advisory lock key held while the template is created (`"regtmpl"`).
const TEMPLATE_LOCK_KEY: i64 = 0x0072_6567_746d_706c;

/// A fresh, migrated database of its own, dropped (`WITH (FORCE)`) when this value is dropped.
///
/// Created with `CREATE DATABASE ... TEMPLATE` from a template migrated once per migrations
/// fingerprint, so a new database costs a file copy, not a migration run.
pub struct TestDatabase {
    name: String,
    url: String,
}

impl TestDatabase {
    /// Creates the database. Panics (never skips) when no PostgreSQL can be reached or
    /// started, saying how to fix it.
    #[allow(clippy::new_without_default)]
    pub fn new() -> Self {
        let template = template();
        let name = format!(
            "{TEST_DB_PREFIX}{}_{:016x}",
            std::process::id(),
            rand::random::<u64>()
        );
        let mut admin = admin_connection();
        let create = format!("CREATE DATABASE {name} TEMPLATE {template}");
        let mut attempt = 0;
        loop {
            match diesel::sql_query(&create).execute(&mut admin) {
                Ok(_) => break,
                // Another session briefly touching the template: try again.
                Err(e) if attempt < 100 && e.to_string().contains("being accessed") => {
                    attempt += 1;
                    std::thread::sleep(Duration::from_millis(50));
                }
                Err(e) => panic!("cannot create test database {name}: {e}"),
            }
        }
        let url = url::with_database(&server_url(), &name);
        Self { name, url }
    }

    /// Its connection URL (e.g. for `DATABASE_URL` of a server under test).
    pub fn url(&self) -> &str {
        &self.url
    }

    /// A new pool of up to `max_size` connections to it.
    pub fn pool_of(&self, max_size: u32) -> PgPool {
        build_pool(
            &self.url,
            PoolSettings {
                max_size,
                connection_timeout: Duration::from_secs(10),
                statement_timeout: None,
            },
        )
    }

    /// One direct connection to it.
    pub fn connect(&self) -> PgConnection {
        establish(&self.url).unwrap_or_else(|e| panic!("cannot connect to {}: {e}", self.name))
    }

    /// The URL of the server's admin database (`TEST_DATABASE_URL`, or the throwaway
    /// cluster), for tests that need to create or inspect databases themselves.
    pub fn server_url() -> String {
        server_url()
    }
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        let drop_sql = format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", self.name);
        let dropped = establish(&server_url())
            .map_err(|e| e.to_string())
            .and_then(|mut admin| {
                diesel::sql_query(&drop_sql)
                    .execute(&mut admin)
                    .map_err(|e| e.to_string())
            });
        if let Err(e) = dropped {
            eprintln!("registry_test_db: could not drop {}: {e}", self.name);
        }
    }
}

/// The admin URL of the server every test database lives on, resolved once per process:
/// `TEST_DATABASE_URL` (default [`DEFAULT_SERVER_URL`]) if it answers; else a throwaway
/// cluster on its port when the server binaries are installed and the host is this machine;
/// else a panic saying what to do.
fn server_url() -> String {
    static URL: OnceLock<String> = OnceLock::new();
    URL.get_or_init(|| {
        let url = std::env::var("TEST_DATABASE_URL").unwrap_or_else(|_| DEFAULT_SERVER_URL.into());
        let url = url::plain_on_loopback(&url);
        let error = match PgConnection::establish(&url) {
            Ok(_) => {
                sweep_leftovers(&url);
                return url;
            }
            Err(e) => e.to_string(),
        };
        if url::is_local(&url) {
            let port = url::host_port(&url).1.unwrap_or(5432);
            let answers = || PgConnection::establish(&url).is_ok();
            match cluster::start(port, answers) {
                Ok(true) => {
                    sweep_leftovers(&url);
                    return url;
                }
                Ok(false) => {}
                Err(why) => panic!(
                    "PostgreSQL is not reachable at {url} ({error}) and starting a throwaway \
                     cluster failed: {why}"
                ),
            }
        }
        panic!(
            "PostgreSQL is not reachable at {url}: {error}\n\
             Start PostgreSQL (e.g. `scripts/ensure-postgres.sh` or `pg_ctlcluster 15 main start`) \
             or set TEST_DATABASE_URL to a server where the user may CREATE DATABASE. With \
             PostgreSQL's server binaries installed (initdb) and a local URL, the tests start a \
             throwaway cluster themselves."
        )
    })
    .clone()
}

fn admin_connection() -> PgConnection {
    let url = server_url();
    establish(&url).unwrap_or_else(|e| panic!("cannot connect to {url}: {e}"))
}

/// Connects to a server known to answer, retrying for up to 10 s while it refuses for a
/// transient reason (e.g. `too many clients` while many tests run at once).
fn establish(url: &str) -> Result<PgConnection, diesel::ConnectionError> {
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    loop {
        match PgConnection::establish(url) {
            Ok(conn) => return Ok(conn),
            Err(_) if std::time::Instant::now() < deadline => {
                std::thread::sleep(Duration::from_millis(50));
            }
            Err(e) => return Err(e),
        }
    }
}

#[derive(QueryableByName)]
struct Datname {
    #[diesel(sql_type = Text)]
    datname: String,
}

/// Drops the test databases of processes that no longer run on this machine (crashed runs).
/// Only for a local server: a pid means something only here.
fn sweep_leftovers(url: &str) {
    if !url::is_local(url) || !std::path::Path::new("/proc/self").exists() {
        return;
    }
    let Ok(mut admin) = PgConnection::establish(url) else {
        return;
    };
    let names: Vec<Datname> =
        diesel::sql_query("SELECT datname FROM pg_database WHERE datname LIKE 'regtest\\_%'")
            .load(&mut admin)
            .unwrap_or_default();
    for Datname { datname } in names {
        let pid = datname
            .strip_prefix(TEST_DB_PREFIX)
            .and_then(|rest| rest.split('_').next())
            .and_then(|pid| pid.parse::<u32>().ok());
        let Some(pid) = pid else { continue };
        if std::path::Path::new(&format!("/proc/{pid}")).exists() {
            continue;
        }
        let _ = diesel::sql_query(format!("DROP DATABASE IF EXISTS {datname} WITH (FORCE)"))
            .execute(&mut admin);
    }
}

#[derive(QueryableByName)]
struct IsTemplate {
    #[diesel(sql_type = diesel::sql_types::Bool)]
    datistemplate: bool,
}

/// The name of the migrated template, created once (by whichever test process gets the
/// advisory lock first; the others wait and then find it ready).
///
/// The process first takes its lease on the template, on a session kept open until the process
/// exits, so that no sweep drops the template under it; once the template is ready it sweeps
/// the templates of other migrations that nobody uses (see `templates`).
fn template() -> String {
    static TEMPLATE: OnceLock<(String, Mutex<PgConnection>)> = OnceLock::new();
    TEMPLATE
        .get_or_init(|| {
            let name = format!("regtpl_{}", env!("REGISTRY_MIGRATIONS_HASH"));
            let mut admin = admin_connection();
            templates::lease(&mut admin, &name)
                .unwrap_or_else(|e| panic!("lease on template {name}: {e}"));
            let lock = |conn: &mut PgConnection, sql: &str| {
                diesel::sql_query(sql)
                    .bind::<BigInt, _>(TEMPLATE_LOCK_KEY)
                    .execute(conn)
                    .unwrap_or_else(|e| panic!("template lock: {e}"))
            };
            lock(&mut admin, "SELECT pg_advisory_lock($1)");
            let existing: Option<IsTemplate> =
                diesel::sql_query("SELECT datistemplate FROM pg_database WHERE datname = $1")
                    .bind::<Text, _>(&name)
                    .get_result(&mut admin)
                    .ok();
            if !existing.is_some_and(|t| t.datistemplate) {
                create_template(&mut admin, &name);
            }
            lock(&mut admin, "SELECT pg_advisory_unlock($1)");
            templates::sweep_stale(&mut admin, &name);
            // Never used again: kept so that its session, and the lease, lasts as long as the
            // process.
            (name, Mutex::new(admin))
        })
        .0
        .clone()
}

/// Creates and migrates `name`, then marks it a template that accepts no connections.
fn create_template(admin: &mut PgConnection, name: &str) {
    let exec = |admin: &mut PgConnection, sql: String| {
        diesel::sql_query(&sql)
            .execute(admin)
            .unwrap_or_else(|e| panic!("{sql}: {e}"))
    };
    // A half-made template of a crashed run.
    exec(
        admin,
        format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"),
    );
    exec(admin, format!("CREATE DATABASE {name}"));
    {
        let url = url::with_database(&server_url(), name);
        let mut conn =
            establish(&url).unwrap_or_else(|e| panic!("cannot connect to template {name}: {e}"));
        run_migrations(&mut conn).unwrap_or_else(|e| panic!("migrating template {name}: {e}"));
    }
    exec(
        admin,
        format!("ALTER DATABASE {name} WITH IS_TEMPLATE true ALLOW_CONNECTIONS false"),
    );
}
