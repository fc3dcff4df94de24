//! Key lifecycle and renames (contract §4, §5.4; issue 13 item 5), end to end: an agent API key
//! authenticates only while whoever minted it keeps the authority to mint it, and renaming
//! through `/agents/register` is for owners, the admin and the agent itself, with an audit event.

use registry_e2e::{text, unique_name, Client, Resp, TestServer};
use serde_json::{json, Value};

/// `GET path` with the key in `X-Agent-API-Key` (the Agentex runtime's header).
fn get_with_key(server: &TestServer, key: &str, path: &str) -> Resp {
    Client::send(
        server
            .anonymous()
            .request("GET", path)
            .set("X-Agent-API-Key", key),
        None,
    )
}

/// A 401's status and body: what a dead key and an unknown key must share.
fn refusal(r: &Resp) -> (u16, Value) {
    let mut body = r.json();
    body.as_object_mut().unwrap().remove("request_id");
    (r.status, body)
}

/// Mints an internal key on `agent_id` as `minter` and returns its secret.
fn mint(minter: &Client, agent_id: &str, name: &str) -> String {
    let created = minter.post(
        "/agent_api_keys",
        &json!({"agent_id": agent_id, "name": name, "api_key_type": "internal"}),
    );
    assert_eq!(created.status, 200, "{}", created.body);
    text(&created.json(), "api_key")
}

#[test]
fn a_revoked_editors_key_fails_at_once() {
    let server = TestServer::start();
    let alice = server.user("alice");
    let bob = server.user("bob");
    let id = text(&alice.register_build(&unique_name("shared")), "id");
    let me = format!("/agents/{id}");
    let granted = alice.grant(&id, "user:bob", "editor");
    assert_eq!(granted.status, 201, "{}", granted.body);

    let bobs_key = mint(&bob, &id, "bob-deploy");
    let alices_key = mint(&alice, &id, "alice-deploy");
    let admins_key = mint(&server.admin(), &id, "admin-deploy");
    for key in [&bobs_key, &alices_key, &admins_key] {
        let me_as_agent = get_with_key(&server, key, &me);
        assert_eq!(me_as_agent.status, 200, "{}", me_as_agent.body);
    }

    let revoked = alice.delete(&format!("{me}/grants/user:bob"));
    assert_eq!(revoked.status, 200, "{}", revoked.body);
    let dead = get_with_key(&server, &bobs_key, &me);
    assert_eq!(dead.status, 401, "revoked editor's key: {}", dead.body);
    let unknown = get_with_key(&server, &format!("agk_{}", "0".repeat(64)), &me);
    assert_eq!(
        refusal(&dead),
        refusal(&unknown),
        "a dead key is refused like an unknown one"
    );
    // Nor can it register (the path the attacker took).
    let hijack = Client::send(
        server
            .anonymous()
            .request("POST", "/agents/register")
            .set("X-Agent-API-Key", &bobs_key),
        Some(
            &json!({"agent_id": id, "name": "hijacked", "description": "d",
                    "acp_url": "http://attacker:1", "acp_type": "async"})
            .to_string(),
        ),
    );
    assert_eq!(hijack.status, 401, "{}", hijack.body);
    // Lowering the grant to viewer does not bring it back.
    let lowered = alice.grant(&id, "user:bob", "viewer");
    assert_eq!(lowered.status, 201, "{}", lowered.body);
    assert_eq!(get_with_key(&server, &bobs_key, &me).status, 401);

    // The owner's and the admin's keys are untouched.
    assert_eq!(get_with_key(&server, &alices_key, &me).status, 200);
    assert_eq!(get_with_key(&server, &admins_key, &me).status, 200);
    // The dead key is still listed, so its owner can see and delete it.
    let listed = alice.get(&format!("/agent_api_keys?agent_id={id}"));
    assert_eq!(listed.header("x-total-count"), Some("3"), "{}", listed.body);
}

#[test]
fn a_key_fails_at_once_when_its_minters_token_is_revoked() {
    let server = TestServer::start();
    let admin = server.admin();
    let created = admin.post("/service_tokens", &json!({"name": "ci", "kind": "service"}));
    assert_eq!(created.status, 201, "{}", created.body);
    let token = created.json();
    let ci = server.with_token(token["token"].as_str().unwrap());
    let id = text(&ci.register_build(&unique_name("built")), "id");
    let key = mint(&ci, &id, "runtime");
    let me = format!("/agents/{id}");
    assert_eq!(get_with_key(&server, &key, &me).status, 200);

    let revoked = admin.delete(&format!(
        "/service_tokens/{}",
        token["id"].as_str().unwrap()
    ));
    assert_eq!(revoked.status, 200, "{}", revoked.body);
    assert_eq!(
        get_with_key(&server, &key, &me).status,
        401,
        "the minter's token is revoked, though its owner grant stays"
    );
}

/// The agent's `renamed` events, newest first, as (actor, old_name, new_name).
fn renames(owner: &Client, id: &str) -> Vec<(String, String, String)> {
    let events = owner.get(&format!("/agents/{id}/events"));
    assert_eq!(events.status, 200, "{}", events.body);
    events
        .json()
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["kind"] == "renamed")
        .map(|e| {
            (
                text(e, "actor"),
                text(&e["detail"], "old_name"),
                text(&e["detail"], "new_name"),
            )
        })
        .collect()
}

#[test]
fn renames_through_register_are_for_owners_and_the_agent_itself_and_audited() {
    let server = TestServer::start();
    let alice = server.user("alice");
    let bob = server.user("bob");
    let first = unique_name("first");
    let registration = |name: &str, id: &str| {
        json!({"agent_id": id, "name": name, "description": "deployed",
               "acp_url": "http://agent:8000", "acp_type": "async"})
    };
    let reg = alice.post(
        "/agents/register",
        &json!({"name": first, "description": "deployed",
                "acp_url": "http://agent:8000", "acp_type": "async"}),
    );
    assert_eq!(reg.status, 200, "{}", reg.body);
    let id = text(&reg.json(), "id");
    let agent_key = text(&reg.json(), "agent_api_key");
    let granted = alice.grant(&id, "user:bob", "editor");
    assert_eq!(granted.status, 201, "{}", granted.body);

    // An editor may register the agent as it is, but not rename it.
    let same = bob.post("/agents/register", &registration(&first, &id));
    assert_eq!(same.status, 200, "{}", same.body);
    let by_editor = bob.post("/agents/register", &registration(&unique_name("bobs"), &id));
    assert_eq!(by_editor.status, 403, "{}", by_editor.body);
    assert_eq!(by_editor.json()["code"], "forbidden");
    assert_eq!(
        alice.get(&format!("/agents/{id}")).json()["name"],
        first.as_str()
    );
    assert!(renames(&alice, &id).is_empty());

    // The owner renames; so does the agent itself, with its own key, as a redeploy would.
    let second = unique_name("second");
    let by_owner = alice.post("/agents/register", &registration(&second, &id));
    assert_eq!(by_owner.status, 200, "{}", by_owner.body);
    assert_eq!(by_owner.json()["name"], second.as_str());
    let third = unique_name("third");
    let by_itself = Client::send(
        server
            .anonymous()
            .request("POST", "/agents/register")
            .set("X-Agent-API-Key", &agent_key),
        Some(&registration(&third, &id).to_string()),
    );
    assert_eq!(by_itself.status, 200, "{}", by_itself.body);
    assert_eq!(by_itself.json()["name"], third.as_str());
    assert!(
        by_itself.json()["agent_api_key"].is_null(),
        "the agent already has its key"
    );

    assert_eq!(
        renames(&alice, &id),
        vec![
            (format!("agent:{id}"), second.clone(), third.clone()),
            ("user:alice".to_owned(), first.clone(), second.clone()),
        ]
    );
    assert_eq!(
        alice.get(&format!("/agents/name/{third}")).json()["id"],
        id.as_str()
    );
}
