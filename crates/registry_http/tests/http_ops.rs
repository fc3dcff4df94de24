//! HTTP tests of the operational endpoints and the OpenAPI copy in docs/.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use actix_web::test::TestRequest;
use common::{admin, app, send, state};
use registry_http::ErrorCode;
use std::sync::Arc;

#[actix_web::test]
async fn health_ready_metrics_need_no_credentials() {
    let st = state().with_pool_stats(Arc::new(|| registry_http::PoolStats {
        connections: 3,
        idle_connections: 2,
        max_size: 16,
    }));
    let app = app(st).await;
    for path in ["/healthz", "/healthcheck"] {
        let h = send(&app, TestRequest::get().uri(path)).await;
        assert_eq!(h.status.as_u16(), 200, "{path}");
        assert_eq!(h.json["status"], "ok", "{path}");
    }
    let r = send(&app, TestRequest::get().uri("/readyz")).await;
    assert_eq!(r.status.as_u16(), 200);
    let _ = send(
        &app,
        TestRequest::get().uri("/agents").insert_header(admin()),
    )
    .await;
    let m = send(&app, TestRequest::get().uri("/metrics")).await;
    assert_eq!(m.status.as_u16(), 200);
    let text = String::from_utf8(m.raw).unwrap();
    assert!(
        text.contains(r#"http_requests_total{method="GET",route="/agents",status="200"} 1"#),
        "{text}"
    );
    assert!(text.contains("http_request_duration_seconds_bucket{route=\"/agents\""));
    assert!(text.contains("db_pool_max_connections 16"));
    assert!(text.contains("db_pool_idle_connections 2"));
}

#[actix_web::test]
async fn openapi_json_is_served_and_docs_copy_is_in_sync() {
    let app = app(state()).await;
    let r = send(&app, TestRequest::get().uri("/openapi.json")).await;
    assert_eq!(r.status.as_u16(), 200);
    assert!(r.json["paths"]["/agents/register-build"]["post"].is_object());
    assert!(r.json["components"]["schemas"]["AgentResponse"].is_object());
    let served = String::from_utf8(r.raw).unwrap();
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/openapi.json");
    if std::env::var("UPDATE_OPENAPI").as_deref() == Ok("1") {
        std::fs::write(&path, format!("{served}\n")).unwrap();
    }
    let on_disk = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        on_disk.trim_end() == served.trim_end(),
        "docs/openapi.json is stale: run UPDATE_OPENAPI=1 cargo test -p registry_http --test http_ops"
    );
}

#[actix_web::test]
async fn docs_errors_md_lists_every_code() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/errors.md");
    let doc = std::fs::read_to_string(path).unwrap();
    for code in ErrorCode::ALL {
        let status = code.status().as_u16();
        assert!(
            doc.contains(&format!("| `{code}` | {status} |")),
            "docs/errors.md lacks `{code}` ({status})"
        );
        let row = format!("| `{code}` | {status} | {} |", code.description());
        assert!(
            doc.lines().any(|line| line == row),
            "docs/errors.md's row of `{code}` differs from ErrorCode: {row}"
        );
    }
    let rows = doc.lines().filter(|l| l.starts_with("| `")).count();
    assert_eq!(
        rows,
        ErrorCode::ALL.len(),
        "docs/errors.md lists a code ErrorCode lacks"
    );
}

/// The served document and a way to follow its `$ref`s.
struct Document(serde_json::Value);

impl Document {
    async fn served() -> Self {
        let app = app(state()).await;
        Self(
            send(&app, TestRequest::get().uri("/openapi.json"))
                .await
                .json,
        )
    }

    /// `schema` with a top-level `$ref` followed.
    fn resolve<'a>(&'a self, schema: &'a serde_json::Value) -> &'a serde_json::Value {
        match schema["$ref"].as_str() {
            Some(r) => {
                &self.0["components"]["schemas"][r.trim_start_matches("#/components/schemas/")]
            }
            None => schema,
        }
    }

    /// The schema of parameter `name` of `method path`.
    fn parameter(&self, method: &str, path: &str, name: &str) -> &serde_json::Value {
        let parameters = self.0["paths"][path][method]["parameters"]
            .as_array()
            .unwrap();
        let p = parameters
            .iter()
            .find(|p| p["name"] == name)
            .unwrap_or_else(|| panic!("{method} {path} has no parameter {name}: {parameters:?}"));
        self.resolve(&p["schema"])
    }

    /// The `enum` of a parameter, as strings.
    fn words(&self, method: &str, path: &str, name: &str) -> Vec<String> {
        let schema = self.parameter(method, path, name);
        let schema = if schema["type"] == "array" {
            self.resolve(&schema["items"])
        } else {
            schema
        };
        let words = schema["enum"]
            .as_array()
            .unwrap_or_else(|| panic!("{name}: {schema}"));
        words
            .iter()
            .map(|w| w.as_str().unwrap().to_owned())
            .collect()
    }
}

/// Schemathesis found `GET /agents?order_by=&status=...` refused (the document named no values):
/// every value the document lists for an enumerated query parameter is accepted, and a value
/// outside it is refused naming the parameter.
#[actix_web::test]
async fn every_listed_query_value_is_accepted_and_no_other() {
    let doc = Document::served().await;
    let app = app(state()).await;
    let agent = common::register_build(&app, "listed").await;
    let id = agent["id"].as_str().unwrap();
    let deployments = format!("/agents/{id}/deployments");
    let cases = [
        ("/agents", "/agents", "order_by"),
        ("/agents", "/agents", "order_direction"),
        ("/agents", "/agents", "status"),
        (
            "/agents/{agent_id}/deployments",
            deployments.as_str(),
            "order_by",
        ),
        (
            "/agents/{agent_id}/deployments",
            deployments.as_str(),
            "order_direction",
        ),
    ];
    for (template, uri, name) in cases {
        let words = doc.words("get", template, name);
        assert!(!words.is_empty(), "{template} {name}");
        for word in words.iter().map(String::as_str).chain(["bogus"]) {
            let r = send(
                &app,
                TestRequest::get()
                    .uri(&format!("{uri}?{name}={word}"))
                    .insert_header(admin()),
            )
            .await;
            if word == "bogus" {
                let problem = r.problem(422, "validation_failed");
                assert_eq!(problem["errors"][0]["field"], name, "{uri} {name}");
            } else {
                assert_eq!(r.status.as_u16(), 200, "{uri} {name}={word}: {}", r.json);
            }
        }
    }
}

/// Schemathesis found `limit` and `page_number` of any integer refused: the bounds the document
/// declares are the server's, at both ends.
#[actix_web::test]
async fn paging_bounds_in_the_document_are_the_servers() {
    let doc = Document::served().await;
    let app = app(state()).await;
    for name in ["limit", "page_number"] {
        let schema = doc.parameter("get", "/agents", name);
        let (min, max) = (
            schema["minimum"].as_i64().unwrap(),
            schema["maximum"].as_i64().unwrap(),
        );
        for (value, status) in [(min, 200), (max, 200), (min - 1, 422), (max + 1, 422)] {
            let uri = format!("/agents?{name}={value}");
            let r = send(&app, TestRequest::get().uri(&uri).insert_header(admin())).await;
            assert_eq!(r.status.as_u16(), status, "{uri}: {}", r.json);
        }
    }
}

/// Schemathesis sent `"agent_id": ""` and ids like `0` (`format: uuid` alone asserts nothing in
/// JSON Schema 2020-12): every id the document declares carries a UUID pattern.
#[actix_web::test]
async fn every_id_parameter_and_member_is_patterned_as_a_uuid() {
    let doc = Document::served().await;
    let uuid_pattern = doc.0["components"]["schemas"]["Id"]["pattern"]
        .as_str()
        .unwrap();
    assert!(
        uuid_pattern.starts_with("^[0-9A-Fa-f]{8}-"),
        "{uuid_pattern}"
    );
    let mut seen = 0;
    for (path, item) in doc.0["paths"].as_object().unwrap() {
        for (method, operation) in item.as_object().unwrap() {
            for p in operation["parameters"].as_array().into_iter().flatten() {
                let name = p["name"].as_str().unwrap();
                if name == "id" || (name.ends_with("_id") && name != "task_id") {
                    let schema = doc.resolve(&p["schema"]);
                    assert_eq!(schema["pattern"], uuid_pattern, "{method} {path} {name}");
                    seen += 1;
                }
            }
        }
    }
    assert!(seen >= 20, "{seen} id parameters");
    let register = &doc.0["components"]["schemas"]["RegisterAgentRequest"]["properties"];
    let agent_id = &register["agent_id"]["oneOf"][1];
    assert_eq!(doc.resolve(agent_id)["pattern"], uuid_pattern);
}

/// Schemathesis sent key lookups and creations with neither or both of `agent_id` /
/// `agent_name` (the peer's 400): the document states "exactly one", for the query and the body.
#[actix_web::test]
async fn the_agent_selector_is_declared_exactly_one() {
    let doc = Document::served().await;
    for (method, path) in [
        ("get", "/agent_api_keys"),
        ("get", "/deployment-history"),
        ("get", "/agent_api_keys/name/{name}"),
        ("delete", "/agent_api_keys/name/{name}"),
    ] {
        let parameters = doc.0["paths"][path][method]["parameters"]
            .as_array()
            .unwrap();
        let selector = parameters.iter().find(|p| p["name"] == "selector").unwrap();
        assert_eq!(
            (&selector["style"], &selector["explode"]),
            (&"form".into(), &true.into())
        );
        let one_of = &selector["schema"]["allOf"][1]["oneOf"];
        assert_eq!(one_of[0]["required"][0], "agent_id", "{method} {path}");
        assert_eq!(one_of[1]["required"][0], "agent_name", "{method} {path}");
    }
    let body = &doc.0["components"]["schemas"]["CreateApiKeyRequest"]["allOf"];
    assert_eq!(body[1]["oneOf"].as_array().map(Vec::len), Some(2));
    let app = app(state()).await;
    let neither = send(
        &app,
        TestRequest::get()
            .uri("/agent_api_keys")
            .insert_header(admin()),
    )
    .await;
    neither.problem(400, "bad_request");
}

/// Schemathesis patched immutable members (`name`, `status`...), refused with 422: the PATCH
/// body admits only the three members the server changes.
#[actix_web::test]
async fn the_patch_body_admits_only_what_patch_changes() {
    let doc = Document::served().await;
    let patch = &doc.0["paths"]["/agents/{agent_id}"]["patch"]["requestBody"]["content"]
        ["application/merge-patch+json"]["schema"];
    let patch = doc.resolve(patch);
    assert_eq!(patch["additionalProperties"], false);
    let mut members: Vec<&String> = patch["properties"].as_object().unwrap().keys().collect();
    members.sort();
    assert_eq!(
        members,
        ["agent_input_type", "description", "registration_metadata"]
    );
}
