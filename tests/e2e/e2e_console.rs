//! The web console (`/ui`) and the API reference (`/docs`) in a real headless browser
//! (contract §12): Debian's `chromium` driven by Selenium from Python
//! (`tests/browser/console_check.py`, one scenario per test). Every scenario also checks that
//! the page made no request outside the server's origin and that the browser logged no CSP
//! violation.
//!
//! With `UPDATE_SCREENSHOTS=1` the agents and agent pages are saved to `docs/console/`
//! (docs/console.md shows them); otherwise to `target/console-screenshots/`.

use registry_e2e::{text, TestServer, ADMIN_TOKEN};
use serde_json::{json, Value};
use std::path::PathBuf;
use std::process::Command;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// The Python that has Selenium: `CONSOLE_PYTHON`, or the venv `just tools` creates.
fn python() -> PathBuf {
    if let Some(p) = std::env::var_os("CONSOLE_PYTHON") {
        return PathBuf::from(p);
    }
    let venv = root().join("target/selenium-venv/bin/python");
    assert!(
        venv.exists(),
        "Selenium is not installed: run `just tools` (creates target/selenium-venv with \
         selenium==4.38.0 and installs chromium + chromium-driver) or set CONSOLE_PYTHON"
    );
    venv
}

/// Where a screenshot named `name` goes (see the module doc).
fn screenshot(name: &str) -> String {
    let dir = if std::env::var_os("UPDATE_SCREENSHOTS").is_some() {
        root().join("docs/console")
    } else {
        root().join("target/console-screenshots")
    };
    dir.join(name).display().to_string()
}

/// Runs `scenario` of the browser check against `server` with `args`, asserting it passes.
fn browser_check(server: &TestServer, scenario: &str, args: &Value) {
    let out = Command::new(python())
        .arg(root().join("tests/browser/console_check.py"))
        .arg(&server.base)
        .arg(scenario)
        .arg(args.to_string())
        .output()
        .expect("python runs");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success(),
        "browser check {scenario} failed:\n{stdout}\n{stderr}\nserver log (last lines):\n{}",
        last_lines(&server.logs(), 30)
    );
    assert!(stdout.contains(&format!("ok: {scenario}")), "{stdout}");
}

fn last_lines(text: &str, n: usize) -> String {
    let lines: Vec<&str> = text.lines().collect();
    lines[lines.len().saturating_sub(n)..].join("\n")
}

/// A user token: `(token, id)`.
fn user_token(server: &TestServer, name: &str) -> (String, String) {
    let r = server
        .admin()
        .post("/service_tokens", &json!({"name": name, "kind": "user"}));
    assert_eq!(r.status, 201, "{}", r.body);
    let t = r.json();
    (text(&t, "token"), text(&t, "id"))
}

#[test]
fn a_user_token_sees_exactly_its_agents_and_signs_out() {
    let server = TestServer::start();
    let (alice, _) = user_token(&server, "alice");
    let (bob, _) = user_token(&server, "bob");
    let as_alice = server.with_token(&alice);
    let as_bob = server.with_token(&bob);
    // One agent comes up (Ready), the others stay builds, so the badges differ.
    let up = as_alice.register("alice-search");
    assert_eq!(up["status"], "Ready", "{up}");
    as_alice.register_build("alice-mail");
    let shared = as_bob.register_build("bob-shared");
    as_bob.register_build("bob-private");
    server.admin().register_build("admin-only");
    let granted = as_bob.grant(&text(&shared, "id"), "user:alice", "viewer");
    assert_eq!(granted.status, 201, "{}", granted.body);

    browser_check(
        &server,
        "agents",
        &json!({
            "token": alice,
            "principal": "user:alice",
            "expect_names": ["alice-mail", "alice-search", "bob-shared"],
            "expect_counts": {"BuildOnly": 2, "Ready": 1, "Unhealthy": 0},
            "search": "alice-mail",
            "screenshot": screenshot("agents.png"),
        }),
    );
}

#[test]
fn an_agent_page_shows_its_deployments_events_and_key_metadata() {
    let server = TestServer::start();
    let (alice, _) = user_token(&server, "alice");
    let c = server.with_token(&alice);
    let agent = c.register_build("support-bot");
    let id = text(&agent, "id");
    c.register_build("billing-bot");
    let mut deployments = Vec::new();
    for image in [
        "registry.example/support-bot:1.4.0",
        "registry.example/support-bot:1.5.0",
    ] {
        let d = c.post(
            &format!("/agents/{id}/deployments"),
            &json!({"docker_image": image}),
        );
        assert_eq!(d.status, 200, "{}", d.body);
        deployments.push(text(&d.json(), "id"));
    }
    // The second deployment comes up (its runtime registers it), then is promoted.
    let up = c.post(
        "/agents/register",
        &json!({"name": "support-bot", "description": "Answers support tickets",
                "acp_url": "http://support-bot-2:8000", "acp_type": "async",
                "registration_metadata": {"deployment_id": deployments[1]}}),
    );
    assert_eq!(up.status, 200, "{}", up.body);
    let promoted = c.post_empty(&format!(
        "/agents/{id}/deployments/{}/promote",
        deployments[1]
    ));
    assert_eq!(promoted.status, 200, "{}", promoted.body);
    let key = c.post(
        "/agent_api_keys",
        &json!({"agent_id": id, "name": "runtime", "api_key_type": "internal"}),
    );
    assert_eq!(key.status, 200, "{}", key.body);
    let mut secrets = vec![text(&key.json(), "api_key")];
    secrets.extend(up.json()["agent_api_key"].as_str().map(str::to_owned));
    let events = c.get(&format!("/agents/{id}/events?limit=100"));
    assert_eq!(events.status, 200, "{}", events.body);
    let events: Vec<Value> = events
        .json()
        .as_array()
        .unwrap()
        .iter()
        .map(|e| json!([e["kind"], e["actor"]]))
        .collect();
    assert!(events.len() >= 3, "{events:?}");

    browser_check(
        &server,
        "agent",
        &json!({
            "token": alice,
            "agent_id": id,
            "deployment_ids": deployments,
            "production_id": deployments[1],
            "events": events,
            "key_name": "runtime",
            "key_secrets": secrets,
            "screenshot": screenshot("agent.png"),
        }),
    );
}

#[test]
fn a_revoked_token_returns_to_sign_in_with_the_reason() {
    let server = TestServer::start();
    let (alice, alice_id) = user_token(&server, "alice");
    server.with_token(&alice).register_build("alice-agent");
    browser_check(
        &server,
        "revoked",
        &json!({
            "token": alice,
            "token_id": alice_id,
            "admin_token": ADMIN_TOKEN,
            "expect_reason": "Missing or invalid credentials.",
        }),
    );
}

#[test]
fn markup_in_agent_text_renders_as_text() {
    let server = TestServer::start();
    let admin = server.admin();
    let description = "<img src=x onerror=alert(1)> <script>window.__xss=1;alert(2)</script>";
    let r = admin.post(
        "/agents/register-build",
        &json!({"name": "xss-probe", "description": description,
                "registration_metadata": {"note": "<svg onload=alert(4)>"}}),
    );
    assert_eq!(r.status, 200, "{}", r.body);
    let id = text(&r.json(), "id");
    browser_check(
        &server,
        "xss",
        &json!({
            "token": ADMIN_TOKEN,
            "agent_id": id,
            "texts": [description, "<svg onload=alert(4)>"],
        }),
    );
}

#[test]
fn docs_renders_the_reference_with_the_agents_paths() {
    let server = TestServer::start();
    browser_check(
        &server,
        "docs",
        &json!({
            "expect_paths": ["/agents", "/agents/{agent_id}", "/agents/name/{agent_name}",
                             "/agents/{agent_id}/deployments", "/agents/{agent_id}/events",
                             "/whoami"],
            "screenshot": screenshot("docs.png"),
        }),
    );
}

#[test]
fn the_platform_admin_switches_orgs() {
    let server = TestServer::start();
    let admin = server.admin();
    admin.register_build("in-default");
    let org = admin.post("/orgs", &json!({"slug": "second"}));
    assert_eq!(org.status, 201, "{}", org.body);
    let in_second = admin.in_org("second");
    in_second.register_build("in-second-a");
    in_second.register_build("in-second-b");
    browser_check(
        &server,
        "orgs",
        &json!({
            "token": ADMIN_TOKEN,
            "default_names": ["in-default"],
            "orgs": ["default", "second"],
            "org": "second",
            "org_names": ["in-second-a", "in-second-b"],
        }),
    );
}
