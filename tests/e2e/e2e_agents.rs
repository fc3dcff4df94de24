//! Agent endpoints end to end: the real binary on real PostgreSQL, over HTTP. What the
//! in-process HTTP tests (`registry_http/tests/http_agents.rs`, `http_errors.rs`) already assert
//! on the memory store is not repeated here; these tests cover what PostgreSQL decides: the list
//! statements and their totals, name reuse, etags from stored versions, metadata merged and read
//! back, and the race for one name.

use registry_e2e::{text, unique_name, Client, TestServer};
use serde_json::json;

fn urlencode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// The list statements on PostgreSQL: ordered pages with the kept total, a filtered list with
/// its counted total, and the JSONB containment filter on the agent card's metadata.
#[test]
fn list_orders_pages_and_filters_on_status_and_card_metadata() {
    let server = TestServer::start();
    let admin = server.admin();
    let tagged = unique_name("card");
    let r = admin.post(
        "/agents/register-build",
        &json!({"name": tagged, "description": "d",
                "registration_metadata": {"agent_card": {"metadata": {"team": "search", "tier": 1}}}}),
    );
    assert_eq!(r.status, 200, "{}", r.body);
    let mut names = [tagged.clone(), unique_name("plain"), unique_name("other")];
    for name in &names[1..] {
        admin.register_build(name);
    }
    let id = text(&r.json(), "id");
    let by_id = admin.get(&format!("/agents/{id}"));
    assert_eq!(by_id.status, 200);
    assert_eq!(by_id.json()["name"], tagged.as_str());
    let by_name = admin.get(&format!("/agents/name/{tagged}"));
    assert_eq!(by_name.status, 200);
    assert_eq!(by_name.json()["id"], id.as_str());

    names.sort();
    let list = admin.get("/agents?limit=2&order_by=name&order_direction=asc");
    assert_eq!(list.status, 200);
    assert_eq!(list.header("x-total-count"), Some("3"));
    let page = list.json();
    assert_eq!(page.as_array().unwrap().len(), 2);
    assert_eq!(page[0]["name"], names[0].as_str());
    let page2 = admin
        .get("/agents?limit=2&page_number=2&order_by=name&order_direction=asc")
        .json();
    assert_eq!(page2.as_array().unwrap().len(), 1);
    assert_eq!(page2[0]["name"], names[2].as_str());

    let filtered = admin.get("/agents?status=Ready");
    assert_eq!(filtered.json().as_array().unwrap().len(), 0);
    assert_eq!(filtered.header("x-total-count"), Some("0"));

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

#[test]
fn delete_is_terminal_and_frees_the_name() {
    let server = TestServer::start();
    let admin = server.admin();
    let name = unique_name("del");
    let id = text(&admin.register_build(&name), "id");

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
    let new_id = text(&reborn.json(), "id");
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
    let key = text(&a, "agent_api_key");
    assert!(key.starts_with("agk_") && key.len() >= 4 + 64, "{key}");
    let second = admin.post("/agents/register", &body);
    assert_eq!(second.status, 200);
    assert!(
        second.json()["agent_api_key"].is_null(),
        "a key's plaintext is shown once"
    );
}

/// PUT and PATCH write through the stored version: a PUT that changes nothing keeps the etag,
/// one that changes something moves it, a stale `If-Match` is refused; PATCH merges metadata
/// (null removes a key) as stored in PostgreSQL and refuses immutable fields.
#[test]
fn put_upserts_and_patch_merges_through_the_stored_version() {
    let server = TestServer::start();
    let admin = server.admin();
    let name = unique_name("put");
    let path = format!("/agents/name/{name}");
    let v1 = json!({"description": "v1", "registration_metadata": {"a": 1, "b": 2}});
    let created = admin.put(&path, &v1);
    assert_eq!(created.status, 201, "{}", created.body);
    assert_eq!(created.json()["created"], true);
    assert_eq!(created.json()["status"], "BuildOnly");
    let same = admin.put(&path, &v1);
    assert_eq!(same.status, 200);
    assert_eq!(same.json()["created"], false);
    assert_eq!(
        same.json()["updated_at"],
        created.json()["updated_at"],
        "nothing written"
    );
    assert_eq!(same.header("etag"), created.header("etag"));
    let v2 = json!({"description": "v2", "registration_metadata": {"a": 1, "b": 2}});
    let changed = admin.put(&path, &v2);
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

    let id = text(&created.json(), "id");
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

/// 32 parallel register-builds of one name by `client`, each with its own description: one
/// creates the agent, every other gets it back as stored (the idempotent path writes nothing),
/// and no response carries a key. Returns the agent's id.
fn race_register_build(client: &Client, name: &str) -> String {
    let handles: Vec<_> = (0..32)
        .map(|i| {
            let c = client.clone();
            let n = name.to_owned();
            std::thread::spawn(move || {
                let r = c.post(
                    "/agents/register-build",
                    &json!({"name": n, "description": format!("caller {i}")}),
                );
                assert_eq!(r.status, 200, "{}", r.body);
                let agent = r.json();
                assert_eq!(agent["status"], "BuildOnly");
                assert_eq!(
                    agent["status_reason"],
                    "Agent build registered; not yet deployed."
                );
                assert!(agent.get("agent_api_key").is_none(), "{agent}");
                let created = r.header("registry-created") == Some("true");
                let description = text(&agent, "description");
                (created, text(&agent, "id"), description, i)
            })
        })
        .collect();
    let results: Vec<(bool, String, String, usize)> =
        handles.into_iter().map(|h| h.join().unwrap()).collect();
    let creators: Vec<_> = results.iter().filter(|r| r.0).collect();
    assert_eq!(creators.len(), 1, "{results:?}");
    let (_, id, description, i) = creators[0];
    assert_eq!(*description, format!("caller {i}"));
    assert!(
        results.iter().all(|r| r.1 == *id && r.2 == *description),
        "every caller gets the creator's agent, unchanged: {results:?}"
    );
    assert_eq!(client.get("/agents").header("x-total-count"), Some("1"));
    let stored = client.get(&format!("/agents/{id}")).json();
    assert_eq!(stored["description"], description.as_str());
    id.clone()
}

/// The race for one name, as the admin: one agent, and no grant (the admin needs none).
#[test]
fn parallel_register_build_creates_exactly_one_agent() {
    let server = TestServer::start();
    race_register_build(&server.admin(), &unique_name("race"));
    assert_eq!(server.grant_rows(), Vec::<String>::new());
}

/// The race for one name, as an ordinary principal: one agent and exactly one grant row in
/// the database, alice's owner grant on it.
#[test]
fn parallel_register_build_by_a_user_makes_exactly_one_owner_grant() {
    let server = TestServer::start();
    let id = race_register_build(&server.user("alice"), &unique_name("race"));
    let rows = server.grant_rows();
    assert_eq!(rows.len(), 1, "{rows:?}");
    assert!(
        rows[0].starts_with(&format!("{id} user:alice owner ")),
        "{rows:?}"
    );
}

/// `register` by the `agent_id` of a Deleted agent is 404 (never resurrected); by its name it
/// creates a new agent with a new id.
#[test]
fn register_by_a_deleted_agents_id_is_404_and_by_its_name_a_new_agent() {
    let server = TestServer::start();
    let alice = server.user("alice");
    let name = unique_name("gone");
    let old = text(&alice.register(&name), "id");
    assert_eq!(alice.delete(&format!("/agents/{old}")).status, 200);

    let by_id = alice.post(
        "/agents/register",
        &json!({"agent_id": old, "name": name, "description": "d",
                "acp_url": "http://a:8000", "acp_type": "async"}),
    );
    assert_eq!(by_id.status, 404, "{}", by_id.body);
    assert_eq!(by_id.json()["code"], "agent_not_found");
    assert_eq!(alice.get(&format!("/agents/name/{name}")).status, 404);

    let by_name = alice.register(&name);
    let new = text(&by_name, "id");
    assert_ne!(new, old, "a new agent");
    assert_eq!(by_name["status"], "Ready");
    assert_eq!(alice.get(&format!("/agents/{old}")).status, 404);
    assert_eq!(
        alice.get(&format!("/agents/name/{name}")).json()["id"],
        new.as_str()
    );
}

/// Registering again (same caller, same name; deploy-time and build) changes no grant row.
#[test]
fn re_registering_adds_no_grant() {
    let server = TestServer::start();
    let alice = server.user("alice");
    let name = unique_name("again");
    let id = text(&alice.register(&name), "id");
    let grants = server.grant_rows();
    assert_eq!(grants.len(), 1, "{grants:?}");
    assert!(grants[0].starts_with(&format!("{id} user:alice owner ")));

    assert_eq!(text(&alice.register(&name), "id"), id);
    let again = alice.post(
        "/agents/register-build",
        &json!({"name": name, "description": "d"}),
    );
    assert_eq!(again.status, 200, "{}", again.body);
    assert_eq!(again.header("registry-created"), Some("false"));
    assert_eq!(server.grant_rows(), grants, "grant rows unchanged");
}

/// `order_by=last_seen_at` lists the fleet as a tracker does: most recently seen first (desc,
/// the default), never-seen agents last in either direction.
#[test]
fn list_by_last_seen_puts_the_most_recent_first_and_the_never_seen_last() {
    let server = TestServer::start();
    let admin = server.admin();
    // Created in an order that is neither the expected one nor its reverse.
    let late = text(&admin.register(&unique_name("late")), "id");
    let never = text(&admin.register(&unique_name("never")), "id");
    let early = text(&admin.register(&unique_name("early")), "id");
    for id in [&early, &late] {
        let hb = admin.post_empty(&format!("/agents/{id}/heartbeat"));
        assert_eq!(hb.status, 200, "{}", hb.body);
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    let listed = |query: &str| -> Vec<String> {
        let r = admin.get(&format!("/agents?order_by=last_seen_at{query}"));
        assert_eq!(r.status, 200, "{}", r.body);
        r.json()
            .as_array()
            .unwrap()
            .iter()
            .map(|a| text(a, "id"))
            .collect()
    };
    assert_eq!(listed(""), [late.clone(), early.clone(), never.clone()]);
    assert_eq!(listed("&order_direction=asc"), [early, late, never]);
}
