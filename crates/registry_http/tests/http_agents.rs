//! HTTP tests of the agent routes over the in-memory store: statuses, headers, wire shapes.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use actix_web::test::TestRequest;
use common::{admin, app, as_admin, register_build, registry_over, send, state, state_of};
use serde_json::json;

#[actix_web::test]
async fn register_build_creates_with_200_registry_created_location_and_etag_then_200_on_repeat() {
    let app = app(state()).await;
    let body = json!({"name": "alpha", "description": "first", "principal_context": {"user_id": "x"}, "unknown": 1});
    let first = send(
        &app,
        TestRequest::post()
            .uri("/agents/register-build")
            .insert_header(admin())
            .set_json(&body),
    )
    .await;
    assert_eq!(first.status.as_u16(), 200, "{}", first.json);
    assert_eq!(first.header("registry-created").as_deref(), Some("true"));
    let id = first.json["id"].as_str().unwrap().to_owned();
    assert_eq!(first.header("location").unwrap(), format!("/agents/{id}"));
    assert!(first.header("etag").unwrap().starts_with('"'));
    assert_eq!(first.json["status"], "BuildOnly");
    assert_eq!(first.json["acp_type"], "async");
    assert!(first.json.get("acp_url").is_none());
    assert!(first.json["created_at"].as_str().unwrap().ends_with('Z'));
    for field in [
        "id",
        "name",
        "description",
        "status",
        "acp_type",
        "status_reason",
        "created_at",
        "updated_at",
        "registration_metadata",
        "registered_at",
        "agent_input_type",
        "production_deployment_id",
        "last_seen_at",
    ] {
        assert!(first.json.get(field).is_some(), "missing {field}");
    }

    let again = send(
        &app,
        TestRequest::post()
            .uri("/agents/register-build")
            .insert_header(admin())
            .set_json(&body),
    )
    .await;
    assert_eq!(again.status.as_u16(), 200);
    assert_eq!(again.header("registry-created").as_deref(), Some("false"));
    assert_eq!(again.json["id"], id.as_str());
    assert!(again.header("location").is_none());
}

#[actix_web::test]
async fn get_by_id_and_name_carry_etag_and_list_has_total_count() {
    let app = app(state()).await;
    let a = register_build(&app, "one").await;
    register_build(&app, "two").await;
    let id = a["id"].as_str().unwrap();

    let by_id = send(&app, as_admin(TestRequest::get(), &format!("/agents/{id}"))).await;
    assert_eq!(by_id.status.as_u16(), 200);
    assert!(by_id.header("etag").is_some());
    let by_name = send(&app, as_admin(TestRequest::get(), "/agents/name/one")).await;
    assert_eq!(by_name.json["id"], id);
    assert_eq!(by_name.header("etag"), by_id.header("etag"));

    let list = send(
        &app,
        as_admin(
            TestRequest::get(),
            "/agents?limit=1&order_by=name&order_direction=asc",
        ),
    )
    .await;
    assert_eq!(list.status.as_u16(), 200);
    assert_eq!(list.header("x-total-count").as_deref(), Some("2"));
    assert_eq!(list.json.as_array().unwrap().len(), 1);
    assert_eq!(list.json[0]["name"], "one");

    let filtered = send(
        &app,
        as_admin(TestRequest::get(), "/agents?status=Ready&status=Unhealthy"),
    )
    .await;
    assert_eq!(filtered.header("x-total-count").as_deref(), Some("0"));
}

/// An agent whose name is also a sub-resource's (`card`, `heartbeat`, `events`) is reached by
/// name: `/agents/name/{agent_name}` is tried before the `/agents/{agent_id}/…` patterns of the
/// same length, which would otherwise take `name` for an id.
#[actix_web::test]
async fn names_that_spell_sub_resources_are_reached_by_name() {
    let app = app(state()).await;
    for name in ["card", "heartbeat", "events", "deployments", "grants"] {
        let created = register_build(&app, name).await;
        let path = format!("/agents/name/{name}");
        let got = send(&app, as_admin(TestRequest::get(), &path)).await;
        assert_eq!(got.status.as_u16(), 200, "GET {path}: {}", got.json);
        assert_eq!(got.json["id"], created["id"], "GET {path}");
        assert_eq!(got.json["name"], name);
    }
}

/// A list whose count stopped at the store's bound says so (`X-Total-Count-Capped: true`,
/// exposed to browsers); a kept total past the bound and a counted one within it do not.
#[actix_web::test]
async fn a_total_past_the_count_bound_is_marked_capped() {
    let bound = registry_domain::CountBound::new(2).unwrap();
    let store = registry_store_memory::InMemoryStore::with_count_bound(bound);
    let app = app(state_of(registry_over(store, true))).await;
    for name in ["a", "b", "c"] {
        let body = serde_json::json!({
            "name": name,
            "description": "d",
            "registration_metadata": {"agent_card": {"metadata": {"team": "t"}}},
        });
        let r = send(
            &app,
            as_admin(TestRequest::post(), "/agents/register-build").set_json(body),
        )
        .await;
        assert_eq!(r.status.as_u16(), 200, "{}", r.json);
    }
    let get = |uri: &'static str| send(&app, as_admin(TestRequest::get(), uri));
    let kept = get("/agents?limit=1").await;
    assert_eq!(kept.header("x-total-count").as_deref(), Some("3"));
    assert_eq!(kept.header("x-total-count-capped"), None);
    let counted = get("/agents?agent_card_metadata=%7B%22team%22%3A%22t%22%7D").await;
    assert_eq!(counted.status.as_u16(), 200, "{}", counted.json);
    assert_eq!(counted.json.as_array().unwrap().len(), 3);
    assert_eq!(counted.header("x-total-count").as_deref(), Some("2"));
    assert_eq!(
        counted.header("x-total-count-capped").as_deref(),
        Some("true")
    );
    let none = get("/agents?agent_card_metadata=%7B%22team%22%3A%22u%22%7D").await;
    assert_eq!(none.header("x-total-count").as_deref(), Some("0"));
    assert_eq!(none.header("x-total-count-capped"), None);
}

#[actix_web::test]
async fn missing_and_deleted_agents_get_one_identical_404_body() {
    let app = app(state()).await;
    let a = register_build(&app, "gone").await;
    let id = a["id"].as_str().unwrap();
    let missing = send(
        &app,
        as_admin(
            TestRequest::get(),
            &format!("/agents/{}", uuid::Uuid::new_v4()),
        ),
    )
    .await;
    missing.problem(404, "agent_not_found");

    let del = send(
        &app,
        as_admin(TestRequest::delete(), &format!("/agents/{id}")),
    )
    .await;
    assert_eq!(del.status.as_u16(), 200);
    assert_eq!(
        del.json,
        json!({"id": id, "message": format!("Agent '{id}' deleted successfully")})
    );

    let deleted = send(&app, as_admin(TestRequest::get(), &format!("/agents/{id}"))).await;
    let by_name = send(&app, as_admin(TestRequest::get(), "/agents/name/gone")).await;
    let again = send(
        &app,
        as_admin(TestRequest::delete(), &format!("/agents/{id}")),
    )
    .await;
    assert_eq!(deleted.raw, missing.raw);
    assert_eq!(by_name.raw, missing.raw);
    assert_eq!(again.raw, missing.raw);
    assert!(!String::from_utf8_lossy(&missing.raw).contains(id));
}

#[actix_web::test]
async fn delete_by_name_uses_the_name_in_the_message() {
    let app = app(state()).await;
    let a = register_build(&app, "named").await;
    let r = send(&app, as_admin(TestRequest::delete(), "/agents/name/named")).await;
    assert_eq!(r.json["id"], a["id"]);
    assert_eq!(r.json["message"], "Agent 'named' deleted successfully");
}

#[actix_web::test]
async fn register_returns_the_key_once_and_200_on_create() {
    let app = app(state()).await;
    let body = json!({"name": "live", "description": "d", "acp_url": "http://x:8000", "acp_type": "agentic"});
    let first = send(
        &app,
        TestRequest::post()
            .uri("/agents/register")
            .insert_header(admin())
            .set_json(&body),
    )
    .await;
    assert_eq!(first.status.as_u16(), 200, "{}", first.json);
    assert_eq!(first.header("registry-created").as_deref(), Some("true"));
    assert!(first.header("location").is_some());
    assert_eq!(first.json["status"], "Ready");
    assert_eq!(first.json["acp_type"], "agentic");
    assert!(first.json["agent_api_key"]
        .as_str()
        .unwrap()
        .starts_with("agk_"));
    let second = send(
        &app,
        TestRequest::post()
            .uri("/agents/register")
            .insert_header(admin())
            .set_json(&body),
    )
    .await;
    assert_eq!(second.status.as_u16(), 200);
    assert_eq!(second.header("registry-created").as_deref(), Some("false"));
    assert!(second.header("location").is_none());
    assert!(second.json["agent_api_key"].is_null());
    assert_eq!(second.json["id"], first.json["id"]);
}

#[actix_web::test]
async fn put_upserts_with_created_flag_and_honours_if_match() {
    let app = app(state()).await;
    let body = json!({"description": "v1"});
    let created = send(
        &app,
        TestRequest::put()
            .uri("/agents/name/mirror")
            .insert_header(admin())
            .set_json(&body),
    )
    .await;
    assert_eq!(created.status.as_u16(), 201, "{}", created.json);
    assert_eq!(created.json["created"], true);
    assert!(created.header("location").is_some());
    let same = send(
        &app,
        TestRequest::put()
            .uri("/agents/name/mirror")
            .insert_header(admin())
            .set_json(&body),
    )
    .await;
    assert_eq!(same.status.as_u16(), 200);
    assert_eq!(same.json["created"], false);
    assert_eq!(same.json["updated_at"], created.json["updated_at"]);
    let stale = send(
        &app,
        TestRequest::put()
            .uri("/agents/name/mirror")
            .insert_header(admin())
            .insert_header(("If-Match", "\"nope\""))
            .set_json(json!({"description": "v2"})),
    )
    .await;
    stale.problem(412, "precondition_failed");
}

#[actix_web::test]
async fn patch_merges_accepts_merge_patch_json_and_checks_if_match() {
    let app = app(state()).await;
    let a = register_build(&app, "patchy").await;
    let id = a["id"].as_str().unwrap();
    let get = send(&app, as_admin(TestRequest::get(), &format!("/agents/{id}"))).await;
    let etag = get.header("etag").unwrap();

    let patched = send(
        &app,
        TestRequest::patch()
            .uri(&format!("/agents/{id}"))
            .insert_header(admin())
            .insert_header(("If-Match", etag.clone()))
            .insert_header(("Content-Type", "application/merge-patch+json"))
            .set_payload(r#"{"description": "new", "registration_metadata": {"k": 1}}"#),
    )
    .await;
    assert_eq!(patched.status.as_u16(), 200, "{}", patched.json);
    assert_eq!(patched.json["description"], "new");
    assert_ne!(patched.header("etag").unwrap(), etag);

    let stale = send(
        &app,
        TestRequest::patch()
            .uri(&format!("/agents/{id}"))
            .insert_header(admin())
            .insert_header(("If-Match", etag))
            .set_json(json!({"description": "again"})),
    )
    .await;
    stale.problem(412, "precondition_failed");

    let immutable = send(
        &app,
        TestRequest::patch()
            .uri(&format!("/agents/{id}"))
            .insert_header(admin())
            .set_json(json!({"name": "other"})),
    )
    .await;
    let body = immutable.problem(422, "validation_failed");
    assert_eq!(body["errors"][0]["field"], "name");
}

#[actix_web::test]
async fn heartbeat_sets_last_seen_and_events_list_the_trail() {
    let app = app(state()).await;
    let a = register_build(&app, "beat").await;
    let id = a["id"].as_str().unwrap();
    let hb = send(
        &app,
        as_admin(TestRequest::post(), &format!("/agents/{id}/heartbeat")),
    )
    .await;
    assert_eq!(hb.status.as_u16(), 200, "{}", hb.json);
    assert!(hb.json["last_seen_at"].is_string());
    let events = send(
        &app,
        as_admin(TestRequest::get(), &format!("/agents/{id}/events")),
    )
    .await;
    assert_eq!(events.status.as_u16(), 200);
    assert!(
        events
            .header("x-total-count")
            .unwrap()
            .parse::<u64>()
            .unwrap()
            >= 1
    );
    assert_eq!(events.json[0]["agent_id"], id);
}
