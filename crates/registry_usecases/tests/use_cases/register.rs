//! Build-time and deploy-time registration, renames and the keys registration mints.

use crate::common::{alice, bob, build_of, deployed, world};
use registry_domain::state_machine::REASON_REGISTERED;
use registry_domain::{
    AcpType, AgentRef, AgentStatus, ApiKeyType, EventKind, PageRequest, Principal, Role,
};
use registry_usecases::{RegisterInput, RegistryError};

#[tokio::test]
async fn creating_grants_the_caller_ownership_in_the_same_call() {
    let w = world();
    let out = w
        .registry
        .register_build(&alice(), build_of("a"))
        .await
        .unwrap();
    assert!(out.created);
    assert_eq!(out.agent.status, AgentStatus::BuildOnly);
    assert_eq!(
        out.agent.status_reason.as_deref(),
        Some("Agent build registered; not yet deployed.")
    );
    let grants = w
        .registry
        .list_grants(&Principal::Admin, out.agent.id, PageRequest::default())
        .await
        .map(|page| page.items);
    let grants = grants.unwrap();
    assert_eq!(grants.len(), 1);
    assert_eq!(
        (&grants[0].principal, grants[0].role),
        (&alice(), Role::Owner)
    );
    let events = w.events(&out.agent).await;
    assert_eq!(events.len(), 1);
    assert_eq!(events[0].event.kind, EventKind::Created);
    assert_eq!(events[0].event.actor, "user:alice");
}

#[tokio::test]
async fn the_admin_gets_no_grant_row() {
    let w = world();
    let out = w
        .registry
        .register_build(&Principal::Admin, build_of("a"))
        .await;
    let agent = out.unwrap().agent;
    let grants = w
        .registry
        .list_grants(&Principal::Admin, agent.id, PageRequest::default())
        .await
        .map(|page| page.items);
    assert_eq!(grants.unwrap(), vec![]);
}

#[tokio::test]
async fn an_existing_readable_agent_is_returned_unchanged_without_any_write() {
    let w = world();
    let existing = w.build(&alice(), "a").await;
    w.grant(&existing, &bob(), Role::Viewer).await;
    let events_before = w.events(&existing).await.len();
    let out = w
        .registry
        .register_build(&bob(), build_of("a"))
        .await
        .unwrap();
    assert!(!out.created);
    assert_eq!(out.agent, existing);
    assert_eq!(w.events(&existing).await.len(), events_before);
    let grants = w
        .registry
        .list_grants(&Principal::Admin, existing.id, PageRequest::default())
        .await
        .map(|page| page.items);
    assert_eq!(grants.unwrap().len(), 2, "no grant added");
}

#[tokio::test]
async fn an_existing_unreadable_agent_is_name_taken_revealing_nothing() {
    let w = world();
    w.build(&alice(), "a").await;
    let err = w
        .registry
        .register_build(&bob(), build_of("a"))
        .await
        .unwrap_err();
    assert_eq!(err, RegistryError::NameTaken);
    assert_eq!(err.to_string(), "agent name is taken");
}

#[tokio::test]
async fn agent_keys_cannot_create() {
    let w = world();
    let me = Principal::Agent(registry_domain::AgentId::new_random());
    let err = w.registry.register_build(&me, build_of("a")).await;
    assert_eq!(err.unwrap_err(), RegistryError::Forbidden);
}

fn register(name: &str) -> RegisterInput {
    RegisterInput {
        agent_id: None,
        agent: deployed(name),
    }
}

#[tokio::test]
async fn a_deleted_namesake_does_not_block_registration_and_a_key_is_minted() {
    let w = world();
    let old = w.build(&Principal::Admin, "a").await;
    let at = AgentRef::Id(old.id);
    w.registry
        .delete_agent(&Principal::Admin, &at)
        .await
        .unwrap();
    let out = w.registry.register(&alice(), register("a")).await.unwrap();
    assert!(out.created);
    assert_ne!(out.agent.id, old.id);
    assert_eq!(out.agent.status, AgentStatus::Ready);
    assert_eq!(out.agent.acp_url.as_deref(), Some("http://a:8000"));
    assert!(out.agent_api_key.unwrap().starts_with("agk_"));
    let keys = w.store_keys(&out.agent).await;
    assert_eq!(keys.len(), 1);
    assert_eq!(
        (keys[0].name.as_str(), keys[0].api_key_type),
        ("a-api-key", ApiKeyType::Internal)
    );
    let grants = w
        .registry
        .list_grants(&Principal::Admin, out.agent.id, PageRequest::default())
        .await
        .map(|page| page.items);
    assert_eq!(grants.unwrap()[0].principal, alice());
}

#[tokio::test]
async fn register_on_build_only_goes_ready_through_the_state_machine() {
    let w = world();
    let built = w.build(&alice(), "a").await;
    let out = w.registry.register(&alice(), register("a")).await.unwrap();
    assert_eq!(out.agent.id, built.id);
    assert!(!out.created);
    assert_eq!(out.agent.status, AgentStatus::Ready);
    assert_eq!(out.agent.status_reason.as_deref(), Some(REASON_REGISTERED));
    assert_eq!(out.agent.acp_type, AcpType::Sync);
    assert!(out.agent.registered_at.is_some());
    assert!(out.agent.production_deployment_id.is_none());
    let events = w.events(&built).await;
    let kinds: Vec<EventKind> = events.iter().map(|e| e.event.kind).collect();
    assert_eq!(
        kinds,
        [
            EventKind::Created,
            EventKind::Transition,
            EventKind::KeyCreated
        ]
    );
    let transition = &events[1].event;
    assert_eq!(
        (transition.from_status, transition.to_status),
        (Some(AgentStatus::BuildOnly), Some(AgentStatus::Ready))
    );
    assert!(
        out.agent_api_key.is_some(),
        "the first registration mints the key"
    );
    let again = w.registry.register(&alice(), register("a")).await.unwrap();
    assert_eq!(again.agent_api_key, None, "shown once, never again");
}

/// Registers `a` built by alice, then renames it to `b` as `caller` (by id).
async fn rename_as(
    caller: &Principal,
    role: Option<Role>,
) -> (
    crate::common::World,
    registry_domain::Agent,
    Result<registry_usecases::RegisterOutput, RegistryError>,
) {
    let w = world();
    let a = w.build(&Principal::Admin, "a").await;
    if let Some(role) = role {
        w.grant(&a, caller, role).await;
    }
    let caller = match caller {
        Principal::Agent(_) => Principal::Agent(a.id),
        other => other.clone(),
    };
    let input = RegisterInput {
        agent_id: Some(a.id),
        agent: deployed("b"),
    };
    let out = w.registry.register(&caller, input).await;
    (w, a, out)
}

/// The events of a rename from `a` to `b`: the registration's own, then `Renamed`, written
/// together.
async fn renamed_a_to_b(w: &crate::common::World, a: &registry_domain::Agent) {
    let events = w.events(a).await;
    let at = events
        .iter()
        .position(|e| e.event.kind == EventKind::Renamed)
        .expect("a renamed event");
    assert_eq!(events[at - 1].event.kind, EventKind::Transition);
    assert_eq!(events[at - 1].event.at, events[at].event.at, "one write");
    assert_eq!(
        events[at].event.detail,
        serde_json::json!({ "old_name": "a", "new_name": "b" })
    );
}

#[tokio::test]
async fn an_editor_may_register_but_not_rename() {
    let (w, a, out) = rename_as(&alice(), Some(Role::Editor)).await;
    assert_eq!(out.unwrap_err(), RegistryError::Forbidden);
    assert_eq!(w.reread(&a).await.name.as_str(), "a");
    let same_name = RegisterInput {
        agent_id: Some(a.id),
        agent: deployed("a"),
    };
    assert!(w.registry.register(&alice(), same_name).await.is_ok());
}

#[tokio::test]
async fn an_owner_renames_with_a_renamed_event_in_the_same_write() {
    let (w, a, out) = rename_as(&alice(), Some(Role::Owner)).await;
    assert_eq!(out.unwrap().agent.name.as_str(), "b");
    renamed_a_to_b(&w, &a).await;
}

#[tokio::test]
async fn the_agent_itself_renames_on_redeploy() {
    let itself = Principal::Agent(registry_domain::AgentId::new_random());
    let (w, a, out) = rename_as(&itself, None).await;
    assert_eq!(out.unwrap().agent.name.as_str(), "b");
    renamed_a_to_b(&w, &a).await;
}

#[tokio::test]
async fn a_rename_onto_a_live_name_is_name_taken() {
    let w = world();
    let a = w.build(&Principal::Admin, "a").await;
    w.build(&Principal::Admin, "b").await;
    let input = RegisterInput {
        agent_id: Some(a.id),
        agent: deployed("b"),
    };
    let err = w.registry.register(&Principal::Admin, input).await;
    assert_eq!(err.unwrap_err(), RegistryError::NameTaken);
}

#[tokio::test]
async fn the_agent_itself_is_handed_no_key_it_could_not_use() {
    let w = world();
    let a = w.build(&Principal::Admin, "a").await;
    let input = RegisterInput {
        agent_id: Some(a.id),
        agent: deployed("a"),
    };
    let out = w.registry.register(&Principal::Agent(a.id), input).await;
    assert_eq!(out.unwrap().agent_api_key, None);
    assert!(w.store_keys(&a).await.is_empty(), "an agent never mints");
}

#[tokio::test]
async fn an_agent_key_registers_itself_but_not_another_agent() {
    let w = world();
    let me = w.build(&Principal::Admin, "a").await;
    w.build(&Principal::Admin, "b").await;
    let caller = Principal::Agent(me.id);
    let out = w.registry.register(&caller, register("a")).await.unwrap();
    assert_eq!(out.agent.status, AgentStatus::Ready);
    let err = w.registry.register(&caller, register("b")).await;
    assert_eq!(err.unwrap_err(), RegistryError::NameTaken);
}
