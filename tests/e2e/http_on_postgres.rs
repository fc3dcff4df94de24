//! The HTTP adapter over PostgreSQL, in process (issue 15 item 9). `registry_http`'s own suite
//! runs on the memory store (that crate must not depend on the database); this module runs a
//! representative subset of it on `registry_http::build_app` over `PgStore` on a fresh
//! database, so failures only PostgreSQL produces (a NUL it cannot store, its constraints, its
//! JSON) show here: agents created, changed, listed and deleted; keys; deployments; bad input
//! with a NUL in every place a client can put one. And a property test: arbitrary JSON at the
//! create, register, patch and put bodies is never answered 5xx.

use actix_web::body::MessageBody;
use actix_web::dev::{Service, ServiceResponse};
use actix_web::http::Method;
use actix_web::test::{self, TestRequest};
use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};
use registry_e2e::text;
use registry_http::{build_app, AppState};
use registry_store_pg::PgStore;
use registry_test_db::TestDatabase;
use registry_usecases::{CredentialAuthenticator, Registry, RegistryConfig};
use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

const ADMIN: &str = "in-process-admin-token-0123456789";

/// The app's state: the registry over `PgStore` on `db`, authorization on.
fn state(db: &TestDatabase) -> AppState {
    let config = RegistryConfig {
        admin_token: ADMIN.to_owned(),
        key_hash_secret: vec![7; 32],
        creators: Default::default(),
        authorization_enabled: true,
        heartbeat_ttl: Duration::from_secs(90),
        default_org_max_agents: None,
        webhook_targets: registry_domain::TargetRules::default(),
        webhook_secret_overlap: std::time::Duration::from_secs(86_400),
    };
    let registry = Registry::with_tenancy(PgStore::new(db.pool_of(4)), config);
    let authenticator = Arc::new(CredentialAuthenticator::from_registry(&registry));
    AppState::new(registry, authenticator)
}

/// `method uri` with `Authorization: Bearer <token>` and, if any, a raw JSON body.
fn request(token: &str, method: Method, uri: &str, body: Option<String>) -> TestRequest {
    let req = TestRequest::default()
        .method(method)
        .uri(uri)
        .insert_header(("Authorization", format!("Bearer {token}")));
    match body {
        Some(body) => req
            .insert_header(("Content-Type", "application/json"))
            .set_payload(body),
        None => req,
    }
}

/// [`request`] as the admin, with a JSON body unless it is `Value::Null`.
fn admin(method: Method, uri: &str, body: Value) -> TestRequest {
    let body = (!body.is_null()).then(|| body.to_string());
    request(ADMIN, method, uri, body)
}

/// A reply read fully.
struct Reply {
    status: u16,
    headers: actix_web::http::header::HeaderMap,
    json: Value,
}

impl Reply {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).map(|v| v.to_str().unwrap())
    }

    /// Asserts `status` (showing the body) and returns the JSON.
    fn expect(&self, status: u16) -> &Value {
        assert_eq!(self.status, status, "{}", self.json);
        &self.json
    }
}

async fn send<S, B>(app: &S, req: TestRequest) -> Reply
where
    S: Service<actix_http::Request, Response = ServiceResponse<B>, Error = actix_web::Error>,
    B: MessageBody,
{
    let res = test::call_service(app, req.to_request()).await;
    let status = res.status().as_u16();
    let headers = res.headers().clone();
    let raw = test::read_body(res).await;
    let json = serde_json::from_slice(&raw).unwrap_or(Value::Null);
    Reply {
        status,
        headers,
        json,
    }
}

/// Agents created (POST, PUT), changed (PATCH with `If-Match`, PUT), listed and deleted, as
/// PostgreSQL stores and reads them.
#[actix_web::test]
async fn agents_are_created_changed_listed_and_deleted() {
    let db = TestDatabase::new();
    let app = test::init_service(build_app(state(&db))).await;
    let body = json!({"name": "inproc", "description": "d",
                      "registration_metadata": {"a": 1, "b": {"c": [1, 2.5, "x"]}}});
    let created = send(&app, admin(Method::POST, "/agents/register-build", body)).await;
    assert_eq!(created.header("registry-created"), Some("true"));
    let id = text(created.expect(200), "id");
    let path = format!("/agents/{id}");
    let got = send(&app, admin(Method::GET, &path, Value::Null)).await;
    assert_eq!(got.expect(200)["registration_metadata"]["b"]["c"][1], 2.5);
    let etag = got.header("etag").unwrap().to_owned();

    let patch = json!({"description": "patched", "registration_metadata": {"a": null, "d": "x"}});
    let patched = send(
        &app,
        admin(Method::PATCH, &path, patch.clone()).insert_header(("If-Match", etag.as_str())),
    )
    .await;
    assert_eq!(
        patched.expect(200)["registration_metadata"],
        json!({"b": {"c": [1, 2.5, "x"]}, "d": "x"})
    );
    let stale = send(
        &app,
        admin(Method::PATCH, &path, patch).insert_header(("If-Match", etag.as_str())),
    )
    .await;
    assert_eq!(stale.expect(412)["code"], "precondition_failed");

    let put = |name: &str, description: &str| {
        admin(
            Method::PUT,
            &format!("/agents/name/{name}"),
            json!({"description": description}),
        )
    };
    let new = send(&app, put("put-new", "v1")).await;
    assert_eq!(new.expect(201)["created"], true);
    let same = send(&app, put("put-new", "v1")).await;
    assert_eq!(same.expect(200)["updated_at"], new.json["updated_at"]);
    let changed = send(&app, put("inproc", "by put")).await;
    assert_eq!(changed.expect(200)["created"], false);
    assert_eq!(changed.json["description"], "by put");

    let list = send(
        &app,
        admin(
            Method::GET,
            "/agents?order_by=name&order_direction=asc",
            Value::Null,
        ),
    )
    .await;
    let names: Vec<String> = list
        .expect(200)
        .as_array()
        .unwrap()
        .iter()
        .map(|a| text(a, "name"))
        .collect();
    assert_eq!(names, ["inproc", "put-new"]);
    assert_eq!(list.header("x-total-count"), Some("2"));

    send(&app, admin(Method::DELETE, &path, Value::Null))
        .await
        .expect(200);
    send(&app, admin(Method::DELETE, &path, Value::Null))
        .await
        .expect(404);
    send(&app, admin(Method::GET, &path, Value::Null))
        .await
        .expect(404);
    let list = send(&app, admin(Method::GET, "/agents", Value::Null)).await;
    assert_eq!(list.header("x-total-count"), Some("1"));
}

/// Agent API keys (minted by register, created, listed, read, deleted; only internal keys
/// authenticate) and deployments (created, registered, promoted, deleted).
#[actix_web::test]
async fn keys_and_deployments() {
    let db = TestDatabase::new();
    let app = test::init_service(build_app(state(&db))).await;
    let reg = send(
        &app,
        admin(
            Method::POST,
            "/agents/register",
            json!({"name": "keyed", "description": "d", "acp_url": "http://keyed:8000", "acp_type": "async"}),
        ),
    )
    .await;
    let (id, internal) = (
        text(reg.expect(200), "id"),
        text(&reg.json, "agent_api_key"),
    );
    let path = format!("/agents/{id}");
    let as_key = |key: &str| request(key, Method::GET, &path, None);
    send(&app, as_key(&internal)).await.expect(200);

    let body = json!({"agent_id": id, "name": "ci", "api_key_type": "external"});
    let created = send(&app, admin(Method::POST, "/agent_api_keys", body.clone())).await;
    let (key_id, external) = (
        text(created.expect(200), "id"),
        text(&created.json, "api_key"),
    );
    send(&app, admin(Method::POST, "/agent_api_keys", body))
        .await
        .expect(409);
    let listed = send(
        &app,
        admin(
            Method::GET,
            &format!("/agent_api_keys?agent_id={id}"),
            Value::Null,
        ),
    )
    .await;
    assert!(listed
        .expect(200)
        .as_array()
        .unwrap()
        .iter()
        .any(|k| k["id"] == key_id.as_str()));
    let one = send(
        &app,
        admin(
            Method::GET,
            &format!("/agent_api_keys/{key_id}"),
            Value::Null,
        ),
    )
    .await;
    assert!(
        one.expect(200).get("api_key").is_none(),
        "the secret is shown once"
    );
    send(&app, as_key(&external)).await.expect(401);
    let key_path = format!("/agent_api_keys/{key_id}");
    send(&app, admin(Method::DELETE, &key_path, Value::Null))
        .await
        .expect(200);
    send(&app, admin(Method::DELETE, &key_path, Value::Null))
        .await
        .expect(404);

    let deployments = format!("{path}/deployments");
    let deploy = |image: &str| admin(Method::POST, &deployments, json!({"docker_image": image}));
    let ready = |did: &str| {
        admin(
            Method::POST,
            "/agents/register",
            json!({"name": "keyed", "description": "d", "acp_url": format!("http://{did}"),
                   "acp_type": "async", "registration_metadata": {"deployment_id": did}}),
        )
    };
    let d1 = text(send(&app, deploy("img:1")).await.expect(200), "id");
    send(&app, ready(&d1)).await.expect(200);
    let promoted = send(
        &app,
        admin(
            Method::POST,
            &format!("{deployments}/{d1}/promote"),
            Value::Null,
        ),
    )
    .await;
    assert_eq!(promoted.expect(200)["is_production"], true);
    let d2 = text(send(&app, deploy("img:2")).await.expect(200), "id");
    send(
        &app,
        admin(Method::DELETE, &format!("{deployments}/{d1}"), Value::Null),
    )
    .await
    .expect(409);
    send(
        &app,
        admin(Method::DELETE, &format!("{deployments}/{d2}"), Value::Null),
    )
    .await
    .expect(200);
    send(
        &app,
        admin(Method::DELETE, &format!("{deployments}/{d2}"), Value::Null),
    )
    .await
    .expect(404);
    let agent = send(&app, admin(Method::GET, &path, Value::Null)).await;
    assert_eq!(agent.expect(200)["production_deployment_id"], d1.as_str());
}

/// A NUL (which PostgreSQL cannot store in text or JSONB) in every place a client can put one:
/// each is a 422 naming the place (a lookup by such a name: the agent 404), never a 500, and
/// nothing is stored.
#[actix_web::test]
async fn a_nul_anywhere_is_refused_naming_the_place() {
    let db = TestDatabase::new();
    let app = test::init_service(build_app(state(&db))).await;
    let id = text(
        send(
            &app,
            admin(
                Method::POST,
                "/agents/register-build",
                json!({"name": "target", "description": "d"}),
            ),
        )
        .await
        .expect(200),
        "id",
    );
    let agent = format!("/agents/{id}");
    let nul = "a\u{0}b";
    let cases: Vec<(Method, String, Value, &str)> = vec![
        (
            Method::POST,
            "/agents/register-build".into(),
            json!({"name": "n", "description": nul}),
            "description",
        ),
        (
            Method::POST,
            "/agents/register-build".into(),
            json!({"name": nul, "description": "d"}),
            "name",
        ),
        (
            Method::POST,
            "/agents/register-build".into(),
            json!({"name": "n", "description": "d", "registration_metadata": {nul: 1}}),
            "registration_metadata.a\\u0000b",
        ),
        (
            Method::POST,
            "/agents/register-build".into(),
            json!({"name": "n", "description": "d", "registration_metadata": {"x": [{"y": nul}]}}),
            "registration_metadata.x[0].y",
        ),
        (
            Method::POST,
            "/agents/register-build".into(),
            json!({"name": "n", "description": "d", "agent_input_type": nul}),
            "agent_input_type",
        ),
        (
            Method::POST,
            "/agents/register".into(),
            json!({"name": "n", "description": "d", "acp_url": format!("http://x/{nul}"), "acp_type": "async"}),
            "acp_url",
        ),
        (
            Method::POST,
            "/agents/register".into(),
            json!({"name": "n", "description": "d", "acp_url": "http://x", "acp_type": "async", "registration_metadata": {"agent_card": {"metadata": {"k": nul}}}}),
            "registration_metadata.agent_card.metadata.k",
        ),
        (
            Method::PATCH,
            agent.clone(),
            json!({"description": nul}),
            "description",
        ),
        (
            Method::PATCH,
            agent.clone(),
            json!({"registration_metadata": {"k": {nul: nul}}}),
            "registration_metadata.k.a\\u0000b",
        ),
        (
            Method::PUT,
            "/agents/name/target".into(),
            json!({"description": nul}),
            "description",
        ),
        (
            Method::PUT,
            "/agents/name/target".into(),
            json!({"description": "d", "registration_metadata": {"k": nul}}),
            "registration_metadata.k",
        ),
        (
            Method::PUT,
            "/agents/name/a%00b".into(),
            json!({"description": "d"}),
            "agent_name",
        ),
        (
            Method::GET,
            "/agents?agent_card_metadata=%7B%22k%22%3A%22a%5Cu0000b%22%7D".into(),
            Value::Null,
            "agent_card_metadata.k",
        ),
        (
            Method::GET,
            "/agents?order_by=a%00b".into(),
            Value::Null,
            "order_by",
        ),
        (
            Method::POST,
            "/agent_api_keys".into(),
            json!({"agent_id": id, "name": nul, "api_key_type": "external"}),
            "name",
        ),
        (
            Method::POST,
            "/agent_api_keys".into(),
            json!({"agent_name": nul, "name": "k", "api_key_type": "external"}),
            "agent_name",
        ),
        (
            Method::GET,
            "/agent_api_keys/name/a%00b?agent_id=".to_owned() + &id,
            Value::Null,
            "name",
        ),
        (
            Method::GET,
            "/agent_api_keys?agent_name=a%00b".into(),
            Value::Null,
            "agent_name",
        ),
        (
            Method::POST,
            format!("{agent}/grants"),
            json!({"principal": format!("user:{nul}"), "role": "viewer"}),
            "principal",
        ),
        (
            Method::POST,
            format!("{agent}/deployments"),
            json!({"docker_image": nul}),
            "docker_image",
        ),
        (
            Method::POST,
            "/service_tokens".into(),
            json!({"name": nul}),
            "name",
        ),
        (
            Method::GET,
            "/deployment-history?agent_name=a%00b".into(),
            Value::Null,
            "agent_name",
        ),
    ];
    let mut failures = Vec::new();
    for (method, uri, body, field) in &cases {
        let r = send(&app, admin(method.clone(), uri, body.clone())).await;
        let fields: Vec<&str> = r.json["errors"]
            .as_array()
            .map(|e| e.iter().filter_map(|e| e["field"].as_str()).collect())
            .unwrap_or_default();
        if r.status != 422 || !fields.contains(field) {
            failures.push(format!("{method} {uri} {body}: {} {}", r.status, r.json));
        }
    }
    assert!(
        failures.is_empty(),
        "not 422 naming the place:\n{}",
        failures.join("\n")
    );
    // A lookup by a name no agent can have names no agent: the agent 404.
    for method in [Method::GET, Method::DELETE] {
        let r = send(&app, admin(method, "/agents/name/a%00b", Value::Null)).await;
        assert_eq!(r.expect(404)["code"], "agent_not_found");
    }
    let list = send(&app, admin(Method::GET, "/agents", Value::Null)).await;
    assert_eq!(list.header("x-total-count"), Some("1"), "nothing stored");
    let stored = send(&app, admin(Method::GET, &agent, Value::Null)).await;
    assert_eq!(stored.expect(200)["description"], "d");
    println!("{} places with a NUL: each 422 naming it", cases.len());
}

/// A string: often a valid name, often anything (NUL, controls, any plane).
fn any_text() -> impl Strategy<Value = String> {
    prop_oneof![
        "[a-z0-9-]{1,12}",
        proptest::collection::vec(any::<char>(), 0..12).prop_map(String::from_iter),
        Just("a\u{0}b".to_owned()),
        Just("http://agent:8000".to_owned()),
    ]
}

/// Any JSON value, up to a few levels deep.
fn any_json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        any::<f64>().prop_map(Value::from),
        any_text().prop_map(Value::from),
    ];
    leaf.prop_recursive(4, 32, 5, |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..5).prop_map(Value::Array),
            proptest::collection::btree_map(any_text(), inner, 0..5)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

/// A body: any JSON, an object of the fields the endpoints read (and others) with any values,
/// or a plausible body (a valid name, any description, any metadata object, mostly a valid URL),
/// so that many bodies get past the first checks and reach the database.
fn any_body() -> impl Strategy<Value = Value> {
    let field = prop_oneof![
        Just("name".to_owned()),
        Just("description".to_owned()),
        Just("registration_metadata".to_owned()),
        Just("agent_input_type".to_owned()),
        Just("acp_url".to_owned()),
        Just("acp_type".to_owned()),
        Just("agent_id".to_owned()),
        any_text(),
    ];
    let metadata = proptest::collection::btree_map(any_text(), any_json(), 0..5)
        .prop_map(|m| Value::Object(m.into_iter().collect()));
    let acp_url = prop_oneof![3 => Just("http://agent:8000".to_owned()), 1 => any_text()];
    let plausible = ("[a-z0-9-]{1,12}", any_text(), metadata, acp_url).prop_map(
        |(name, description, metadata, acp_url)| {
            json!({"name": name, "description": description, "registration_metadata": metadata,
                   "acp_url": acp_url, "acp_type": "async"})
        },
    );
    prop_oneof![
        1 => any_json(),
        2 => proptest::collection::btree_map(field, any_json(), 0..7)
            .prop_map(|m| Value::Object(m.into_iter().collect())),
        2 => plausible,
    ]
}

/// Arbitrary JSON at the create (`register-build`, `register`), patch and put bodies on
/// PostgreSQL: never a 5xx. Bounded (256 cases, four requests each); prints the count and the
/// statuses seen.
#[test]
fn arbitrary_json_bodies_are_never_answered_5xx() {
    const CASES: u32 = 256;
    let db = TestDatabase::new();
    let system = actix_web::rt::System::new();
    let app = system.block_on(test::init_service(build_app(state(&db))));
    let target = system.block_on(async {
        let r = send(
            &app,
            admin(
                Method::POST,
                "/agents/register-build",
                json!({"name": "target", "description": "d"}),
            ),
        )
        .await;
        text(r.expect(200), "id")
    });
    let statuses = std::cell::RefCell::new(BTreeMap::<(&str, u16), u32>::new());
    let started = Instant::now();
    let mut runner = TestRunner::new(Config {
        cases: CASES,
        failure_persistence: None,
        ..Config::default()
    });
    runner
        .run(&(any_body(), "[a-z0-9-]{1,12}"), |(body, name)| {
            let targets = [
                (
                    "register-build",
                    Method::POST,
                    "/agents/register-build".to_owned(),
                ),
                ("register", Method::POST, "/agents/register".to_owned()),
                ("patch", Method::PATCH, format!("/agents/{target}")),
                ("put", Method::PUT, format!("/agents/name/{name}")),
            ];
            for (label, method, uri) in targets {
                let r = system.block_on(send(
                    &app,
                    request(ADMIN, method, &uri, Some(body.to_string())),
                ));
                *statuses.borrow_mut().entry((label, r.status)).or_default() += 1;
                prop_assert!(
                    r.status < 500,
                    "{label} {uri} {body}: {} {}",
                    r.status,
                    r.json
                );
            }
            Ok(())
        })
        .unwrap();
    let statuses = statuses.into_inner();
    let requests: u32 = statuses.values().sum();
    println!(
        "{CASES} arbitrary bodies, {requests} requests in {:?}, none 5xx: {statuses:?}",
        started.elapsed()
    );
    assert_eq!(requests, CASES * 4);
    assert!(
        statuses
            .keys()
            .any(|(label, s)| *label == "register-build" && *s == 200),
        "some bodies reached the database: {statuses:?}"
    );
}
