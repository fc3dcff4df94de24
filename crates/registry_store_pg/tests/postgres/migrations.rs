//! Migrations: up, down, up again gives the same schema; CHECK sets equal the domain enums.

use diesel::migration::MigrationSource;
use diesel::prelude::*;
use diesel::sql_types::Text;
use diesel_migrations::MigrationHarness;
use registry_domain::{
    AcpType, AgentInputType, AgentStatus, ApiKeyType, DeploymentStatus, EventKind, Role,
};
use registry_store_pg::{run_migrations, MIGRATIONS};
use registry_test_db::TestDatabase;
use std::collections::BTreeSet;

#[derive(QueryableByName)]
struct Line {
    #[diesel(sql_type = Text)]
    line: String,
}

/// Every column, constraint, index, trigger and function of the public schema, one per line.
const SCHEMA_DUMP: &str = "
SELECT format('column %s.%s %s null=%s default=%s collation=%s', table_name, column_name,
              data_type, is_nullable, coalesce(column_default, '-'), coalesce(collation_name, '-')) AS line
  FROM information_schema.columns WHERE table_schema = 'public'
UNION ALL
SELECT format('constraint %s %s %s', conrelid::regclass, conname, pg_get_constraintdef(oid))
  FROM pg_constraint WHERE connamespace = 'public'::regnamespace
UNION ALL
SELECT format('index %s', indexdef) FROM pg_indexes WHERE schemaname = 'public'
UNION ALL
SELECT format('trigger %s', pg_get_triggerdef(t.oid)) FROM pg_trigger t
  JOIN pg_class c ON c.oid = t.tgrelid WHERE c.relnamespace = 'public'::regnamespace AND NOT t.tgisinternal
UNION ALL
SELECT format('function %s', pg_get_functiondef(p.oid)) FROM pg_proc p
  WHERE p.pronamespace = 'public'::regnamespace
ORDER BY 1";

fn dump(conn: &mut PgConnection) -> Vec<String> {
    diesel::sql_query(SCHEMA_DUMP)
        .load::<Line>(conn)
        .unwrap()
        .into_iter()
        .map(|l| l.line)
        .filter(|l| !l.contains("__diesel_schema_migrations"))
        .collect()
}

fn migration_count() -> usize {
    MigrationSource::<diesel::pg::Pg>::migrations(&MIGRATIONS)
        .unwrap()
        .len()
}

#[test]
fn up_down_up_gives_the_same_schema() {
    let db = TestDatabase::new();
    let mut conn = db.connect();
    let first = dump(&mut conn);
    assert!(first.iter().any(|l| l.contains("agents_live_name_key")));
    assert!(first.iter().any(|l| l.starts_with("trigger ")));

    let reverted = conn.revert_all_migrations(MIGRATIONS).unwrap().len();
    assert_eq!(reverted, migration_count());
    assert_eq!(
        dump(&mut conn),
        Vec::<String>::new(),
        "down left objects behind"
    );

    let applied = run_migrations(&mut conn).unwrap();
    assert_eq!(applied.len(), reverted);
    assert_eq!(dump(&mut conn), first);
    assert!(
        run_migrations(&mut conn).unwrap().is_empty(),
        "second run is a no-op"
    );
}

#[test]
fn concurrent_migration_runs_apply_once() {
    let db = TestDatabase::new();
    let mut conn = db.connect();
    conn.revert_all_migrations(MIGRATIONS).unwrap();
    drop(conn);
    let url = db.url().to_owned();
    let runs: Vec<_> = (0..4)
        .map(|_| {
            let url = url.clone();
            std::thread::spawn(move || {
                let mut conn = PgConnection::establish(&url).unwrap();
                run_migrations(&mut conn)
                    .map_err(|e| e.to_string())
                    .unwrap()
                    .len()
            })
        })
        .collect();
    let applied: Vec<usize> = runs.into_iter().map(|r| r.join().unwrap()).collect();
    let total = migration_count();
    assert_eq!(applied.iter().sum::<usize>(), total, "{applied:?}");
    assert_eq!(applied.iter().filter(|n| **n == total).count(), 1);
}

/// The quoted values of a CHECK constraint's definition.
fn check_values(conn: &mut PgConnection, constraint: &str) -> BTreeSet<String> {
    let def: Line = diesel::sql_query(
        "SELECT pg_get_constraintdef(oid) AS line FROM pg_constraint WHERE conname = $1",
    )
    .bind::<Text, _>(constraint)
    .get_result(conn)
    .unwrap();
    def.line
        .split('\'')
        .skip(1)
        .step_by(2)
        .map(str::to_owned)
        .collect()
}

fn set<'a>(values: impl IntoIterator<Item = &'a str>) -> BTreeSet<String> {
    values.into_iter().map(str::to_owned).collect()
}

#[test]
fn check_constraints_hold_exactly_the_domain_spellings() {
    let db = TestDatabase::new();
    let mut conn = db.connect();
    let statuses = set(AgentStatus::ALL.iter().map(|s| s.as_str()));
    assert_eq!(check_values(&mut conn, "agents_status_check"), statuses);
    assert_eq!(
        check_values(&mut conn, "agent_events_from_status_check"),
        statuses
    );
    assert_eq!(
        check_values(&mut conn, "agent_events_to_status_check"),
        statuses
    );
    let cases = [
        (
            "agents_acp_type_check",
            set(AcpType::ALL.iter().map(|v| v.as_str())),
        ),
        (
            "agents_agent_input_type_check",
            set(AgentInputType::ALL.iter().map(|v| v.as_str())),
        ),
        (
            "deployments_status_check",
            set(DeploymentStatus::ALL.iter().map(|v| v.as_str())),
        ),
        (
            "agent_api_keys_type_check",
            set(ApiKeyType::ALL.iter().map(|v| v.as_str())),
        ),
        (
            "grants_role_check",
            set(Role::ALL.iter().map(|v| v.as_str())),
        ),
        (
            "agent_events_kind_check",
            set(EventKind::ALL.iter().map(|v| v.as_str())),
        ),
        (
            "webhooks_status_valid",
            set(registry_domain::WebhookStatus::ALL
                .iter()
                .map(|v| v.as_str())),
        ),
    ];
    for (constraint, expected) in cases {
        assert_eq!(
            check_values(&mut conn, constraint),
            expected,
            "{constraint}"
        );
    }
}

#[test]
fn status_check_accepts_every_domain_status_and_nothing_else() {
    let db = TestDatabase::new();
    let mut conn = db.connect();
    let insert = |conn: &mut PgConnection, status: &str, name: &str| {
        diesel::sql_query(
            "INSERT INTO agents (id, name, status, created_at, updated_at, version, org_id)
             VALUES (gen_random_uuid(), $1, $2, now(), now(), 1, '00000000-0000-0000-0000-000000000001')",
        )
        .bind::<Text, _>(name)
        .bind::<Text, _>(status)
        .execute(conn)
    };
    for (i, status) in AgentStatus::ALL.iter().enumerate() {
        insert(&mut conn, status.as_str(), &format!("s{i}")).unwrap();
    }
    for wrong in ["ready", "READY", "Pending", ""] {
        let err = insert(&mut conn, wrong, "wrong").unwrap_err().to_string();
        assert!(err.contains("agents_status_check"), "{wrong}: {err}");
    }
}

#[test]
fn events_are_append_only() {
    let db = TestDatabase::new();
    let mut conn = db.connect();
    diesel::sql_query(
        "WITH a AS (INSERT INTO agents (id, name, status, created_at, updated_at, version, org_id)
                    VALUES (gen_random_uuid(), 'x', 'Ready', now(), now(), 1,
                            '00000000-0000-0000-0000-000000000001') RETURNING id, org_id)
         INSERT INTO agent_events (agent_id, org_id, kind, actor, at)
         SELECT id, org_id, 'created', 'admin', now() FROM a",
    )
    .execute(&mut conn)
    .unwrap();
    for sql in [
        "UPDATE agent_events SET actor = 'mallory'",
        "DELETE FROM agent_events",
        "TRUNCATE agent_events",
    ] {
        let err = diesel::sql_query(sql).execute(&mut conn).unwrap_err();
        assert!(err.to_string().contains("append-only"), "{sql}: {err}");
    }
}

#[test]
fn schema_rs_names_every_column_of_the_migrated_tables() {
    use registry_store_pg::schema::*;
    let db = TestDatabase::new();
    let mut conn = db.connect();
    /// Each table's name beside the SQL that selects all its declared columns.
    macro_rules! declared {
        ($($table:ident),* $(,)?) => {
            vec![$((
                stringify!($table),
                diesel::debug_query::<diesel::pg::Pg, _>(
                    &$table::table.select($table::all_columns),
                )
                .to_string(),
            )),*]
        };
    }
    let declared: Vec<(&str, String)> = declared!(
        agents,
        deployments,
        deployment_history,
        agent_api_keys,
        service_tokens,
        grants,
        agent_events,
        agent_status_counts,
        orgs,
        webhooks,
        webhook_deliveries,
        agent_cards,
    );
    let tables: Vec<Line> = diesel::sql_query(
        "SELECT table_name::text AS line FROM information_schema.tables
          WHERE table_schema = 'public' AND table_name <> '__diesel_schema_migrations' ORDER BY 1",
    )
    .load(&mut conn)
    .unwrap();
    let mut declared_tables: Vec<&str> = declared.iter().map(|(t, _)| *t).collect();
    declared_tables.sort();
    assert_eq!(
        tables.iter().map(|l| l.line.as_str()).collect::<Vec<_>>(),
        declared_tables
    );
    for (table, select) in declared {
        let columns: Vec<Line> = diesel::sql_query(
            "SELECT column_name::text AS line FROM information_schema.columns
              WHERE table_schema = 'public' AND table_name = $1 ORDER BY ordinal_position",
        )
        .bind::<Text, _>(table)
        .load(&mut conn)
        .unwrap();
        let in_select: Vec<String> = select
            .split(" FROM ")
            .next()
            .unwrap()
            .trim_start_matches("SELECT ")
            .split(", ")
            .map(|c| c.rsplit('.').next().unwrap().trim_matches('"').to_owned())
            .collect();
        // `agent_cards.search_doc` is a generated tsvector only SQL reads (diesel has no type
        // for it): the one column schema.rs leaves out on purpose.
        let in_db: Vec<String> = columns
            .into_iter()
            .map(|l| l.line)
            .filter(|c| !(table == "agent_cards" && c == "search_doc"))
            .collect();
        assert_eq!(in_select, in_db, "{table}: schema.rs vs migrations");
    }
}

#[derive(QueryableByName)]
struct StatusCount {
    #[diesel(sql_type = Text)]
    status: String,
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    n: i64,
}

fn has_table(conn: &mut PgConnection, table: &str) -> bool {
    let found: Vec<Line> = diesel::sql_query(
        "SELECT table_name::text AS line FROM information_schema.tables
          WHERE table_schema = 'public' AND table_name = $1",
    )
    .bind::<Text, _>(table)
    .load(conn)
    .unwrap();
    !found.is_empty()
}

/// The organizations migration's version.
const ORGANIZATIONS: &str = "20261127130000";

/// Reverts every applied migration newer than `version`, so that a test of one migration's down
/// step stays valid as later migrations are added.
fn revert_newer_than(conn: &mut PgConnection, version: &str) {
    loop {
        let applied = conn.applied_migrations().unwrap();
        let newest = applied.iter().map(ToString::to_string).max().unwrap();
        if newest.as_str() <= version {
            return;
        }
        conn.revert_last_migration(MIGRATIONS).unwrap();
    }
}

/// Per-status sums of `agent_status_counts`, zero sums left out.
fn kept_by_status(conn: &mut PgConnection) -> Vec<(String, i64)> {
    diesel::sql_query(
        "SELECT status, sum(n)::bigint AS n FROM agent_status_counts
          GROUP BY status HAVING sum(n) <> 0 ORDER BY status",
    )
    .load::<StatusCount>(conn)
    .unwrap()
    .into_iter()
    .map(|c| (c.status, c.n))
    .collect()
}

/// The per-status counts (migration 2026-11-27-120000) start from the agents already stored,
/// and its down migration gives migration 4's live count back, equal to the same agents.
#[test]
fn status_counts_are_backfilled_from_stored_agents_and_reverted() {
    let db = TestDatabase::new();
    let mut conn = db.connect();
    while has_table(&mut conn, "agent_status_counts") {
        conn.revert_last_migration(MIGRATIONS).unwrap();
    }
    assert!(has_table(&mut conn, "agent_live_counts"));
    diesel::sql_query(
        "INSERT INTO agents (id, name, status, created_at, updated_at, version)
         SELECT gen_random_uuid(), 'pre-' || i, s, now(), now(), 1
           FROM unnest(ARRAY['Ready', 'Ready', 'Ready', 'BuildOnly', 'BuildOnly', 'Unhealthy',
                             'Deleted', 'Deleted']) WITH ORDINALITY AS t(s, i)",
    )
    .execute(&mut conn)
    .unwrap();
    run_migrations(&mut conn).unwrap();
    let expected = vec![
        ("BuildOnly".to_owned(), 2),
        ("Ready".to_owned(), 3),
        ("Unhealthy".to_owned(), 1),
    ];
    assert_eq!(kept_by_status(&mut conn), expected);
    diesel::sql_query("UPDATE agents SET status = 'Failed' WHERE name = 'pre-1'")
        .execute(&mut conn)
        .unwrap();
    let after = kept_by_status(&mut conn);
    assert!(after.contains(&("Failed".to_owned(), 1)), "{after:?}");
    assert!(after.contains(&("Ready".to_owned(), 2)), "{after:?}");

    while has_table(&mut conn, "agent_status_counts") {
        conn.revert_last_migration(MIGRATIONS).unwrap();
    }
    let live: Line = diesel::sql_query("SELECT sum(n)::text AS line FROM agent_live_counts")
        .get_result(&mut conn)
        .unwrap();
    assert_eq!(live.line, "6");
}

/// Every row of every tenant table, as `<table> <org slug>` with its count, and the kept live
/// counts per org and status (`counts <slug> <status> <n>`).
const PLACED: &str = "
SELECT format('%s %s %s', t, o.slug, count(*)) AS line FROM (
    SELECT 'agents' AS t, org_id FROM agents
    UNION ALL SELECT 'deployments', org_id FROM deployments
    UNION ALL SELECT 'deployment_history', org_id FROM deployment_history
    UNION ALL SELECT 'agent_api_keys', org_id FROM agent_api_keys
    UNION ALL SELECT 'grants', org_id FROM grants
    UNION ALL SELECT 'agent_events', org_id FROM agent_events
    UNION ALL SELECT 'service_tokens', org_id FROM service_tokens
) r LEFT JOIN orgs o ON o.id = r.org_id GROUP BY t, o.slug
UNION ALL
SELECT format('counts %s %s %s', o.slug, c.status, sum(c.n)) FROM agent_status_counts c
  LEFT JOIN orgs o ON o.id = c.org_id GROUP BY o.slug, c.status
ORDER BY 1";

/// Rows in every table the organizations migration changes, written in the schema before it
/// (no `org_id` anywhere): three agents (one Deleted), and for the first a deployment, a
/// history row, a key, a grant and events (one per agent), plus a service token.
const POPULATE_BEFORE_ORGS: &str = "
WITH a AS (INSERT INTO agents (id, name, status, created_at, updated_at, version)
           SELECT gen_random_uuid(), 'pre-' || i, s, now(), now(), 1
             FROM unnest(ARRAY['Ready', 'BuildOnly', 'Deleted']) WITH ORDINALITY AS t(s, i)
           RETURNING id, name),
     first AS (SELECT id FROM a WHERE name = 'pre-1'),
     d AS (INSERT INTO deployments (id, agent_id, docker_image, status, created_at)
           SELECT gen_random_uuid(), id, 'img:1', 'Ready', now() FROM first),
     h AS (INSERT INTO deployment_history (id, agent_id, author_name, author_email, branch_name,
                                           build_timestamp, deployment_timestamp, commit_hash)
           SELECT gen_random_uuid(), id, 'a', 'a@x', 'main', now(), now(), 'c1' FROM first),
     k AS (INSERT INTO agent_api_keys (id, agent_id, name, api_key_type, secret_hash, created_at,
                                       created_by)
           SELECT gen_random_uuid(), id, 'k', 'internal', 'kh', now(), 'admin' FROM first),
     g AS (INSERT INTO grants (agent_id, principal, role, created_at)
           SELECT id, 'user:alice', 'owner', now() FROM first),
     e AS (INSERT INTO agent_events (agent_id, kind, actor, at)
           SELECT id, 'created', 'admin', now() FROM a)
INSERT INTO service_tokens (id, name, principal, secret_hash, created_at)
VALUES (gen_random_uuid(), 'ci', 'service:ci', 'h', now())";

/// The organizations migration on a populated database: every existing row of every tenant
/// table lands in the `default` org, and so do the kept counts; it reverts while only
/// `default` exists (refused while another org does), keeping every row, and applies again.
#[test]
fn organizations_migrate_a_populated_database_and_revert() {
    let db = TestDatabase::new();
    let mut conn = db.connect();
    while has_table(&mut conn, "orgs") {
        conn.revert_last_migration(MIGRATIONS).unwrap();
    }
    diesel::sql_query(POPULATE_BEFORE_ORGS)
        .execute(&mut conn)
        .unwrap();
    run_migrations(&mut conn).unwrap();
    let lines = |conn: &mut PgConnection, sql: &str| -> Vec<String> {
        let rows: Vec<Line> = diesel::sql_query(sql).load(conn).unwrap();
        rows.into_iter().map(|l| l.line).collect()
    };
    let expected = [
        "agent_api_keys default 1",
        "agent_events default 3",
        "agents default 3",
        "counts default BuildOnly 1",
        "counts default Ready 1",
        "deployment_history default 1",
        "deployments default 1",
        "grants default 1",
        "service_tokens default 1",
    ];
    assert_eq!(lines(&mut conn, PLACED), expected);
    // The new columns keep no default: a write that forgets its org fails.
    let forgetful = diesel::sql_query(
        "INSERT INTO grants (agent_id, principal, role, created_at)
         SELECT id, 'user:bob', 'viewer', now() FROM agents WHERE name = 'pre-1'",
    )
    .execute(&mut conn)
    .unwrap_err()
    .to_string();
    assert!(forgetful.contains("org_id"), "{forgetful}");
    // Refused to revert while another org exists; reverts once it is gone.
    revert_newer_than(&mut conn, ORGANIZATIONS);
    diesel::sql_query(
        "INSERT INTO orgs VALUES (gen_random_uuid(), 'other', 'Other', NULL, now(), now())",
    )
    .execute(&mut conn)
    .unwrap();
    assert!(conn.revert_last_migration(MIGRATIONS).is_err());
    diesel::sql_query("DELETE FROM orgs WHERE slug = 'other'")
        .execute(&mut conn)
        .unwrap();
    conn.revert_last_migration(MIGRATIONS).unwrap();
    assert!(!has_table(&mut conn, "orgs"));
    let kept = "SELECT format('%s %s %s %s %s %s', (SELECT count(*) FROM agents),
                (SELECT count(*) FROM deployments), (SELECT count(*) FROM deployment_history),
                (SELECT count(*) FROM agent_api_keys), (SELECT count(*) FROM grants),
                (SELECT count(*) FROM agent_events)) AS line";
    assert_eq!(lines(&mut conn, kept), ["3 1 1 1 1 3"]);
    run_migrations(&mut conn).unwrap();
    assert_eq!(lines(&mut conn, PLACED), expected);
}

/// `grants.agent_live` (migration 2026-11-28-090000) starts false for the grants of agents
/// already Deleted, turns false when an agent is deleted afterwards (the trigger), and the
/// column, trigger and index revert cleanly.
#[test]
fn grants_of_deleted_agents_are_marked_not_live_on_a_populated_database() {
    const GRANTS_LIVE: &str = "20261128090000";
    let db = TestDatabase::new();
    let mut conn = db.connect();
    let has_column = |conn: &mut PgConnection| -> bool {
        let found: Vec<Line> = diesel::sql_query(
            "SELECT column_name::text AS line FROM information_schema.columns
              WHERE table_name = 'grants' AND column_name = 'agent_live'",
        )
        .load(conn)
        .unwrap();
        !found.is_empty()
    };
    revert_newer_than(&mut conn, GRANTS_LIVE);
    conn.revert_last_migration(MIGRATIONS).unwrap();
    assert!(!has_column(&mut conn));
    diesel::sql_query(
        "INSERT INTO agents (id, name, status, created_at, updated_at, version, org_id)
         SELECT gen_random_uuid(), n, s, now(), now(), 1, '00000000-0000-0000-0000-000000000001'
           FROM (VALUES ('live-1', 'Ready'), ('gone-1', 'Deleted'), ('live-2', 'BuildOnly'))
                AS t(n, s)",
    )
    .execute(&mut conn)
    .unwrap();
    diesel::sql_query(
        "INSERT INTO grants (agent_id, principal, role, created_at, org_id)
         SELECT id, 'user:u', 'owner', now(), org_id FROM agents",
    )
    .execute(&mut conn)
    .unwrap();
    run_migrations(&mut conn).unwrap();
    let live = |conn: &mut PgConnection| -> Vec<String> {
        let rows: Vec<Line> = diesel::sql_query(
            "SELECT format('%s %s', a.name, g.agent_live) AS line
               FROM grants g JOIN agents a ON a.id = g.agent_id ORDER BY a.name",
        )
        .load(conn)
        .unwrap();
        rows.into_iter().map(|l| l.line).collect()
    };
    assert_eq!(live(&mut conn), ["gone-1 f", "live-1 t", "live-2 t"]);
    diesel::sql_query("UPDATE agents SET status = 'Deleted' WHERE name = 'live-2'")
        .execute(&mut conn)
        .unwrap();
    assert_eq!(live(&mut conn), ["gone-1 f", "live-1 t", "live-2 f"]);
    revert_newer_than(&mut conn, GRANTS_LIVE);
    conn.revert_last_migration(MIGRATIONS).unwrap();
    assert!(!has_column(&mut conn));
    run_migrations(&mut conn).unwrap();
    assert_eq!(live(&mut conn), ["gone-1 f", "live-1 t", "live-2 f"]);
}
