//! Contract §6 through the use cases: denials, deleted agents, agent keys, list scopes.

use crate::common::{alice, bob, world};
use registry_domain::{
    AgentId, AgentRef, AgentStatus, LifecycleEvent, PageRequest, Principal, Role,
};
use registry_usecases::{ListAgentsInput, RegistryError};

#[tokio::test]
async fn denied_read_is_indistinguishable_from_missing() {
    let w = world();
    let a = w.build(&Principal::Admin, "a").await;
    let err = w.registry.get_agent(&alice(), &AgentRef::Id(a.id)).await;
    assert_eq!(err.unwrap_err(), RegistryError::AgentNotFound);
    let missing = AgentRef::Id(AgentId::new_random());
    let err = w.registry.get_agent(&alice(), &missing).await;
    assert_eq!(err.unwrap_err(), RegistryError::AgentNotFound);
}

#[tokio::test]
async fn denied_write_is_forbidden_only_when_readable() {
    let w = world();
    let a = w.build(&Principal::Admin, "a").await;
    w.grant(&a, &alice(), Role::Viewer).await;
    let at = AgentRef::Id(a.id);
    let readable = w.registry.delete_agent(&alice(), &at).await;
    assert_eq!(readable.unwrap_err(), RegistryError::Forbidden);
    let unreadable = w.registry.delete_agent(&bob(), &at).await;
    assert_eq!(unreadable.unwrap_err(), RegistryError::AgentNotFound);
    let heartbeat = w.registry.heartbeat(&alice(), a.id).await;
    assert_eq!(heartbeat.unwrap_err(), RegistryError::Forbidden);
}

#[tokio::test]
async fn deleted_agents_are_not_found_even_for_their_owner() {
    let w = world();
    let a = w.build(&alice(), "a").await;
    let at = AgentRef::Id(a.id);
    w.registry.delete_agent(&alice(), &at).await.unwrap();
    let get = w.registry.get_agent(&alice(), &at).await;
    assert_eq!(get.unwrap_err(), RegistryError::AgentNotFound);
    let again = w.registry.delete_agent(&alice(), &at).await;
    assert_eq!(again.unwrap_err(), RegistryError::AgentNotFound);
    // Its owner still reads its audit trail, ending with the deletion; others do not.
    let page = PageRequest::default();
    let trail = w.registry.list_agent_events(&alice(), a.id, page).await;
    assert_eq!(
        trail.unwrap().items[0].event.to_status,
        Some(AgentStatus::Deleted)
    );
    let hidden = w.registry.list_agent_events(&bob(), a.id, page).await;
    assert_eq!(hidden.unwrap_err(), RegistryError::AgentNotFound);
}

#[tokio::test]
async fn a_deleted_agent_is_never_found_by_name() {
    let w = world();
    let a = w.build(&Principal::Admin, "gone").await;
    let by_name = AgentRef::Name(a.name.clone());
    w.registry
        .delete_agent(&Principal::Admin, &by_name)
        .await
        .unwrap();
    let err = w.registry.get_agent(&Principal::Admin, &by_name).await;
    assert_eq!(err.unwrap_err(), RegistryError::AgentNotFound);
}

#[tokio::test]
async fn an_agent_key_reads_and_heartbeats_itself_only() {
    let w = world();
    let mut me = w.build(&Principal::Admin, "me").await;
    let other = w.build(&Principal::Admin, "other").await;
    // Ready, then Unhealthy, the way the domain gets there.
    for event in [LifecycleEvent::Register, LifecycleEvent::HeartbeatExpired] {
        let from = me.status;
        let now = time::OffsetDateTime::now_utc();
        registry_domain::apply(&mut me, event, now, "admin").unwrap();
        assert_ne!(from, me.status);
        me = w.store_update(&me).await;
    }
    let caller = Principal::Agent(me.id);
    let mine = AgentRef::Id(me.id);
    assert_eq!(
        w.registry.get_agent(&caller, &mine).await.unwrap().id,
        me.id
    );
    let beat = w.registry.heartbeat(&caller, me.id).await.unwrap();
    assert_eq!(beat.status, AgentStatus::Ready);
    assert!(beat.last_seen_at.is_some());
    let theirs = AgentRef::Id(other.id);
    let read = w.registry.get_agent(&caller, &theirs).await;
    assert_eq!(read.unwrap_err(), RegistryError::AgentNotFound);
    let beat = w.registry.heartbeat(&caller, other.id).await;
    assert_eq!(beat.unwrap_err(), RegistryError::AgentNotFound);
    let delete = w.registry.delete_agent(&caller, &mine).await;
    assert_eq!(delete.unwrap_err(), RegistryError::Forbidden);
}

#[tokio::test]
async fn lists_are_limited_to_what_the_caller_may_read() {
    let w = world();
    let mine = w.build(&alice(), "mine").await;
    let shared = w.build(&bob(), "shared").await;
    w.build(&bob(), "private").await;
    w.grant(&shared, &alice(), Role::Viewer).await;
    let names = |page: registry_domain::Page<registry_domain::Agent>| {
        let mut names: Vec<String> = page.items.iter().map(|a| a.name.to_string()).collect();
        names.sort();
        (names, page.total)
    };
    let alices = w
        .registry
        .list_agents(&alice(), ListAgentsInput::default())
        .await;
    assert_eq!(
        names(alices.unwrap()),
        (vec!["mine".into(), "shared".into()], 2)
    );
    let itself = Principal::Agent(mine.id);
    let own = w
        .registry
        .list_agents(&itself, ListAgentsInput::default())
        .await;
    assert_eq!(names(own.unwrap()), (vec!["mine".into()], 1));
    let admin = w
        .registry
        .list_agents(&Principal::Admin, ListAgentsInput::default())
        .await;
    assert_eq!(admin.unwrap().total, 3);
}

#[tokio::test]
async fn a_task_id_matches_nothing() {
    let w = world();
    w.build(&Principal::Admin, "a").await;
    let input = ListAgentsInput {
        task_id: Some("t".into()),
        ..Default::default()
    };
    let page = w.registry.list_agents(&Principal::Admin, input).await;
    assert_eq!(page.unwrap().total, 0);
}

#[tokio::test]
async fn a_heartbeat_that_changes_no_status_keeps_the_etag_and_writes_no_event() {
    let w = world();
    let built = w.build(&Principal::Admin, "a").await;
    let events_before = w.events(&built).await.len();
    let beat = w
        .registry
        .heartbeat(&Principal::Admin, built.id)
        .await
        .unwrap();
    assert!(beat.last_seen_at.is_some());
    assert_eq!(beat.status, AgentStatus::BuildOnly);
    assert_eq!(beat.etag(), built.etag());
    assert_eq!(beat.updated_at, built.updated_at);
    assert_eq!(w.events(&built).await.len(), events_before);
}
