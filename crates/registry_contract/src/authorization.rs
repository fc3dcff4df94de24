//! `Authorizer`: grants, roles and visibility.

use crate::fixtures::*;
use registry_domain::{Action, AgentId, EventKind, Principal, Role};
use registry_ports::{Constraint, Ports, RepoError};

const ACTIONS: [Action; 5] = [
    Action::Create,
    Action::Read,
    Action::Update,
    Action::Delete,
    Action::Execute,
];

/// check answers `Role::allows` for the principal's role, and false without a grant.
pub async fn check_follows_role(ports: Ports) {
    let agent = saved_agent(&ports).await;
    let other = saved_agent(&ports).await;
    let bob = user("bob");
    let carol = user("carol");
    for action in ACTIONS {
        assert!(!allowed(&ports, &bob, agent.id, action).await);
    }
    for role in [Role::Viewer, Role::Editor, Role::Owner] {
        grant(&ports, agent.id, &bob, role).await;
        for action in ACTIONS {
            let bobs = allowed(&ports, &bob, agent.id, action).await;
            assert_eq!(bobs, role.allows(action), "{role:?} {action:?}");
            assert!(!allowed(&ports, &bob, other.id, action).await);
            assert!(!allowed(&ports, &carol, agent.id, action).await);
        }
    }
}

/// A second grant replaces the principal's role; events ride along.
pub async fn grant_replaces_role(ports: Ports) {
    let agent = saved_agent(&ports).await;
    let bob = user("bob");
    let g = grant(&ports, agent.id, &bob, Role::Viewer).await;
    assert_eq!(
        (g.agent_id, g.principal.clone(), g.role),
        (agent.id, bob.clone(), Role::Viewer)
    );
    let evs = [event(agent.id, EventKind::GrantAdded, "admin")];
    let g = ports
        .authorizer
        .grant(agent.id, &bob, Role::Editor, &evs)
        .await
        .unwrap();
    assert_eq!(g.role, Role::Editor);
    let grants = grants_of(&ports, agent.id).await;
    assert_eq!(grants.len(), 1);
    assert_eq!(grants[0].role, Role::Editor);
    let events = ports.events.list(agent.id, page(50, 1)).await.unwrap();
    assert_eq!(events.items[0].event.kind, EventKind::GrantAdded);
}

/// Granting on an absent agent is `NotFound`.
pub async fn grant_on_absent_agent_is_not_found(ports: Ports) {
    let err = ports
        .authorizer
        .grant(AgentId::new_random(), &user("bob"), Role::Viewer, &[])
        .await
        .unwrap_err();
    assert_eq!(err, RepoError::NotFound);
}

/// A Deleted agent takes no new grant (`NotFound`), and grants racing the deletion leave none
/// counted live: the grantee's list is empty with a total of 0 whichever came first.
pub async fn grant_on_deleted_agent_is_not_found(ports: Ports) {
    let agent = saved_agent(&ports).await;
    delete(&ports, &agent).await;
    let err = ports
        .authorizer
        .grant(agent.id, &user("bob"), Role::Viewer, &[])
        .await
        .unwrap_err();
    assert_eq!(err, RepoError::NotFound);

    for round in 0..8 {
        let agent = saved_agent(&ports).await;
        let grantee = user(&format!("racer{round}"));
        let (granted, deleted) = tokio::join!(
            ports
                .authorizer
                .grant(agent.id, &grantee, Role::Viewer, &[]),
            delete(&ports, &agent),
        );
        assert_eq!(deleted.status, registry_domain::AgentStatus::Deleted);
        if let Err(e) = granted {
            assert_eq!(e, RepoError::NotFound, "round {round}");
        }
        let listed = ports
            .agents
            .list(&registry_ports::AgentQuery {
                granted_to: Some(grantee),
                ..registry_ports::AgentQuery::default()
            })
            .await
            .unwrap();
        assert_eq!((listed.items.len(), listed.total), (0, 0), "round {round}");
    }
}

/// The only owner cannot be demoted; with a second owner it can.
pub async fn demoting_last_owner_conflicts(ports: Ports) {
    let alice = user("alice");
    let agent = owned_agent(&ports, &alice).await;
    let err = ports
        .authorizer
        .grant(agent.id, &alice, Role::Editor, &[])
        .await
        .unwrap_err();
    assert_eq!(err, RepoError::Conflict(Constraint::LastOwner));
    assert!(allowed(&ports, &alice, agent.id, Action::Delete).await);
    grant(&ports, agent.id, &user("bob"), Role::Owner).await;
    let g = grant(&ports, agent.id, &alice, Role::Editor).await;
    assert_eq!(g.role, Role::Editor);
}

/// revoke: `NotFound` without a grant, `Conflict(LastOwner)` for the only owner, else removes.
pub async fn revoke_rules(ports: Ports) {
    let (alice, bob) = (user("alice"), user("bob"));
    let agent = owned_agent(&ports, &alice).await;
    let err = ports
        .authorizer
        .revoke(agent.id, &bob, &[])
        .await
        .unwrap_err();
    assert_eq!(err, RepoError::NotFound);
    let err = ports
        .authorizer
        .revoke(agent.id, &alice, &[])
        .await
        .unwrap_err();
    assert_eq!(err, RepoError::Conflict(Constraint::LastOwner));
    grant(&ports, agent.id, &bob, Role::Viewer).await;
    let evs = [event(agent.id, EventKind::GrantRevoked, "user:alice")];
    let removed = ports.authorizer.revoke(agent.id, &bob, &evs).await.unwrap();
    assert_eq!(
        (removed.principal, removed.role),
        (bob.clone(), Role::Viewer)
    );
    assert!(!allowed(&ports, &bob, agent.id, Action::Read).await);
    let events = ports.events.list(agent.id, page(50, 1)).await.unwrap();
    assert_eq!(events.items[0].event.kind, EventKind::GrantRevoked);
    assert_eq!(grants_of(&ports, agent.id).await.len(), 1);
}

/// grants lists owners first, then by principal text.
pub async fn grants_list_owners_first(ports: Ports) {
    let agent = owned_agent(&ports, &user("zed")).await;
    for (name, role) in [
        ("carl", Role::Editor),
        ("alice", Role::Viewer),
        ("bob", Role::Editor),
        ("yves", Role::Owner),
    ] {
        grant(&ports, agent.id, &user(name), role).await;
    }
    let order: Vec<Principal> = grants_of(&ports, agent.id)
        .await
        .into_iter()
        .map(|g| g.principal)
        .collect();
    let want: Vec<Principal> = ["yves", "zed", "alice", "bob", "carl"].map(user).to_vec();
    assert_eq!(order, want);
    let paged = ports.authorizer.grants(agent.id, page(2, 2)).await.unwrap();
    let principals: Vec<Principal> = paged.items.into_iter().map(|g| g.principal).collect();
    assert_eq!((principals, paged.total), (want[2..4].to_vec(), 5));
}
