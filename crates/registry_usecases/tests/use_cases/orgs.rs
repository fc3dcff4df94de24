//! Orgs (contract §9): who manages them, tokens per org, a registry acting in one org sees only
//! that org, quotas, mirroring.

use crate::common::{alice, build_of, world};
use registry_domain::{AgentRef, OrgChanges, OrgSlug, PageRequest, Principal, DEFAULT_ORG_SLUG};
use registry_usecases::{
    CreateOrgInput, CreateServiceTokenInput, RegistryError, ServiceTokenKind, UpsertAgentInput,
};

fn slug(text: &str) -> OrgSlug {
    OrgSlug::parse(text, "slug").unwrap()
}

fn org_input(text: &str, max_agents: Option<u32>) -> CreateOrgInput {
    CreateOrgInput {
        slug: slug(text),
        display_name: None,
        max_agents: Some(max_agents),
    }
}

fn ops() -> Principal {
    Principal::OrgAdmin("ops".to_owned())
}

#[tokio::test]
async fn only_the_platform_admin_manages_orgs() {
    let w = world();
    let admin = Principal::Admin;
    let org = w
        .registry
        .create_org(&admin, org_input("team-a", None))
        .await
        .unwrap();
    assert_eq!(
        (org.slug.as_str(), org.display_name.as_str()),
        ("team-a", "team-a")
    );
    let again = w
        .registry
        .create_org(&admin, org_input("team-a", None))
        .await;
    assert_eq!(again.unwrap_err(), RegistryError::OrgExists);
    for caller in [ops(), alice()] {
        let refused = w
            .registry
            .create_org(&caller, org_input("team-b", None))
            .await;
        assert_eq!(refused.unwrap_err(), RegistryError::Forbidden);
        let page = PageRequest::new(None, None).unwrap();
        assert_eq!(
            w.registry.list_orgs(&caller, page).await.unwrap_err(),
            RegistryError::Forbidden
        );
    }
    let default = slug(DEFAULT_ORG_SLUG);
    assert_eq!(
        w.registry.delete_org(&admin, &default).await.unwrap_err(),
        RegistryError::OrgInUse
    );
    let changed = OrgChanges {
        display_name: Some("Team A".into()),
        max_agents: Some(Some(3)),
    };
    let updated = w
        .registry
        .update_org(&admin, &slug("team-a"), changed)
        .await
        .unwrap();
    assert_eq!(
        (updated.display_name.as_str(), updated.max_agents),
        ("Team A", Some(3))
    );
    let missing = w
        .registry
        .update_org(&admin, &slug("nope"), OrgChanges::default())
        .await;
    assert_eq!(missing.unwrap_err(), RegistryError::OrgNotFound);
}

#[tokio::test]
async fn an_org_admin_reads_its_own_org_and_mints_tokens_only_there() {
    let w = world();
    w.registry
        .create_org(&Principal::Admin, org_input("team-a", None))
        .await
        .unwrap();
    let team_a = w.registry.find_org(&slug("team-a")).await.unwrap().unwrap();
    let in_a = w.registry.in_org(&team_a);
    assert_eq!(
        in_a.get_org(&ops(), &slug("team-a")).await.unwrap().slug,
        slug("team-a")
    );
    let other = in_a.get_org(&ops(), &slug(DEFAULT_ORG_SLUG)).await;
    assert_eq!(other.unwrap_err(), RegistryError::Forbidden);
    let token = |org: Option<&str>| CreateServiceTokenInput {
        name: "bo".into(),
        kind: ServiceTokenKind::User,
        org: org.map(slug),
    };
    let mine = in_a
        .create_service_token(&ops(), token(None))
        .await
        .unwrap();
    assert_eq!(mine.org, team_a);
    let elsewhere = in_a
        .create_service_token(&ops(), token(Some(DEFAULT_ORG_SLUG)))
        .await;
    assert_eq!(elsewhere.unwrap_err(), RegistryError::Forbidden);
    // The platform admin names any org; an unknown one is not found.
    let by_platform = w
        .registry
        .create_service_token(&Principal::Admin, token(Some("team-a")))
        .await;
    assert_eq!(
        by_platform.unwrap_err(),
        RegistryError::ServiceTokenExists,
        "bo exists in team-a"
    );
    let unknown = w
        .registry
        .create_service_token(&Principal::Admin, token(Some("nope")))
        .await;
    assert_eq!(unknown.unwrap_err(), RegistryError::OrgNotFound);
}

#[tokio::test]
async fn a_registry_in_one_org_never_sees_anothers_agents() {
    let w = world();
    w.registry
        .create_org(&Principal::Admin, org_input("team-a", None))
        .await
        .unwrap();
    let team_a = w.registry.find_org(&slug("team-a")).await.unwrap().unwrap();
    let in_a = w.registry.in_org(&team_a);
    let here = w.build(&alice(), "same").await;
    let there = in_a
        .register_build(&alice(), build_of("same"))
        .await
        .unwrap();
    assert!(there.created, "the name is free in another org");
    assert_ne!(here.id, there.agent.id);
    let cross = in_a
        .get_agent(&Principal::Admin, &AgentRef::Id(here.id))
        .await;
    assert_eq!(cross.unwrap_err(), RegistryError::AgentNotFound);
}

#[tokio::test]
async fn quotas_refuse_new_names_with_limit_and_current() {
    let w = world();
    w.registry
        .create_org(&Principal::Admin, org_input("small", Some(1)))
        .await
        .unwrap();
    let small = w.registry.find_org(&slug("small")).await.unwrap().unwrap();
    let in_small = w.registry.in_org(&small);
    in_small
        .register_build(&alice(), build_of("one"))
        .await
        .unwrap();
    let refused = in_small.register_build(&alice(), build_of("two")).await;
    assert_eq!(
        refused.unwrap_err(),
        RegistryError::QuotaExceeded {
            limit: 1,
            current: 1
        }
    );
    let existing = in_small
        .register_build(&alice(), build_of("one"))
        .await
        .unwrap();
    assert!(!existing.created, "an existing name is never refused");
}

#[tokio::test]
async fn mirroring_upserts_in_the_named_org_for_the_platform_admin_only() {
    let w = world();
    w.registry
        .create_org(&Principal::Admin, org_input("mirror", None))
        .await
        .unwrap();
    let input = || UpsertAgentInput {
        agent: build_of("copied"),
        if_match: None,
    };
    let written = w
        .registry
        .upsert_agent_in_org(&Principal::Admin, &slug("mirror"), input())
        .await
        .unwrap();
    assert!(written.created);
    let by_name = AgentRef::Name(build_of("copied").name);
    let in_default = w.registry.get_agent(&Principal::Admin, &by_name).await;
    assert_eq!(in_default.unwrap_err(), RegistryError::AgentNotFound);
    let refused = w
        .registry
        .upsert_agent_in_org(&ops(), &slug("mirror"), input())
        .await;
    assert_eq!(refused.unwrap_err(), RegistryError::Forbidden);
    let unknown = w
        .registry
        .upsert_agent_in_org(&Principal::Admin, &slug("nope"), input())
        .await;
    assert_eq!(unknown.unwrap_err(), RegistryError::OrgNotFound);
}
