//! `AgentRepository::list`: filters, ordering, paging.

use crate::fixtures::*;
use registry_domain::{
    Agent, AgentId, AgentStatus, LifecycleEvent, Principal, Role, SortDirection,
};
use registry_ports::{AgentOrder, AgentQuery, Ports, RepoError};

async fn ids(ports: &Ports, query: AgentQuery) -> (Vec<AgentId>, u64) {
    let page = ports.agents.list(&query).await.unwrap();
    (page.items.iter().map(|a| a.id).collect(), page.total)
}

/// Deleted agents are never listed, whatever the filter.
pub async fn list_excludes_deleted(ports: Ports) {
    let kept = saved_agent(&ports).await;
    let gone = saved_agent(&ports).await;
    delete(&ports, &gone).await;
    assert_eq!(ids(&ports, AgentQuery::default()).await, (vec![kept.id], 1));
    let all_statuses = AgentQuery {
        statuses: AgentStatus::ALL.to_vec(),
        ..AgentQuery::default()
    };
    assert_eq!(ids(&ports, all_statuses).await, (vec![kept.id], 1));
}

/// `statuses` keeps only those statuses; `Deleted` alone matches nothing.
pub async fn list_filters_by_status(ports: Ports) {
    let ready = saved_agent(&ports).await;
    let build = agent_named(unique_name("build"), LifecycleEvent::RegisterBuild, now());
    let build = save(&ports, &build).await;
    let only = |s: Vec<AgentStatus>| AgentQuery {
        statuses: s,
        ..AgentQuery::default()
    };
    assert_eq!(
        ids(&ports, only(vec![AgentStatus::BuildOnly])).await,
        (vec![build.id], 1)
    );
    assert_eq!(
        ids(&ports, only(vec![AgentStatus::Ready])).await,
        (vec![ready.id], 1)
    );
    assert_eq!(
        ids(&ports, only(vec![AgentStatus::Deleted])).await,
        (vec![], 0)
    );
    assert_eq!(ids(&ports, only(vec![])).await.1, 2);
}

/// Each sort key in both directions.
pub async fn list_orders_by_each_key(ports: Ports) {
    let base = now();
    // created: a < b < c; updated: c < a < b; name: b < c < a.
    let spec = [("c", 0, 10), ("a", 1, 20), ("b", 2, 0)];
    let prefix = unique_name("order");
    let mut agents: Vec<Agent> = Vec::new();
    for (suffix, created, updated) in spec {
        let name = registry_domain::AgentName::parse(&format!("{prefix}{suffix}")).unwrap();
        let mut a = agent_named(name, LifecycleEvent::Register, later(base, created));
        a.updated_at = later(base, updated);
        agents.push(save(&ports, &a).await);
    }
    let [a, b, c] = [agents[0].id, agents[1].id, agents[2].id];
    let cases = [
        (AgentOrder::CreatedAt, vec![a, b, c]),
        (AgentOrder::UpdatedAt, vec![c, a, b]),
        (AgentOrder::Name, vec![b, c, a]),
    ];
    for (order_by, ascending) in cases {
        let q = |direction| AgentQuery {
            order_by,
            direction,
            ..AgentQuery::default()
        };
        assert_eq!(
            ids(&ports, q(SortDirection::Asc)).await.0,
            ascending,
            "{order_by:?} asc"
        );
        let descending: Vec<_> = ascending.iter().rev().copied().collect();
        assert_eq!(
            ids(&ports, q(SortDirection::Desc)).await.0,
            descending,
            "{order_by:?} desc"
        );
    }
}

/// Equal sort keys are ordered by id, in the same direction.
pub async fn list_breaks_ties_by_id(ports: Ports) {
    let at = now();
    let mut expected = Vec::new();
    for _ in 0..5 {
        let a = agent_named(unique_name("tie"), LifecycleEvent::Register, at);
        expected.push(save(&ports, &a).await.id);
    }
    expected.sort();
    for order_by in [AgentOrder::CreatedAt, AgentOrder::UpdatedAt] {
        let q = |direction| AgentQuery {
            order_by,
            direction,
            ..AgentQuery::default()
        };
        assert_eq!(ids(&ports, q(SortDirection::Asc)).await.0, expected);
        let rev: Vec<_> = expected.iter().rev().copied().collect();
        assert_eq!(ids(&ports, q(SortDirection::Desc)).await.0, rev);
    }
}

/// Pages cut the ordered list; `total` counts every match.
pub async fn list_pages_with_total(ports: Ports) {
    let base = now();
    let mut all = Vec::new();
    for i in 0..5 {
        let a = agent_named(
            unique_name("page"),
            LifecycleEvent::Register,
            later(base, i),
        );
        all.push(save(&ports, &a).await.id);
    }
    let q = |number| AgentQuery {
        page: page(2, number),
        order_by: AgentOrder::CreatedAt,
        direction: SortDirection::Asc,
        ..AgentQuery::default()
    };
    assert_eq!(ids(&ports, q(1)).await, (all[0..2].to_vec(), 5));
    assert_eq!(ids(&ports, q(2)).await, (all[2..4].to_vec(), 5));
    assert_eq!(ids(&ports, q(3)).await, (all[4..].to_vec(), 5));
    assert_eq!(ids(&ports, q(4)).await, (vec![], 5));
}

/// `only_ids` restricts to the given ids; an empty set lists nothing.
pub async fn list_only_ids(ports: Ports) {
    let a = saved_agent(&ports).await;
    let _b = saved_agent(&ports).await;
    let c = saved_agent(&ports).await;
    let gone = saved_agent(&ports).await;
    delete(&ports, &gone).await;
    let q = |only: Vec<AgentId>| AgentQuery {
        only_ids: Some(only),
        order_by: AgentOrder::CreatedAt,
        direction: SortDirection::Asc,
        ..AgentQuery::default()
    };
    let (mut got, total) = ids(&ports, q(vec![a.id, c.id, gone.id, AgentId::new_random()])).await;
    got.sort();
    let mut want = vec![a.id, c.id];
    want.sort();
    assert_eq!((got, total), (want, 2));
    assert_eq!(ids(&ports, q(vec![])).await, (vec![], 0));
    assert_eq!(ids(&ports, AgentQuery::default()).await.1, 3);
}

/// `granted_to` lists the live agents on which the principal holds any grant, with their
/// total; another principal's grants do not count.
pub async fn list_granted_to(ports: Ports) {
    let (bob, carol) = (user("bob"), user("carol"));
    let a = saved_agent(&ports).await;
    let b = saved_agent(&ports).await;
    let theirs = saved_agent(&ports).await;
    let gone = saved_agent(&ports).await;
    for (agent, role) in [(&a, Role::Viewer), (&b, Role::Owner), (&gone, Role::Editor)] {
        ports
            .authorizer
            .grant(agent.id, &bob, role, &[])
            .await
            .unwrap();
    }
    ports
        .authorizer
        .grant(theirs.id, &carol, Role::Owner, &[])
        .await
        .unwrap();
    delete(&ports, &gone).await;
    let q = |who: &Principal| AgentQuery {
        granted_to: Some(who.clone()),
        order_by: AgentOrder::CreatedAt,
        direction: SortDirection::Asc,
        ..AgentQuery::default()
    };
    assert_eq!(ids(&ports, q(&bob)).await, (vec![a.id, b.id], 2));
    assert_eq!(ids(&ports, q(&carol)).await, (vec![theirs.id], 1));
    assert_eq!(ids(&ports, q(&user("dave"))).await, (vec![], 0));
}

/// A principal's granted agents in the default order (`updated_at`) follow the agents' own
/// changes: an agent updated after being granted moves to the front, pages split where the
/// order says, both directions; owners written at creation and later grants alike.
pub async fn list_granted_follows_updates(ports: Ports) {
    let bob = user("bob");
    let base = now();
    let mut agents = Vec::new();
    for i in 0..4 {
        let a = agent_named(unique_name("gr"), LifecycleEvent::Register, later(base, i));
        let stored = if i % 2 == 0 {
            ports
                .agents
                .create_if_absent(&a, Some(bob.clone()), &[])
                .await
                .unwrap()
                .agent
        } else {
            let stored = save(&ports, &a).await;
            ports
                .authorizer
                .grant(stored.id, &bob, Role::Viewer, &[])
                .await
                .unwrap();
            stored
        };
        agents.push(stored);
    }
    // The oldest one changes last: it is now the most recently updated.
    let mut touched = agents[0].clone();
    touched.description = registry_domain::Description::parse("touched").unwrap();
    touched.updated_at = later(base, 10);
    let touched = ports.agents.update(&touched, &[]).await.unwrap();
    let q = |direction, number| AgentQuery {
        granted_to: Some(bob.clone()),
        page: page(2, number),
        direction,
        ..AgentQuery::default()
    };
    let (a, b, c, d) = (touched.id, agents[1].id, agents[2].id, agents[3].id);
    assert_eq!(
        ids(&ports, q(SortDirection::Desc, 1)).await,
        (vec![a, d], 4)
    );
    assert_eq!(
        ids(&ports, q(SortDirection::Desc, 2)).await,
        (vec![c, b], 4)
    );
    assert_eq!(ids(&ports, q(SortDirection::Asc, 1)).await, (vec![b, c], 4));
    assert_eq!(ids(&ports, q(SortDirection::Asc, 2)).await, (vec![d, a], 4));
    assert_eq!(ids(&ports, q(SortDirection::Asc, 3)).await, (vec![], 4));
}

/// `card_metadata` is JSON containment on `registration_metadata.agent_card.metadata`.
pub async fn list_filters_by_card_metadata(ports: Ports) {
    let card =
        |m: serde_json::Value| Some(metadata(serde_json::json!({"agent_card": {"metadata": m}})));
    let mut a = ready_agent();
    a.registration_metadata = card(serde_json::json!({"team": "x", "tier": 1, "tags": ["p", "q"]}));
    let a = save(&ports, &a).await;
    let mut b = ready_agent();
    b.registration_metadata = card(serde_json::json!({"team": "y"}));
    let b = save(&ports, &b).await;
    let mut top_level = ready_agent();
    top_level.registration_metadata = Some(metadata(serde_json::json!({"team": "x"})));
    save(&ports, &top_level).await;
    saved_agent(&ports).await;

    let q = |m: serde_json::Value| AgentQuery {
        card_metadata: m.as_object().cloned(),
        ..AgentQuery::default()
    };
    assert_eq!(
        ids(&ports, q(serde_json::json!({"team": "x"}))).await,
        (vec![a.id], 1)
    );
    assert_eq!(
        ids(&ports, q(serde_json::json!({"team": "y"}))).await,
        (vec![b.id], 1)
    );
    assert_eq!(
        ids(&ports, q(serde_json::json!({"tags": ["q"], "tier": 1}))).await,
        (vec![a.id], 1)
    );
    assert_eq!(
        ids(&ports, q(serde_json::json!({"team": "x", "tier": 2}))).await,
        (vec![], 0)
    );
    assert_eq!(
        ids(&ports, q(serde_json::json!({"team": "z"}))).await,
        (vec![], 0)
    );
}

/// A page whose rows would carry more stored data than the domain's page budget is refused
/// with the number of rows that fit; shorter pages of the same rows are served.
pub async fn list_refuses_a_page_over_the_byte_budget(ports: Ports) {
    let blob = "x".repeat(60 * 1024);
    for _ in 0..100 {
        let mut a = ready_agent();
        a.registration_metadata =
            Some(registry_domain::Metadata::parse(serde_json::json!({ "blob": blob })).unwrap());
        save(&ports, &a).await;
    }
    let q = |limit| AgentQuery {
        page: page(limit, 1),
        ..AgentQuery::default()
    };
    match ports.agents.list(&q(100)).await {
        Err(RepoError::PageTooLarge { fitting }) => {
            assert!(
                (80..=86).contains(&fitting),
                "{fitting} rows of 60 KiB fit 5 MiB"
            )
        }
        other => panic!("expected PageTooLarge, got {:?}", other.map(|p| p.total)),
    }
    let served = ports.agents.list(&q(50)).await.unwrap();
    assert_eq!((served.items.len(), served.total), (50, 100));
}

/// `last_seen_at` orders by the last heartbeat, agents that never heartbeated last in either
/// direction (id as tiebreak).
pub async fn list_orders_by_last_seen_with_never_seen_last(ports: Ports) {
    let base = now();
    let seen = |offset: Option<i64>| {
        let mut a = ready_agent();
        a.last_seen_at = offset.map(|s| later(base, s));
        a
    };
    let (old, new, never) = (seen(Some(1)), seen(Some(9)), seen(None));
    for a in [&old, &new, &never] {
        save(&ports, a).await;
    }
    let q = |direction| AgentQuery {
        order_by: AgentOrder::LastSeenAt,
        direction,
        ..AgentQuery::default()
    };
    let (desc, _) = ids(&ports, q(SortDirection::Desc)).await;
    assert_eq!(desc, vec![new.id, old.id, never.id]);
    let (asc, _) = ids(&ports, q(SortDirection::Asc)).await;
    assert_eq!(asc, vec![old.id, new.id, never.id]);
}
