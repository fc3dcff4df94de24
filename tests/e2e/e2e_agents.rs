//! Agent endpoints end to end: the real binary on real PostgreSQL, over HTTP.

use registry_e2e::{unique_name, Client, TestServer};
use serde_json::json;

#[test]
fn register_build_creates_then_returns_the_same_agent() {
    let server = TestServer::start();
    let admin = server.admin();
    let name = unique_name("build");
    let body = json!({"name": name, "description": "first"});
    let first = admin.post("/agents/register-build", &body);
    assert_eq!(first.status, 200, "{}", first.body);
    assert_eq!(first.header("registry-created"), Some("true"));
    let agent = first.json();
    assert_eq!(agent["status"], "BuildOnly");
    assert_eq!(
        agent["status_reason"],
        "Agent build registered; not yet deployed."
    );
    assert_eq!(agent["acp_type"], "async");
    assert!(
        agent.get("acp_url").is_none(),
        "acp_url is never on the wire"
    );
    assert!(agent.get("agent_api_key").is_none());
    let id = agent["id"].as_str().unwrap();
    assert_eq!(
        first.header("location"),
        Some(format!("/agents/{id}").as_str())
    );
    assert!(first.header("etag").is_some());

    let again = admin.post(
        "/agents/register-build",
        &json!({"name": name, "description": "changed"}),
    );
    assert_eq!(again.status, 200, "{}", again.body);
    assert_eq!(again.json()["id"], agent["id"]);
    assert_eq!(
        again.json()["description"],
        "first",
        "the idempotent path writes nothing"
    );
}

#[test]
fn get_by_id_by_name_and_list_agree() {
    let server = TestServer::start();
    let admin = server.admin();
    let names: Vec<String> = (0..3).map(|i| unique_name(&format!("list{i}"))).collect();
    let ids: Vec<String> = names
        .iter()
        .map(|n| admin.register_build(n)["id"].as_str().unwrap().to_owned())
        .collect();

    let by_id = admin.get(&format!("/agents/{}", ids[0]));
    assert_eq!(by_id.status, 200);
    assert_eq!(by_id.json()["name"], names[0].as_str());
    let by_name = admin.get(&format!("/agents/name/{}", names[1]));
    assert_eq!(by_name.status, 200);
    assert_eq!(by_name.json()["id"], ids[1].as_str());

    let list = admin.get("/agents?limit=2&order_by=name&order_direction=asc");
    assert_eq!(list.status, 200);
    assert_eq!(list.header("x-total-count"), Some("3"));
    let page = list.json();
    assert_eq!(page.as_array().unwrap().len(), 2);
    let mut sorted = names.clone();
    sorted.sort();
    assert_eq!(page[0]["name"], sorted[0].as_str());
    let page2 = admin
        .get("/agents?limit=2&page_number=2&order_by=name&order_direction=asc")
        .json();
    assert_eq!(page2.as_array().unwrap().len(), 1);
    assert_eq!(page2[0]["name"], sorted[2].as_str());

    let filtered = admin.get("/agents?status=Ready");
    assert_eq!(filtered.json().as_array().unwrap().len(), 0);
    assert_eq!(filtered.header("x-total-count"), Some("0"));
}

#[test]
fn list_filters_on_agent_card_metadata() {
    let server = TestServer::start();
    let admin = server.admin();
    let tagged = unique_name("card");
    let r = admin.post(
        "/agents/register-build",
        &json!({"name": tagged, "description": "d",
                "registration_metadata": {"agent_card": {"metadata": {"team": "search", "tier": 1}}}}),
    );
    assert_eq!(r.status, 200, "{}", r.body);
    admin.register_build(&unique_name("plain"));
    let filter = r#"{"team":"search"}"#;
    let list = admin.get(&format!(
        "/agents?agent_card_metadata={}",
        urlencode(filter)
    ));
    assert_eq!(list.status, 200, "{}", list.body);
    let items = list.json();
    assert_eq!(items.as_array().unwrap().len(), 1);
    assert_eq!(items[0]["name"], tagged.as_str());
    let bad = admin.get(&format!("/agents?agent_card_metadata={}", urlencode("[1]")));
    assert_eq!(bad.status, 422, "{}", bad.body);
}

fn urlencode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

#[test]
fn delete_is_terminal_and_frees_the_name() {
    let server = TestServer::start();
    let admin = server.admin();
    let name = unique_name("del");
    let id = admin.register_build(&name)["id"]
        .as_str()
        .unwrap()
        .to_owned();

    let deleted = admin.delete(&format!("/agents/{id}"));
    assert_eq!(deleted.status, 200, "{}", deleted.body);
    assert_eq!(
        deleted.json(),
        json!({"id": id, "message": format!("Agent '{id}' deleted successfully")})
    );
    assert_eq!(admin.get(&format!("/agents/{id}")).status, 404);
    assert_eq!(admin.get(&format!("/agents/name/{name}")).status, 404);
    assert_eq!(admin.delete(&format!("/agents/{id}")).status, 404);
    assert_eq!(admin.delete(&format!("/agents/name/{name}")).status, 404);
    assert_eq!(admin.get("/agents").header("x-total-count"), Some("0"));

    let reborn = admin.post(
        "/agents/register-build",
        &json!({"name": name, "description": "again"}),
    );
    assert_eq!(reborn.status, 200, "{}", reborn.body);
    assert_eq!(
        reborn.header("registry-created"),
        Some("true"),
        "a deleted name is free again"
    );
    let new_id = reborn.json()["id"].as_str().unwrap().to_owned();
    assert_ne!(new_id, id, "never resurrected");
    let by_name = admin.delete(&format!("/agents/name/{name}"));
    assert_eq!(by_name.status, 200);
    assert_eq!(
        by_name.json()["message"],
        format!("Agent '{name}' deleted successfully")
    );
}

#[test]
fn register_deploy_time_makes_a_build_ready_and_mints_one_key() {
    let server = TestServer::start();
    let admin = server.admin();
    let name = unique_name("reg");
    let built = admin.register_build(&name);
    let body = json!({"name": name, "description": "live", "acp_url": "http://agent:8000",
                      "acp_type": "sync", "principal_context": {"user_id": "mallory"}});
    let first = admin.post("/agents/register", &body);
    assert_eq!(first.status, 200, "{}", first.body);
    let a = first.json();
    assert_eq!(a["id"], built["id"]);
    assert_eq!(a["status"], "Ready");
    assert_eq!(a["acp_type"], "sync");
    assert!(a["registered_at"].is_string());
    let key = a["agent_api_key"].as_str().unwrap().to_owned();
    assert!(key.starts_with("agk_") && key.len() >= 4 + 64, "{key}");
    let second = admin.post("/agents/register", &body);
    assert_eq!(second.status, 200);
    assert!(
        second.json()["agent_api_key"].is_null(),
        "a key's plaintext is shown once"
    );
}

#[test]
fn put_upserts_by_name_and_honours_if_match() {
    let server = TestServer::start();
    let admin = server.admin();
    let name = unique_name("put");
    let path = format!("/agents/name/{name}");
    let created = admin.put(&path, &json!({"description": "v1"}));
    assert_eq!(created.status, 201, "{}", created.body);
    assert_eq!(created.json()["created"], true);
    assert_eq!(created.json()["status"], "BuildOnly");
    let same = admin.put(&path, &json!({"description": "v1"}));
    assert_eq!(same.status, 200);
    assert_eq!(same.json()["created"], false);
    assert_eq!(
        same.json()["updated_at"],
        created.json()["updated_at"],
        "nothing written"
    );
    assert_eq!(same.header("etag"), created.header("etag"));
    let changed = admin.put(&path, &json!({"description": "v2"}));
    assert_eq!(changed.status, 200);
    assert_eq!(changed.json()["description"], "v2");
    assert_ne!(changed.header("etag"), created.header("etag"));

    let stale = Client::send(
        admin
            .request("PUT", &path)
            .set("If-Match", created.header("etag").unwrap()),
        Some(r#"{"description":"v3"}"#),
    );
    assert_eq!(stale.status, 412, "{}", stale.body);
    assert_eq!(stale.json()["code"], "precondition_failed");
}

#[test]
fn patch_merges_and_refuses_immutable_fields() {
    let server = TestServer::start();
    let admin = server.admin();
    let name = unique_name("patch");
    let r = admin.post(
        "/agents/register-build",
        &json!({"name": name, "description": "d", "registration_metadata": {"a": 1, "b": 2}}),
    );
    let id = r.json()["id"].as_str().unwrap().to_owned();
    let patched = admin.patch(
        &format!("/agents/{id}"),
        &json!({"registration_metadata": {"b": null, "c": 3}, "agent_input_type": "json"}),
    );
    assert_eq!(patched.status, 200, "{}", patched.body);
    assert_eq!(
        patched.json()["registration_metadata"],
        json!({"a": 1, "c": 3})
    );
    assert_eq!(patched.json()["agent_input_type"], "json");
    let refused = admin.patch(&format!("/agents/{id}"), &json!({"status": "Ready"}));
    assert_eq!(refused.status, 422, "{}", refused.body);
    assert_eq!(refused.json()["errors"][0]["field"], "status");
    assert_eq!(
        admin.get(&format!("/agents/{id}")).json()["status"],
        "BuildOnly"
    );
}

#[test]
fn bad_input_gets_a_clear_problem() {
    let server = TestServer::start();
    let admin = server.admin();
    let problem = |r: &registry_e2e::Resp, status: u16| {
        assert_eq!(r.status, status, "{}", r.body);
        assert!(
            r.header("content-type")
                .unwrap()
                .starts_with("application/problem+json"),
            "{:?}",
            r.headers
        );
        let p = r.json();
        assert_eq!(p["status"], status);
        assert_eq!(p["message"], p["detail"]);
        p
    };
    let p = problem(
        &admin.post(
            "/agents/register-build",
            &json!({"name": "Bad_Name", "description": "d"}),
        ),
        422,
    );
    assert_eq!(p["code"], "validation_failed");
    assert_eq!(p["errors"][0]["field"], "name");
    let p = problem(
        &admin.post("/agents/register-build", &json!({"description": "d"})),
        422,
    );
    assert!(p["detail"].as_str().unwrap().contains("name"), "{p}");
    problem(&admin.post_raw("/agents/register-build", "{not json"), 400);
    let p = problem(
        &admin.post(
            "/agents/register-build",
            &json!({"name": "ok", "description": 5}),
        ),
        422,
    );
    assert!(p.to_string().contains("description"), "{p}");
    let p = problem(
        &admin.post(
            "/agents/register-build",
            &json!({"name": "ok", "description": "d", "agent_input_type": "xml"}),
        ),
        422,
    );
    assert!(p.to_string().contains("agent_input_type"), "{p}");
    problem(&admin.get("/agents?limit=0"), 422);
    problem(&admin.get("/agents?limit=1001"), 422);
    let p = problem(&admin.get("/agents?order_by=bogus"), 422);
    assert!(p.to_string().contains("order_by"), "{p}");
    problem(&admin.get("/agents/not-a-uuid"), 422);
    problem(&admin.get("/no/such/route"), 404);
    let huge = format!(
        r#"{{"name":"big","description":"{}"}}"#,
        "x".repeat(1024 * 1024 + 10)
    );
    problem(&admin.post_raw("/agents/register-build", &huge), 413);
    let p = problem(&server.anonymous().get("/agents"), 401);
    assert_eq!(p["code"], "unauthenticated");
    problem(&server.with_token("wrong-token").get("/agents"), 401);
    // Still serving after all that.
    assert_eq!(admin.get("/agents").status, 200);
}

#[test]
fn parallel_register_build_creates_exactly_one_agent() {
    let server = TestServer::start();
    let admin = server.admin();
    let name = unique_name("race");
    let handles: Vec<_> = (0..32)
        .map(|_| {
            let c = admin.clone();
            let n = name.clone();
            std::thread::spawn(move || {
                let r = c.post(
                    "/agents/register-build",
                    &json!({"name": n, "description": "d"}),
                );
                assert_eq!(r.status, 200, "{}", r.body);
                (
                    r.header("registry-created") == Some("true"),
                    r.json()["id"].as_str().unwrap().to_owned(),
                )
            })
        })
        .collect();
    let results: Vec<(bool, String)> = handles.into_iter().map(|h| h.join().unwrap()).collect();
    assert_eq!(
        results.iter().filter(|(created, _)| *created).count(),
        1,
        "{results:?}"
    );
    assert!(results.iter().all(|(_, id)| *id == results[0].1));
    assert_eq!(admin.get("/agents").header("x-total-count"), Some("1"));
}
