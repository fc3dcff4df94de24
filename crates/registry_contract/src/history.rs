//! `HistoryRepository`: deployment history rows.

use crate::fixtures::*;
use registry_domain::{HistoryId, SortDirection};
use registry_ports::Ports;

/// A row is skipped when the agent's latest row has the same commit, and written otherwise.
pub async fn record_skips_same_latest_commit(ports: Ports) {
    let agent = saved_agent(&ports).await;
    let other = saved_agent(&ports).await;
    let base = now();
    let h = |commit, s| history(agent.id, commit, later(base, s));
    assert!(ports.history.record(&h("c1", 0)).await.unwrap());
    assert!(!ports.history.record(&h("c1", 1)).await.unwrap());
    assert!(ports.history.record(&h("c2", 2)).await.unwrap());
    assert!(ports.history.record(&h("c1", 3)).await.unwrap());
    // Another agent's latest commit does not matter.
    assert!(ports
        .history
        .record(&history(other.id, "c1", base))
        .await
        .unwrap());
    let page = ports
        .history
        .list(agent.id, page(50, 1), SortDirection::Desc)
        .await
        .unwrap();
    let commits: Vec<_> = page.items.iter().map(|r| r.commit_hash.as_str()).collect();
    assert_eq!((commits, page.total), (vec!["c1", "c2", "c1"], 3));
}

/// list orders by `deployment_timestamp` both ways, pages, counts; get reads one row.
pub async fn list_orders_and_pages(ports: Ports) {
    let agent = saved_agent(&ports).await;
    let base = now();
    let rows = [
        history(agent.id, "b", later(base, 2)),
        history(agent.id, "a", later(base, 1)),
        history(agent.id, "c", later(base, 3)),
    ];
    for r in &rows {
        assert!(ports.history.record(r).await.unwrap());
    }
    let list = |p, d| ports.history.list(agent.id, p, d);
    let asc = list(page(50, 1), SortDirection::Asc).await.unwrap();
    let commits: Vec<_> = asc.items.iter().map(|r| r.commit_hash.clone()).collect();
    assert_eq!(commits, ["a", "b", "c"]);
    let second = list(page(2, 2), SortDirection::Desc).await.unwrap();
    assert_eq!((second.items.len(), second.total), (1, 3));
    assert_eq!(second.items[0].commit_hash, "a");
    assert_eq!(
        ports.history.get(rows[0].id).await.unwrap(),
        Some(rows[0].clone())
    );
    assert_eq!(
        ports.history.get(HistoryId::new_random()).await.unwrap(),
        None
    );
}
