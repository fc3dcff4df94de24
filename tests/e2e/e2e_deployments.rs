//! Deployments, promotion, deployment history and agent API keys, end to end.

use registry_e2e::{text, unique_name, Client, Resp, TestServer};
use serde_json::{json, Value};

fn create_deployment(c: &Client, agent_id: &str, image: &str) -> Value {
    let r = c.post(
        &format!("/agents/{agent_id}/deployments"),
        &json!({"docker_image": image}),
    );
    assert_eq!(r.status, 200, "{}", r.body);
    assert!(r.header("location").is_some());
    let d = r.json();
    assert_eq!(d["status"], "Pending");
    assert_eq!(d["is_production"], false);
    d
}

fn register_deployment(c: &Client, name: &str, deployment_id: &str, url: &str) -> Value {
    let r = c.post(
        "/agents/register",
        &json!({"name": name, "description": "d", "acp_url": url, "acp_type": "async",
                "registration_metadata": {"deployment_id": deployment_id}}),
    );
    assert_eq!(r.status, 200, "{}", r.body);
    r.json()
}

#[test]
fn full_lifecycle_from_build_to_production() {
    let server = TestServer::start();
    let admin = server.admin();
    let name = unique_name("life");
    let agent = admin.register_build(&name);
    let id = text(&agent, "id");

    let d1 = create_deployment(&admin, &id, "img:1");
    let d1_id = text(&d1, "id");
    let after_scoped = register_deployment(&admin, &name, &d1_id, "http://d1:8000");
    assert_eq!(
        after_scoped["status"], "BuildOnly",
        "deployment-scoped register leaves the agent alone"
    );
    let d1_now = admin
        .get(&format!("/agents/{id}/deployments/{d1_id}"))
        .json();
    assert_eq!(d1_now["status"], "Ready");
    assert_eq!(d1_now["acp_url"], "http://d1:8000");

    let promoted = admin.post_empty(&format!("/agents/{id}/deployments/{d1_id}/promote"));
    assert_eq!(promoted.status, 200, "{}", promoted.body);
    assert_eq!(promoted.json()["is_production"], true);
    assert!(promoted.json()["promoted_at"].is_string());
    let live = admin.get(&format!("/agents/{id}")).json();
    assert_eq!(live["status"], "Ready");
    assert_eq!(live["production_deployment_id"], d1_id.as_str());

    let d2 = create_deployment(&admin, &id, "img:2");
    let d2_id = text(&d2, "id");
    register_deployment(&admin, &name, &d2_id, "http://d2:8000");
    assert_eq!(
        admin
            .post_empty(&format!("/agents/{id}/deployments/{d2_id}/promote"))
            .status,
        200
    );
    assert_eq!(
        admin
            .get(&format!("/agents/{id}/deployments/{d1_id}"))
            .json()["is_production"],
        false
    );
    assert_eq!(
        admin.get(&format!("/agents/{id}")).json()["production_deployment_id"],
        d2_id.as_str()
    );

    let del1 = admin.delete(&format!("/agents/{id}/deployments/{d1_id}"));
    assert_eq!(del1.status, 200, "{}", del1.body);
    assert_eq!(
        del1.json(),
        json!({"id": d1_id, "message": format!("Deployment '{d1_id}' deleted successfully")})
    );
    let again = admin.delete(&format!("/agents/{id}/deployments/{d1_id}"));
    assert_eq!(again.status, 404, "a second DELETE: {}", again.body);
    assert_eq!(again.json()["code"], "deployment_not_found");
    let del2 = admin.delete(&format!("/agents/{id}/deployments/{d2_id}"));
    assert_eq!(del2.status, 409, "{}", del2.body);
    let list = admin.get(&format!("/agents/{id}/deployments"));
    assert_eq!(list.header("x-total-count"), Some("1"));
    assert_eq!(list.json()[0]["id"], d2_id.as_str());

    // An expired deployment is not revived by a scoped register.
    let revive = admin.post(
        "/agents/register",
        &json!({"name": name, "description": "d", "acp_url": "http://x", "acp_type": "async",
                "registration_metadata": {"deployment_id": d1_id}}),
    );
    assert_eq!(revive.status, 409, "{}", revive.body);
}

#[test]
fn promote_refuses_what_is_not_ready() {
    let server = TestServer::start();
    let admin = server.admin();
    let name = unique_name("pend");
    let id = text(&admin.register_build(&name), "id");
    let d = create_deployment(&admin, &id, "img");
    let did = d["id"].as_str().unwrap();
    let r = admin.post_empty(&format!("/agents/{id}/deployments/{did}/promote"));
    assert_eq!(r.status, 409, "{}", r.body);
    assert_eq!(r.json()["code"], "deployment_not_ready");
    assert_eq!(
        admin.get(&format!("/agents/{id}")).json()["status"],
        "BuildOnly"
    );

    // Another agent's deployment is 404 for scoped register and for promote.
    let other_name = unique_name("other");
    let other = text(&admin.register_build(&other_name), "id");
    let r = admin.post(
        "/agents/register",
        &json!({"name": other_name, "description": "d", "acp_url": "http://x", "acp_type": "async",
                "registration_metadata": {"deployment_id": did}}),
    );
    assert_eq!(r.status, 404, "{}", r.body);
    assert_eq!(
        admin
            .post_empty(&format!("/agents/{other}/deployments/{did}/promote"))
            .status,
        404
    );
}

/// Alice's agent with a Ready deployment (shared with bob as `bob_role`, if any) is deleted;
/// then `caller` (`admin`, `alice` or `bob`) promotes that deployment. Returns the answer and,
/// for comparison, the same caller's promote on an agent that never existed.
fn promote_after_deletion(caller: &str, bob_role: Option<&str>) -> (Resp, Resp) {
    let server = TestServer::start();
    let alice = server.user("alice");
    let bob = server.user("bob");
    let name = unique_name("gone");
    let id = text(&alice.register_build(&name), "id");
    let did = text(&create_deployment(&alice, &id, "img"), "id");
    register_deployment(&alice, &name, &did, "http://ready");
    if let Some(role) = bob_role {
        assert_eq!(alice.grant(&id, "user:bob", role).status, 201);
    }
    assert_eq!(alice.delete(&format!("/agents/{id}")).status, 200);
    let client = match caller {
        "admin" => server.admin(),
        "alice" => alice,
        _ => bob,
    };
    let promote =
        |agent: &str| client.post_empty(&format!("/agents/{agent}/deployments/{did}/promote"));
    (promote(&id), promote(&uuid::Uuid::new_v4().to_string()))
}

/// Whoever could promote before the deletion (`execute`: the admin, owners, editors) hears why
/// it cannot now: 409.
fn assert_promote_after_deletion_is_409(caller: &str, bob_role: Option<&str>) {
    let (r, _) = promote_after_deletion(caller, bob_role);
    assert_eq!(r.status, 409, "{}", r.body);
    assert_eq!(r.json()["code"], "conflict", "{}", r.body);
}

/// Anyone else (a viewer, a stranger) gets the 404 of an agent that does not exist.
fn assert_promote_after_deletion_is_404(bob_role: Option<&str>) {
    let (r, missing) = promote_after_deletion("bob", bob_role);
    assert_eq!(r.status, 404, "{}", r.body);
    assert_eq!(r.json()["code"], "agent_not_found");
    assert_eq!(r.body, missing.body, "identical to a missing agent's");
}

#[test]
fn promote_on_a_deleted_agent_is_409_for_the_admin() {
    assert_promote_after_deletion_is_409("admin", None);
}

#[test]
fn promote_on_a_deleted_agent_is_409_for_its_owner() {
    assert_promote_after_deletion_is_409("alice", None);
}

#[test]
fn promote_on_a_deleted_agent_is_409_for_an_editor() {
    assert_promote_after_deletion_is_409("bob", Some("editor"));
}

#[test]
fn promote_on_a_deleted_agent_is_404_for_a_viewer() {
    assert_promote_after_deletion_is_404(Some("viewer"));
}

#[test]
fn promote_on_a_deleted_agent_is_404_for_a_stranger() {
    assert_promote_after_deletion_is_404(None);
}

#[test]
fn parallel_promotes_leave_exactly_one_production_deployment() {
    let server = TestServer::start();
    let admin = server.admin();
    let name = unique_name("race");
    let id = text(&admin.register_build(&name), "id");
    let dids: Vec<String> = (0..4)
        .map(|i| {
            let d = create_deployment(&admin, &id, &format!("img:{i}"));
            let did = text(&d, "id");
            register_deployment(&admin, &name, &did, &format!("http://d{i}"));
            did
        })
        .collect();
    let handles: Vec<_> = (0..32)
        .map(|i| {
            let c = admin.clone();
            let path = format!("/agents/{id}/deployments/{}/promote", dids[i % 4]);
            std::thread::spawn(move || c.post_empty(&path).status)
        })
        .collect();
    let statuses: Vec<u16> = handles.into_iter().map(|h| h.join().unwrap()).collect();
    assert!(
        statuses.iter().all(|s| *s == 200 || *s == 409),
        "{statuses:?}"
    );
    assert!(statuses.contains(&200));
    let list = admin
        .get(&format!("/agents/{id}/deployments?limit=10"))
        .json();
    let production: Vec<&Value> = list
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["is_production"] == true)
        .collect();
    assert_eq!(production.len(), 1, "{list}");
    let agent = admin.get(&format!("/agents/{id}")).json();
    assert_eq!(agent["production_deployment_id"], production[0]["id"]);
    assert_eq!(agent["status"], "Ready");
}

#[test]
fn deployment_history_is_written_once_per_commit() {
    let server = TestServer::start();
    let admin = server.admin();
    let name = unique_name("hist");
    let reg = |commit: &str| {
        let r = admin.post(
            "/agents/register",
            &json!({"name": name, "description": "d", "acp_url": "http://h", "acp_type": "async",
                    "registration_metadata": {"agent_commit": commit, "branch_name": "main", "author_name": "Ada"}}),
        );
        assert_eq!(r.status, 200, "{}", r.body);
        text(&r.json(), "id")
    };
    let id = reg("c1");
    reg("c1");
    reg("c2");
    let list = admin.get(&format!("/deployment-history?agent_id={id}"));
    assert_eq!(list.status, 200, "{}", list.body);
    let rows = list.json();
    assert_eq!(rows.as_array().unwrap().len(), 2, "{rows}");
    assert_eq!(rows[0]["commit_hash"], "c2", "newest first");
    assert_eq!(rows[1]["author_email"], "N/A");
    let one = admin.get(&format!(
        "/deployment-history/{}",
        rows[0]["id"].as_str().unwrap()
    ));
    assert_eq!(one.status, 200);
    assert_eq!(
        admin
            .get(&format!("/deployment-history?agent_name={name}"))
            .json(),
        rows
    );
    let neither = admin.get("/deployment-history");
    assert_eq!(neither.status, 400, "{}", neither.body);
    let both = admin.get(&format!(
        "/deployment-history?agent_id={id}&agent_name={name}"
    ));
    assert_eq!(both.status, 400);
    assert_eq!(
        admin
            .get(&format!("/deployment-history/{}", uuid::Uuid::new_v4()))
            .status,
        404
    );
}

#[test]
fn api_keys_are_generated_unique_and_never_stored_in_plaintext() {
    let server = TestServer::start();
    let admin = server.admin();
    let name = unique_name("keys");
    let id = text(&admin.register_build(&name), "id");

    let created = admin.post(
        "/agent_api_keys",
        &json!({"agent_id": id, "name": "ci", "api_key_type": "external"}),
    );
    assert_eq!(created.status, 200, "{}", created.body);
    let k = created.json();
    let secret = text(&k, "api_key");
    assert!(secret.starts_with("agk_") && secret.len() >= 68, "{secret}");
    assert_eq!(k["name"], "ci");
    assert_eq!(k["api_key_type"], "external");
    let key_id = text(&k, "id");

    let dup = admin.post(
        "/agent_api_keys",
        &json!({"agent_name": name, "name": "ci", "api_key_type": "external"}),
    );
    assert_eq!(dup.status, 409, "{}", dup.body);
    let supplied = admin.post(
        "/agent_api_keys",
        &json!({"agent_id": id, "name": "mine", "api_key": "hunter2"}),
    );
    assert_eq!(supplied.status, 422, "{}", supplied.body);

    let got = admin.get(&format!("/agent_api_keys/{key_id}"));
    assert_eq!(got.status, 200);
    assert!(
        got.json().get("api_key").is_none(),
        "the secret is shown once"
    );
    assert_eq!(
        admin
            .get(&format!(
                "/agent_api_keys/name/ci?agent_id={id}&api_key_type=external"
            ))
            .json()["id"],
        key_id.as_str()
    );
    let list = admin.get(&format!("/agent_api_keys?agent_id={id}"));
    assert_eq!(list.status, 200);
    assert_eq!(list.json().as_array().unwrap().len(), 1);
    assert!(!list.body.contains(&secret));

    // An external key is a secret kept for integrations, never a credential: the same 401
    // as an unknown key. An internal key authenticates as its agent.
    let as_external = server.with_token(&secret).get(&format!("/agents/{id}"));
    let unknown = server
        .with_token("agk_unknown")
        .get(&format!("/agents/{id}"));
    assert_eq!(as_external.status, 401);
    assert_eq!(as_external.body, unknown.body);
    let internal = admin.post(
        "/agent_api_keys",
        &json!({"agent_id": id, "name": "pod", "api_key_type": "internal"}),
    );
    let internal = text(&internal.json(), "api_key");
    assert_eq!(
        server
            .with_token(&internal)
            .get(&format!("/agents/{id}"))
            .status,
        200
    );

    // The plaintext is nowhere in the database.
    let dump = std::process::Command::new("pg_dump")
        .args(["--data-only", server.db.url()])
        .output()
        .expect("pg_dump runs");
    assert!(
        dump.status.success(),
        "{}",
        String::from_utf8_lossy(&dump.stderr)
    );
    let dump = String::from_utf8_lossy(&dump.stdout);
    assert!(dump.contains(&name), "the dump holds the data");
    assert!(
        !dump.contains(&secret),
        "plaintext key found in the database"
    );
    assert!(
        !dump.contains(&secret["agk_".len()..]),
        "plaintext key body found in the database"
    );

    assert_eq!(
        admin.delete(&format!("/agent_api_keys/{key_id}")).status,
        200
    );
    assert_eq!(
        admin.delete(&format!("/agent_api_keys/{key_id}")).status,
        404
    );
    assert_eq!(
        server
            .with_token(&secret)
            .get(&format!("/agents/{id}"))
            .status,
        401
    );
}
