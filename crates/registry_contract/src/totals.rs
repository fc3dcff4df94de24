//! List totals (docs/adr/0008-bounded-totals.md): the totals a store keeps (live agents, per
//! status) are exact at any size and under every kind of write; every other list counts its
//! matches up to the store's `CountBound` and, past it, reports the bound marked capped.
//!
//! The behaviours after the first run on a store built with a bound of [`TEST_BOUND`] rows
//! ([`bounded_totals_suite!`](crate::bounded_totals_suite)), so a handful of rows passes it.

use crate::fixtures::*;
use registry_domain::state_machine::{apply, REASON_EXPIRED};
use registry_domain::{
    Agent, AgentStatus, ApiKeyType, EventKind, EventTemplate, LifecycleEvent, Page, Role,
    SortDirection, Transition,
};
use registry_ports::{AgentQuery, HeartbeatExpiry, Ports};

/// The count bound of the stores the bounded behaviours run on.
pub const TEST_BOUND: u64 = 3;

/// `(total, capped)` of a page.
fn total<T>(page: &Page<T>) -> (u64, bool) {
    (page.total, page.total_capped)
}

/// `(total, capped)` of the agent list filtered to `statuses` (all live ones when empty),
/// read through a one-row page so the total cannot come from the rows.
async fn status_total(ports: &Ports, statuses: &[AgentStatus]) -> (u64, bool) {
    let query = AgentQuery {
        page: page(1, 1),
        statuses: statuses.to_vec(),
        ..AgentQuery::default()
    };
    total(&ports.agents.list(&query).await.unwrap())
}

/// Asserts the kept totals: every status alone, two together, and all live agents.
async fn assert_status_totals(ports: &Ports, build: u64, ready: u64, unhealthy: u64, when: &str) {
    use AgentStatus::{BuildOnly, Deleted, Failed, Ready, Unhealthy, Unknown};
    let expected = [
        (vec![BuildOnly], build),
        (vec![Ready], ready),
        (vec![Unhealthy], unhealthy),
        (vec![Failed], 0),
        (vec![Unknown], 0),
        (vec![Deleted], 0),
        (vec![Ready, Unhealthy], ready + unhealthy),
        (vec![], build + ready + unhealthy),
    ];
    for (statuses, count) in expected {
        assert_eq!(
            status_total(ports, &statuses).await,
            (count, false),
            "{statuses:?} {when}"
        );
    }
}

/// Stores `event` applied to `agent` (as the use cases do) and returns it as stored.
async fn change(ports: &Ports, agent: &Agent, event: LifecycleEvent) -> Agent {
    let mut changed = agent.clone();
    apply(&mut changed, event, now(), "admin").expect("event applies");
    ports.agents.update(&changed, &[]).await.expect("update")
}

/// The totals per status stay exact under creates, status changes (one agent, and the
/// heartbeat monitor's many at once), updates that keep the status, heartbeats and deletes.
pub async fn totals_per_status_stay_exact(ports: Ports) {
    let long_ago = Some(later(now(), -3600));
    let mut built = Vec::new();
    for _ in 0..3 {
        let a = agent_named(unique_name("b"), LifecycleEvent::RegisterBuild, now());
        built.push(save(&ports, &a).await);
    }
    let mut ready = Vec::new();
    for _ in 0..4 {
        let mut a = ready_agent();
        a.last_seen_at = long_ago;
        ready.push(save(&ports, &a).await);
    }
    assert_status_totals(&ports, 3, 4, 0, "after creates").await;

    // BuildOnly → Ready (promotion); a status kept (register again); a deletion of each.
    let promoted = change(&ports, &built[0], LifecycleEvent::Promote).await;
    change(&ports, &ready[0], LifecycleEvent::Register).await;
    delete(&ports, &built[1]).await;
    assert_status_totals(&ports, 1, 5, 0, "after single changes").await;

    // The monitor moves every stale Ready agent (four of them) at once; `promoted` was never
    // seen, so it stays.
    let at = now();
    let expiry = HeartbeatExpiry {
        from: AgentStatus::Ready,
        seen_before: at,
        transition: Transition {
            to: AgentStatus::Unhealthy,
            reason: REASON_EXPIRED,
        },
        at,
        event: EventTemplate {
            kind: EventKind::Transition,
            from_status: Some(AgentStatus::Ready),
            to_status: Some(AgentStatus::Unhealthy),
            actor: "system".to_owned(),
            at,
            detail: serde_json::json!({}),
        },
    };
    let expired = ports.agents.expire_heartbeats(&expiry).await.unwrap();
    assert_eq!(expired.len(), 4);
    assert_status_totals(&ports, 1, 1, 4, "after the monitor's expiry").await;

    // A heartbeat that changes no status, an Unhealthy agent back to Ready, a deletion of
    // an Unhealthy one, a deleted agent's name reused.
    let promoted = ports.agents.get(promoted.id).await.unwrap().unwrap();
    let seen = ports
        .agents
        .record_heartbeat(promoted.id, AgentStatus::Ready, now())
        .await
        .unwrap();
    assert!(seen.is_some());
    let back = ports.agents.get(ready[1].id).await.unwrap().unwrap();
    change(&ports, &back, LifecycleEvent::Heartbeat).await;
    let gone = ports.agents.get(ready[2].id).await.unwrap().unwrap();
    delete(&ports, &gone).await;
    let reused = agent_named(built[1].name.clone(), LifecycleEvent::RegisterBuild, now());
    save(&ports, &reused).await;
    assert_status_totals(&ports, 2, 2, 2, "after the last changes").await;
}

/// `n` stored Ready agents with `team: t` in their card metadata, owned by user `owner`.
async fn owned_with_metadata(ports: &Ports, n: usize, owner: &str) -> Vec<Agent> {
    let mut agents = Vec::new();
    for _ in 0..n {
        let mut a = ready_agent();
        a.registration_metadata = Some(metadata(
            serde_json::json!({"agent_card": {"metadata": {"team": "t"}}}),
        ));
        let outcome = ports
            .agents
            .create_if_absent(&a, Some(user(owner)), &[])
            .await
            .unwrap();
        agents.push(outcome.agent);
    }
    agents
}

/// Past the bound, the kept totals (all live agents, per status) stay exact and uncapped.
pub async fn kept_totals_are_exact_past_the_bound(ports: Ports) {
    owned_with_metadata(&ports, 5, "ann").await;
    let build = agent_named(unique_name("b"), LifecycleEvent::RegisterBuild, now());
    save(&ports, &build).await;
    assert_eq!(status_total(&ports, &[]).await, (6, false));
    assert_eq!(
        status_total(&ports, &[AgentStatus::Ready]).await,
        (5, false)
    );
    assert_eq!(
        status_total(&ports, &[AgentStatus::BuildOnly]).await,
        (1, false)
    );
}

/// Metadata containment and grant-filtered agent lists count up to the bound: exactly the
/// bound is exact, one more is the bound marked capped, on every page, also an empty one past
/// the last.
pub async fn filtered_agent_totals_stop_at_the_bound(ports: Ports) {
    let mut ann = owned_with_metadata(&ports, 3, "ann").await;
    let q = |number, who: &str| AgentQuery {
        page: page(2, number),
        granted_to: Some(user(who)),
        direction: SortDirection::Asc,
        ..AgentQuery::default()
    };
    let by_metadata = |number| AgentQuery {
        page: page(2, number),
        card_metadata: Some(
            serde_json::json!({"team": "t"})
                .as_object()
                .unwrap()
                .clone(),
        ),
        ..AgentQuery::default()
    };
    let list = |query: AgentQuery| {
        let ports = ports.clone();
        async move { ports.agents.list(&query).await.unwrap() }
    };
    assert_eq!(total(&list(q(1, "ann")).await), (3, false));
    assert_eq!(total(&list(by_metadata(1)).await), (3, false));

    ann.extend(owned_with_metadata(&ports, 2, "ann").await);
    for number in [1, 2, 3, 9] {
        let granted = list(q(number, "ann")).await;
        assert_eq!(total(&granted), (TEST_BOUND, true), "granted page {number}");
        let matching = list(by_metadata(number)).await;
        assert_eq!(
            total(&matching),
            (TEST_BOUND, true),
            "metadata page {number}"
        );
    }
    // The rows are all there, whatever the total says.
    let last = list(q(3, "ann")).await;
    assert_eq!(last.items.len(), 1);
    // Another principal's few grants are counted exactly.
    grant(&ports, ann[0].id, &user("bo"), Role::Viewer).await;
    assert_eq!(total(&list(q(1, "bo")).await), (1, false));
    // An agent key's own list (`only_ids`) is exact.
    let own = AgentQuery {
        only_ids: Some(vec![ann[1].id]),
        ..AgentQuery::default()
    };
    assert_eq!(total(&list(own).await), (1, false));
}

/// The lists under one agent (deployments, history, keys, grants, events) and the service
/// tokens count up to the bound, like a filtered agent list.
pub async fn other_lists_stop_at_the_bound(ports: Ports) {
    let agent = saved_agent(&ports).await;
    let first = page(2, 1);
    let past = page(2, 5);
    let at = now();
    for i in 0..=TEST_BOUND {
        let n = i64::try_from(i).unwrap();
        saved_deployment(&ports, agent.id).await;
        let row = history(agent.id, &format!("c{i}"), later(at, n));
        assert!(ports.history.record(&row).await.unwrap());
        let key = api_key(agent.id, &format!("k{i}"), ApiKeyType::Internal, at);
        ports.keys.create(&key, &hash(), &[]).await.unwrap();
        grant(&ports, agent.id, &user(&format!("u{i}")), Role::Viewer).await;
        let token = service_token(&format!("t{i}"), at);
        ports.tokens.create(&token, &hash()).await.unwrap();
        ports
            .events
            .append(&[event(agent.id, EventKind::Created, "admin")])
            .await
            .unwrap();
    }
    let capped = (TEST_BOUND, true);
    for request in [first, past] {
        let asc = SortDirection::Asc;
        let deployments = ports.deployments.list(agent.id, request, asc).await;
        assert_eq!(total(&deployments.unwrap()), capped, "deployments");
        let history = ports.history.list(agent.id, request, asc).await;
        assert_eq!(total(&history.unwrap()), capped, "history");
        let keys = ports.keys.list(agent.id, request).await;
        assert_eq!(total(&keys.unwrap()), capped, "keys");
        let grants = ports.authorizer.grants(agent.id, request).await;
        assert_eq!(total(&grants.unwrap()), capped, "grants");
        let events = ports.events.list(agent.id, request).await;
        assert_eq!(total(&events.unwrap()), capped, "events");
        let tokens = ports.tokens.list(request).await;
        assert_eq!(total(&tokens.unwrap()), capped, "tokens");
    }
    // One row fewer is exactly the bound, uncapped.
    let other = saved_agent(&ports).await;
    for i in 0..TEST_BOUND {
        let key = api_key(other.id, &format!("k{i}"), ApiKeyType::Internal, at);
        ports.keys.create(&key, &hash(), &[]).await.unwrap();
    }
    let keys = ports.keys.list(other.id, first).await.unwrap();
    assert_eq!(total(&keys), (TEST_BOUND, false));
}
