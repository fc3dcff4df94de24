//! `AgentRepository`: creation, lookup, optimistic updates.

use crate::fixtures::*;
use registry_domain::{AgentId, AgentName, AgentStatus, EventKind, LifecycleEvent, NewEvent, Role};
use registry_ports::{Constraint, Ports, RepoError};

/// The first call creates (with owner grant and events); the second returns the existing live
/// agent and writes nothing: no agent, no grant, no event.
pub async fn create_if_absent_creates_once(ports: Ports) {
    let first = ready_agent();
    let owner = user("alice");
    let out = ports
        .agents
        .create_if_absent(
            &first,
            Some(owner.clone()),
            &[event(first.id, EventKind::Created, "user:alice")],
        )
        .await
        .unwrap();
    assert!(out.created);
    assert_eq!(out.agent, first);
    assert_eq!(out.owner_role, Some(Role::Owner));

    let second = agent_named(first.name.clone(), LifecycleEvent::RegisterBuild, now());
    let again = ports
        .agents
        .create_if_absent(
            &second,
            Some(user("bob")),
            &[event(second.id, EventKind::Created, "user:bob")],
        )
        .await
        .unwrap();
    assert!(!again.created);
    assert_eq!(again.agent, first);
    assert_eq!(ports.agents.get(second.id).await.unwrap(), None);
    assert_eq!(
        ports
            .events
            .list(second.id, page(50, 1))
            .await
            .unwrap()
            .total,
        0
    );
    assert_eq!(
        ports
            .events
            .list(first.id, page(50, 1))
            .await
            .unwrap()
            .total,
        1
    );
    let grants = grants_of(&ports, first.id).await;
    assert_eq!(grants.len(), 1);
    assert_eq!(
        (grants[0].principal.clone(), grants[0].role),
        (owner.clone(), Role::Owner)
    );
    // bob holds no grant on the existing agent; alice asking again learns she owns it.
    assert_eq!(again.owner_role, None);
    let third = agent_named(first.name.clone(), LifecycleEvent::RegisterBuild, now());
    let mine = ports
        .agents
        .create_if_absent(&third, Some(owner), &[])
        .await
        .unwrap();
    assert_eq!((mine.created, mine.owner_role), (false, Some(Role::Owner)));
}

/// Without an owner, creation writes no grant and reports no role.
pub async fn create_without_owner_grants_nothing(ports: Ports) {
    let agent = ready_agent();
    let out = ports.agents.create_if_absent(&agent, None, &[]).await;
    assert_eq!(out.unwrap().owner_role, None);
    assert!(grants_of(&ports, agent.id).await.is_empty());
    assert_eq!(
        ports.agents.get(agent.id).await.unwrap(),
        Some(agent.clone())
    );
    let again = ports.agents.create_if_absent(&agent, None, &[]).await;
    assert_eq!(again.unwrap().owner_role, None);
}

/// A Deleted agent frees its name: create_if_absent creates a new agent; the old one stays
/// reachable by id only.
pub async fn deleted_agent_frees_its_name(ports: Ports) {
    let old = saved_agent(&ports).await;
    let deleted = delete(&ports, &old).await;
    assert_eq!(deleted.status, AgentStatus::Deleted);
    let fresh = agent_named(old.name.clone(), LifecycleEvent::Register, now());
    let out = ports
        .agents
        .create_if_absent(&fresh, None, &[])
        .await
        .unwrap();
    assert!(out.created);
    assert_ne!(out.agent.id, old.id);
    let live = ports.agents.get_live_by_name(&old.name).await.unwrap();
    assert_eq!(live.map(|a| a.id), Some(fresh.id));
    assert_eq!(ports.agents.get(old.id).await.unwrap(), Some(deleted));
}

/// get_live_by_name never returns a Deleted agent; get(id) does.
pub async fn get_live_by_name_skips_deleted(ports: Ports) {
    let agent = saved_agent(&ports).await;
    assert_eq!(
        ports.agents.get_live_by_name(&agent.name).await.unwrap(),
        Some(agent.clone())
    );
    delete(&ports, &agent).await;
    assert_eq!(
        ports.agents.get_live_by_name(&agent.name).await.unwrap(),
        None
    );
    let by_id = ports.agents.get(agent.id).await.unwrap().unwrap();
    assert_eq!(by_id.status, AgentStatus::Deleted);
    assert_eq!(by_id.deleted_by.as_deref(), Some("admin"));
}

/// The `_with_role` reads return the same agent as their plain twins, with the principal's own
/// role (none without a grant, never another principal's); by id a Deleted agent is still
/// returned, by name never.
pub async fn get_with_role_reports_the_callers_role(ports: Ports) {
    let agent = saved_agent(&ports).await;
    let (bob, carol) = (user("bob"), user("carol"));
    ports
        .authorizer
        .grant(agent.id, &user("dave"), Role::Owner, &[])
        .await
        .unwrap();
    ports
        .authorizer
        .grant(agent.id, &bob, Role::Viewer, &[])
        .await
        .unwrap();
    for (who, role) in [(&bob, Some(Role::Viewer)), (&carol, None)] {
        let by_id = ports.agents.get_with_role(agent.id, who).await.unwrap();
        let by_id = by_id.expect("agent by id");
        assert_eq!((by_id.agent, by_id.role), (agent.clone(), role), "{who}");
        let by_name = ports
            .agents
            .get_live_by_name_with_role(&agent.name, who)
            .await
            .unwrap()
            .expect("agent by name");
        assert_eq!(
            (by_name.agent, by_name.role),
            (agent.clone(), role),
            "{who}"
        );
    }
    let deleted = delete(&ports, &agent).await;
    let by_id = ports.agents.get_with_role(agent.id, &bob).await.unwrap();
    assert_eq!(
        by_id.map(|a| (a.agent, a.role)),
        Some((deleted, Some(Role::Viewer)))
    );
    let by_name = ports
        .agents
        .get_live_by_name_with_role(&agent.name, &bob)
        .await
        .unwrap();
    assert_eq!(by_name, None);
    let absent = ports
        .agents
        .get_with_role(AgentId::new_random(), &bob)
        .await
        .unwrap();
    assert_eq!(absent, None);
}

/// Absent ids and names are `None`, not errors.
pub async fn get_absent_is_none(ports: Ports) {
    assert_eq!(ports.agents.get(AgentId::new_random()).await.unwrap(), None);
    let name = unique_name("nobody");
    assert_eq!(ports.agents.get_live_by_name(&name).await.unwrap(), None);
}

/// 32 concurrent creations of one name: exactly one creates, all see the same agent.
pub async fn concurrent_create_if_absent_creates_exactly_once(ports: Ports) {
    let name = unique_name("race");
    let tasks: Vec<_> = (0..32)
        .map(|i| {
            let agents = ports.agents.clone();
            let agent = agent_named(name.clone(), LifecycleEvent::Register, now());
            tokio::spawn(async move {
                let owner = user(&format!("u{i}"));
                agents
                    .create_if_absent(
                        &agent,
                        Some(owner),
                        &[event(agent.id, EventKind::Created, "t")],
                    )
                    .await
            })
        })
        .collect();
    let mut outcomes = Vec::new();
    for task in tasks {
        outcomes.push(task.await.unwrap().unwrap());
    }
    assert_eq!(outcomes.iter().filter(|o| o.created).count(), 1);
    let id = outcomes[0].agent.id;
    assert!(outcomes.iter().all(|o| o.agent.id == id));
    assert_eq!(grants_of(&ports, id).await.len(), 1);
    assert_eq!(ports.events.list(id, page(50, 1)).await.unwrap().total, 1);
}

/// update stores every field, bumps the version by one, appends its events.
pub async fn update_stores_fields_and_bumps_version(ports: Ports) {
    let agent = saved_agent(&ports).await;
    let mut changed = agent.clone();
    changed.description = registry_domain::Description::parse("changed").unwrap();
    changed.registration_metadata = Some(metadata(serde_json::json!({"a": {"b": [1, 2]}})));
    changed.acp_url = Some("http://elsewhere:9000".to_owned());
    changed.last_seen_at = Some(later(now(), 1));
    changed.updated_at = later(now(), 1);
    let stored = ports
        .agents
        .update(&changed, &[event(agent.id, EventKind::Updated, "admin")])
        .await
        .unwrap();
    assert_eq!(stored.version, agent.version + 1);
    let mut expected = changed.clone();
    expected.version = agent.version + 1;
    assert_eq!(stored, expected);
    assert_eq!(ports.agents.get(agent.id).await.unwrap(), Some(expected));
    let events = ports.events.list(agent.id, page(50, 1)).await.unwrap();
    assert_eq!(events.total, 2);
    assert_eq!(events.items[0].event.kind, EventKind::Updated);
}

/// An update based on an old version is refused and changes nothing.
pub async fn update_with_stale_version_conflicts(ports: Ports) {
    let agent = saved_agent(&ports).await;
    let mut first = agent.clone();
    first.acp_url = Some("http://first:1".to_owned());
    let stored = ports.agents.update(&first, &[]).await.unwrap();
    let mut late = agent.clone();
    late.acp_url = Some("http://late:1".to_owned());
    let err = ports
        .agents
        .update(&late, &[event(agent.id, EventKind::Updated, "admin")])
        .await
        .unwrap_err();
    assert_eq!(err, RepoError::Conflict(Constraint::StaleVersion));
    assert_eq!(ports.agents.get(agent.id).await.unwrap(), Some(stored));
    assert_eq!(
        ports
            .events
            .list(agent.id, page(50, 1))
            .await
            .unwrap()
            .total,
        1
    );
}

/// Of concurrent updates from one version, exactly one succeeds.
pub async fn concurrent_updates_one_wins(ports: Ports) {
    let agent = saved_agent(&ports).await;
    let tasks: Vec<_> = (0..8)
        .map(|i| {
            let agents = ports.agents.clone();
            let mut mine = agent.clone();
            mine.acp_url = Some(format!("http://writer-{i}:1"));
            tokio::spawn(async move { agents.update(&mine, &[]).await })
        })
        .collect();
    let mut ok = 0;
    for task in tasks {
        match task.await.unwrap() {
            Ok(a) => {
                ok += 1;
                assert_eq!(a.version, agent.version + 1);
            }
            Err(e) => assert_eq!(e, RepoError::Conflict(Constraint::StaleVersion)),
        }
    }
    assert_eq!(ok, 1);
}

/// Renaming onto another live agent's name is refused.
pub async fn update_onto_live_name_conflicts(ports: Ports) {
    let a = saved_agent(&ports).await;
    let b = saved_agent(&ports).await;
    let mut renamed = b.clone();
    renamed.name = a.name.clone();
    let err = ports.agents.update(&renamed, &[]).await.unwrap_err();
    assert_eq!(err, RepoError::Conflict(Constraint::LiveAgentName));
    assert_eq!(ports.agents.get(b.id).await.unwrap(), Some(b));
}

/// A rename and its `renamed` event (beside the registration's own) are one write: both
/// events are stored with the new name, and a rename refused for a taken name stores neither.
pub async fn rename_and_its_events_are_one_write(ports: Ports) {
    let a = saved_agent(&ports).await;
    let b = saved_agent(&ports).await;
    let renamed_event = |from: &AgentName, to: &AgentName| NewEvent {
        detail: serde_json::json!({ "old_name": from.as_str(), "new_name": to.as_str() }),
        ..event(b.id, EventKind::Renamed, "user:alice")
    };
    let mut onto_a = b.clone();
    onto_a.name = a.name.clone();
    let refused = [
        event(b.id, EventKind::Updated, "user:alice"),
        renamed_event(&b.name, &a.name),
    ];
    let err = ports.agents.update(&onto_a, &refused).await.unwrap_err();
    assert_eq!(err, RepoError::Conflict(Constraint::LiveAgentName));
    assert_eq!(ports.events.list(b.id, page(50, 1)).await.unwrap().total, 1);

    let mut renamed = b.clone();
    renamed.name = unique_name("renamed");
    let events = [
        event(b.id, EventKind::Updated, "user:alice"),
        renamed_event(&b.name, &renamed.name),
    ];
    let stored = ports.agents.update(&renamed, &events).await.unwrap();
    assert_eq!(stored.name, renamed.name);
    let listed = ports.events.list(b.id, page(50, 1)).await.unwrap();
    assert_eq!(listed.total, 3);
    assert_eq!(listed.items[0].event, events[1]);
    assert_eq!(listed.items[1].event, events[0]);
}

/// Renaming onto a Deleted agent's name is allowed.
pub async fn update_onto_deleted_name_succeeds(ports: Ports) {
    let a = saved_agent(&ports).await;
    delete(&ports, &a).await;
    let b = saved_agent(&ports).await;
    let mut renamed = b.clone();
    renamed.name = a.name.clone();
    let stored = ports.agents.update(&renamed, &[]).await.unwrap();
    assert_eq!(stored.name, a.name);
    let live = ports.agents.get_live_by_name(&a.name).await.unwrap();
    assert_eq!(live.map(|l| l.id), Some(b.id));
}

/// Updating an agent that does not exist is `NotFound`.
pub async fn update_absent_is_not_found(ports: Ports) {
    let agent = ready_agent();
    assert_eq!(
        ports.agents.update(&agent, &[]).await.unwrap_err(),
        RepoError::NotFound
    );
    assert_eq!(ports.agents.get(agent.id).await.unwrap(), None);
}

/// Clearing `production_deployment_id` demotes the formerly production deployment.
pub async fn update_clearing_production_demotes(ports: Ports) {
    let agent = saved_agent(&ports).await;
    let d = ready_deployment(&ports, agent.id).await;
    let (_, promoted) = ports
        .deployments
        .promote(&promotion(&agent, &d, now()), &[])
        .await
        .unwrap();
    assert!(stored_deployment(&ports, &d).await.is_production);
    let mut cleared = promoted.clone();
    cleared.production_deployment_id = None;
    let stored = ports.agents.update(&cleared, &[]).await.unwrap();
    assert_eq!(stored.production_deployment_id, None);
    let after = stored_deployment(&ports, &d).await;
    assert!(!after.is_production);
    // No longer production, so it may be deleted now.
    ports
        .deployments
        .soft_delete(agent.id, d.id, now())
        .await
        .unwrap();
}

/// The store answers ping.
pub async fn ping_answers(ports: Ports) {
    ports.agents.ping().await.unwrap();
}
