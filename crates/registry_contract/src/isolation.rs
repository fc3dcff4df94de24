//! Isolation (contract §9): data of one org is invisible and untouchable from another, through
//! every tenant port method — reads answer as for an absent row, lists and totals exclude it,
//! writes are `NotFound` — and probing changes nothing.

use crate::fixtures::*;
use crate::populated::{alice, populate, Populated};
use crate::Subject;
use registry_domain::{Action, AgentStatus, ApiKeyType, EventKind, Role, SortDirection};
use registry_ports::{AgentQuery, FeedQuery, Ports, RepoError};

/// Two populated orgs, and the ports that probe the first: the second org's and `default`'s.
async fn two_orgs(subject: &Subject) -> (Populated, Populated, [Ports; 2]) {
    let (org_a, ports_a) = subject.new_org("iso-a", None).await;
    let (org_b, ports_b) = subject.new_org("iso-b", None).await;
    let a = populate(org_a, ports_a).await;
    let b = populate(org_b, ports_b.clone()).await;
    (a, b, [ports_b, subject.default_ports()])
}

/// Asserts both orgs read back exactly as `before`: probing wrote nothing anywhere.
async fn unchanged(orgs: [&Populated; 2], before: [crate::populated::Snapshot; 2]) {
    for (org, before) in orgs.into_iter().zip(before) {
        assert_eq!(org.snapshot().await, before, "org {} changed", org.org.slug);
    }
}

/// Agents: get (by id, by name, with role) is `None`, lists and totals exclude them (whatever
/// the filter), update is `NotFound`, a heartbeat finds nothing.
pub async fn agents_stay_in_their_org(subject: Subject) {
    let (a, b, probes) = two_orgs(&subject).await;
    let before = [a.snapshot().await, b.snapshot().await];
    let (id, name) = (a.agent.id, &a.agent.name);
    for p in &probes {
        assert_eq!(p.agents.get(id).await.unwrap(), None);
        assert_eq!(p.agents.get_live_by_name(name).await.unwrap(), None);
        assert_eq!(p.agents.get_with_role(id, &alice()).await.unwrap(), None);
        let by_name = p.agents.get_live_by_name_with_role(name, &alice()).await;
        assert_eq!(by_name.unwrap(), None);
        let beat = p
            .agents
            .record_heartbeat(id, AgentStatus::Ready, now())
            .await;
        assert_eq!(beat.unwrap(), None);
        let err = p.agents.update(&a.agent, &[]).await.unwrap_err();
        assert_eq!(err, RepoError::NotFound);
        let mut deleted = a.agent.clone();
        deleted.status = AgentStatus::Deleted;
        assert_eq!(
            p.agents.update(&deleted, &[]).await,
            Err(RepoError::NotFound)
        );
    }
    let queries = [
        AgentQuery::default(),
        AgentQuery {
            granted_to: Some(alice()),
            ..AgentQuery::default()
        },
        AgentQuery {
            only_ids: Some(vec![a.agent.id, b.agent.id]),
            ..AgentQuery::default()
        },
        AgentQuery {
            statuses: vec![AgentStatus::Ready],
            ..AgentQuery::default()
        },
    ];
    for query in &queries {
        let in_b = b.ports.agents.list(query).await.unwrap();
        assert_eq!(
            (in_b.items, in_b.total),
            (vec![b.agent.clone()], 1),
            "{query:?}"
        );
        let in_default = probes[1].agents.list(query).await.unwrap();
        assert_eq!(
            (in_default.items.len(), in_default.total),
            (0, 0),
            "{query:?}"
        );
    }
    unchanged([&a, &b], before).await;
}

/// Deployments: get is `None` (under either org's agent), the list is empty, create, soft
/// delete, mark ready and promote are `NotFound`.
pub async fn deployments_stay_in_their_org(subject: Subject) {
    let (a, b, probes) = two_orgs(&subject).await;
    let before = [a.snapshot().await, b.snapshot().await];
    let id = a.agent.id;
    for p in &probes {
        let d = &p.deployments;
        assert_eq!(d.get(id, a.production.id).await.unwrap(), None);
        assert_eq!(d.get(b.agent.id, a.spare.id).await.unwrap(), None);
        let listed = d.list(id, page(100, 1), SortDirection::Asc).await.unwrap();
        assert_eq!((listed.items.len(), listed.total), (0, 0));
        let new = deployment_at(id, now());
        assert_eq!(d.create(&new).await, Err(RepoError::NotFound));
        assert_eq!(
            d.soft_delete(id, a.spare.id, now()).await,
            Err(RepoError::NotFound)
        );
        let ready = d.mark_ready(id, a.spare.id, "http://x:1").await;
        assert_eq!(ready, Err(RepoError::NotFound));
        let promoted = d.promote(&promotion(&a.agent, &a.spare, now()), &[]).await;
        assert_eq!(promoted, Err(RepoError::NotFound));
    }
    let own = b
        .ports
        .deployments
        .list(b.agent.id, page(100, 1), SortDirection::Asc);
    assert_eq!(own.await.unwrap().total, 2);
    unchanged([&a, &b], before).await;
}

/// History: record is `NotFound`, get is `None`, the list is empty.
pub async fn history_stays_in_its_org(subject: Subject) {
    let (a, b, probes) = two_orgs(&subject).await;
    let before = [a.snapshot().await, b.snapshot().await];
    for p in &probes {
        let entry = history(a.agent.id, "elsewhere", now());
        assert_eq!(p.history.record(&entry).await, Err(RepoError::NotFound));
        assert_eq!(p.history.get(a.history.id).await.unwrap(), None);
        let listed = p
            .history
            .list(a.agent.id, page(100, 1), SortDirection::Desc);
        let listed = listed.await.unwrap();
        assert_eq!((listed.items.len(), listed.total), (0, 0));
    }
    assert_eq!(
        b.ports.history.get(b.history.id).await.unwrap(),
        Some(b.history.clone())
    );
    unchanged([&a, &b], before).await;
}

/// Agent keys: create for the agent is `NotFound`, get and get by name are `None`, the list is
/// empty, delete is `NotFound`, the agent has no key of any type.
pub async fn keys_stay_in_their_org(subject: Subject) {
    let (a, b, probes) = two_orgs(&subject).await;
    let before = [a.snapshot().await, b.snapshot().await];
    let id = a.agent.id;
    for p in &probes {
        let k = &p.keys;
        let new = api_key(id, "probe", ApiKeyType::Internal, now());
        assert_eq!(k.create(&new, &hash(), &[]).await, Err(RepoError::NotFound));
        assert_eq!(k.get(a.key.id).await.unwrap(), None);
        let by_name = k.get_by_name(id, &a.key.name, a.key.api_key_type).await;
        assert_eq!(by_name.unwrap(), None);
        let listed = k.list(id, page(100, 1)).await.unwrap();
        assert_eq!((listed.items.len(), listed.total), (0, 0));
        assert_eq!(k.delete(a.key.id, &[]).await, Err(RepoError::NotFound));
        assert!(!k.has_key_of_type(id, ApiKeyType::Internal).await.unwrap());
    }
    assert!(b
        .ports
        .keys
        .has_key_of_type(b.agent.id, ApiKeyType::Internal)
        .await
        .unwrap());
    unchanged([&a, &b], before).await;
}

/// Service tokens: each org lists (and counts) its own only; revoking another org's is
/// `NotFound` and leaves it authenticating.
pub async fn tokens_stay_in_their_org(subject: Subject) {
    let (a, b, probes) = two_orgs(&subject).await;
    let before = [a.snapshot().await, b.snapshot().await];
    let in_b = b.ports.tokens.list(page(100, 1)).await.unwrap();
    assert_eq!((in_b.items, in_b.total), (vec![b.token.clone()], 1));
    let in_default = probes[1].tokens.list(page(100, 1)).await.unwrap();
    assert_eq!((in_default.items.len(), in_default.total), (0, 0));
    for p in &probes {
        assert_eq!(p.tokens.revoke(a.token.id).await, Err(RepoError::NotFound));
    }
    let found = a.ports.credentials.find_token(&a.token_hash).await.unwrap();
    assert_eq!(found.map(|(t, _)| t), Some(a.token.clone()));
    unchanged([&a, &b], before).await;
}

/// Events: the agent's trail is empty (total 0) from another org, which lists its own only.
pub async fn events_stay_in_their_org(subject: Subject) {
    let (a, b, probes) = two_orgs(&subject).await;
    let before = [a.snapshot().await, b.snapshot().await];
    for p in &probes {
        let listed = p.events.list(a.agent.id, page(100, 1)).await.unwrap();
        assert_eq!((listed.items.len(), listed.total), (0, 0));
    }
    let own = b.ports.events.list(b.agent.id, page(100, 1)).await.unwrap();
    assert_eq!(own.total, 4, "created, updated, promoted, key created");
    assert!(own.items.iter().all(|e| e.event.agent_id == b.agent.id));
    let kinds: Vec<EventKind> = own.items.iter().map(|e| e.event.kind).collect();
    assert_eq!(kinds[0], EventKind::KeyCreated);
    unchanged([&a, &b], before).await;
}

/// The change feed: another org's feed (whole, by agent id, or as `user:alice`, who holds
/// grants in both orgs) holds none of this org's events; this org's holds exactly its own.
pub async fn feed_stays_in_its_org(subject: Subject) {
    let (a, b, probes) = two_orgs(&subject).await;
    let before = [a.snapshot().await, b.snapshot().await];
    let theirs = crate::feed::read_all(&a.ports, FeedQuery::whole_org(0, 1000)).await;
    assert!(theirs.len() >= 4);
    assert!(theirs.iter().all(|e| e.event.event.agent_id == a.agent.id));
    let their_ids: Vec<i64> = theirs.iter().map(|e| e.event.id).collect();
    for p in &probes {
        let queries = [
            FeedQuery::whole_org(0, 1000),
            FeedQuery {
                agent_id: Some(a.agent.id),
                ..FeedQuery::whole_org(0, 1000)
            },
            FeedQuery {
                granted_to: Some(alice()),
                ..FeedQuery::whole_org(0, 1000)
            },
        ];
        for q in queries {
            let seen = crate::feed::read_all(p, q).await;
            assert!(seen.iter().all(|e| !their_ids.contains(&e.event.id)));
            assert!(seen.iter().all(|e| e.event.event.agent_id != a.agent.id));
        }
    }
    let own = crate::feed::read_all(&b.ports, FeedQuery::whole_org(0, 1000)).await;
    assert!(own.iter().all(|e| e.event.event.agent_id == b.agent.id));
    assert_eq!(own.len(), theirs.len());
    unchanged([&a, &b], before).await;
}

/// Grants: `user:alice` owns an agent in each org, yet holds nothing on the other org's; grant
/// and revoke on it are `NotFound`, its grants list is empty.
pub async fn grants_stay_in_their_org(subject: Subject) {
    let (a, b, probes) = two_orgs(&subject).await;
    let before = [a.snapshot().await, b.snapshot().await];
    let id = a.agent.id;
    assert!(allowed(&b.ports, &alice(), b.agent.id, Action::Delete).await);
    for p in &probes {
        for action in [Action::Read, Action::Update, Action::Delete] {
            assert!(!allowed(p, &alice(), id, action).await, "{action:?}");
        }
        let granted = p
            .authorizer
            .grant(id, &user("bob"), Role::Viewer, &[])
            .await;
        assert_eq!(granted, Err(RepoError::NotFound));
        let owner = p.authorizer.grant(id, &alice(), Role::Owner, &[]).await;
        assert_eq!(owner, Err(RepoError::NotFound));
        let revoked = p.authorizer.revoke(id, &alice(), &[]).await;
        assert_eq!(revoked, Err(RepoError::NotFound));
        let listed = p.authorizer.grants(id, page(100, 1)).await.unwrap();
        assert_eq!((listed.items.len(), listed.total), (0, 0));
    }
    unchanged([&a, &b], before).await;
}
