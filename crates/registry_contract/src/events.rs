//! `EventLog`: the audit trail.

use crate::fixtures::*;
use registry_domain::{AgentStatus, EventKind, NewEvent};
use registry_ports::Ports;

/// Appended events are listed per agent, newest first, paged, with the total; fields round-trip.
pub async fn append_and_list_newest_first(ports: Ports) {
    let agent = saved_agent(&ports).await;
    let other = saved_agent(&ports).await;
    let detail = NewEvent {
        from_status: Some(AgentStatus::Ready),
        to_status: Some(AgentStatus::Unhealthy),
        detail: serde_json::json!({"reason": "x", "n": [1, 2]}),
        ..event(agent.id, EventKind::Transition, "user:alice")
    };
    let updated = event(agent.id, EventKind::Updated, "admin");
    ports
        .events
        .append(&[detail.clone(), updated.clone()])
        .await
        .unwrap();
    ports
        .events
        .append(&[event(other.id, EventKind::Updated, "admin")])
        .await
        .unwrap();
    let listed = ports.events.list(agent.id, page(50, 1)).await.unwrap();
    assert_eq!(listed.total, 3);
    let kinds: Vec<_> = listed.items.iter().map(|e| e.event.kind).collect();
    assert_eq!(
        kinds,
        [
            EventKind::Updated,
            EventKind::Transition,
            EventKind::Created
        ]
    );
    assert!(listed.items.windows(2).all(|w| w[0].id > w[1].id));
    assert_eq!(listed.items[0].event, updated);
    assert_eq!(listed.items[1].event, detail);
    let second = ports.events.list(agent.id, page(2, 2)).await.unwrap();
    assert_eq!((second.items.len(), second.total), (1, 3));
    assert_eq!(second.items[0].event.kind, EventKind::Created);
}

/// A Deleted agent's events stay listed.
pub async fn list_works_for_deleted_agents(ports: Ports) {
    let agent = saved_agent(&ports).await;
    let mut gone = agent.clone();
    registry_domain::apply(
        &mut gone,
        registry_domain::LifecycleEvent::Delete,
        now(),
        "admin",
    )
    .unwrap();
    let evs = [event(agent.id, EventKind::Transition, "admin")];
    ports.agents.update(&gone, &evs).await.unwrap();
    let listed = ports.events.list(agent.id, page(50, 1)).await.unwrap();
    assert_eq!(listed.total, 2);
    assert_eq!(listed.items[0].event.kind, EventKind::Transition);
}
