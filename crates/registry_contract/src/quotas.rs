//! Quotas (contract §9): `create_if_absent` of a new name in an org with `max_agents` refuses
//! once the org's live agents reach it, writing nothing; existing names are never refused.

use crate::fixtures::*;
use crate::Subject;
use registry_domain::{EventKind, LifecycleEvent, OrgChanges, QuotaExceeded};
use registry_ports::{AgentQuery, Ports, RepoError, RepoResult};

/// Creates a fresh Ready agent (owned by `user:alice`, with a Created event).
async fn create(ports: &Ports) -> RepoResult<registry_ports::CreateOutcome> {
    let agent = ready_agent();
    let events = [event(agent.id, EventKind::Created, "admin")];
    let outcome = ports
        .agents
        .create_if_absent(&agent, Some(user("alice")), &events)
        .await;
    if let Ok(o) = &outcome {
        assert!(o.created, "a fresh name is created");
    }
    outcome
}

/// The org's live agents, as its list counts them.
async fn live(ports: &Ports) -> u64 {
    let query = AgentQuery::default();
    ports.agents.list(&query).await.unwrap().total
}

/// At the limit a new name is `QuotaExceeded { limit, current }` and nothing is written: no
/// agent (by name or in the list), no grant, no event.
pub async fn create_at_the_limit_is_refused(subject: Subject) {
    let (_, ports) = subject.new_org("quota", Some(2)).await;
    create(&ports).await.unwrap();
    create(&ports).await.unwrap();
    let refused = ready_agent();
    let events = [event(refused.id, EventKind::Created, "admin")];
    let err = ports
        .agents
        .create_if_absent(&refused, Some(user("alice")), &events)
        .await
        .unwrap_err();
    let exceeded = QuotaExceeded {
        limit: 2,
        current: 2,
    };
    assert_eq!(err, RepoError::QuotaExceeded(exceeded));
    assert_eq!(ports.agents.get(refused.id).await.unwrap(), None);
    let by_name = ports.agents.get_live_by_name(&refused.name).await.unwrap();
    assert_eq!(by_name, None);
    assert_eq!(live(&ports).await, 2);
    assert!(grants_of(&ports, refused.id).await.is_empty());
    let trail = ports.events.list(refused.id, page(10, 1)).await.unwrap();
    assert_eq!(trail.total, 0);
}

/// An existing live name returns the existing agent (`created: false`) at and over the limit.
pub async fn existing_name_is_never_refused(subject: Subject) {
    let (org, ports) = subject.new_org("quota", Some(1)).await;
    let first = create(&ports).await.unwrap().agent;
    let again = agent_named(first.name.clone(), LifecycleEvent::Register, now());
    let outcome = ports
        .agents
        .create_if_absent(&again, Some(user("alice")), &[])
        .await
        .unwrap();
    assert!(!outcome.created);
    assert_eq!(outcome.agent, first);
    let lowered = OrgChanges {
        max_agents: Some(Some(0)),
        ..OrgChanges::default()
    };
    ports
        .orgs
        .update_org(&org.slug, &lowered, now())
        .await
        .unwrap();
    let outcome = ports.agents.create_if_absent(&again, None, &[]).await;
    assert_eq!(outcome.unwrap().agent.id, first.id, "over the limit too");
}

/// Deleting an agent frees its place; Deleted agents do not count.
pub async fn deleting_frees_quota(subject: Subject) {
    let (_, ports) = subject.new_org("quota", Some(1)).await;
    let first = create(&ports).await.unwrap().agent;
    assert!(matches!(
        create(&ports).await,
        Err(RepoError::QuotaExceeded(QuotaExceeded {
            limit: 1,
            current: 1
        }))
    ));
    delete(&ports, &first).await;
    create(&ports).await.unwrap();
    assert_eq!(live(&ports).await, 1);
}

/// Lowering `max_agents` below the live count is allowed and refuses creates, reporting the
/// live count; raising it admits them again; `None` lifts the limit.
pub async fn lowering_below_current_refuses_creates(subject: Subject) {
    let (org, ports) = subject.new_org("quota", None).await;
    for _ in 0..3 {
        create(&ports).await.unwrap();
    }
    let set = |max| OrgChanges {
        max_agents: Some(max),
        ..OrgChanges::default()
    };
    let orgs = &ports.orgs;
    let lowered = orgs.update_org(&org.slug, &set(Some(1)), now()).await;
    assert_eq!(lowered.unwrap().max_agents, Some(1));
    let exceeded = QuotaExceeded {
        limit: 1,
        current: 3,
    };
    assert_eq!(
        create(&ports).await.unwrap_err(),
        RepoError::QuotaExceeded(exceeded)
    );
    orgs.update_org(&org.slug, &set(Some(4)), now())
        .await
        .unwrap();
    create(&ports).await.unwrap();
    let full = create(&ports).await.unwrap_err();
    assert_eq!(
        full,
        RepoError::QuotaExceeded(QuotaExceeded {
            limit: 4,
            current: 4
        })
    );
    orgs.update_org(&org.slug, &set(None), now()).await.unwrap();
    create(&ports).await.unwrap();
    assert_eq!(live(&ports).await, 5);
}

/// Without a quota (a new org with `None`, and `default`) creates are unlimited.
pub async fn no_quota_is_unlimited(subject: Subject) {
    let (_, unlimited) = subject.new_org("free", None).await;
    for ports in [unlimited, subject.default_ports()] {
        for _ in 0..12 {
            create(&ports).await.unwrap();
        }
        assert_eq!(live(&ports).await, 12);
    }
}

/// A quota counts its own org's live agents only: a full org does not limit another, and
/// another org's agents do not fill it.
pub async fn quota_counts_its_own_org_only(subject: Subject) {
    let (_, small) = subject.new_org("small", Some(1)).await;
    let (_, other) = subject.new_org("other", Some(1)).await;
    for _ in 0..3 {
        create(&subject.default_ports()).await.unwrap();
    }
    create(&small).await.unwrap();
    assert!(matches!(
        create(&small).await,
        Err(RepoError::QuotaExceeded(_))
    ));
    create(&other).await.unwrap();
    create(&subject.default_ports()).await.unwrap();
}

/// Race-free: 16 parallel creates of distinct names at `current = limit − 1` create exactly
/// one agent; every other one is `QuotaExceeded { limit, current: limit }`.
pub async fn concurrent_creates_at_the_limit_create_once(subject: Subject) {
    let limit = 3;
    let (_, ports) = subject.new_org("race", Some(limit)).await;
    for _ in 1..limit {
        create(&ports).await.unwrap();
    }
    let tasks: Vec<_> = (0..16)
        .map(|_| {
            let ports = ports.clone();
            tokio::spawn(async move { create(&ports).await })
        })
        .collect();
    let mut created = 0;
    for task in tasks {
        match task.await.unwrap() {
            Ok(_) => created += 1,
            Err(err) => assert_eq!(
                err,
                RepoError::QuotaExceeded(QuotaExceeded {
                    limit,
                    current: u64::from(limit)
                })
            ),
        }
    }
    assert_eq!(created, 1);
    assert_eq!(live(&ports).await, u64::from(limit));
}
