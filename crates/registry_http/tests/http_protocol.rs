//! HTTP tests of protocol details: repeated credential headers, authentication before
//! anything else about a registry route, execution slots, HEAD, conditional GET.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use actix_web::dev::Service;
use actix_web::test::TestRequest;
use common::{admin, app, as_admin, register_build, send, state};
use registry_http::AppState;
use registry_ports::{AuthError, Authenticator, Credential};
use registry_usecases::CredentialAuthenticator;
use serde_json::json;
use std::sync::Arc;
use std::time::Duration;

#[actix_web::test]
async fn repeated_credential_headers_are_400() {
    let app = app(state()).await;
    let (name, value) = admin();
    let twice = TestRequest::get()
        .uri("/agents")
        .append_header((name, value.clone()))
        .append_header((name, value.clone()));
    send(&app, twice).await.problem(400, "bad_request");
    let keys = TestRequest::get()
        .uri("/agents")
        .append_header(("X-Agent-API-Key", "agk_a"))
        .append_header(("X-Agent-API-Key", "agk_b"));
    send(&app, keys).await.problem(400, "bad_request");
    let once = send(&app, as_admin(TestRequest::get(), "/agents")).await;
    assert_eq!(once.status.as_u16(), 200);
}

#[actix_web::test]
async fn head_answers_every_get_route_with_the_get_headers() {
    let app = app(state()).await;
    let agent = register_build(&app, "headed").await;
    let id = agent["id"].as_str().unwrap();
    let spec = send(&app, TestRequest::get().uri("/openapi.json"))
        .await
        .json;
    let mut checked = 0;
    for (template, ops) in spec["paths"].as_object().unwrap() {
        // The event stream's body never ends: its HEAD is checked in http_events.
        if ops.get("get").is_none() || template == "/events/stream" {
            continue;
        }
        let nil = uuid::Uuid::nil().to_string();
        let path = template
            .replace("{agent_id}", id)
            .replace("{agent_name}", "headed")
            .replace("{deployment_id}", &nil)
            .replace("{id}", &nil)
            .replace("{name}", "absent");
        let get = send(&app, as_admin(TestRequest::get(), &path)).await;
        let head = send(
            &app,
            as_admin(
                TestRequest::default().method(actix_web::http::Method::HEAD),
                &path,
            ),
        )
        .await;
        assert_eq!(head.status, get.status, "HEAD {path}");
        let comparable = |r: &common::Reply| {
            let mut h: Vec<(String, String)> = r
                .headers
                .iter()
                .filter(|(n, _)| {
                    *n != "x-request-id" && (path != "/metrics" || *n != "content-length")
                })
                .map(|(n, v)| (n.to_string(), v.to_str().unwrap().to_owned()))
                .collect();
            h.sort();
            h
        };
        assert_eq!(comparable(&head), comparable(&get), "HEAD {path}");
        checked += 1;
    }
    assert!(checked >= 15, "only {checked} GET routes found");
}

#[actix_web::test]
async fn if_none_match_on_the_current_etag_is_304_by_id_and_by_name() {
    let app = app(state()).await;
    let agent = register_build(&app, "cached").await;
    let id = agent["id"].as_str().unwrap();
    let first = send(&app, as_admin(TestRequest::get(), &format!("/agents/{id}"))).await;
    let etag = first.header("etag").unwrap();
    for path in [format!("/agents/{id}"), "/agents/name/cached".to_owned()] {
        for tag in [
            etag.clone(),
            format!("W/{etag}"),
            format!("\"other\", {etag}"),
            "*".to_owned(),
        ] {
            for method in [actix_web::http::Method::GET, actix_web::http::Method::HEAD] {
                let r = send(
                    &app,
                    as_admin(TestRequest::default().method(method.clone()), &path)
                        .insert_header(("If-None-Match", tag.as_str())),
                )
                .await;
                assert_eq!(
                    r.status.as_u16(),
                    304,
                    "{method} {path} If-None-Match: {tag}"
                );
                assert_eq!(r.header("etag").as_deref(), Some(etag.as_str()));
                assert!(r.raw.is_empty());
            }
        }
        let stale = send(
            &app,
            as_admin(TestRequest::get(), &path).insert_header(("If-None-Match", "\"stale-1\"")),
        )
        .await;
        assert_eq!(stale.status.as_u16(), 200);
        assert_eq!(stale.json["id"], id);
    }
}

#[actix_web::test]
async fn unserved_methods_are_501_before_routing_and_counted_as_other() {
    let app = app(state()).await;
    for (method, path) in [
        ("TRACE", "/agents"),
        ("CONNECT", "/healthz"),
        ("BREW", "/nowhere"),
        ("X".repeat(200).as_str(), "/metrics"),
    ] {
        let m = actix_web::http::Method::from_bytes(method.as_bytes()).unwrap();
        let r = send(&app, TestRequest::default().method(m).uri(path)).await;
        r.problem(501, "not_implemented");
        assert!(r.header("x-request-id").is_some());
    }
    let text = String::from_utf8(send(&app, TestRequest::get().uri("/metrics")).await.raw).unwrap();
    assert!(text.contains(r#"method="other""#), "{text}");
    assert!(
        !text.contains("BREW") && !text.contains("TRACE") && !text.contains("XXXX"),
        "{text}"
    );
}

/// An authenticator that answers after a while, as one reading a database does: the handler's
/// other extractors are polled meanwhile.
struct Slow(Arc<dyn Authenticator>);

#[async_trait::async_trait]
impl Authenticator for Slow {
    async fn authenticate(
        &self,
        credential: &Credential,
        org: Option<registry_domain::OrgSlug>,
    ) -> Result<registry_domain::Actor, AuthError> {
        actix_web::rt::time::sleep(Duration::from_millis(20)).await;
        self.0.authenticate(credential, org).await
    }
}

#[actix_web::test]
async fn a_refused_caller_hears_only_the_refusal_whatever_else_is_wrong() {
    let registry = common::registry(true);
    let authenticator = Arc::new(CredentialAuthenticator::from_registry(&registry));
    let app = app(AppState::new(registry, Arc::new(Slow(authenticator)))).await;
    let wrong = ("Authorization", "Bearer wrong-token");
    let bad_path = TestRequest::get().uri("/agents/not-a-uuid");
    send(&app, bad_path.insert_header(wrong))
        .await
        .problem(401, "unauthenticated");
    let bad_ids = TestRequest::delete().uri("/agents/x/deployments/y");
    send(&app, bad_ids.insert_header(wrong))
        .await
        .problem(401, "unauthenticated");
    let bad_query = TestRequest::get().uri("/deployment-history?agent_id=x");
    send(&app, bad_query.insert_header(wrong))
        .await
        .problem(401, "unauthenticated");
    let compressed = TestRequest::post()
        .uri("/agents/register-build")
        .insert_header(wrong)
        .insert_header(("Content-Encoding", "gzip"))
        .set_payload("x");
    send(&app, compressed).await.problem(401, "unauthenticated");
    let malformed = TestRequest::post()
        .uri("/agents/register")
        .insert_header(("X-Agent-API-Key", "agk_unknown"))
        .set_payload("{");
    let r = send(&app, malformed).await;
    let detail = r.problem(401, "unauthenticated")["detail"]
        .as_str()
        .unwrap();
    assert!(detail.contains("AGENT_API_KEY"), "{detail}");

    let authenticated = send(&app, as_admin(TestRequest::get(), "/agents/not-a-uuid")).await;
    let field = &authenticated.problem(422, "validation_failed")["errors"][0]["field"];
    assert_eq!(field, "agent_id");
    let both = as_admin(TestRequest::delete(), "/agents/x/deployments/y");
    let r = send(&app, both).await;
    assert_eq!(
        r.problem(422, "validation_failed")["errors"][0]["field"],
        "agent_id"
    );
}

#[actix_web::test]
async fn a_wrong_method_is_405_for_an_authenticated_caller_only() {
    let app = app(state()).await;
    for (credential, status) in [(None, 401), (Some("Bearer wrong"), 401), (Some(""), 405)] {
        let mut req = TestRequest::put().uri("/agents");
        req = match credential {
            Some("") => req.insert_header(admin()),
            Some(c) => req.insert_header(("Authorization", c)),
            None => req,
        };
        let r = send(&app, req).await;
        assert_eq!(r.status.as_u16(), status, "{credential:?}: {}", r.json);
        if status == 405 {
            r.problem(405, "method_not_allowed");
            assert_eq!(r.header("allow").as_deref(), Some("GET, HEAD"));
        }
    }
    let r = send(&app, TestRequest::get().uri("/agents/register")).await;
    let detail = r.problem(401, "unauthenticated")["detail"]
        .as_str()
        .unwrap();
    assert!(detail.contains("AGENT_API_KEY"), "{detail}");
    let public = send(&app, TestRequest::post().uri("/healthz")).await;
    public.problem(405, "method_not_allowed");
}

#[actix_web::test]
async fn unknown_paths_are_404_whatever_the_credentials() {
    let app = app(state()).await;
    let (name, value) = admin();
    for req in [
        TestRequest::get().uri("/nowhere"),
        TestRequest::get()
            .uri("/agents/x/nowhere")
            .insert_header(("Authorization", "Bearer wrong")),
        TestRequest::get()
            .uri("/agents/")
            .append_header((name, value.clone()))
            .append_header((name, value.clone())),
        as_admin(TestRequest::get(), "/nowhere"),
    ] {
        send(&app, req).await.problem(404, "not_found");
    }
}

#[actix_web::test]
async fn a_body_on_its_way_holds_no_execution_slot() {
    let st = state().with_limits(registry_http::Limits {
        execution_slots: 1,
        ..Default::default()
    });
    let app = app(st).await;
    let body = json!({"name": "slow-body", "description": "d"}).to_string();
    let (mut sender, payload) = actix_http::h1::Payload::create(false);
    let (slow, _) = as_admin(TestRequest::post(), "/agents/register-build")
        .insert_header(("Content-Type", "application/json"))
        .insert_header(("Content-Length", body.len().to_string()))
        .to_request()
        .replace_payload(actix_http::Payload::from(payload));
    let slow = app.call(slow);
    let others = async {
        actix_web::rt::time::sleep(Duration::from_millis(50)).await;
        // The only slot is free while the body is on its way.
        for _ in 0..3 {
            let r = send(&app, as_admin(TestRequest::get(), "/agents")).await;
            assert_eq!(r.status.as_u16(), 200);
        }
        sender.feed_data(body.into());
        sender.feed_eof();
    };
    let (slow, ()) =
        tokio::time::timeout(Duration::from_secs(5), async { tokio::join!(slow, others) })
            .await
            .expect("other requests got the only slot");
    let slow = slow.unwrap();
    assert_eq!(slow.status().as_u16(), 200);
    let after = tokio::time::timeout(
        Duration::from_secs(5),
        send(&app, as_admin(TestRequest::get(), "/agents")),
    )
    .await
    .expect("the slot came back");
    assert_eq!(after.status.as_u16(), 200);
}
