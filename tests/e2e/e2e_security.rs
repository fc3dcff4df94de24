//! Authentication, authorization and the absence of existence leaks, end to end.

use registry_e2e::{text, unique_name, Resp, TestServer};
use serde_json::json;

/// Status, headers (minus the per-request ones) and body: what must be byte-identical.
fn comparable(r: &Resp) -> (u16, Vec<(String, String)>, String) {
    let mut headers: Vec<_> = r
        .headers
        .iter()
        .filter(|(k, _)| k != "x-request-id" && k != "date")
        .cloned()
        .collect();
    headers.sort();
    (r.status, headers, r.body.clone())
}

#[test]
fn bob_cannot_take_over_alices_name() {
    let server = TestServer::start();
    let alice = server.user("alice");
    let bob = server.user("bob");
    let name = unique_name("alices");
    let agent = alice.register_build(&name);
    let id = agent["id"].as_str().unwrap();

    let taken = bob.post(
        "/agents/register-build",
        &json!({"name": name, "description": "mine now"}),
    );
    assert_eq!(taken.status, 409, "{}", taken.body);
    assert_eq!(taken.json()["code"], "agent_name_taken");
    assert!(
        !taken.body.contains(id),
        "the id of an unreadable agent leaked: {}",
        taken.body
    );
    assert_eq!(bob.get(&format!("/agents/{id}")).status, 404);

    let grants = alice.get(&format!("/agents/{id}/grants"));
    assert_eq!(grants.status, 200, "{}", grants.body);
    let grants = grants.json();
    assert_eq!(
        grants.as_array().unwrap().len(),
        1,
        "no grant for bob: {grants}"
    );
    assert_eq!(grants[0]["principal"], "user:alice");
    assert_eq!(grants[0]["role"], "owner");

    // Alice's own repeat gets her agent back, unchanged, and no extra grant.
    let again = alice.post(
        "/agents/register-build",
        &json!({"name": name, "description": "x"}),
    );
    assert_eq!(again.status, 200);
    assert_eq!(
        alice
            .get(&format!("/agents/{id}/grants"))
            .json()
            .as_array()
            .unwrap()
            .len(),
        1
    );
}

#[test]
fn not_found_is_byte_identical_for_missing_unreadable_and_deleted() {
    let server = TestServer::start();
    let alice = server.user("alice");
    let bob = server.user("bob");
    let hidden = alice.register_build(&unique_name("hidden"));
    let gone = bob.register_build(&unique_name("gone"));
    let gone_id = gone["id"].as_str().unwrap();
    assert_eq!(bob.delete(&format!("/agents/{gone_id}")).status, 200);

    let missing = bob.get(&format!("/agents/{}", uuid::Uuid::new_v4()));
    let unreadable = bob.get(&format!("/agents/{}", hidden["id"].as_str().unwrap()));
    let deleted = bob.get(&format!("/agents/{gone_id}"));
    assert_eq!(missing.status, 404);
    assert_eq!(comparable(&missing), comparable(&unreadable));
    assert_eq!(comparable(&missing), comparable(&deleted));

    let by_name_missing = bob.get(&format!("/agents/name/{}", unique_name("nobody")));
    let by_name_hidden = bob.get(&format!(
        "/agents/name/{}",
        hidden["name"].as_str().unwrap()
    ));
    assert_eq!(comparable(&by_name_missing), comparable(&by_name_hidden));
    assert_eq!(comparable(&by_name_missing), comparable(&missing));

    // Writes on an unreadable agent are 404 too, identical again.
    let delete_hidden = bob.delete(&format!("/agents/{}", hidden["id"].as_str().unwrap()));
    let delete_missing = bob.delete(&format!("/agents/{}", uuid::Uuid::new_v4()));
    assert_eq!(comparable(&delete_hidden), comparable(&delete_missing));
    // Bob's list does not show alice's agent.
    let list = bob.get("/agents");
    assert_eq!(list.header("x-total-count"), Some("0"), "{}", list.body);
}

#[test]
fn sharing_gives_exactly_the_role() {
    let server = TestServer::start();
    let alice = server.user("alice");
    let bob = server.user("bob");
    let id = text(&alice.register_build(&unique_name("shared")), "id");

    let shared = alice.grant(&id, "user:bob", "viewer");
    assert_eq!(shared.status, 201, "{}", shared.body);
    assert_eq!(bob.get(&format!("/agents/{id}")).status, 200);
    let denied = bob.delete(&format!("/agents/{id}"));
    assert_eq!(
        denied.status, 403,
        "readable but not deletable: {}",
        denied.body
    );
    assert_eq!(denied.json()["code"], "forbidden");
    assert_eq!(bob.get("/agents").header("x-total-count"), Some("1"));
    let reshare = bob.grant(&id, "user:carol", "owner");
    assert_eq!(
        reshare.status, 403,
        "a viewer cannot share: {}",
        reshare.body
    );

    let last_owner = alice.delete(&format!("/agents/{id}/grants/user:alice"));
    assert_eq!(last_owner.status, 409, "{}", last_owner.body);
    assert_eq!(
        alice
            .delete(&format!("/agents/{id}/grants/user:bob"))
            .status,
        200
    );
    assert_eq!(bob.get(&format!("/agents/{id}")).status, 404);
}

#[test]
fn register_needs_credentials_and_rights() {
    let server = TestServer::start();
    let alice = server.user("alice");
    let bob = server.user("bob");
    let name = unique_name("guarded");
    let agent = alice.register_build(&name);
    let body = json!({"name": name, "description": "hijack", "acp_url": "http://evil", "acp_type": "async",
                      "principal_context": {"user_id": "alice"}});
    assert_eq!(
        server.anonymous().post("/agents/register", &body).status,
        401
    );
    let hijack = bob.post("/agents/register", &body);
    assert_eq!(hijack.status, 409, "{}", hijack.body);
    assert_eq!(hijack.json()["code"], "agent_name_taken");
    assert!(!hijack.body.contains("agk_"), "no key handed out");
    assert!(
        !hijack.body.contains(agent["id"].as_str().unwrap()),
        "the id of an unreadable agent leaked: {}",
        hijack.body
    );
    let after = alice
        .get(&format!("/agents/{}", agent["id"].as_str().unwrap()))
        .json();
    assert_eq!(after["status"], "BuildOnly");
    assert_eq!(after["description"], agent["description"]);
}

#[test]
fn agent_keys_reach_only_their_agent_and_die_with_it() {
    let server = TestServer::start();
    let alice = server.user("alice");
    let name = unique_name("keyed");
    let other = alice.register_build(&unique_name("other"));
    let reg = alice.post(
        "/agents/register",
        &json!({"name": name, "description": "d", "acp_url": "http://a:1", "acp_type": "async"}),
    );
    assert_eq!(reg.status, 200, "{}", reg.body);
    let id = text(&reg.json(), "id");
    let key = text(&reg.json(), "agent_api_key");

    let as_agent = server.with_token(&key);
    assert_eq!(as_agent.get(&format!("/agents/{id}")).status, 200);
    let by_header = registry_e2e::Client::send(
        server
            .anonymous()
            .request("GET", &format!("/agents/{id}"))
            .set("X-Agent-API-Key", &key),
        None,
    );
    assert_eq!(by_header.status, 200);
    let by_scheme = registry_e2e::Client::send(
        server
            .anonymous()
            .request("GET", &format!("/agents/{id}"))
            .set("Authorization", &format!("AgentKey {key}")),
        None,
    );
    assert_eq!(by_scheme.status, 200);
    assert_eq!(
        as_agent
            .post_empty(&format!("/agents/{id}/heartbeat"))
            .status,
        200
    );
    assert_eq!(
        as_agent
            .get(&format!("/agents/{}", other["id"].as_str().unwrap()))
            .status,
        404
    );
    assert_eq!(
        as_agent
            .post(
                "/agents/register-build",
                &json!({"name": unique_name("x"), "description": "d"})
            )
            .status,
        403
    );
    assert_eq!(as_agent.delete(&format!("/agents/{id}")).status, 403);

    assert_eq!(alice.delete(&format!("/agents/{id}")).status, 200);
    assert_eq!(
        as_agent.get(&format!("/agents/{id}")).status,
        401,
        "a deleted agent's key fails at once"
    );
}

#[test]
fn revoked_service_tokens_fail_at_once_and_only_the_admin_manages_them() {
    let server = TestServer::start();
    let admin = server.admin();
    let created = admin.post("/service_tokens", &json!({"name": "ci", "kind": "service"}));
    assert_eq!(created.status, 201, "{}", created.body);
    let t = created.json();
    assert_eq!(t["principal"], "service:ci");
    let token = text(&t, "token");
    let ci = server.with_token(&token);
    assert_eq!(ci.get("/agents").status, 200);
    assert_eq!(ci.get("/service_tokens").status, 403);
    let listed = admin.get("/service_tokens");
    assert_eq!(listed.status, 200);
    assert!(!listed.body.contains(&token), "a token is shown once");
    assert_eq!(
        admin
            .delete(&format!("/service_tokens/{}", t["id"].as_str().unwrap()))
            .status,
        200
    );
    assert_eq!(ci.get("/agents").status, 401);
}
