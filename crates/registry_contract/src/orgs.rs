//! `OrgRepository`: the orgs themselves (not scoped: the platform admin's).

use crate::fixtures::*;
use crate::populated::{populate, Populated};
use crate::subject::org_named;
use crate::Subject;
use registry_domain::{AgentRef, Org, OrgChanges, OrgId, OrgSlug, SortDirection};
use registry_ports::{AgentQuery, Constraint, Ports, RepoError};

fn slug(text: &str) -> OrgSlug {
    OrgSlug::parse(text, "slug").unwrap()
}

/// Every org's slug, as listed.
async fn slugs(ports: &Ports) -> Vec<String> {
    let listed = ports.orgs.list_orgs(page(100, 1)).await.unwrap();
    listed.items.iter().map(|o| o.slug.to_string()).collect()
}

/// A fresh store holds the `default` org, with its fixed id and no quota.
pub async fn default_org_exists(subject: Subject) {
    let ports = subject.default_ports();
    let default = ports.orgs.org_by_slug(&OrgSlug::default_org()).await;
    let default = default.unwrap().expect("the default org exists");
    assert_eq!(default.id, OrgId::DEFAULT);
    assert_eq!(default.display_name, "Default");
    assert_eq!(default.max_agents, None);
    let listed = ports.orgs.list_orgs(page(100, 1)).await.unwrap();
    assert_eq!((listed.items, listed.total), (vec![default], 1));
}

/// A created org reads back equal by slug; a taken slug is `Conflict(OrgSlug)` and writes
/// nothing; an unknown slug is `None`.
pub async fn create_reads_back_and_slugs_are_unique(subject: Subject) {
    let orgs = subject.default_ports().orgs;
    let org = org_named("team-a", Some(3));
    assert_eq!(orgs.create_org(&org).await.unwrap(), org);
    assert_eq!(
        orgs.org_by_slug(&slug("team-a")).await.unwrap(),
        Some(org.clone())
    );
    let again = org_named("team-a", None);
    let err = orgs.create_org(&again).await.unwrap_err();
    assert_eq!(err, RepoError::Conflict(Constraint::OrgSlug));
    assert_eq!(orgs.org_by_slug(&slug("team-a")).await.unwrap(), Some(org));
    assert_eq!(orgs.org_by_slug(&slug("team-b")).await.unwrap(), None);
    let taken_default = orgs.create_org(&org_named("default", None)).await;
    assert_eq!(taken_default, Err(RepoError::Conflict(Constraint::OrgSlug)));
}

/// Orgs list by slug ascending, paged, with the total.
pub async fn list_orders_by_slug_with_total(subject: Subject) {
    let ports = subject.default_ports();
    for s in ["zeta", "alpha", "mid-1", "mid"] {
        ports.orgs.create_org(&org_named(s, None)).await.unwrap();
    }
    assert_eq!(
        slugs(&ports).await,
        ["alpha", "default", "mid", "mid-1", "zeta"]
    );
    let second = ports.orgs.list_orgs(page(2, 2)).await.unwrap();
    let names: Vec<_> = second.items.iter().map(|o| o.slug.to_string()).collect();
    assert_eq!(
        (names, second.total),
        (vec!["mid".into(), "mid-1".into()], 5)
    );
}

/// update_org changes what it is given (and `updated_at`), keeps the rest, and is `NotFound`
/// for an unknown slug.
pub async fn update_changes_what_it_is_given(subject: Subject) {
    let (org, ports) = subject.new_org("upd", Some(2)).await;
    let at = later(now(), 5);
    let renamed = OrgChanges {
        display_name: Some("Renamed".to_owned()),
        max_agents: None,
    };
    let stored = ports
        .orgs
        .update_org(&org.slug, &renamed, at)
        .await
        .unwrap();
    let expected = Org {
        display_name: "Renamed".to_owned(),
        updated_at: at,
        ..org.clone()
    };
    assert_eq!(stored, expected);
    let unlimited = OrgChanges {
        display_name: None,
        max_agents: Some(None),
    };
    let stored = ports.orgs.update_org(&org.slug, &unlimited, at).await;
    assert_eq!(stored.unwrap().max_agents, None);
    let capped = OrgChanges {
        display_name: None,
        max_agents: Some(Some(7)),
    };
    let stored = ports.orgs.update_org(&org.slug, &capped, at).await.unwrap();
    assert_eq!(
        (stored.max_agents, stored.display_name.as_str()),
        (Some(7), "Renamed")
    );
    assert_eq!(
        ports.orgs.org_by_slug(&org.slug).await.unwrap(),
        Some(stored)
    );
    let absent = ports.orgs.update_org(&slug("nope"), &capped, at).await;
    assert_eq!(absent, Err(RepoError::NotFound));
}

/// Deleting an unknown org is `NotFound`.
pub async fn delete_absent_is_not_found(subject: Subject) {
    let orgs = subject.default_ports().orgs;
    assert_eq!(
        orgs.delete_org(&slug("nope")).await,
        Err(RepoError::NotFound)
    );
}

/// An org with a live agent cannot be deleted (`Conflict(OrgHasLiveAgents)`, nothing removed);
/// once its agents are Deleted it can.
pub async fn delete_with_live_agents_conflicts(subject: Subject) {
    let (org, ports) = subject.new_org("busy", None).await;
    let agent = saved_agent(&ports).await;
    let err = ports.orgs.delete_org(&org.slug).await.unwrap_err();
    assert_eq!(err, RepoError::Conflict(Constraint::OrgHasLiveAgents));
    assert_eq!(
        ports.orgs.org_by_slug(&org.slug).await.unwrap(),
        Some(org.clone())
    );
    assert_eq!(
        ports.agents.get(agent.id).await.unwrap(),
        Some(agent.clone())
    );
    delete(&ports, &agent).await;
    assert_eq!(ports.orgs.delete_org(&org.slug).await.unwrap(), org);
}

/// Deleting an org removes everything it still owns (Deleted agents, deployments, history,
/// keys, tokens, grants, events: none is found any more, nor authenticates); another org is
/// untouched, and the slug can be taken again by a new, empty org.
pub async fn delete_removes_what_the_org_owns(subject: Subject) {
    let (org, ports) = subject.new_org("gone", None).await;
    let gone = populate(org.clone(), ports).await;
    let (other_org, other_ports) = subject.new_org("kept", None).await;
    let kept = populate(other_org, other_ports).await;
    let kept_before = kept.snapshot().await;
    delete(&gone.ports, &gone.agent).await;
    assert_eq!(gone.ports.orgs.delete_org(&org.slug).await.unwrap(), org);
    assert_eq!(gone.ports.orgs.org_by_slug(&org.slug).await.unwrap(), None);
    assert!(!slugs(&gone.ports).await.contains(&org.slug.to_string()));
    assert_nothing_left(&gone, &gone.ports).await;
    assert_eq!(kept.snapshot().await, kept_before);

    let reborn = org_named(org.slug.as_str(), None);
    gone.ports.orgs.create_org(&reborn).await.unwrap();
    assert_nothing_left(&gone, &subject.ports(reborn.id)).await;
}

/// Nothing of `gone` is readable through `ports`, nor authenticates.
async fn assert_nothing_left(gone: &Populated, ports: &Ports) {
    let id = gone.agent.id;
    assert_eq!(ports.agents.get(id).await.unwrap(), None);
    let agents = ports.agents.list(&AgentQuery::default()).await.unwrap();
    assert_eq!(agents.total, 0);
    let deployment = ports.deployments.get(id, gone.production.id).await;
    assert_eq!(deployment.unwrap(), None);
    let deployments = ports.deployments.list(id, page(10, 1), SortDirection::Asc);
    assert_eq!(deployments.await.unwrap().total, 0);
    assert_eq!(ports.history.get(gone.history.id).await.unwrap(), None);
    assert_eq!(ports.keys.get(gone.key.id).await.unwrap(), None);
    assert_eq!(ports.tokens.list(page(10, 1)).await.unwrap().total, 0);
    assert_eq!(ports.events.list(id, page(10, 1)).await.unwrap().total, 0);
    assert!(grants_of(ports, id).await.is_empty());
    let creds = &ports.credentials;
    assert_eq!(creds.find_token(&gone.token_hash).await.unwrap(), None);
    assert_eq!(creds.find_key(&gone.key_hash).await.unwrap(), None);
}

/// `org_with_agent` reads the org by slug and the agent in it (by id; by name the live one):
/// another org's agent is absent, an unknown slug is `None`.
pub async fn org_with_agent_reads_both(subject: Subject) {
    let (team, theirs) = subject.new_org("with-agent", None).await;
    let ports = subject.default_ports();
    let agent = saved_agent(&theirs).await;
    let gone = saved_agent(&theirs).await;
    delete(&theirs, &gone).await;
    let mine = saved_agent(&ports).await;
    let orgs = &ports.orgs;
    let read = |found: Option<(registry_domain::OrgRef, Option<registry_domain::Agent>)>| {
        found.map(|(org, agent)| (org.id, org.slug, agent.map(|a| a.id)))
    };
    let (id, slug) = (team.id, team.slug.clone());
    let at_id = |a: &registry_domain::Agent| AgentRef::Id(a.id);
    let at_name = |a: &registry_domain::Agent| AgentRef::Name(a.name.clone());
    let ask = |at: AgentRef| {
        let slug = team.slug.clone();
        async move { orgs.org_with_agent(&slug, &at).await.unwrap() }
    };
    assert_eq!(
        read(ask(at_id(&agent)).await),
        Some((id, slug.clone(), Some(agent.id)))
    );
    assert_eq!(
        read(ask(at_name(&agent)).await),
        Some((id, slug.clone(), Some(agent.id)))
    );
    // By id a Deleted agent is still read (the caller decides); by name only a live one.
    assert_eq!(
        read(ask(at_id(&gone)).await),
        Some((id, slug.clone(), Some(gone.id)))
    );
    assert_eq!(
        read(ask(at_name(&gone)).await),
        Some((id, slug.clone(), None))
    );
    assert_eq!(
        read(ask(at_id(&mine)).await),
        Some((id, slug.clone(), None))
    );
    let nobody = OrgSlug::parse("no-such-org", "slug").unwrap();
    let unknown = orgs.org_with_agent(&nobody, &at_id(&agent)).await.unwrap();
    assert_eq!(read(unknown), None);
}
