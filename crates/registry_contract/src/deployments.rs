//! `DeploymentRepository`: lifecycle of deployments and promotion.

use crate::fixtures::*;
use registry_domain::{
    Deployment, DeploymentId, DeploymentStatus, EventKind, Promotion, SortDirection,
};
use registry_ports::{Constraint, Ports, RepoError};

/// A created deployment reads back equal, only under its own agent.
pub async fn create_and_get(ports: Ports) {
    let agent = saved_agent(&ports).await;
    let other = saved_agent(&ports).await;
    let d = deployment_at(agent.id, now());
    assert_eq!(ports.deployments.create(&d).await.unwrap(), d);
    assert_eq!(
        ports.deployments.get(agent.id, d.id).await.unwrap(),
        Some(d.clone())
    );
    assert_eq!(ports.deployments.get(other.id, d.id).await.unwrap(), None);
    let absent = DeploymentId::new_random();
    assert_eq!(ports.deployments.get(agent.id, absent).await.unwrap(), None);
}

/// Creating a deployment of an absent agent is `NotFound`.
pub async fn create_for_absent_agent_is_not_found(ports: Ports) {
    let d = deployment_at(registry_domain::AgentId::new_random(), now());
    assert_eq!(
        ports.deployments.create(&d).await.unwrap_err(),
        RepoError::NotFound
    );
}

/// list: the agent's non-expired deployments by `created_at` (id tiebreak), paged, with total.
pub async fn list_excludes_expired_and_others(ports: Ports) {
    let agent = saved_agent(&ports).await;
    let other = saved_agent(&ports).await;
    let base = now();
    let mut ds = Vec::new();
    for i in 0..4 {
        let d = deployment_at(agent.id, later(base, i));
        ds.push(ports.deployments.create(&d).await.unwrap().id);
    }
    // Two sharing one created_at: the id breaks the tie.
    let twin = ports
        .deployments
        .create(&deployment_at(agent.id, later(base, 3)))
        .await
        .unwrap();
    let mut tail = vec![ds[3], twin.id];
    tail.sort();
    ports
        .deployments
        .create(&deployment_at(other.id, base))
        .await
        .unwrap();
    ports
        .deployments
        .soft_delete(agent.id, ds[1], now())
        .await
        .unwrap();
    let asc: Vec<DeploymentId> = [vec![ds[0], ds[2]], tail].concat();
    let list = |p, dir| ports.deployments.list(agent.id, p, dir);
    let got = list(page(50, 1), SortDirection::Asc).await.unwrap();
    assert_eq!(got.total, 4);
    assert_eq!(got.items.iter().map(|d| d.id).collect::<Vec<_>>(), asc);
    let desc: Vec<DeploymentId> = asc.iter().rev().copied().collect();
    let got = list(page(50, 1), SortDirection::Desc).await.unwrap();
    assert_eq!(got.items.iter().map(|d| d.id).collect::<Vec<_>>(), desc);
    let second = list(page(3, 2), SortDirection::Desc).await.unwrap();
    assert_eq!((second.items.len(), second.total), (1, 4));
    assert_eq!(second.items[0].id, desc[3]);
}

/// soft_delete sets `expires_at` once; the row stays readable by get.
pub async fn soft_delete_sets_expiry_once(ports: Ports) {
    let agent = saved_agent(&ports).await;
    let d = saved_deployment(&ports, agent.id).await;
    let first = now();
    let deleted = ports
        .deployments
        .soft_delete(agent.id, d.id, first)
        .await
        .unwrap();
    assert_eq!(deleted.expires_at, Some(first));
    let again = ports
        .deployments
        .soft_delete(agent.id, d.id, later(first, 10))
        .await;
    assert_eq!(
        again.unwrap_err(),
        RepoError::NotFound,
        "a second delete finds nothing"
    );
    let read = stored_deployment(&ports, &d).await;
    assert_eq!(read.expires_at, Some(first));
}

/// The production deployment cannot be soft-deleted.
pub async fn soft_delete_production_conflicts(ports: Ports) {
    let agent = saved_agent(&ports).await;
    let d = ready_deployment(&ports, agent.id).await;
    ports
        .deployments
        .promote(&promotion(&agent, &d, now()), &[])
        .await
        .unwrap();
    let err = ports
        .deployments
        .soft_delete(agent.id, d.id, now())
        .await
        .unwrap_err();
    assert_eq!(err, RepoError::Conflict(Constraint::ProductionDeployment));
    let read = stored_deployment(&ports, &d).await;
    assert_eq!(read.expires_at, None);
}

/// soft_delete of another agent's or an absent deployment is `NotFound`.
pub async fn soft_delete_elsewhere_is_not_found(ports: Ports) {
    let agent = saved_agent(&ports).await;
    let other = saved_agent(&ports).await;
    let d = saved_deployment(&ports, agent.id).await;
    let err = ports
        .deployments
        .soft_delete(other.id, d.id, now())
        .await
        .unwrap_err();
    assert_eq!(err, RepoError::NotFound);
    let absent = DeploymentId::new_random();
    let err = ports
        .deployments
        .soft_delete(agent.id, absent, now())
        .await
        .unwrap_err();
    assert_eq!(err, RepoError::NotFound);
    let read = stored_deployment(&ports, &d).await;
    assert_eq!(read.expires_at, None);
}

/// mark_ready makes the deployment Ready with the URL.
pub async fn mark_ready_sets_status_and_url(ports: Ports) {
    let agent = saved_agent(&ports).await;
    let d = saved_deployment(&ports, agent.id).await;
    let ready = ports
        .deployments
        .mark_ready(agent.id, d.id, "http://d:1")
        .await
        .unwrap();
    assert_eq!(ready.status, DeploymentStatus::Ready);
    assert_eq!(ready.acp_url.as_deref(), Some("http://d:1"));
    assert_eq!(
        ports.deployments.get(agent.id, d.id).await.unwrap(),
        Some(ready)
    );
}

/// mark_ready of an expired deployment is `Conflict(DeploymentExpired)`.
pub async fn mark_ready_expired_conflicts(ports: Ports) {
    let agent = saved_agent(&ports).await;
    let d = saved_deployment(&ports, agent.id).await;
    ports
        .deployments
        .soft_delete(agent.id, d.id, now())
        .await
        .unwrap();
    let err = ports
        .deployments
        .mark_ready(agent.id, d.id, "http://d:1")
        .await
        .unwrap_err();
    assert_eq!(err, RepoError::Conflict(Constraint::DeploymentExpired));
    let read = stored_deployment(&ports, &d).await;
    assert_eq!(read.status, DeploymentStatus::Pending);
}

/// mark_ready of another agent's deployment is `NotFound`.
pub async fn mark_ready_elsewhere_is_not_found(ports: Ports) {
    let agent = saved_agent(&ports).await;
    let other = saved_agent(&ports).await;
    let d = saved_deployment(&ports, agent.id).await;
    let err = ports
        .deployments
        .mark_ready(other.id, d.id, "http://d:1")
        .await
        .unwrap_err();
    assert_eq!(err, RepoError::NotFound);
    let read = stored_deployment(&ports, &d).await;
    assert_eq!(read.status, DeploymentStatus::Pending);
}

/// A promotion is written only while its deployment is as the promotion read it: one
/// soft-deleted or registered again since is `StaleVersion` (decide again), another agent's is
/// `NotFound`, and nothing changes. (Which deployments may be promoted at all is the domain's
/// rule, `Agent::promote`.)
pub async fn promote_requires_the_deployment_as_read(ports: Ports) {
    let agent = saved_agent(&ports).await;
    let other = saved_agent(&ports).await;
    let expired = ready_deployment(&ports, agent.id).await;
    let decided = promotion(&agent, &expired, now());
    ports
        .deployments
        .soft_delete(agent.id, expired.id, now())
        .await
        .unwrap();
    let err = ports.deployments.promote(&decided, &[]).await.unwrap_err();
    assert_eq!(err, RepoError::Conflict(Constraint::StaleVersion));
    let moved = ready_deployment(&ports, agent.id).await;
    let decided = promotion(&agent, &moved, now());
    ports
        .deployments
        .mark_ready(agent.id, moved.id, "http://moved:1")
        .await
        .unwrap();
    let err = ports.deployments.promote(&decided, &[]).await.unwrap_err();
    assert_eq!(err, RepoError::Conflict(Constraint::StaleVersion));
    let foreign = ready_deployment(&ports, other.id).await;
    let decided = Promotion {
        deployment: Deployment {
            is_production: true,
            promoted_at: Some(now()),
            ..foreign.clone()
        },
        ..promotion(&agent, &moved, now())
    };
    let err = ports.deployments.promote(&decided, &[]).await.unwrap_err();
    assert_eq!(err, RepoError::NotFound);
    for d in [&expired, &moved, &foreign] {
        let read = ports.deployments.get(d.agent_id, d.id).await.unwrap();
        assert!(!read.unwrap().is_production);
    }
    let stored = ports.agents.get(agent.id).await.unwrap().unwrap();
    assert_eq!(stored, agent);
}

/// Promotion from a stale agent version is refused and changes nothing.
pub async fn promote_with_stale_version_conflicts(ports: Ports) {
    let agent = saved_agent(&ports).await;
    let d = ready_deployment(&ports, agent.id).await;
    let mut moved = agent.clone();
    moved.acp_url = Some("http://moved:1".to_owned());
    let current = ports.agents.update(&moved, &[]).await.unwrap();
    let err = ports
        .deployments
        .promote(&promotion(&agent, &d, now()), &[])
        .await
        .unwrap_err();
    assert_eq!(err, RepoError::Conflict(Constraint::StaleVersion));
    assert!(!stored_deployment(&ports, &d).await.is_production);
    assert_eq!(ports.agents.get(agent.id).await.unwrap(), Some(current));
}

/// Promotion demotes the previous production deployment and points the agent at the new one.
pub async fn promote_moves_production(ports: Ports) {
    let agent = saved_agent(&ports).await;
    let d1 = ready_deployment(&ports, agent.id).await;
    let d2 = ready_deployment(&ports, agent.id).await;
    let (p1, a1) = ports
        .deployments
        .promote(&promotion(&agent, &d1, now()), &[])
        .await
        .unwrap();
    assert!(p1.is_production);
    let at = later(now(), 5);
    let evs = [event(agent.id, EventKind::Promoted, "admin")];
    let (p2, a2) = ports
        .deployments
        .promote(&promotion(&a1, &d2, at), &evs)
        .await
        .unwrap();
    assert!(p2.is_production);
    assert_eq!(p2.promoted_at, Some(at));
    assert_eq!(a2.production_deployment_id, Some(d2.id));
    assert_eq!(a2.acp_url, p2.acp_url);
    assert_eq!(a2.version, agent.version + 2);
    assert_eq!(ports.agents.get(agent.id).await.unwrap(), Some(a2));
    assert_eq!(
        ports.deployments.get(agent.id, d2.id).await.unwrap(),
        Some(p2)
    );
    let old = stored_deployment(&ports, &d1).await;
    assert!(!old.is_production);
    let events = ports.events.list(agent.id, page(50, 1)).await.unwrap();
    assert_eq!(events.items[0].event.kind, EventKind::Promoted);
}

/// Concurrent promotions of different deployments from one version leave exactly one production.
pub async fn concurrent_promotes_leave_one_production(ports: Ports) {
    let agent = saved_agent(&ports).await;
    let mut candidates = Vec::new();
    for _ in 0..8 {
        candidates.push(ready_deployment(&ports, agent.id).await);
    }
    let tasks: Vec<_> = candidates
        .iter()
        .map(|d| {
            let deployments = ports.deployments.clone();
            let decided = promotion(&agent, d, now());
            tokio::spawn(async move { deployments.promote(&decided, &[]).await })
        })
        .collect();
    let mut winners = Vec::new();
    for task in tasks {
        match task.await.unwrap() {
            Ok((d, _)) => winners.push(d.id),
            Err(e) => assert_eq!(e, RepoError::Conflict(Constraint::StaleVersion)),
        }
    }
    assert_eq!(winners.len(), 1);
    let listed = ports
        .deployments
        .list(agent.id, page(50, 1), SortDirection::Asc)
        .await
        .unwrap();
    let production: Vec<_> = listed
        .items
        .iter()
        .filter(|d| d.is_production)
        .map(|d| d.id)
        .collect();
    assert_eq!(production, winners);
    let stored = ports.agents.get(agent.id).await.unwrap().unwrap();
    assert_eq!(stored.production_deployment_id, Some(winners[0]));
}
