//! What the peer's own agent integration tests check (docs/compatibility.md), asserted here in
//! our own words on the real binary, so `just test` guards it without the peer's files.

use registry_e2e::{text, unique_name, Client, TestServer};
use serde_json::{json, Value};

fn register(c: &Client, body: &Value) -> Value {
    let r = c.post("/agents/register", body);
    assert_eq!(r.status, 200, "register {body}: {}", r.body);
    r.json()
}

fn deploy_body(name: &str, description: &str, acp_type: &str) -> Value {
    json!({"name": name, "description": description, "acp_url": format!("http://{name}:8000"),
           "acp_type": acp_type})
}

#[test]
fn register_by_id_renames_and_updates_description_and_acp_type() {
    let server = TestServer::start();
    let admin = server.admin();
    let (old, new) = (unique_name("before"), unique_name("after"));
    let created = register(&admin, &deploy_body(&old, "first", "agentic"));
    let id = created["id"].as_str().unwrap();

    let mut body = deploy_body(&new, "second", "sync");
    body["agent_id"] = json!(id);
    let renamed = register(&admin, &body);
    assert_eq!(renamed["id"], id);
    assert_eq!(renamed["name"], new.as_str());
    assert_eq!(renamed["description"], "second");
    assert_eq!(renamed["acp_type"], "sync");
    assert_eq!(admin.get(&format!("/agents/name/{new}")).json()["id"], id);
    assert_eq!(admin.get(&format!("/agents/name/{old}")).status, 404);

    // A rename onto a live agent's name is refused, and changes nothing.
    let other = unique_name("other");
    register(&admin, &deploy_body(&other, "o", "async"));
    let mut clash = deploy_body(&other, "clash", "async");
    clash["agent_id"] = json!(id);
    let refused = admin.post("/agents/register", &clash);
    assert_eq!(refused.status, 409, "{}", refused.body);
    assert_eq!(
        admin.get(&format!("/agents/{id}")).json()["name"],
        new.as_str()
    );
}

#[test]
fn register_by_name_again_updates_the_same_agent_and_shows_its_key_once() {
    let server = TestServer::start();
    let admin = server.admin();
    let name = unique_name("twice");
    let first = register(&admin, &deploy_body(&name, "first", "sync"));
    assert!(
        first["agent_api_key"].as_str().unwrap().starts_with("agk_"),
        "{first}"
    );
    let second = register(&admin, &deploy_body(&name, "second", "agentic"));
    assert_eq!(second["id"], first["id"], "same agent, not a second one");
    assert_eq!(second["description"], "second");
    assert_eq!(second["acp_type"], "agentic");
    // Deliberate deviation (contract §2.5): the peer returns the same key again; a key is shown
    // once here, and the field is present and null.
    assert!(second.get("agent_api_key").unwrap().is_null(), "{second}");

    let stored = admin.get(&format!("/agents/{}", first["id"].as_str().unwrap()));
    assert_eq!(stored.json()["description"], "second");
    let list = admin.get("/agents").json();
    let same_name: Vec<&Value> = list
        .as_array()
        .unwrap()
        .iter()
        .filter(|a| a["name"] == name.as_str())
        .collect();
    assert_eq!(same_name.len(), 1, "{list}");
}

#[test]
fn acp_type_agentic_is_kept_verbatim_and_can_be_switched_both_ways() {
    let server = TestServer::start();
    let admin = server.admin();
    let (legacy, modern) = (unique_name("legacy"), unique_name("modern"));
    let legacy_id = text(
        &register(&admin, &deploy_body(&legacy, "l", "agentic")),
        "id",
    );
    register(&admin, &deploy_body(&modern, "m", "async"));

    // Never rewritten to `async`, whichever way it is read.
    assert_eq!(
        admin.get(&format!("/agents/{legacy_id}")).json()["acp_type"],
        "agentic"
    );
    assert_eq!(
        admin.get(&format!("/agents/name/{legacy}")).json()["acp_type"],
        "agentic"
    );
    let list = admin.get("/agents").json();
    let type_of = |n: &str| {
        list.as_array()
            .unwrap()
            .iter()
            .find(|a| a["name"] == n)
            .map(|a| a["acp_type"].clone())
    };
    assert_eq!(type_of(&legacy), Some(json!("agentic")));
    assert_eq!(type_of(&modern), Some(json!("async")));

    for acp_type in ["async", "agentic"] {
        let mut body = deploy_body(&legacy, "switched", acp_type);
        body["agent_id"] = json!(legacy_id);
        assert_eq!(register(&admin, &body)["acp_type"], acp_type);
        assert_eq!(
            admin.get(&format!("/agents/{legacy_id}")).json()["acp_type"],
            acp_type
        );
    }
}

#[test]
fn registration_metadata_merges_and_history_needs_both_commit_and_branch() {
    let server = TestServer::start();
    let admin = server.admin();
    let history = |id: &str| {
        let r = admin.get(&format!("/deployment-history?agent_id={id}"));
        assert_eq!(r.status, 200, "{}", r.body);
        r.json()
    };
    let with_metadata = |name: &str, metadata: Value| {
        let mut body = deploy_body(name, "d", "agentic");
        body["registration_metadata"] = metadata;
        register(&admin, &body)
    };

    let name = unique_name("meta");
    let plain = register(&admin, &deploy_body(&name, "d", "agentic"));
    let id = text(&plain, "id");
    assert_eq!(history(&id), json!([]), "no metadata, no history");

    let code_url = "https://git.example/agents/tree/main";
    let commit_only = with_metadata(
        &name,
        json!({"code_url": code_url, "agent_commit": "abc123"}),
    );
    assert_eq!(commit_only["registration_metadata"]["code_url"], code_url);
    assert_eq!(
        commit_only["registration_metadata"]["agent_commit"],
        "abc123"
    );
    let read = admin.get(&format!("/agents/{id}")).json();
    assert_eq!(
        read["registration_metadata"],
        commit_only["registration_metadata"]
    );
    assert_eq!(
        history(&id),
        json!([]),
        "a commit without a branch writes no history"
    );

    let other = unique_name("branch");
    let branch_only = with_metadata(&other, json!({"branch_name": "main"}));
    let other_id = branch_only["id"].as_str().unwrap();
    assert_eq!(
        history(other_id),
        json!([]),
        "a branch without a commit writes no history"
    );

    // Metadata merges across registrations (as the peer, which also reads the merged metadata
    // for history): the branch completes the pair with the commit registered before.
    let merged = with_metadata(&name, json!({"branch_name": "main"}));
    assert_eq!(
        merged["registration_metadata"]["code_url"], code_url,
        "{merged}"
    );
    assert_eq!(merged["registration_metadata"]["agent_commit"], "abc123");
    let rows = history(&id);
    assert_eq!(rows.as_array().unwrap().len(), 1, "{rows}");
    assert_eq!(rows[0]["agent_id"], id.as_str());
    assert_eq!(rows[0]["commit_hash"], "abc123");
    assert_eq!(rows[0]["branch_name"], "main");
    assert_eq!(
        rows[0]["author_name"], "N/A",
        "absent author fields read N/A"
    );
    assert_eq!(rows[0]["author_email"], "N/A");
}

#[test]
fn invalid_registrations_are_422_with_message_and_status_code() {
    let server = TestServer::start();
    let admin = server.admin();
    let missing = admin.post("/agents/register", &json!({"unexpected": "only"}));
    let bad_type = admin.post(
        "/agents/register",
        &deploy_body(&unique_name("bad"), "d", "invalid_type"),
    );
    // The build-time registration's body is read the same way.
    let build_missing = admin.post("/agents/register-build", &json!({"description": "d"}));
    let build_bad_description = admin.post(
        "/agents/register-build",
        &json!({"name": unique_name("bad"), "description": 5}),
    );
    for (r, field) in [
        (&missing, "name"),
        (&bad_type, "acp_type"),
        (&build_missing, "name"),
        (&build_bad_description, "description"),
    ] {
        assert_eq!(r.status, 422, "{}", r.body);
        let body = r.json();
        assert_eq!(body["status_code"], 422, "{body}");
        let message = body["message"].as_str().unwrap();
        assert!(message.contains(field), "the message names {field}: {body}");
        assert_eq!(body["errors"][0]["field"], field, "{body}");
    }
    assert_eq!(
        admin.get("/agents").header("x-total-count"),
        Some("0"),
        "nothing was created"
    );
}

#[test]
fn paging_by_one_visits_every_agent_once_and_created_at_order_reverses() {
    let server = TestServer::start();
    let admin = server.admin();
    let mut names: Vec<String> = (0..10)
        .map(|i| {
            let n = unique_name(&format!("page{i}"));
            register(&admin, &deploy_body(&n, "p", "sync"));
            n
        })
        .collect();

    let mut seen = Vec::new();
    for page_number in 1.. {
        let page = admin
            .get(&format!("/agents?limit=1&page_number={page_number}"))
            .json();
        let page = page.as_array().unwrap();
        if page.is_empty() {
            break;
        }
        assert_eq!(page.len(), 1);
        seen.push(page[0]["name"].as_str().unwrap().to_owned());
        assert!(page_number <= 10, "more pages than agents: {seen:?}");
    }
    seen.sort();
    names.sort();
    assert_eq!(seen, names, "every agent exactly once");

    let ids = |direction: &str| -> Vec<Value> {
        let list = admin
            .get(&format!(
                "/agents?order_by=created_at&order_direction={direction}"
            ))
            .json();
        let list = list.as_array().unwrap();
        let stamps: Vec<&str> = list
            .iter()
            .map(|a| a["created_at"].as_str().unwrap())
            .collect();
        let mut ordered = stamps.clone();
        ordered.sort_unstable();
        if direction == "desc" {
            ordered.reverse();
        }
        assert_eq!(stamps, ordered, "{direction}");
        list.iter().map(|a| a["id"].clone()).collect()
    };
    let mut asc = ids("asc");
    assert_eq!(asc.len(), 10);
    asc.reverse();
    assert_eq!(asc, ids("desc"));
}

#[test]
fn healthcheck_answers_and_a_deleted_agent_is_not_found_everywhere() {
    let server = TestServer::start();
    assert_eq!(server.anonymous().get("/healthcheck").status, 200);

    let admin = server.admin();
    let name = unique_name("gone");
    let id = text(&register(&admin, &deploy_body(&name, "d", "agentic")), "id");
    let deleted = admin.delete(&format!("/agents/{id}"));
    assert_eq!(deleted.status, 200, "{}", deleted.body);
    assert_eq!(
        deleted.json()["message"],
        format!("Agent '{id}' deleted successfully")
    );
    assert_eq!(admin.get("/agents").json(), json!([]));
    for r in [
        admin.get(&format!("/agents/{id}")),
        admin.delete(&format!("/agents/{id}")),
        admin.delete(&format!("/agents/name/{name}")),
    ] {
        assert_eq!(r.status, 404, "{}", r.body);
        let message = text(&r.json(), "message");
        assert!(message.contains("not found"), "{message}");
    }
}
