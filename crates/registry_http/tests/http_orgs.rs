//! Organizations over HTTP (contract §9), on the in-memory store: org management, the platform
//! admin's `X-Registry-Org`, org admins, isolation answered byte for byte like absence, quotas,
//! and mirroring into a named org.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use actix_web::test::TestRequest;
use common::{admin, app, send, state};
use serde_json::{json, Value};

const ORG: &str = "x-registry-org";

fn in_org(req: TestRequest, org: &str) -> TestRequest {
    req.insert_header(admin()).insert_header((ORG, org))
}

fn bearer(token: &str) -> (&'static str, String) {
    ("Authorization", format!("Bearer {token}"))
}

fn build(name: &str) -> Value {
    json!({"name": name, "description": "d"})
}

#[actix_web::test]
async fn the_platform_admin_manages_orgs_and_acts_in_the_one_it_names() {
    let app = app(state()).await;
    let created = send(
        &app,
        TestRequest::post()
            .uri("/orgs")
            .insert_header(admin())
            .set_json(json!({"slug": "team-a", "display_name": "Team A"})),
    )
    .await;
    assert_eq!(created.status, 201, "{}", created.json);
    assert_eq!(created.header("location").as_deref(), Some("/orgs/team-a"));
    assert_eq!(created.json["slug"], "team-a");
    assert_eq!(created.json["max_agents"], Value::Null);
    let again = TestRequest::post().uri("/orgs").insert_header(admin());
    send(&app, again.set_json(json!({"slug": "team-a"})))
        .await
        .problem(409, "org_exists");
    let bad = TestRequest::post().uri("/orgs").insert_header(admin());
    let bad = send(&app, bad.set_json(json!({"slug": "Team_A"}))).await;
    assert_eq!(
        bad.problem(422, "validation_failed")["errors"][0]["field"],
        "slug"
    );

    let list = send(&app, TestRequest::get().uri("/orgs").insert_header(admin())).await;
    assert_eq!(list.status, 200);
    assert_eq!(list.header("x-total-count").as_deref(), Some("2"));
    let slugs: Vec<&str> = list
        .json
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["slug"].as_str().unwrap())
        .collect();
    assert_eq!(slugs, ["default", "team-a"]);

    // The same name lives in both orgs; each org sees only its own.
    let here = TestRequest::post().uri("/agents/register-build");
    let in_default = send(&app, here.insert_header(admin()).set_json(build("same"))).await;
    let there = in_org(TestRequest::post().uri("/agents/register-build"), "team-a");
    let in_a = send(&app, there.set_json(build("same"))).await;
    assert_eq!(
        (in_default.status.as_u16(), in_a.status.as_u16()),
        (200, 200)
    );
    assert_ne!(in_default.json["id"], in_a.json["id"]);
    let listed = send(&app, in_org(TestRequest::get().uri("/agents"), "team-a")).await;
    assert_eq!(listed.header("x-total-count").as_deref(), Some("1"));
    assert_eq!(listed.json[0]["id"], in_a.json["id"]);

    // Another org's id is answered exactly like a missing one.
    let cross = format!("/agents/{}", in_a.json["id"].as_str().unwrap());
    let cross = send(&app, TestRequest::get().uri(&cross).insert_header(admin())).await;
    let missing = "/agents/00000000-0000-4000-8000-000000000000";
    let missing = send(&app, TestRequest::get().uri(missing).insert_header(admin())).await;
    cross.problem(404, "agent_not_found");
    assert_eq!(cross.raw, missing.raw, "byte-identical 404");

    // Unknown, malformed and repeated org headers.
    for org in ["nope", "Not A Slug"] {
        let r = send(&app, in_org(TestRequest::get().uri("/agents"), org)).await;
        r.problem(404, "org_not_found");
    }
    let twice = in_org(TestRequest::get().uri("/agents"), "team-a").append_header((ORG, "default"));
    send(&app, twice).await.problem(400, "bad_request");

    // Deleting: never the default org, never one with live agents.
    let del = |slug: &str| {
        TestRequest::delete()
            .uri(&format!("/orgs/{slug}"))
            .insert_header(admin())
    };
    send(&app, del("default")).await.problem(409, "org_in_use");
    send(&app, del("team-a")).await.problem(409, "org_in_use");
    let agent = format!("/agents/{}", in_a.json["id"].as_str().unwrap());
    let gone = send(&app, in_org(TestRequest::delete().uri(&agent), "team-a")).await;
    assert_eq!(gone.status, 200, "{}", gone.json);
    assert_eq!(send(&app, del("team-a")).await.status, 200);
    send(
        &app,
        TestRequest::get()
            .uri("/orgs/team-a")
            .insert_header(admin()),
    )
    .await
    .problem(404, "org_not_found");
}

/// Creates org `slug` (with `max_agents`) and an org-admin token in it; returns the token.
async fn org_with_admin<S, B>(app: &S, slug: &str, max_agents: Value) -> String
where
    S: actix_web::dev::Service<
        actix_http::Request,
        Response = actix_web::dev::ServiceResponse<B>,
        Error = actix_web::Error,
    >,
    B: actix_web::body::MessageBody,
{
    let org = TestRequest::post().uri("/orgs").insert_header(admin());
    let org = send(
        app,
        org.set_json(json!({"slug": slug, "max_agents": max_agents})),
    )
    .await;
    assert_eq!(org.status, 201, "{}", org.json);
    let token = TestRequest::post()
        .uri("/service_tokens")
        .insert_header(admin());
    let body = json!({"name": "ops", "kind": "admin", "org": slug});
    let token = send(app, token.set_json(body)).await;
    assert_eq!(token.status, 201, "{}", token.json);
    assert_eq!(token.json["principal"], "admin:ops");
    assert_eq!(token.json["org"], slug);
    token.json["token"].as_str().unwrap().to_owned()
}

#[actix_web::test]
async fn an_org_admin_is_unrestricted_inside_its_org_only() {
    let app = app(state()).await;
    let ops = org_with_admin(&app, "team-b", Value::Null).await;
    let as_ops = |req: TestRequest| req.insert_header(bearer(&ops));
    let mine = send(
        &app,
        as_ops(TestRequest::post().uri("/agents/register-build")).set_json(build("b1")),
    )
    .await;
    assert_eq!(mine.status, 200, "{}", mine.json);
    let theirs = send(
        &app,
        TestRequest::post()
            .uri("/agents/register-build")
            .insert_header(admin())
            .set_json(build("d1")),
    )
    .await;
    // The org header is the platform admin's: an org admin stays in its org whatever it sends.
    let listed = send(
        &app,
        as_ops(TestRequest::get().uri("/agents")).insert_header((ORG, "default")),
    )
    .await;
    assert_eq!(listed.header("x-total-count").as_deref(), Some("1"));
    assert_eq!(listed.json[0]["name"], "b1");
    let cross = format!("/agents/{}", theirs.json["id"].as_str().unwrap());
    send(&app, as_ops(TestRequest::delete().uri(&cross)))
        .await
        .problem(404, "agent_not_found");

    assert_eq!(
        send(&app, as_ops(TestRequest::get().uri("/orgs/team-b")))
            .await
            .status,
        200
    );
    send(&app, as_ops(TestRequest::get().uri("/orgs/default")))
        .await
        .problem(403, "forbidden");
    send(&app, as_ops(TestRequest::get().uri("/orgs")))
        .await
        .problem(403, "forbidden");
    let new_org = as_ops(TestRequest::post().uri("/orgs")).set_json(json!({"slug": "mine"}));
    send(&app, new_org).await.problem(403, "forbidden");
    // Tokens in its own org, never in another.
    let user = as_ops(TestRequest::post().uri("/service_tokens")).set_json(json!({"name": "bo"}));
    let user = send(&app, user).await;
    assert_eq!(
        (user.status.as_u16(), user.json["org"].as_str()),
        (201, Some("team-b"))
    );
    let elsewhere = json!({"name": "x", "org": "default"});
    let elsewhere = as_ops(TestRequest::post().uri("/service_tokens")).set_json(elsewhere);
    send(&app, elsewhere).await.problem(403, "forbidden");
    let tokens = send(&app, as_ops(TestRequest::get().uri("/service_tokens"))).await;
    assert_eq!(
        tokens.header("x-total-count").as_deref(),
        Some("2"),
        "ops and bo"
    );
    let default_tokens = send(
        &app,
        TestRequest::get()
            .uri("/service_tokens")
            .insert_header(admin()),
    )
    .await;
    assert_eq!(default_tokens.header("x-total-count").as_deref(), Some("0"));
    // Events carry the org's slug.
    let events = format!("/agents/{}/events", mine.json["id"].as_str().unwrap());
    let events = send(&app, as_ops(TestRequest::get().uri(&events))).await;
    assert_eq!(events.json[0]["org"], "team-b");
}

#[actix_web::test]
async fn quotas_refuse_new_names_only_and_deleting_frees_them() {
    let app = app(state()).await;
    let ops = org_with_admin(&app, "team-q", json!(1)).await;
    let create = |name: &str| {
        TestRequest::post()
            .uri("/agents/register-build")
            .insert_header(bearer(&ops))
            .set_json(build(name))
    };
    let first = send(&app, create("q1")).await;
    assert_eq!(first.status, 200, "{}", first.json);
    let refused = send(&app, create("q2")).await;
    let problem = refused.problem(403, "quota_exceeded");
    assert_eq!(
        (problem["limit"].clone(), problem["current"].clone()),
        (json!(1), json!(1))
    );
    assert_eq!(
        send(&app, create("q1")).await.status,
        200,
        "an existing name is never refused"
    );
    let listed = send(
        &app,
        TestRequest::get()
            .uri("/agents")
            .insert_header(bearer(&ops)),
    )
    .await;
    assert_eq!(
        listed.header("x-total-count").as_deref(),
        Some("1"),
        "nothing written"
    );
    // Raising the limit admits; lowering below the live count refuses again.
    let patch = |max: Value| {
        TestRequest::patch()
            .uri("/orgs/team-q")
            .insert_header(admin())
            .set_json(json!({"max_agents": max}))
    };
    // Any integral JSON number is an integer (as JSON Schema reads it); a fraction is not.
    assert_eq!(send(&app, patch(json!(2.0))).await.json["max_agents"], 2);
    let fraction = send(&app, patch(json!(1.5))).await;
    assert_eq!(
        fraction.problem(422, "validation_failed")["errors"][0]["field"],
        "max_agents"
    );
    assert_eq!(send(&app, create("q2")).await.status, 200);
    send(&app, patch(json!(1))).await;
    send(&app, create("q3"))
        .await
        .problem(403, "quota_exceeded");
    let q1 = format!("/agents/{}", first.json["id"].as_str().unwrap());
    send(
        &app,
        TestRequest::delete().uri(&q1).insert_header(bearer(&ops)),
    )
    .await;
    send(&app, create("q3"))
        .await
        .problem(403, "quota_exceeded");
    let q2 = send(
        &app,
        TestRequest::get()
            .uri("/agents/name/q2")
            .insert_header(bearer(&ops)),
    )
    .await;
    let q2 = format!("/agents/{}", q2.json["id"].as_str().unwrap());
    send(
        &app,
        TestRequest::delete().uri(&q2).insert_header(bearer(&ops)),
    )
    .await;
    assert_eq!(
        send(&app, create("q3")).await.status,
        200,
        "deleting freed the quota"
    );
    // Unlimited again.
    send(&app, patch(Value::Null)).await;
    assert_eq!(send(&app, create("q4")).await.status, 200);
}

#[actix_web::test]
async fn mirroring_upserts_into_a_named_org_for_the_platform_admin_only() {
    let app = app(state()).await;
    let ops = org_with_admin(&app, "mirror", Value::Null).await;
    let put = |who: (&'static str, String)| {
        TestRequest::put()
            .uri("/orgs/mirror/agents/copied")
            .insert_header(who)
            .set_json(json!({"description": "from elsewhere"}))
    };
    let first = send(&app, put(admin())).await;
    assert_eq!(
        (first.status.as_u16(), first.json["created"].clone()),
        (201, json!(true))
    );
    let second = send(&app, put(admin())).await;
    assert_eq!(
        (second.status.as_u16(), second.json["created"].clone()),
        (200, json!(false))
    );
    let etag = second.header("etag").unwrap();
    let stale = put(admin()).insert_header(("If-Match", "\"0\""));
    send(&app, stale.set_json(json!({"description": "changed"})))
        .await
        .problem(412, "precondition_failed");
    let fresh = put(admin()).insert_header(("If-Match", etag.as_str()));
    assert_eq!(
        send(&app, fresh.set_json(json!({"description": "changed"})))
            .await
            .status,
        200
    );
    send(&app, put(bearer(&ops)))
        .await
        .problem(403, "forbidden");
    let unknown = TestRequest::put()
        .uri("/orgs/none/agents/x")
        .insert_header(admin());
    send(&app, unknown.set_json(json!({"description": "d"})))
        .await
        .problem(404, "org_not_found");
    // It is in that org, not in the default one.
    let by_name = send(
        &app,
        TestRequest::get()
            .uri("/agents/name/copied")
            .insert_header(admin()),
    )
    .await;
    by_name.problem(404, "agent_not_found");
    let there = in_org(TestRequest::get().uri("/agents/name/copied"), "mirror");
    assert_eq!(send(&app, there).await.json["description"], "changed");
}
