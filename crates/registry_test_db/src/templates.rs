//! Leases on template databases, and the sweep of the templates of other migrations.
//!
//! A process using the template `regtpl_<hash>` holds a shared advisory lock on it, its lease,
//! from before it looks for the template until the process exits (the session that holds it
//! lives as long as the process). The sweep drops a template of another hash only while it
//! holds that lock exclusively, and only with `pg_try_advisory_lock`: it never waits, never
//! drops a template that a running test process (of this or another checkout) uses or is
//! creating, and two sweeps never work on the same template at once.

use diesel::pg::PgConnection;
use diesel::sql_types::{Bool, Integer, Text};
use diesel::{QueryResult, QueryableByName, RunQueryDsl};

/// First key of the lease locks (`"rtpl"`). The second is `hashtext(<template name>)`,
/// computed by the server so that every client, whatever it was built with, agrees on it.
/// Two-key advisory locks never collide with the one-key template-creation lock.
const LEASE_CLASS: i32 = 0x7274_706c;

/// The template names the sweep considers: `regtpl_` and 16 hex digits, as `template()` makes
/// them (so a match is also a plain SQL identifier).
const TEMPLATE_NAME_PATTERN: &str = "^regtpl_[0-9a-f]{16}$";

/// Takes this session's shared lease on `template`, waiting while a sweep holds it.
pub(crate) fn lease(conn: &mut PgConnection, template: &str) -> QueryResult<()> {
    diesel::sql_query("SELECT pg_advisory_lock_shared($1, hashtext($2))")
        .bind::<Integer, _>(LEASE_CLASS)
        .bind::<Text, _>(template)
        .execute(conn)
        .map(drop)
}

#[derive(QueryableByName)]
struct Datname {
    #[diesel(sql_type = Text)]
    datname: String,
}

#[derive(QueryableByName)]
struct Locked {
    #[diesel(sql_type = Bool)]
    locked: bool,
}

/// Drops every `regtpl_<hash>` database but `current` that no process holds a lease on, and
/// returns the names it dropped. Best effort: whatever fails (a template another sweep dropped
/// first, a database someone is connected to) is left for a later sweep.
pub(crate) fn sweep_stale(conn: &mut PgConnection, current: &str) -> Vec<String> {
    let names: Vec<Datname> =
        diesel::sql_query("SELECT datname FROM pg_database WHERE datname ~ $1 AND datname <> $2")
            .bind::<Text, _>(TEMPLATE_NAME_PATTERN)
            .bind::<Text, _>(current)
            .load(conn)
            .unwrap_or_default();
    names
        .into_iter()
        .filter(|t| drop_unleased(conn, &t.datname))
        .map(|t| t.datname)
        .collect()
}

/// Drops `template` if nobody holds a lease on it; whether it did.
fn drop_unleased(conn: &mut PgConnection, template: &str) -> bool {
    let locked = diesel::sql_query("SELECT pg_try_advisory_lock($1, hashtext($2)) AS locked")
        .bind::<Integer, _>(LEASE_CLASS)
        .bind::<Text, _>(template)
        .get_result::<Locked>(conn)
        .is_ok_and(|l| l.locked);
    if !locked {
        return false;
    }
    let dropped = drop_template(conn, template);
    let _ = diesel::sql_query("SELECT pg_advisory_unlock($1, hashtext($2))")
        .bind::<Integer, _>(LEASE_CLASS)
        .bind::<Text, _>(template)
        .execute(conn);
    dropped
}

/// `IS_TEMPLATE false` (PostgreSQL refuses to drop a template), then `DROP DATABASE` without
/// `FORCE`: templates accept no connections, so a session connected to one is a creation in
/// progress by a process that takes no lease, and that database is left alone. A template
/// already gone (another sweep won the race) is not an error, just not dropped here.
fn drop_template(conn: &mut PgConnection, template: &str) -> bool {
    let mut run = |sql: String| diesel::sql_query(sql).execute(&mut *conn).is_ok();
    run(format!("ALTER DATABASE {template} IS_TEMPLATE false"))
        && run(format!("DROP DATABASE {template}"))
}

#[cfg(test)]
mod tests {
    use super::{drop_unleased, lease, sweep_stale, Datname, Locked, LEASE_CLASS};
    use crate::{establish, server_url, template};
    use diesel::pg::PgConnection;
    use diesel::sql_types::{Integer, Text};
    use diesel::RunQueryDsl;

    fn connect() -> PgConnection {
        establish(&server_url()).unwrap_or_else(|e| panic!("cannot connect: {e}"))
    }

    fn exec(conn: &mut PgConnection, sql: &str) {
        diesel::sql_query(sql)
            .execute(conn)
            .unwrap_or_else(|e| panic!("{sql}: {e}"));
    }

    /// The templates among `names` that exist.
    fn existing(conn: &mut PgConnection, names: &[&str]) -> Vec<String> {
        let mut found: Vec<String> = diesel::sql_query(
            "SELECT datname FROM pg_database WHERE datistemplate AND datname = ANY($1)",
        )
        .bind::<diesel::sql_types::Array<Text>, _>(names)
        .load::<Datname>(conn)
        .unwrap_or_else(|e| panic!("listing templates: {e}"))
        .into_iter()
        .map(|d| d.datname)
        .collect();
        found.sort();
        found
    }

    /// Creates the template `name` the way a process of another checkout would: under its
    /// lease, which `holder` keeps until it lets go.
    fn fake_template(holder: &mut PgConnection, name: &str) {
        lease(holder, name).unwrap_or_else(|e| panic!("lease on {name}: {e}"));
        exec(holder, &format!("CREATE DATABASE {name}"));
        exec(
            holder,
            &format!("ALTER DATABASE {name} WITH IS_TEMPLATE true ALLOW_CONNECTIONS false"),
        );
    }

    /// Lets go of the lease `holder` took on `name`.
    fn release(holder: &mut PgConnection, name: &str) {
        diesel::sql_query("SELECT pg_advisory_unlock_shared($1, hashtext($2))")
            .bind::<Integer, _>(LEASE_CLASS)
            .bind::<Text, _>(name)
            .execute(holder)
            .unwrap_or_else(|e| panic!("releasing {name}: {e}"));
    }

    /// Whether another session could take a lease on `name` right now.
    fn leasable(conn: &mut PgConnection, name: &str) -> bool {
        diesel::sql_query("SELECT pg_try_advisory_lock_shared($1, hashtext($2)) AS locked")
            .bind::<Integer, _>(LEASE_CLASS)
            .bind::<Text, _>(name)
            .get_result::<Locked>(conn)
            .unwrap_or_else(|e| panic!("trying a lease on {name}: {e}"))
            .locked
    }

    #[test]
    fn templates_of_other_hashes_are_dropped_unless_leased_and_the_current_one_stays() {
        let current = template();
        let pid = std::process::id();
        let stale = format!("regtpl_deadbeef{pid:08x}");
        let in_use = format!("regtpl_deadbee0{pid:08x}");
        let names = [current.as_str(), stale.as_str(), in_use.as_str()];
        let mut holder = connect();
        fake_template(&mut holder, &stale);
        fake_template(&mut holder, &in_use);
        let mut admin = connect();
        let mut expected = vec![current.clone(), in_use.clone(), stale.clone()];
        expected.sort();
        assert_eq!(existing(&mut admin, &names), expected);

        // Its creator is gone: dropped (by this sweep, or by a concurrent test process's).
        release(&mut holder, &stale);
        sweep_stale(&mut admin, &current);
        let mut expected = vec![current.clone(), in_use.clone()];
        expected.sort();
        assert_eq!(existing(&mut admin, &names), expected);

        // Still leased until now.
        release(&mut holder, &in_use);
        sweep_stale(&mut admin, &current);
        assert_eq!(existing(&mut admin, &names), vec![current.clone()]);
    }

    #[test]
    fn a_template_already_gone_is_skipped_and_its_lease_lock_released() {
        let mut admin = connect();
        let gone = format!("regtpl_deadbee1{:08x}", std::process::id());
        assert!(!drop_unleased(&mut admin, &gone));
        // The sweep's exclusive lock is not left behind (it would stop every lease on it).
        assert!(leasable(&mut connect(), &gone));
    }
}
