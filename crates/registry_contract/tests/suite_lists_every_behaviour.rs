//! The `contract_suite!` macro names every public behaviour of every module, and nothing else.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeSet;

const MODULES: &[(&str, &str)] = &[
    ("agents", include_str!("../src/agents.rs")),
    ("agent_list", include_str!("../src/agent_list.rs")),
    ("heartbeats", include_str!("../src/heartbeats.rs")),
    ("deployments", include_str!("../src/deployments.rs")),
    ("history", include_str!("../src/history.rs")),
    ("keys", include_str!("../src/keys.rs")),
    ("tokens", include_str!("../src/tokens.rs")),
    ("events", include_str!("../src/events.rs")),
    ("feed", include_str!("../src/feed.rs")),
    ("authorization", include_str!("../src/authorization.rs")),
    ("orgs", include_str!("../src/orgs.rs")),
    ("isolation", include_str!("../src/isolation.rs")),
    ("quotas", include_str!("../src/quotas.rs")),
    ("tenancy", include_str!("../src/tenancy.rs")),
    ("totals", include_str!("../src/totals.rs")),
    ("webhooks", include_str!("../src/webhooks.rs")),
    ("cards", include_str!("../src/cards.rs")),
];

#[test]
fn macro_lists_every_behaviour_once() {
    let prefix = "pub async fn ";
    let defined: BTreeSet<String> = MODULES
        .iter()
        .flat_map(|(module, source)| {
            source.lines().filter_map(move |line| {
                let name = line.strip_prefix(prefix)?.split('(').next()?;
                Some(format!("{module}_{name} => {module}::{name},"))
            })
        })
        .collect();
    let lib = include_str!("../src/lib.rs");
    let listed: Vec<String> = lib
        .lines()
        .map(str::trim)
        .filter(|l| l.contains(" => ") && l.ends_with(','))
        .map(str::to_owned)
        .collect();
    let listed_set: BTreeSet<String> = listed.iter().cloned().collect();
    assert_eq!(
        listed.len(),
        listed_set.len(),
        "a behaviour is listed twice"
    );
    assert_eq!(listed_set, defined);
    assert!(defined.len() >= 35);
}
