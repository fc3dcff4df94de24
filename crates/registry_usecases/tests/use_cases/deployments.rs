//! Deployments: deployment-scoped registration and promotion.

use crate::common::{alice, bob, world, World};
use registry_domain::{
    Agent, AgentRef, AgentStatus, Deployment, DeploymentId, DeploymentStatus, EventKind, Principal,
    Role,
};
use registry_usecases::{CreateDeploymentInput, RegisterDeploymentInput, RegistryError};

fn deployment_of(agent: &Agent) -> CreateDeploymentInput {
    CreateDeploymentInput {
        agent_id: agent.id,
        docker_image: "img:1".to_owned(),
        registration_metadata: None,
        sgp_deploy_id: None,
        helm_release_name: None,
    }
}

fn serving(agent: &Agent, deployment_id: DeploymentId) -> RegisterDeploymentInput {
    RegisterDeploymentInput {
        agent: AgentRef::Name(agent.name.clone()),
        deployment_id,
        acp_url: "http://a:8000".to_owned(),
    }
}

/// Alice creates a Pending deployment of `agent`.
async fn deploy(w: &World, agent: &Agent) -> Deployment {
    let alice = alice();
    let created = w.registry.create_deployment(&alice, deployment_of(agent));
    created.await.unwrap()
}

/// Alice registers `deployment_id` of `agent` as serving (deployment-scoped registration).
async fn serve(w: &World, agent: &Agent, deployment_id: DeploymentId) {
    let alice = alice();
    let served = w
        .registry
        .register_deployment(&alice, serving(agent, deployment_id));
    served.await.unwrap();
}

#[tokio::test]
async fn deployment_scoped_registration_leaves_the_agent_row_alone() {
    let w = world();
    let a = w.build(&alice(), "a").await;
    let d = deploy(&w, &a).await;
    let out = w
        .registry
        .register_deployment(&alice(), serving(&a, d.id))
        .await
        .unwrap();
    assert_eq!(out.agent, a, "the agent row is untouched");
    let ready = w
        .registry
        .get_deployment(&alice(), a.id, d.id)
        .await
        .unwrap();
    assert_eq!(ready.status, DeploymentStatus::Ready);
    assert_eq!(ready.acp_url.as_deref(), Some("http://a:8000"));
    w.registry
        .delete_deployment(&alice(), a.id, d.id)
        .await
        .unwrap();
    let err = w
        .registry
        .register_deployment(&alice(), serving(&a, d.id))
        .await;
    assert_eq!(err.unwrap_err(), RegistryError::DeploymentExpired(d.id));
    assert_eq!(w.reread(&a).await, a);
}

#[tokio::test]
async fn a_deployment_of_another_agent_or_an_absent_agent_is_not_found() {
    let w = world();
    let a = w.build(&alice(), "a").await;
    let b = w.build(&alice(), "b").await;
    let theirs = deploy(&w, &b).await;
    let err = w
        .registry
        .register_deployment(&alice(), serving(&a, theirs.id))
        .await;
    assert!(
        matches!(err, Err(RegistryError::DeploymentNotFound { .. })),
        "{err:?}"
    );
    let mut nobody = serving(&a, theirs.id);
    nobody.agent = AgentRef::Name(registry_domain::AgentName::parse("nobody").unwrap());
    let err = w.registry.register_deployment(&alice(), nobody).await;
    assert!(
        matches!(err, Err(RegistryError::DeploymentNotFound { .. })),
        "{err:?}"
    );
    let unreadable = w
        .registry
        .register_deployment(&bob(), serving(&a, theirs.id))
        .await;
    assert_eq!(unreadable.unwrap_err(), RegistryError::NameTaken);
}

#[tokio::test]
async fn promoting_a_build_only_agent_makes_it_ready_in_the_same_write() {
    let w = world();
    let a = w.build(&alice(), "a").await;
    let d = deploy(&w, &a).await;
    let pending = w.registry.promote_deployment(&alice(), a.id, d.id).await;
    assert_eq!(
        pending.unwrap_err(),
        RegistryError::DeploymentNotPromotable(d.id)
    );
    assert_eq!(w.reread(&a).await.status, AgentStatus::BuildOnly);
    serve(&w, &a, d.id).await;
    let promoted = w
        .registry
        .promote_deployment(&alice(), a.id, d.id)
        .await
        .unwrap();
    assert!(promoted.deployment.is_production);
    assert_eq!(promoted.agent.status, AgentStatus::Ready);
    assert_eq!(promoted.agent.production_deployment_id, Some(d.id));
    let kinds = w.event_kinds(&a).await;
    assert_eq!(
        &kinds[kinds.len() - 2..],
        [EventKind::Promoted, EventKind::Transition]
    );
}

#[tokio::test]
async fn promoting_on_a_deleted_agent_is_a_status_conflict_for_whoever_could_promote() {
    let w = world();
    let a = w.build(&alice(), "a").await;
    w.grant(&a, &bob(), Role::Viewer).await;
    let d = deploy(&w, &a).await;
    w.registry
        .delete_agent(&alice(), &AgentRef::Id(a.id))
        .await
        .unwrap();
    for caller in [Principal::Admin, alice()] {
        let err = w.registry.promote_deployment(&caller, a.id, d.id).await;
        assert_eq!(
            err.unwrap_err(),
            RegistryError::AgentStatusConflict {
                agent: a.id,
                status: AgentStatus::Deleted
            }
        );
    }
    let viewer = w.registry.promote_deployment(&bob(), a.id, d.id).await;
    assert_eq!(viewer.unwrap_err(), RegistryError::AgentNotFound);
}
