//! The official Agentex Python client (agentex-client 0.28.4) works unchanged against the binary.

use registry_e2e::{TestServer, ADMIN_TOKEN};
use std::path::PathBuf;
use std::process::Command;

/// The Python that has `agentex-client` installed: `AGENTEX_PYTHON`, or the venv `just tools`
/// creates in `target/agentex-venv`.
fn python() -> PathBuf {
    if let Some(p) = std::env::var_os("AGENTEX_PYTHON") {
        return PathBuf::from(p);
    }
    let venv = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../target/agentex-venv/bin/python");
    assert!(
        venv.exists(),
        "the official Agentex client is not installed: run `just tools` (creates target/agentex-venv \
         with agentex-client==0.28.4) or set AGENTEX_PYTHON to a python that has it"
    );
    venv
}

/// Runs the client check against `server` with `args` after the base URL, asserting it passes.
fn client_check(server: &TestServer, args: &[&str]) {
    let script = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("compat/agentex_client_check.py");
    let out = Command::new(python())
        .arg(script)
        .arg(&server.base)
        .args(args)
        .output()
        .expect("python runs");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success(),
        "client check failed:\n{stdout}\n{stderr}\nserver log:\n{}",
        server.logs()
    );
    assert!(stdout.contains("passed, 0 failed"), "{stdout}");
}

#[test]
fn official_agentex_client_works_unchanged() {
    let server = TestServer::start();
    client_check(&server, &[ADMIN_TOKEN]);
}

/// Contract §9: the client works unchanged inside any org, and sees only that org — addressed by
/// the platform admin through the client's own `default_headers`, or by an org's own token.
#[test]
fn official_agentex_client_works_inside_a_second_org() {
    let server = TestServer::start();
    let admin = server.admin();
    let foreign = admin.register_build("lives-in-default");
    let org = admin.post("/orgs", &serde_json::json!({"slug": "second"}));
    assert_eq!(org.status, 201, "{}", org.body);
    client_check(&server, &[ADMIN_TOKEN, "second", "lives-in-default"]);
    let token = admin.post(
        "/service_tokens",
        &serde_json::json!({"name": "ops", "kind": "admin", "org": "second"}),
    );
    assert_eq!(token.status, 201, "{}", token.body);
    let token = token.json()["token"].as_str().unwrap().to_owned();
    client_check(&server, &[&token, "-", "lives-in-default"]);
    // The default org's agent was never touched.
    let still = admin.get(&format!("/agents/{}", foreign["id"].as_str().unwrap()));
    assert_eq!(still.status, 200);
    assert_eq!(still.json()["updated_at"], foreign["updated_at"]);
}
