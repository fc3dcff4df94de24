//! Isolation is loud (contract §9, ADR 0006): every SQL statement the store sends while a
//! workload runs through the tenant ports of non-default orgs is recorded (diesel's connection
//! instrumentation, set on each pooled connection), and the test fails listing every statement
//! that touches a tenant table without scoping it to an org:
//!
//! - each tenant table the statement reads or writes (after `FROM`, `JOIN`, `INTO`, `UPDATE`)
//!   must have its `org_id` named in it (`<table>.org_id`, or `org_id` among the columns of an
//!   `INSERT INTO <table>`), and
//! - one of the orgs' ids must be among its bound values (an org written into the text, or
//!   compared only with another column, does not count).
//!
//! Only the heartbeat monitor's expiry (no tenant: it spans every org) is exempt; `ping`
//! touches no table. `OrgRepository` and `CredentialStore`, not scoped by design, run on a pool
//! that is not recorded.

use diesel::connection::{Instrumentation, InstrumentationEvent};
use diesel::prelude::*;
use diesel::r2d2::{ConnectionManager, CustomizeConnection, Pool};
use diesel::sql_types::Text;
use registry_contract::fixtures::{
    agent_named, api_key, event, hash, history, later, now, page, ready_deployment,
    saved_deployment, service_token, user,
};
use registry_contract::isolation;
use registry_contract::populated::{alice, populate};
use registry_contract::Subject;
use registry_domain::state_machine::REASON_EXPIRED;
use registry_domain::{
    apply, AgentStatus, ApiKeyType, EventKind, EventTemplate, LifecycleEvent, OrgId, Role,
    SortDirection, Transition,
};
use registry_ports::{AgentOrder, AgentQuery, HeartbeatExpiry, Ports, RepoError, Tenancy};
use registry_store_pg::{PgPool, PgStore};
use std::collections::BTreeSet;
use std::sync::{Arc, Mutex};

/// Every table that holds an org's data.
const TENANT_TABLES: [&str; 8] = [
    "agents",
    "deployments",
    "deployment_history",
    "agent_api_keys",
    "service_tokens",
    "grants",
    "agent_events",
    "agent_status_counts",
];

/// The statements recorded so far, as diesel displays them (`<sql> -- binds: [...]`).
type Log = Arc<Mutex<Vec<String>>>;

/// Appends each statement a connection starts to the log.
struct Recorder(Log);

impl Instrumentation for Recorder {
    fn on_connection_event(&mut self, event: InstrumentationEvent<'_>) {
        if let InstrumentationEvent::StartQuery { query, .. } = event {
            self.0.lock().unwrap().push(query.to_string());
        }
    }
}

/// Puts a [`Recorder`] on every connection the pool opens.
#[derive(Debug)]
struct Recording(Log);

impl CustomizeConnection<PgConnection, diesel::r2d2::Error> for Recording {
    fn on_acquire(&self, conn: &mut PgConnection) -> Result<(), diesel::r2d2::Error> {
        conn.set_instrumentation(Recorder(self.0.clone()));
        Ok(())
    }
}

/// The ports of any org, whose tenant ports record their statements; `orgs`, `credentials`
/// and `webhook_queue`, which are not scoped to an org by design, run on a pool that does not record.
struct TenantPortsRecorded {
    recorded: Arc<PgStore>,
    unscoped: Arc<PgStore>,
}

impl Tenancy for TenantPortsRecorded {
    fn ports(&self, org: OrgId) -> Ports {
        Ports {
            orgs: self.unscoped.clone(),
            credentials: self.unscoped.clone(),
            webhook_queue: self.unscoped.clone(),
            ..Ports::from_store(self.recorded.in_org(org))
        }
    }
}

/// A pool to `url` whose connections record into `log`.
fn recording_pool(url: &str, log: &Log) -> PgPool {
    Pool::builder()
        .max_size(4)
        .min_idle(Some(0))
        .connection_customizer(Box::new(Recording(log.clone())))
        .build_unchecked(ConnectionManager::new(url))
}

/// The statement's SQL and its bound values, apart.
fn split(statement: &str) -> (String, &str) {
    let (sql, binds) = statement
        .split_once(" -- binds: ")
        .unwrap_or((statement, ""));
    (sql.replace('"', ""), binds)
}

/// The words of `sql` (identifiers and keywords).
fn words(sql: &str) -> Vec<&str> {
    sql.split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .filter(|w| !w.is_empty())
        .collect()
}

/// The tenant tables `sql` reads or writes.
fn tenant_tables(sql: &str) -> BTreeSet<&'static str> {
    let words = words(sql);
    words
        .windows(2)
        .filter(|w| {
            ["FROM", "JOIN", "INTO", "UPDATE"].contains(&w[0].to_ascii_uppercase().as_str())
        })
        .filter_map(|w| TENANT_TABLES.iter().copied().find(|t| *t == w[1]))
        .collect()
}

/// Whether `sql` names `table`'s org: `table.org_id`, or `org_id` among the columns of an
/// `INSERT INTO table (...)`.
fn scopes(sql: &str, table: &str) -> bool {
    if sql.contains(&format!("{table}.org_id")) {
        return true;
    }
    sql.match_indices(&format!("INTO {table} ("))
        .any(|(at, found)| {
            let columns = &sql[at + found.len()..];
            columns
                .split(')')
                .next()
                .is_some_and(|list| words(list).contains(&"org_id"))
        })
}

/// Why `statement` is not scoped to one of `orgs` (`None`: it is, or it touches no tenant
/// table).
fn unscoped(statement: &str, orgs: &[String]) -> Option<String> {
    let (sql, binds) = split(statement);
    let tables = tenant_tables(&sql);
    if tables.is_empty() {
        return None;
    }
    let unnamed: Vec<&str> = tables
        .iter()
        .copied()
        .filter(|t| !scopes(&sql, t))
        .collect();
    let bound = orgs.iter().any(|org| binds.contains(org.as_str()));
    match (unnamed.is_empty(), bound) {
        (true, true) => None,
        (false, _) => Some(format!("no org_id for {unnamed:?}")),
        (true, false) => Some("no org id among its binds".to_owned()),
    }
}

/// The heartbeat monitor's statements, the one exemption: which orgs have stale agents (it
/// spans every org), then the expiry of each.
fn is_expiry(statement: &str) -> bool {
    statement.contains("WITH stale AS (")
        || statement.starts_with("SELECT DISTINCT org_id AS id FROM agents WHERE status = $1")
}

#[test]
fn the_checker_flags_what_it_should() {
    let org = "6f0e2b1c-0000-4000-8000-000000000001".to_owned();
    let orgs = [org.clone()];
    let good = format!(
        r#"SELECT "deployments"."id" FROM "deployments" WHERE (("deployments"."id" = $1) AND ("deployments"."org_id" = $2)) -- binds: [7, {org}]"#
    );
    assert_eq!(unscoped(&good, &orgs), None);
    let insert = format!(
        r#"INSERT INTO "grants" ("agent_id", "principal", "org_id") VALUES ($1, $2, $3) -- binds: [x, "user:a", {org}]"#
    );
    assert_eq!(unscoped(&insert, &orgs), None);
    let by_id_only = r#"SELECT "deployments"."id" FROM "deployments" WHERE ("deployments"."id" = $1) -- binds: [7]"#;
    assert!(unscoped(by_id_only, &orgs).is_some());
    let join = format!(
        r#"SELECT 1 FROM "agents" LEFT OUTER JOIN "grants" ON ("grants"."agent_id" = "agents"."id") WHERE ("agents"."org_id" = $1) -- binds: [{org}]"#
    );
    assert!(unscoped(&join, &orgs).unwrap().contains("grants"));
    let not_bound =
        r#"UPDATE agents SET version = 2 WHERE agents.org_id = agents.org_id -- binds: []"#;
    assert!(unscoped(not_bound, &orgs).is_some());
    let insert_without = format!(
        r#"INSERT INTO "agent_events" ("agent_id", "kind") VALUES ($1, $2) -- binds: [{org}, "x"]"#
    );
    assert!(unscoped(&insert_without, &orgs).is_some());
    assert_eq!(unscoped("SELECT 1 -- binds: []", &orgs), None);
}

/// A successful call of every tenant port method in `p`'s org (one whose id is not the
/// default's), on top of what [`populate`] writes.
async fn every_method(p: &Ports) {
    let mut fresh = agent_named(
        registry_contract::fixtures::unique_name("rec"),
        LifecycleEvent::RegisterBuild,
        now(),
    );
    let created = p
        .agents
        .create_if_absent(
            &fresh,
            Some(alice()),
            &[event(fresh.id, EventKind::Created, "admin")],
        )
        .await
        .unwrap();
    assert!(created.created);
    let again = p.agents.create_if_absent(&fresh, None, &[]).await.unwrap();
    assert!(!again.created);
    fresh = created.agent;
    let id = fresh.id;
    assert!(p.agents.get(id).await.unwrap().is_some());
    assert!(p
        .agents
        .get_live_by_name(&fresh.name)
        .await
        .unwrap()
        .is_some());
    let mine = p.agents.get_with_role(id, &alice()).await.unwrap().unwrap();
    assert_eq!(mine.role, Some(Role::Owner));
    let owner = alice();
    let by_name = p.agents.get_live_by_name_with_role(&fresh.name, &owner);
    assert!(by_name.await.unwrap().is_some());
    let card = serde_json::json!({ "team": "none" });
    for query in [
        AgentQuery::default(),
        AgentQuery {
            statuses: vec![AgentStatus::BuildOnly],
            order_by: AgentOrder::Name,
            ..AgentQuery::default()
        },
        AgentQuery {
            granted_to: Some(alice()),
            order_by: AgentOrder::LastSeenAt,
            direction: SortDirection::Desc,
            ..AgentQuery::default()
        },
        AgentQuery {
            only_ids: Some(vec![id]),
            ..AgentQuery::default()
        },
        AgentQuery {
            card_metadata: card.as_object().cloned(),
            ..AgentQuery::default()
        },
    ] {
        p.agents.list(&query).await.unwrap();
    }
    let updated = p
        .agents
        .update(&fresh, &[event(id, EventKind::Updated, "admin")])
        .await
        .unwrap();
    let seen = p
        .agents
        .record_heartbeat(id, AgentStatus::BuildOnly, now())
        .await
        .unwrap();
    assert!(seen.is_some());

    // Deployments: create, ready, get, list, soft delete; promote is in `populate`.
    let spare = saved_deployment(p, id).await;
    let ready = ready_deployment(p, id).await;
    assert!(p.deployments.get(id, ready.id).await.unwrap().is_some());
    let listed = p.deployments.list(id, page(10, 1), SortDirection::Desc);
    assert_eq!(listed.await.unwrap().total, 2);
    p.deployments
        .soft_delete(id, spare.id, now())
        .await
        .unwrap();
    let gone = p.deployments.soft_delete(id, spare.id, now()).await;
    assert_eq!(gone, Err(RepoError::NotFound));

    // History.
    let entry = history(id, "c1", now());
    assert!(p.history.record(&entry).await.unwrap());
    assert!(!p.history.record(&history(id, "c1", now())).await.unwrap());
    assert!(p.history.get(entry.id).await.unwrap().is_some());
    p.history
        .list(id, page(10, 1), SortDirection::Asc)
        .await
        .unwrap();

    // Keys.
    let key = api_key(id, "k", ApiKeyType::Github, now());
    p.keys.create(&key, &hash(), &[]).await.unwrap();
    let twice = p.keys.create(&key_named(&key), &hash(), &[]).await;
    assert!(matches!(twice, Err(RepoError::Conflict(_))), "{twice:?}");
    assert!(p.keys.get(key.id).await.unwrap().is_some());
    let named = p
        .keys
        .get_by_name(id, "k", ApiKeyType::Github)
        .await
        .unwrap();
    assert!(named.is_some());
    assert!(p
        .keys
        .has_key_of_type(id, ApiKeyType::Github)
        .await
        .unwrap());
    assert_eq!(p.keys.list(id, page(10, 1)).await.unwrap().total, 1);
    let key_event = [event(id, EventKind::KeyDeleted, "admin")];
    p.keys.delete(key.id, &key_event).await.unwrap();

    // Tokens.
    let token = service_token("bob", now());
    p.tokens.create(&token, &hash()).await.unwrap();
    p.tokens.list(page(10, 1)).await.unwrap();
    p.tokens.revoke(token.id).await.unwrap();

    // Events and grants.
    p.events
        .append(&[
            event(id, EventKind::Updated, "admin"),
            event(id, EventKind::Updated, "admin"),
        ])
        .await
        .unwrap();
    p.events.list(id, page(10, 1)).await.unwrap();
    let bob = user("bob");
    let grant = [event(id, EventKind::GrantAdded, "admin")];
    p.authorizer
        .grant(id, &bob, Role::Editor, &grant)
        .await
        .unwrap();
    p.authorizer
        .grant(id, &bob, Role::Viewer, &[])
        .await
        .unwrap();
    let check = p.authorizer.check(&bob, id, registry_domain::Action::Read);
    assert!(check.await.unwrap());
    p.authorizer.grants(id, page(10, 1)).await.unwrap();
    p.authorizer.revoke(id, &bob, &[]).await.unwrap();
    let last = p.authorizer.revoke(id, &alice(), &[]).await;
    assert!(matches!(last, Err(RepoError::Conflict(_))), "{last:?}");

    // Deleting the agent.
    let mut deleted = updated;
    apply(&mut deleted, LifecycleEvent::Delete, now(), "admin").unwrap();
    p.agents.update(&deleted, &[]).await.unwrap();
}

/// A key with `key`'s agent, name and type but a new id.
fn key_named(key: &registry_domain::ApiKey) -> registry_domain::ApiKey {
    registry_domain::ApiKey {
        id: registry_domain::ApiKeyId::new_random(),
        ..key.clone()
    }
}

/// The heartbeat monitor's expiry of Ready agents seen before a minute from now.
fn expiry() -> HeartbeatExpiry {
    let at = now();
    let transition = Transition {
        to: AgentStatus::Unhealthy,
        reason: REASON_EXPIRED,
    };
    HeartbeatExpiry {
        from: AgentStatus::Ready,
        seen_before: later(at, 60),
        transition,
        at,
        event: EventTemplate {
            kind: EventKind::Transition,
            from_status: Some(AgentStatus::Ready),
            to_status: Some(AgentStatus::Unhealthy),
            actor: "system:heartbeat".to_owned(),
            at,
            detail: serde_json::json!({}),
        },
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_statement_of_the_tenant_ports_is_scoped_to_an_org() {
    let db = crate::database().await;
    let log: Log = Arc::default();
    let subject = Subject::new(Arc::new(TenantPortsRecorded {
        recorded: PgStore::new(recording_pool(db.url(), &log)),
        unscoped: PgStore::new(db.pool_of(2)),
    }));

    // A populated org with a quota (creates take the quota path), the methods populate does
    // not call, and the isolation behaviours (every method probed from other orgs).
    let (org, ports) = subject.new_org("rec", Some(50)).await;
    let populated = populate(org, ports.clone()).await;
    every_method(&ports).await;
    let (_, unlimited) = subject.new_org("rec-free", None).await;
    every_method(&unlimited).await;
    let (_, full) = subject.new_org("rec-full", Some(0)).await;
    let refused = full
        .agents
        .create_if_absent(&registry_contract::fixtures::ready_agent(), None, &[])
        .await;
    assert!(
        matches!(refused, Err(RepoError::QuotaExceeded(_))),
        "{refused:?}"
    );
    isolation::agents_stay_in_their_org(subject.clone()).await;
    isolation::deployments_stay_in_their_org(subject.clone()).await;
    isolation::history_stays_in_its_org(subject.clone()).await;
    isolation::keys_stay_in_their_org(subject.clone()).await;
    isolation::tokens_stay_in_their_org(subject.clone()).await;
    isolation::events_stay_in_their_org(subject.clone()).await;
    isolation::grants_stay_in_their_org(subject.clone()).await;
    let ready = populated.agent.id;
    let beat = ports
        .agents
        .record_heartbeat(ready, AgentStatus::Ready, now());
    assert!(beat.await.unwrap().is_some());
    let expired = ports.agents.expire_heartbeats(&expiry()).await.unwrap();
    assert!(
        expired.contains(&ready),
        "the monitor expires the Ready agent"
    );
    ports.agents.ping().await.unwrap();

    let orgs = org_ids(&db);
    let statements = log.lock().unwrap().clone();
    let mut touched = BTreeSet::new();
    let mut offenders = Vec::new();
    for statement in &statements {
        if is_expiry(statement) {
            continue;
        }
        let (sql, _) = split(statement);
        touched.extend(tenant_tables(&sql));
        if let Some(why) = unscoped(statement, &orgs) {
            offenders.push(format!("{why}: {statement}"));
        }
    }
    assert!(
        offenders.is_empty(),
        "{} of {} statements are not scoped to an org:\n{}",
        offenders.len(),
        statements.len(),
        offenders.join("\n")
    );
    assert_eq!(
        touched,
        TENANT_TABLES.into_iter().collect(),
        "the workload reaches every tenant table"
    );
    assert!(statements.len() > 300, "{} statements", statements.len());
    assert!(statements.iter().any(|s| is_expiry(s)));
}

/// The ids of every org, as diesel displays a bound uuid.
fn org_ids(db: &registry_test_db::TestDatabase) -> Vec<String> {
    #[derive(QueryableByName)]
    struct Id {
        #[diesel(sql_type = Text)]
        id: String,
    }
    let mut conn = db.connect();
    let ids: Vec<Id> = diesel::sql_query("SELECT id::text AS id FROM orgs")
        .load(&mut conn)
        .unwrap();
    assert!(ids.len() >= 5, "the workload's orgs exist");
    ids.into_iter().map(|i| i.id).collect()
}
