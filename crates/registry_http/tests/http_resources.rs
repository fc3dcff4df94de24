//! HTTP tests of deployments, history, API keys, grants and service tokens.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use actix_web::test::TestRequest;
use common::{admin, app, as_admin, register_build, send, state};
use serde_json::json;

#[actix_web::test]
async fn deployments_create_list_register_promote_delete() {
    let app = app(state()).await;
    let a = register_build(&app, "deployed").await;
    let id = a["id"].as_str().unwrap();
    let created = send(
        &app,
        TestRequest::post()
            .uri(&format!("/agents/{id}/deployments"))
            .insert_header(admin())
            .set_json(json!({"docker_image": "img:1"})),
    )
    .await;
    assert_eq!(created.status.as_u16(), 200, "{}", created.json);
    let did = created.json["id"].as_str().unwrap().to_owned();
    assert_eq!(
        created.header("location").unwrap(),
        format!("/agents/{id}/deployments/{did}")
    );
    assert_eq!(created.json["status"], "Pending");
    assert_eq!(created.json["is_production"], false);

    let not_ready = send(
        &app,
        as_admin(
            TestRequest::post(),
            &format!("/agents/{id}/deployments/{did}/promote"),
        ),
    )
    .await;
    not_ready.problem(409, "deployment_not_ready");

    let reg = send(
        &app,
        TestRequest::post().uri("/agents/register").insert_header(admin()).set_json(json!({
            "name": "deployed", "description": "d", "acp_url": "http://dep:1", "acp_type": "async",
            "registration_metadata": {"deployment_id": did}
        })),
    )
    .await;
    assert_eq!(reg.status.as_u16(), 200, "{}", reg.json);
    assert_eq!(reg.json["status"], "BuildOnly");

    let promoted = send(
        &app,
        as_admin(
            TestRequest::post(),
            &format!("/agents/{id}/deployments/{did}/promote"),
        ),
    )
    .await;
    assert_eq!(promoted.status.as_u16(), 200, "{}", promoted.json);
    assert_eq!(promoted.json["is_production"], true);
    let agent = send(&app, as_admin(TestRequest::get(), &format!("/agents/{id}"))).await;
    assert_eq!(agent.json["status"], "Ready");
    assert_eq!(agent.json["production_deployment_id"], did.as_str());

    let list = send(
        &app,
        as_admin(TestRequest::get(), &format!("/agents/{id}/deployments")),
    )
    .await;
    assert_eq!(list.header("x-total-count").as_deref(), Some("1"));
    let del = send(
        &app,
        as_admin(
            TestRequest::delete(),
            &format!("/agents/{id}/deployments/{did}"),
        ),
    )
    .await;
    del.problem(409, "production_deployment");
    let missing = send(
        &app,
        TestRequest::get()
            .uri(&format!(
                "/agents/{id}/deployments/{}",
                uuid::Uuid::new_v4()
            ))
            .insert_header(admin()),
    )
    .await;
    missing.problem(404, "deployment_not_found");
}

#[actix_web::test]
async fn history_selector_errors_are_400_and_rows_are_listed() {
    let app = app(state()).await;
    let none = send(&app, as_admin(TestRequest::get(), "/deployment-history")).await;
    let body = none.problem(400, "bad_request");
    assert_eq!(
        body["detail"],
        "Either 'agent_id' or 'agent_name' must be provided to list deployment history."
    );
    let reg = send(
        &app,
        TestRequest::post()
            .uri("/agents/register")
            .insert_header(admin())
            .set_json(json!({
                "name": "hist", "description": "d", "acp_url": "http://h:1", "acp_type": "sync",
                "registration_metadata": {"agent_commit": "abc", "branch_name": "main"}
            })),
    )
    .await;
    assert_eq!(reg.status.as_u16(), 200);
    let list = send(
        &app,
        as_admin(TestRequest::get(), "/deployment-history?agent_name=hist"),
    )
    .await;
    assert_eq!(list.status.as_u16(), 200, "{}", list.json);
    assert_eq!(list.header("x-total-count").as_deref(), Some("1"));
    assert_eq!(list.json[0]["author_name"], "N/A");
    let hid = list.json[0]["id"].as_str().unwrap();
    let one = send(
        &app,
        as_admin(TestRequest::get(), &format!("/deployment-history/{hid}")),
    )
    .await;
    assert_eq!(one.json["commit_hash"], "abc");
}

#[actix_web::test]
async fn api_keys_create_once_list_get_delete_with_peer_strings() {
    let app = app(state()).await;
    let a = register_build(&app, "keyed").await;
    let id = a["id"].as_str().unwrap();
    let created = send(
        &app,
        TestRequest::post()
            .uri("/agent_api_keys")
            .insert_header(admin())
            .set_json(json!({"agent_id": id, "name": "ci"})),
    )
    .await;
    assert_eq!(created.status.as_u16(), 200, "{}", created.json);
    assert!(created.header("location").is_some());
    assert_eq!(created.json["api_key_type"], "external");
    let secret = created.json["api_key"].as_str().unwrap().to_owned();
    let kid = created.json["id"].as_str().unwrap().to_owned();
    assert_eq!(
        created.header("location").unwrap(),
        format!("/agent_api_keys/{kid}")
    );

    let dup = send(
        &app,
        TestRequest::post()
            .uri("/agent_api_keys")
            .insert_header(admin())
            .set_json(json!({"agent_id": id, "name": "ci"})),
    )
    .await;
    dup.problem(409, "api_key_exists");
    let supplied = send(
        &app,
        TestRequest::post()
            .uri("/agent_api_keys")
            .insert_header(admin())
            .set_json(json!({"agent_id": id, "name": "x", "api_key": "mine"})),
    )
    .await;
    assert_eq!(
        supplied.problem(422, "validation_failed")["errors"][0]["field"],
        "api_key"
    );

    let list = send(
        &app,
        as_admin(TestRequest::get(), "/agent_api_keys?agent_name=keyed"),
    )
    .await;
    assert_eq!(list.header("x-total-count").as_deref(), Some("1"));
    assert!(list.json[0].get("api_key").is_none());
    let by_name = send(
        &app,
        as_admin(
            TestRequest::get(),
            &format!("/agent_api_keys/name/ci?agent_id={id}"),
        ),
    )
    .await;
    assert_eq!(by_name.json["id"], kid.as_str());

    // The external key is no credential; an internal key authenticates as its agent, in all
    // three header forms.
    let as_external = send(
        &app,
        TestRequest::get()
            .uri(&format!("/agents/{id}"))
            .insert_header(("X-Agent-API-Key", secret.clone())),
    )
    .await;
    as_external.problem(401, "unauthenticated");
    let internal = send(
        &app,
        TestRequest::post()
            .uri("/agent_api_keys")
            .insert_header(admin())
            .set_json(json!({"agent_id": id, "name": "pod", "api_key_type": "internal"})),
    )
    .await;
    let secret = internal.json["api_key"].as_str().unwrap().to_owned();
    let internal_id = internal.json["id"].as_str().unwrap().to_owned();
    for header in [
        ("Authorization", format!("Bearer {secret}")),
        ("Authorization", format!("agentkey {secret}")),
        ("X-Agent-API-Key", secret.clone()),
    ] {
        let me = send(
            &app,
            TestRequest::get()
                .uri(&format!("/agents/{id}"))
                .insert_header(header),
        )
        .await;
        assert_eq!(me.status.as_u16(), 200, "{}", me.json);
    }

    let del = send(
        &app,
        as_admin(TestRequest::delete(), &format!("/agent_api_keys/{kid}")),
    )
    .await;
    assert_eq!(
        del.json,
        json!(format!("Agent API key with ID {kid} deleted"))
    );
    send(
        &app,
        as_admin(
            TestRequest::delete(),
            &format!("/agent_api_keys/{internal_id}"),
        ),
    )
    .await;
    let gone = send(
        &app,
        TestRequest::get()
            .uri(&format!("/agents/{id}"))
            .insert_header(("Authorization", format!("Bearer {secret}"))),
    )
    .await;
    gone.problem(401, "unauthenticated");
}

#[actix_web::test]
async fn service_tokens_and_grants_share_an_agent() {
    let app = app(state()).await;
    let token = send(
        &app,
        TestRequest::post()
            .uri("/service_tokens")
            .insert_header(admin())
            .set_json(json!({"name": "alice"})),
    )
    .await;
    assert_eq!(token.status.as_u16(), 201, "{}", token.json);
    assert_eq!(token.json["principal"], "user:alice");
    let alice = (
        "Authorization",
        format!("Bearer {}", token.json["token"].as_str().unwrap()),
    );

    let own = send(
        &app,
        TestRequest::post()
            .uri("/agents/register-build")
            .insert_header(alice.clone())
            .set_json(json!({"name": "shared", "description": "d"})),
    )
    .await;
    assert_eq!(own.status.as_u16(), 200);
    assert_eq!(own.header("registry-created").as_deref(), Some("true"));
    let id = own.json["id"].as_str().unwrap();

    let bob = send(
        &app,
        TestRequest::post()
            .uri("/service_tokens")
            .insert_header(admin())
            .set_json(json!({"name": "bob", "kind": "user"})),
    )
    .await;
    let bob = (
        "Authorization",
        format!("Bearer {}", bob.json["token"].as_str().unwrap()),
    );
    let hidden = send(
        &app,
        TestRequest::get()
            .uri(&format!("/agents/{id}"))
            .insert_header(bob.clone()),
    )
    .await;
    hidden.problem(404, "agent_not_found");
    let by_bob = send(
        &app,
        TestRequest::get()
            .uri("/service_tokens")
            .insert_header(bob.clone()),
    )
    .await;
    by_bob.problem(403, "forbidden");

    let grant = send(
        &app,
        TestRequest::post()
            .uri(&format!("/agents/{id}/grants"))
            .insert_header(alice.clone())
            .set_json(json!({"principal": "user:bob", "role": "viewer"})),
    )
    .await;
    assert_eq!(grant.status.as_u16(), 201, "{}", grant.json);
    let seen = send(
        &app,
        TestRequest::get()
            .uri(&format!("/agents/{id}"))
            .insert_header(bob.clone()),
    )
    .await;
    assert_eq!(seen.status.as_u16(), 200);
    let denied = send(
        &app,
        TestRequest::delete()
            .uri(&format!("/agents/{id}"))
            .insert_header(bob.clone()),
    )
    .await;
    denied.problem(403, "forbidden");
    let grants = send(
        &app,
        TestRequest::get()
            .uri(&format!("/agents/{id}/grants"))
            .insert_header(alice.clone()),
    )
    .await;
    assert_eq!(grants.header("x-total-count").as_deref(), Some("2"));
    let revoked = send(
        &app,
        TestRequest::delete()
            .uri(&format!("/agents/{id}/grants/user:bob"))
            .insert_header(alice),
    )
    .await;
    assert_eq!(revoked.status.as_u16(), 200, "{}", revoked.json);

    let tokens = send(&app, as_admin(TestRequest::get(), "/service_tokens")).await;
    assert_eq!(tokens.header("x-total-count").as_deref(), Some("2"));
    assert!(tokens.json[0].get("token").is_none());
}
