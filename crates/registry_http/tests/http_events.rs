//! HTTP tests of the change feed: `GET /events` (pages, filters, what a caller may read, the
//! 422s) and `GET /events/stream` (frames, resumption, keep-alive, wake-up on a write).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use actix_web::body::MessageBody;
use actix_web::test::{self, TestRequest};
use common::{admin, app, as_admin, register_build, send, state};
use serde_json::{json, Value};
use std::pin::Pin;
use std::time::Duration;

/// Every page of `/events` from 0 with `limit`, read as `auth`, until an empty page.
async fn read_feed<S, B>(app: &S, auth: (&'static str, String), query: &str) -> Vec<Value>
where
    S: actix_web::dev::Service<
        actix_http::Request,
        Response = actix_web::dev::ServiceResponse<B>,
        Error = actix_web::Error,
    >,
    B: MessageBody,
{
    let (mut after, mut all) = (0i64, Vec::new());
    loop {
        let uri = format!("/events?after={after}&{query}");
        let r = send(
            app,
            TestRequest::get().uri(&uri).insert_header(auth.clone()),
        )
        .await;
        assert_eq!(r.status.as_u16(), 200, "{uri}: {}", r.json);
        let events = r.json["events"].as_array().unwrap().clone();
        if events.is_empty() {
            assert_eq!(
                r.json["next_after"], after,
                "an empty page keeps the position"
            );
            return all;
        }
        assert_eq!(r.json["next_after"], events.last().unwrap()["seq"]);
        for e in events {
            let seq = e["seq"].as_i64().unwrap();
            assert!(seq > after);
            after = seq;
            all.push(e);
        }
    }
}

#[actix_web::test]
async fn feed_pages_every_event_in_order_with_its_fields() {
    let app = app(state()).await;
    let one = register_build(&app, "fed-one").await;
    let two = register_build(&app, "fed-two").await;
    let patched = send(
        &app,
        TestRequest::patch()
            .uri(&format!("/agents/{}", one["id"].as_str().unwrap()))
            .insert_header(admin())
            .set_json(json!({"description": "changed"})),
    )
    .await;
    assert_eq!(patched.status.as_u16(), 200, "{}", patched.json);
    let all = read_feed(&app, admin(), "limit=1").await;
    let seen: Vec<(&str, &str)> = all
        .iter()
        .map(|e| {
            (
                e["agent_name"].as_str().unwrap(),
                e["kind"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        seen,
        [
            ("fed-one", "created"),
            ("fed-two", "created"),
            ("fed-one", "updated")
        ]
    );
    let first = &all[0];
    for field in [
        "seq",
        "id",
        "org",
        "agent_id",
        "agent_name",
        "kind",
        "from_status",
    ] {
        assert!(first.get(field).is_some(), "{field} in {first}");
    }
    for field in ["to_status", "actor", "at", "detail"] {
        assert!(first.get(field).is_some(), "{field} in {first}");
    }
    assert_eq!(first["org"], "default");
    assert_eq!(first["agent_id"], one["id"]);
    assert_eq!(first["actor"], "admin");
    let same = read_feed(&app, admin(), "limit=1000").await;
    assert_eq!(same, all);
    let of_two = format!("agent_id={}", two["id"].as_str().unwrap());
    assert_eq!(read_feed(&app, admin(), &of_two).await.len(), 1);
    let updates = read_feed(&app, admin(), "kind=updated").await;
    assert_eq!(updates.len(), 1);
    assert_eq!(updates[0]["agent_name"], "fed-one");
}

#[actix_web::test]
async fn feed_parameters_are_checked_naming_the_field() {
    let app = app(state()).await;
    for (query, field) in [
        ("after=-1", "after"),
        ("after=x", "after"),
        ("limit=0", "limit"),
        ("limit=1001", "limit"),
        ("agent_id=zzz", "agent_id"),
        ("kind=exploded", "kind"),
    ] {
        for path in ["/events", "/events/stream"] {
            let r = send(
                &app,
                as_admin(TestRequest::get(), &format!("{path}?{query}")),
            )
            .await;
            let body = r.problem(422, "validation_failed");
            assert!(body.to_string().contains(field), "{path}?{query}: {body}");
        }
    }
    let r = send(
        &app,
        as_admin(TestRequest::get(), "/events/stream").insert_header(("Last-Event-ID", "soon")),
    )
    .await;
    let body = r.problem(422, "validation_failed");
    assert!(body.to_string().contains("Last-Event-ID"), "{body}");
    let anonymous = send(&app, TestRequest::get().uri("/events")).await;
    anonymous.problem(401, "unauthenticated");
}

#[actix_web::test]
async fn a_user_reads_the_events_of_the_agents_it_holds_a_grant_on() {
    let app = app(state()).await;
    let mut tokens = Vec::new();
    for name in ["alice", "bob"] {
        let t = send(
            &app,
            TestRequest::post()
                .uri("/service_tokens")
                .insert_header(admin())
                .set_json(json!({"name": name})),
        )
        .await;
        assert_eq!(t.status.as_u16(), 201, "{}", t.json);
        let bearer = format!("Bearer {}", t.json["token"].as_str().unwrap());
        tokens.push(("Authorization", bearer));
    }
    let (alice, bob) = (tokens[0].clone(), tokens[1].clone());
    let own = send(
        &app,
        TestRequest::post()
            .uri("/agents/register-build")
            .insert_header(alice.clone())
            .set_json(json!({"name": "alices", "description": "d"})),
    )
    .await;
    let id = own.json["id"].as_str().unwrap().to_owned();
    register_build(&app, "admins").await;
    let names = |events: &[Value]| -> Vec<String> {
        events
            .iter()
            .map(|e| e["agent_name"].as_str().unwrap().to_owned())
            .collect()
    };
    assert_eq!(names(&read_feed(&app, alice.clone(), "").await), ["alices"]);
    assert!(read_feed(&app, bob.clone(), "").await.is_empty());
    let asked = read_feed(&app, bob.clone(), &format!("agent_id={id}")).await;
    assert!(asked.is_empty(), "a filter never widens what a caller sees");
    let grant = send(
        &app,
        TestRequest::post()
            .uri(&format!("/agents/{id}/grants"))
            .insert_header(alice.clone())
            .set_json(json!({"principal": "user:bob", "role": "viewer"})),
    )
    .await;
    assert_eq!(grant.status.as_u16(), 201, "{}", grant.json);
    let bobs = read_feed(&app, bob.clone(), "").await;
    let kinds: Vec<&str> = bobs.iter().map(|e| e["kind"].as_str().unwrap()).collect();
    assert_eq!(kinds, ["created", "grant_added"]);
    assert_eq!(names(&read_feed(&app, admin(), "").await).len(), 3);
}

/// The next chunk of a streaming body, waiting at most `within` (`None`: none came, or the
/// body ended or failed).
async fn next_chunk<B: MessageBody>(body: &mut Pin<Box<B>>, within: Duration) -> Option<String> {
    let chunk = tokio::time::timeout(
        within,
        std::future::poll_fn(|cx| body.as_mut().poll_next(cx)),
    )
    .await
    .ok()??;
    Some(String::from_utf8(chunk.ok()?.to_vec()).unwrap())
}

#[actix_web::test]
async fn the_stream_sends_frames_resumes_and_keeps_alive() {
    let st = state().with_limits(registry_http::Limits {
        sse_keep_alive: Duration::from_millis(200),
        ..Default::default()
    });
    let app = app(st).await;
    register_build(&app, "streamed-one").await;
    register_build(&app, "streamed-two").await;
    let page = send(&app, as_admin(TestRequest::get(), "/events")).await;
    let first_seq = page.json["events"][0]["seq"].as_i64().unwrap();
    let second_seq = page.json["events"][1]["seq"].as_i64().unwrap();

    let head = send(
        &app,
        as_admin(
            TestRequest::default().method(actix_web::http::Method::HEAD),
            "/events/stream",
        ),
    )
    .await;
    assert_eq!(head.status.as_u16(), 200);
    assert_eq!(
        head.header("content-type").as_deref(),
        Some("text/event-stream")
    );

    let req = as_admin(TestRequest::get(), "/events/stream?after=0")
        .insert_header(("Last-Event-ID", first_seq.to_string()))
        .insert_header(("Accept-Encoding", "gzip"))
        .to_request();
    let res = test::call_service(&app, req).await;
    assert_eq!(res.status().as_u16(), 200);
    assert_eq!(
        res.headers().get("content-type").unwrap(),
        "text/event-stream"
    );
    assert_eq!(res.headers().get("content-encoding").unwrap(), "identity");
    let mut body = Box::pin(res.into_body());
    let wait = Duration::from_secs(5);
    assert_eq!(
        next_chunk(&mut body, wait).await.unwrap(),
        ": stream open\n\n"
    );
    let resumed = next_chunk(&mut body, wait).await.unwrap();
    assert!(
        resumed.starts_with(&format!("id: {second_seq}\nevent: created\ndata: {{")),
        "Last-Event-ID wins over after: {resumed}"
    );
    let data: Value = serde_json::from_str(
        resumed
            .lines()
            .nth(2)
            .unwrap()
            .strip_prefix("data: ")
            .unwrap(),
    )
    .unwrap();
    assert_eq!(data["agent_name"], "streamed-two");
    assert_eq!(data["seq"], second_seq);
    assert!(resumed.ends_with("\n\n"));
    let started = std::time::Instant::now();
    assert_eq!(
        next_chunk(&mut body, wait).await.unwrap(),
        ": keep-alive\n\n"
    );
    assert!(started.elapsed() >= Duration::from_millis(150));
    register_build(&app, "streamed-three").await;
    let live = next_chunk(&mut body, Duration::from_secs(1)).await.unwrap();
    assert!(live.contains("\"agent_name\":\"streamed-three\""), "{live}");
}
