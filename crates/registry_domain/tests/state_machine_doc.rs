//! docs/state-machine.md must describe exactly what `decide` does.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use registry_domain::{decide, AgentStatus, LifecycleEvent};

const DOC: &str = include_str!("../../../docs/state-machine.md");

fn row_status(label: &str) -> Option<AgentStatus> {
    match label {
        "(none)" => None,
        other => Some(AgentStatus::parse(other).unwrap_or_else(|_| panic!("unknown row {other}"))),
    }
}

#[test]
fn doc_table_matches_the_transition_function() {
    let rows: Vec<Vec<&str>> = DOC
        .lines()
        .filter(|l| l.starts_with('|') && !l.starts_with("|---") && !l.contains("from \\ event"))
        .map(|l| l.trim_matches('|').split('|').map(str::trim).collect())
        .collect();
    let mut expected_rows: Vec<Option<AgentStatus>> = vec![None];
    expected_rows.extend(AgentStatus::ALL.iter().copied().map(Some));
    assert_eq!(
        rows.len(),
        expected_rows.len(),
        "one row per status plus (none)"
    );
    let mut seen = Vec::new();
    for cells in rows {
        assert_eq!(cells.len(), 1 + LifecycleEvent::ALL.len(), "row {cells:?}");
        let status = row_status(cells[0]);
        seen.push(status);
        for (event, cell) in LifecycleEvent::ALL.iter().zip(&cells[1..]) {
            assert_eq!(
                decide(status, *event).cell(),
                *cell,
                "docs/state-machine.md row {:?}, event {:?}",
                cells[0],
                event
            );
        }
    }
    for status in expected_rows {
        assert!(seen.contains(&status), "row for {status:?} missing");
    }
}
