//! HTTP tests of bad inputs: every one answers problem+json naming what is wrong.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use actix_web::middleware::from_fn;
use actix_web::test::{self, TestRequest};
use actix_web::{web, App, HttpResponse};
use common::{admin, app, as_admin, send, state, state_with};
use serde_json::json;

fn build(body: &str) -> TestRequest {
    TestRequest::post()
        .uri("/agents/register-build")
        .insert_header(admin())
        .insert_header(("Content-Type", "application/json"))
        .set_payload(body.to_owned())
}

#[actix_web::test]
async fn malformed_json_is_400_with_position() {
    let app = app(state()).await;
    let r = send(&app, build(r#"{"name": "a","#)).await;
    let body = r.problem(400, "bad_request");
    assert_eq!(body["errors"][0]["field"], "body");
    assert!(body["detail"].as_str().unwrap().contains("line 1"));
}

#[actix_web::test]
async fn wrong_type_and_missing_field_are_422_naming_the_field() {
    let app = app(state()).await;
    let r = send(&app, build(r#"{"name": 12, "description": "d"}"#)).await;
    assert_eq!(
        r.problem(422, "validation_failed")["errors"][0]["field"],
        "name"
    );
    let r = send(&app, build(r#"{"name": "ok"}"#)).await;
    assert_eq!(
        r.problem(422, "validation_failed")["errors"][0]["field"],
        "description"
    );
    let r = send(&app, build(r#"{"name": "Bad_Name", "description": "d"}"#)).await;
    assert_eq!(
        r.problem(422, "validation_failed")["errors"][0]["field"],
        "name"
    );
}

#[actix_web::test]
async fn unknown_enum_values_name_their_field() {
    let app = app(state()).await;
    let r = send(
        &app,
        build(r#"{"name": "e", "description": "d", "agent_input_type": "xml"}"#),
    )
    .await;
    assert_eq!(
        r.problem(422, "validation_failed")["errors"][0]["field"],
        "agent_input_type"
    );
    let r = send(
        &app,
        TestRequest::post()
            .uri("/agents/register")
            .insert_header(admin())
            .set_json(json!({
                "name": "e", "description": "d", "acp_url": "http://u", "acp_type": "grpc"
            })),
    )
    .await;
    assert_eq!(
        r.problem(422, "validation_failed")["errors"][0]["field"],
        "acp_type"
    );
    let r = send(&app, as_admin(TestRequest::get(), "/agents?status=ready")).await;
    assert_eq!(
        r.problem(422, "validation_failed")["errors"][0]["field"],
        "status"
    );
}

#[actix_web::test]
async fn bad_path_ids_are_422_naming_the_parameter() {
    let app = app(state()).await;
    let r = send(&app, as_admin(TestRequest::get(), "/agents/not-a-uuid")).await;
    assert_eq!(
        r.problem(422, "validation_failed")["errors"][0]["field"],
        "agent_id"
    );
    let r = send(
        &app,
        as_admin(
            TestRequest::get(),
            &format!("/agents/{}/deployments/zzz", uuid::Uuid::new_v4()),
        ),
    )
    .await;
    assert_eq!(
        r.problem(422, "validation_failed")["errors"][0]["field"],
        "deployment_id"
    );
}

#[actix_web::test]
async fn list_bounds_and_order_by_are_validated() {
    let app = app(state()).await;
    for (query, field) in [
        ("limit=0", "limit"),
        ("limit=1001", "limit"),
        ("limit=abc", "limit"),
        ("page_number=0", "page_number"),
        ("order_by=bogus", "order_by"),
        ("order_direction=up", "order_direction"),
        ("agent_card_metadata=%5B1%5D", "agent_card_metadata"),
    ] {
        let r = send(
            &app,
            as_admin(TestRequest::get(), &format!("/agents?{query}")),
        )
        .await;
        assert_eq!(
            r.problem(422, "validation_failed")["errors"][0]["field"],
            field,
            "{query}"
        );
    }
    let ok = send(&app, as_admin(TestRequest::get(), "/agents?limit=1000")).await;
    assert_eq!(ok.status.as_u16(), 200);
}

#[actix_web::test]
async fn bodies_over_one_mebibyte_are_413() {
    let app = app(state()).await;
    let big = format!(
        r#"{{"name": "big", "description": "{}"}}"#,
        "x".repeat(1024 * 1024 + 10)
    );
    let r = send(&app, build(&big)).await;
    r.problem(413, "payload_too_large");
}

#[actix_web::test]
async fn unknown_routes_and_wrong_methods_are_problems() {
    let app = app(state()).await;
    let r = send(&app, TestRequest::get().uri("/nope").insert_header(admin())).await;
    r.problem(404, "not_found");
    let r = send(&app, TestRequest::get().uri("/nope")).await;
    r.problem(404, "not_found");
    let r = send(
        &app,
        TestRequest::put().uri("/agents").insert_header(admin()),
    )
    .await;
    r.problem(405, "method_not_allowed");
}

#[actix_web::test]
async fn non_json_bodies_are_415() {
    let app = app(state()).await;
    let r = send(
        &app,
        TestRequest::post()
            .uri("/agents/register-build")
            .insert_header(admin())
            .insert_header(("Content-Type", "text/plain"))
            .set_payload("name=x"),
    )
    .await;
    r.problem(415, "unsupported_media_type");
}

#[actix_web::test]
async fn registry_routes_require_credentials() {
    let app = app(state()).await;
    for req in [
        TestRequest::get().uri("/agents"),
        TestRequest::post()
            .uri("/agents/register")
            .set_json(json!({})),
        TestRequest::post()
            .uri("/agents/register-build")
            .set_json(json!({"name": "a", "description": "d"})),
        TestRequest::get().uri("/agents/not-a-uuid"),
        TestRequest::get().uri("/agent_api_keys"),
        TestRequest::get().uri("/service_tokens"),
    ] {
        let r = send(&app, req).await;
        r.problem(401, "unauthenticated");
        assert_eq!(r.header("www-authenticate").as_deref(), Some("Bearer"));
    }
    for bad in ["Bearer wrong-token", "Basic Zm9vOmJhcg==", "Bearer"] {
        let r = send(
            &app,
            TestRequest::get()
                .uri("/agents")
                .insert_header(("Authorization", bad)),
        )
        .await;
        r.problem(401, "unauthenticated");
    }
    let r = send(
        &app,
        TestRequest::get()
            .uri("/agents")
            .insert_header(("Authorization", format!("bEaReR {}", common::ADMIN))),
    )
    .await;
    assert_eq!(r.status.as_u16(), 200);
}

#[actix_web::test]
async fn a_registration_without_credentials_says_how_an_agent_gets_its_key() {
    let app = app(state()).await;
    for req in [
        TestRequest::post().uri("/agents/register"),
        TestRequest::post()
            .uri("/agents/register")
            .insert_header(("X-Agent-API-Key", "agk_unknown")),
    ] {
        let body = json!({"name": "secret-agent", "description": "d", "acp_url": "http://a", "acp_type": "async"});
        let r = send(&app, req.set_json(body)).await;
        let detail = r.problem(401, "unauthenticated")["detail"]
            .as_str()
            .unwrap();
        assert!(detail.contains("AGENT_API_KEY"), "{detail}");
        assert!(detail.contains("docs/agentex-runtime.md"), "{detail}");
        assert!(
            !detail.contains("secret-agent"),
            "nothing about the agent: {detail}"
        );
    }
    let other = send(&app, TestRequest::get().uri("/agents")).await;
    let detail = other.problem(401, "unauthenticated")["detail"]
        .as_str()
        .unwrap();
    assert!(!detail.contains("AGENT_API_KEY"), "{detail}");
}

#[actix_web::test]
async fn insecure_mode_treats_anonymous_callers_as_admin() {
    let app = app(state_with(false)).await;
    let r = send(&app, TestRequest::get().uri("/service_tokens")).await;
    assert_eq!(r.status.as_u16(), 200, "{}", r.json);
}

#[actix_web::test]
async fn request_ids_are_echoed_or_generated() {
    let app = app(state()).await;
    let r = send(
        &app,
        TestRequest::get()
            .uri("/healthz")
            .insert_header(("X-Request-Id", "abc-123")),
    )
    .await;
    assert_eq!(r.header("x-request-id").as_deref(), Some("abc-123"));
    let r = send(
        &app,
        TestRequest::get()
            .uri("/healthz")
            .insert_header(("X-Request-Id", "bad id with spaces")),
    )
    .await;
    let generated = r.header("x-request-id").unwrap();
    let parsed = uuid::Uuid::parse_str(&generated).unwrap();
    assert_eq!(parsed.get_version_num(), 4, "{generated}");
    let r = send(&app, TestRequest::get().uri("/agents")).await;
    let another = r.header("x-request-id").unwrap();
    assert_ne!(another, generated);
}

#[actix_web::test]
async fn a_panicking_handler_answers_500_with_the_request_id_and_the_app_keeps_serving() {
    let app = test::init_service(
        App::new()
            .route(
                "/boom",
                web::get().to(|| async {
                    if true {
                        panic!("secret internal detail");
                    }
                    HttpResponse::Ok().finish()
                }),
            )
            .route(
                "/fine",
                web::get().to(|| async { HttpResponse::Ok().finish() }),
            )
            .wrap(from_fn(registry_http::observe)),
    )
    .await;
    let err = test::try_call_service(
        &app,
        TestRequest::get()
            .uri("/boom")
            .insert_header(("X-Request-Id", "req-42"))
            .to_request(),
    )
    .await
    .map(|_| ())
    .expect_err("a panic answers through an error");
    let res = err.error_response();
    assert_eq!(res.status().as_u16(), 500);
    assert_eq!(res.headers().get("x-request-id").unwrap(), "req-42");
    assert_eq!(
        res.headers().get("content-type").unwrap(),
        "application/problem+json"
    );
    let raw = actix_web::body::to_bytes(res.into_body()).await.unwrap();
    let body: serde_json::Value = serde_json::from_slice(&raw).unwrap();
    assert_eq!(body["code"], "internal");
    assert_eq!(body["request_id"], "req-42");
    assert!(!String::from_utf8_lossy(&raw).contains("secret"));
    let ok = send(&app, TestRequest::get().uri("/fine")).await;
    assert_eq!(ok.status.as_u16(), 200);
}

#[actix_web::test]
async fn nul_characters_anywhere_in_a_body_are_422_naming_every_place() {
    let app = app(state()).await;
    let body = r#"{"name": "nul", "description": "a\u0000b",
        "registration_metadata": {"k\u0000": 1, "list": ["ok", "x\u0000"], "deep": {"v": "\u0000"}}}"#;
    let r = send(
        &app,
        TestRequest::post()
            .uri("/agents/register-build")
            .insert_header(admin())
            .insert_header(("Content-Type", "application/json"))
            .set_payload(body),
    )
    .await;
    let problem = r.problem(422, "validation_failed");
    let mut fields: Vec<&str> = problem["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    fields.sort_unstable();
    assert_eq!(
        fields,
        [
            "description",
            "registration_metadata.deep.v",
            "registration_metadata.k\\u0000",
            "registration_metadata.list[1]",
        ]
    );
    let absent = send(&app, as_admin(TestRequest::get(), "/agents/name/nul")).await;
    assert_eq!(absent.status.as_u16(), 404, "nothing was stored");
}

#[actix_web::test]
async fn every_failing_field_of_a_body_is_reported() {
    let app = app(state()).await;
    let r = send(
        &app,
        TestRequest::post()
            .uri("/agents/register")
            .insert_header(admin())
            .set_json(json!({
                "name": "Not A Name", "description": "x".repeat(5000),
                "acp_url": "ftp://nowhere", "acp_type": "grpc", "agent_input_type": "xml"
            })),
    )
    .await;
    let problem = r.problem(422, "validation_failed");
    let fields: Vec<&str> = problem["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert_eq!(
        fields,
        [
            "name",
            "description",
            "acp_type",
            "acp_url",
            "agent_input_type"
        ]
    );
    let patch = send(
        &app,
        TestRequest::patch()
            .uri("/agents/6f1c2a3e-2d4b-4c5a-9e8f-0a1b2c3d4e5f")
            .insert_header(admin())
            .set_json(json!({"status": "Ready", "description": 7, "unknown": true})),
    )
    .await;
    let problem = patch.problem(422, "validation_failed");
    assert_eq!(problem["errors"].as_array().unwrap().len(), 2, "{problem}");
}

#[actix_web::test]
async fn a_nul_in_a_key_name_path_is_422() {
    let app = app(state()).await;
    let r = send(
        &app,
        as_admin(
            TestRequest::get(),
            "/agent_api_keys/name/a%00b?agent_name=x",
        ),
    )
    .await;
    assert_eq!(
        r.problem(422, "validation_failed")["errors"][0]["field"],
        "name"
    );
}
