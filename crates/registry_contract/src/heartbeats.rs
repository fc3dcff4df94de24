//! `AgentRepository::expire_heartbeats`: the heartbeat monitor's one statement.

use crate::fixtures::*;
use registry_domain::state_machine::REASON_EXPIRED;
use registry_domain::{
    Agent, AgentStatus, EventKind, EventTemplate, LifecycleEvent, Timestamp, Transition,
};
use registry_ports::{HeartbeatExpiry, Ports};
use std::collections::HashSet;

/// Ready agents seen before `seen_before` become Unhealthy at `at`, each with a `system`
/// Transition event: what the use case decides.
pub fn expiry(seen_before: Timestamp, at: Timestamp) -> HeartbeatExpiry {
    HeartbeatExpiry {
        from: AgentStatus::Ready,
        seen_before,
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
            detail: serde_json::json!({ "reason": REASON_EXPIRED }),
        },
    }
}

async fn agent_seen(ports: &Ports, event: LifecycleEvent, seen: Option<Timestamp>) -> Agent {
    let mut a = agent_named(unique_name("hb"), event, now());
    a.last_seen_at = seen;
    save(ports, &a).await
}

/// Only Ready agents seen before the cutoff change; never-seen and fresh ones are left alone.
pub async fn expire_heartbeats_only_stale_ready(ports: Ports) {
    let cutoff = now();
    let old = Some(later(cutoff, -60));
    let stale = agent_seen(&ports, LifecycleEvent::Register, old).await;
    let fresh = agent_seen(&ports, LifecycleEvent::Register, Some(later(cutoff, 60))).await;
    let never = agent_seen(&ports, LifecycleEvent::Register, None).await;
    let build = agent_seen(&ports, LifecycleEvent::RegisterBuild, old).await;
    let gone = agent_seen(&ports, LifecycleEvent::Register, old).await;
    let gone = delete(&ports, &gone).await;
    let at = later(cutoff, 1);
    let ids = ports
        .agents
        .expire_heartbeats(&expiry(cutoff, at))
        .await
        .unwrap();
    assert_eq!(ids, vec![stale.id]);
    let after = ports.agents.get(stale.id).await.unwrap().unwrap();
    assert_eq!(after.status, AgentStatus::Unhealthy);
    assert_eq!(after.status_reason.as_deref(), Some(REASON_EXPIRED));
    assert_eq!(after.updated_at, at);
    assert_eq!(after.version, stale.version + 1);
    for untouched in [fresh, never, build, gone] {
        assert_eq!(
            ports.agents.get(untouched.id).await.unwrap(),
            Some(untouched)
        );
    }
}

/// One event per expired agent, written as given (a Transition by `system`); a second run is a
/// no-op.
pub async fn expire_heartbeats_events_once(ports: Ports) {
    let cutoff = now();
    let stale = agent_seen(&ports, LifecycleEvent::Register, Some(later(cutoff, -5))).await;
    let expiry = expiry(cutoff, cutoff);
    let run = || ports.agents.expire_heartbeats(&expiry);
    assert_eq!(run().await.unwrap(), vec![stale.id]);
    let events = ports.events.list(stale.id, page(50, 1)).await.unwrap();
    assert_eq!(events.total, 2);
    let e = &events.items[0].event;
    assert_eq!(e.kind, EventKind::Transition);
    assert_eq!(
        (e.from_status, e.to_status),
        (Some(AgentStatus::Ready), Some(AgentStatus::Unhealthy))
    );
    assert_eq!(e.actor, "system");
    assert_eq!(e.at, cutoff);
    assert_eq!(e.detail, serde_json::json!({ "reason": REASON_EXPIRED }));
    assert!(run().await.unwrap().is_empty());
    assert_eq!(
        ports
            .events
            .list(stale.id, page(50, 1))
            .await
            .unwrap()
            .total,
        2
    );
    assert_eq!(
        ports.agents.get(stale.id).await.unwrap().unwrap().version,
        stale.version + 1
    );
}

/// Concurrent monitor runs (many replicas) transition and event each agent exactly once.
pub async fn concurrent_expire_heartbeats_once_per_agent(ports: Ports) {
    let cutoff = now();
    let mut stale = HashSet::new();
    for _ in 0..6 {
        stale.insert(
            agent_seen(&ports, LifecycleEvent::Register, Some(later(cutoff, -5)))
                .await
                .id,
        );
    }
    let runs: Vec<_> = (0..8)
        .map(|_| {
            let agents = ports.agents.clone();
            tokio::spawn(async move { agents.expire_heartbeats(&expiry(cutoff, cutoff)).await })
        })
        .collect();
    let mut seen = Vec::new();
    for run in runs {
        seen.extend(run.await.unwrap().unwrap());
    }
    assert_eq!(seen.len(), stale.len());
    assert_eq!(seen.into_iter().collect::<HashSet<_>>(), stale);
    for id in stale {
        let events = ports.events.list(id, page(50, 1)).await.unwrap();
        let transitions = events
            .items
            .iter()
            .filter(|e| e.event.kind == EventKind::Transition);
        assert_eq!(transitions.count(), 1);
    }
}

/// `record_heartbeat` writes `last_seen_at` alone — not the version, not `updated_at`, no event
/// — and only while the status is the one the caller decided on.
pub async fn record_heartbeat_writes_observed_state_only(ports: Ports) {
    let agent = agent_seen(&ports, LifecycleEvent::Register, None).await;
    let at = later(now(), 5);
    let seen = ports
        .agents
        .record_heartbeat(agent.id, AgentStatus::Ready, at)
        .await
        .unwrap()
        .expect("a Ready agent is seen");
    assert_eq!(seen.last_seen_at, Some(at));
    assert_eq!(
        (seen.version, seen.updated_at),
        (agent.version, agent.updated_at)
    );
    assert_eq!(seen.etag(), agent.etag());
    let stored = ports.agents.get(agent.id).await.unwrap().unwrap();
    assert_eq!(stored, seen);
    let wrong_status = ports
        .agents
        .record_heartbeat(agent.id, AgentStatus::Unhealthy, later(at, 1))
        .await
        .unwrap();
    assert_eq!(wrong_status, None);
    assert_eq!(ports.agents.get(agent.id).await.unwrap().unwrap(), seen);
    let absent = registry_domain::AgentId::new_random();
    let none = ports
        .agents
        .record_heartbeat(absent, AgentStatus::Ready, at)
        .await;
    assert_eq!(none.unwrap(), None);
    let events = ports.events.list(agent.id, page(50, 1)).await.unwrap();
    assert_eq!(events.total, 1, "only the creation");
}
