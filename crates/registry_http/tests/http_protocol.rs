//! HTTP tests of protocol details: repeated credential headers, HEAD, conditional GET.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use actix_web::test::TestRequest;
use common::{admin, app, as_admin, register_build, send, state};

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
        if ops.get("get").is_none() {
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
