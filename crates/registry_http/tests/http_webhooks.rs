//! `/webhooks` over HTTP (contract §10), on the in-memory store: the admins' API, the secret
//! shown once, rotation, the delivery log and replay, org isolation, and 422s naming the field
//! for unsafe targets and bad input.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use actix_web::test::TestRequest;
use common::{admin, app, send, state};
use serde_json::{json, Value};

const ORG: &str = "x-registry-org";

fn bearer(token: &str) -> (&'static str, String) {
    ("Authorization", format!("Bearer {token}"))
}

fn hook(url: &str) -> Value {
    json!({"url": url, "event_kinds": ["created", "transition"], "description": "ci"})
}

/// Creates org `slug` and a service token of `kind` in it; returns the token.
async fn token_in<S, B>(app: &S, slug: &str, kind: &str) -> String
where
    S: actix_web::dev::Service<
        actix_http::Request,
        Response = actix_web::dev::ServiceResponse<B>,
        Error = actix_web::Error,
    >,
    B: actix_web::body::MessageBody,
{
    let org = TestRequest::post().uri("/orgs").insert_header(admin());
    send(app, org.set_json(json!({"slug": slug}))).await;
    let token = TestRequest::post()
        .uri("/service_tokens")
        .insert_header(admin());
    let token = send(
        app,
        token.set_json(json!({"name": "t", "kind": kind, "org": slug})),
    )
    .await;
    assert_eq!(token.status, 201, "{}", token.json);
    token.json["token"].as_str().unwrap().to_owned()
}

#[actix_web::test]
async fn an_admin_manages_subscriptions_and_sees_the_secret_once() {
    let app = app(state()).await;
    let as_admin = |r: TestRequest| r.insert_header(admin());
    let created = send(
        &app,
        as_admin(TestRequest::post().uri("/webhooks"))
            .set_json(hook("https://hooks.example.com/in")),
    )
    .await;
    assert_eq!(created.status, 201, "{}", created.json);
    let id = created.json["id"].as_str().unwrap().to_owned();
    assert_eq!(created.header("location"), Some(format!("/webhooks/{id}")));
    let secret = created.json["secret"].as_str().unwrap().to_owned();
    let key = registry_signing::parse_webhook_secret(&secret).expect("whsec_<base64>");
    assert!(key.as_bytes().len() >= 24);
    assert_eq!(
        created.json["event_kinds"],
        json!(["created", "transition"])
    );
    assert_eq!(created.json["status"], "enabled");
    assert_eq!(created.json["url"], "https://hooks.example.com/in");

    let got = send(
        &app,
        as_admin(TestRequest::get().uri(&format!("/webhooks/{id}"))),
    )
    .await;
    assert_eq!(got.status, 200);
    assert!(
        got.json.get("secret").is_none(),
        "the secret is shown once: {}",
        got.json
    );
    let listed = send(&app, as_admin(TestRequest::get().uri("/webhooks"))).await;
    assert_eq!(listed.header("x-total-count").as_deref(), Some("1"));
    assert_eq!(listed.json[0]["id"], id.as_str());
    assert!(listed.json[0].get("secret").is_none());

    let patch = json!({"event_kinds": null, "description": "all", "status": "disabled"});
    let patched = send(
        &app,
        as_admin(TestRequest::patch().uri(&format!("/webhooks/{id}"))).set_json(patch),
    )
    .await;
    assert_eq!(patched.status, 200, "{}", patched.json);
    assert_eq!(
        (
            &patched.json["event_kinds"],
            &patched.json["description"],
            &patched.json["status"]
        ),
        (&Value::Null, &json!("all"), &json!("disabled"))
    );

    let rotated = send(
        &app,
        as_admin(TestRequest::post().uri(&format!("/webhooks/{id}/rotate-secret"))),
    )
    .await;
    assert_eq!(rotated.status, 200, "{}", rotated.json);
    let new_secret = rotated.json["secret"].as_str().unwrap();
    assert!(new_secret.starts_with("whsec_"));
    assert_ne!(new_secret, secret);

    let log = send(
        &app,
        as_admin(TestRequest::get().uri(&format!("/webhooks/{id}/deliveries"))),
    )
    .await;
    assert_eq!((log.status.as_u16(), log.json.clone()), (200, json!([])));
    assert_eq!(log.header("x-total-count").as_deref(), Some("0"));
    let replayed = send(
        &app,
        as_admin(TestRequest::post().uri(&format!("/webhooks/{id}/replay")))
            .set_json(json!({"after": 0})),
    )
    .await;
    assert_eq!(
        (replayed.status.as_u16(), &replayed.json["position"]),
        (200, &json!(0))
    );

    let deleted = send(
        &app,
        as_admin(TestRequest::delete().uri(&format!("/webhooks/{id}"))),
    )
    .await;
    assert_eq!(deleted.status, 200);
    for uri in [
        format!("/webhooks/{id}"),
        format!("/webhooks/{id}/deliveries"),
    ] {
        send(&app, as_admin(TestRequest::get().uri(&uri)))
            .await
            .problem(404, "webhook_not_found");
    }
}

#[actix_web::test]
async fn only_admins_of_the_org_reach_its_subscriptions() {
    let app = app(state()).await;
    let ops = token_in(&app, "team-a", "admin").await;
    let user = token_in(&app, "team-b", "user").await;
    let create = TestRequest::post()
        .uri("/webhooks")
        .insert_header(bearer(&ops));
    let created = send(&app, create.set_json(hook("https://a.example.com/"))).await;
    assert_eq!(created.status, 201, "{}", created.json);
    let uri = format!("/webhooks/{}", created.json["id"].as_str().unwrap());

    // The platform admin reaches it by naming the org; in another org it is absent.
    let named = TestRequest::get()
        .uri(&uri)
        .insert_header(admin())
        .insert_header((ORG, "team-a"));
    assert_eq!(send(&app, named).await.status, 200);
    let default = TestRequest::get().uri(&uri).insert_header(admin());
    send(&app, default).await.problem(404, "webhook_not_found");
    // An ordinary principal may not manage webhooks, even in its own org.
    let by_user = TestRequest::get()
        .uri("/webhooks")
        .insert_header(bearer(&user));
    send(&app, by_user).await.problem(403, "forbidden");
    let by_user = TestRequest::post()
        .uri("/webhooks")
        .insert_header(bearer(&user));
    send(&app, by_user.set_json(hook("https://b.example.com/")))
        .await
        .problem(403, "forbidden");
    // Without credentials: 401.
    let anonymous = send(&app, TestRequest::get().uri("/webhooks")).await;
    assert_eq!(anonymous.status, 401);
}

#[actix_web::test]
async fn unsafe_targets_and_bad_input_are_422_naming_the_field() {
    let app = app(state()).await;
    let post = |body: Value| {
        TestRequest::post()
            .uri("/webhooks")
            .insert_header(admin())
            .set_json(body)
    };
    for url in [
        "http://hooks.example.com/",
        "https://127.0.0.1/",
        "https://localhost:8443/",
        "https://10.0.0.7/",
        "https://192.168.0.1/",
        "https://169.254.169.254/latest/meta-data",
        "https://[::1]/",
        "https://[fe80::1]/",
        "https://0.0.0.0/",
        "not a url",
        "ftp://hooks.example.com/",
    ] {
        let refused = send(&app, post(json!({"url": url}))).await;
        let problem = refused.problem(422, "validation_failed");
        assert_eq!(problem["errors"][0]["field"], "url", "{url}: {problem}");
    }
    let bad_kind = send(
        &app,
        post(json!({"url": "https://h.example.com/", "event_kinds": ["created", "exploded"]})),
    )
    .await;
    assert_eq!(
        bad_kind.problem(422, "validation_failed")["errors"][0]["field"],
        "event_kinds[1]"
    );
    let none = send(
        &app,
        post(json!({"url": "https://h.example.com/", "event_kinds": []})),
    )
    .await;
    assert_eq!(
        none.problem(422, "validation_failed")["errors"][0]["field"],
        "event_kinds"
    );
    let long = send(
        &app,
        post(json!({"url": "https://h.example.com/", "description": "x".repeat(1025)})),
    )
    .await;
    assert_eq!(
        long.problem(422, "validation_failed")["errors"][0]["field"],
        "description"
    );

    let created = send(&app, post(hook("https://h.example.com/"))).await;
    let uri = format!("/webhooks/{}", created.json["id"].as_str().unwrap());
    let patch = |body: Value| {
        TestRequest::patch()
            .uri(&uri)
            .insert_header(admin())
            .set_json(body)
    };
    let failing = send(&app, patch(json!({"status": "failing"}))).await;
    assert_eq!(
        failing.problem(422, "validation_failed")["errors"][0]["field"],
        "status"
    );
    let private = send(&app, patch(json!({"url": "https://172.16.3.4/"}))).await;
    assert_eq!(
        private.problem(422, "validation_failed")["errors"][0]["field"],
        "url"
    );
    let replay = TestRequest::post()
        .uri(&format!("{uri}/replay"))
        .insert_header(admin());
    let negative = send(&app, replay.set_json(json!({"after": -1}))).await;
    assert_eq!(
        negative.problem(422, "validation_failed")["errors"][0]["field"],
        "after"
    );
    for limit in ["0", "1001", "x"] {
        let log = TestRequest::get()
            .uri(&format!("{uri}/deliveries?limit={limit}"))
            .insert_header(admin());
        assert_eq!(
            send(&app, log).await.problem(422, "validation_failed")["errors"][0]["field"],
            "limit"
        );
    }
    let bad_id = TestRequest::get()
        .uri("/webhooks/not-a-uuid")
        .insert_header(admin());
    assert_eq!(
        send(&app, bad_id).await.problem(422, "validation_failed")["errors"][0]["field"],
        "id"
    );
}
