//! The real Agentex agent runtime (agentex-sdk 0.28.4) registers itself against the binary.
//!
//! `compat/agentex_runtime_check.py` runs the SDK's own start-up sequence (the backend version
//! guard, then `register_agent`) configured by environment as a pod would be, and reports what
//! the registry answered. Three cases, as docs/agentex-runtime.md describes them:
//! a. the deployer registered the build and gave the pod an internal key: registered, and again
//!    after a restart; b. a server with `INSECURE_NO_AUTH=true`: a brand-new agent registers on
//!    the first attempt and receives a key; c. no key on a normal server: refused with a 401 whose
//!    detail says what to do.
//!
//! Each test prints its outcome (`cargo nextest run -p registry_e2e e2e_agentex_runtime::
//! --no-capture` shows them).

use registry_e2e::{text, unique_name, Client, TestServer};
use serde_json::{json, Value};
use std::path::PathBuf;
use std::process::Command;

/// The Python that has `agentex-sdk` installed: `AGENTEX_SDK_PYTHON`, or the venv `just tools`
/// creates in `target/agentex-sdk-venv`.
fn sdk_python() -> PathBuf {
    if let Some(p) = std::env::var_os("AGENTEX_SDK_PYTHON") {
        return PathBuf::from(p);
    }
    let venv =
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../target/agentex-sdk-venv/bin/python");
    assert!(
        venv.exists(),
        "the Agentex agent runtime is not installed: run `just tools` (creates \
         target/agentex-sdk-venv with agentex-sdk==0.28.4 from a Python >= 3.12) or set \
         AGENTEX_SDK_PYTHON to a python that has it"
    );
    venv
}

/// Runs the runtime's registration once, as a pod with this environment would at start-up.
fn run_runtime(server: &TestServer, env: &[(&str, &str)]) -> Value {
    let script = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("compat/agentex_runtime_check.py");
    let mut cmd = Command::new(sdk_python());
    cmd.arg(script)
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("HOME", std::env::temp_dir())
        .env("AGENTEX_BASE_URL", &server.base)
        .env("ACP_TYPE", "async");
    for (k, v) in env {
        cmd.env(k, v);
    }
    let out = cmd.output().expect("python runs");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    let line = stdout
        .lines()
        .find_map(|l| l.strip_prefix("RUNTIME_RESULT "))
        .unwrap_or_else(|| {
            panic!(
                "the runtime check printed no result (exit {}):\n{stdout}\n{stderr}",
                out.status
            )
        });
    serde_json::from_str(line).unwrap()
}

fn statuses(result: &Value) -> Vec<u64> {
    result["attempts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["status"].as_u64().unwrap())
        .collect()
}

/// The agent's `acp_url` as stored: it is never on the wire (the peer's `Agent` has no such field),
/// so it is read from the database.
fn stored_acp_url(server: &TestServer, agent_id: &str) -> String {
    let out = Command::new("psql")
        .args([server.db.url(), "-tAc"])
        .arg(format!(
            "select acp_url from agents where id = '{agent_id}'"
        ))
        .output()
        .expect("psql runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).trim().to_owned()
}

/// A client that authenticates as an agent, by its key in `X-Agent-API-Key` (the runtime's form).
fn get_as_agent(server: &TestServer, key: &str, path: &str) -> u16 {
    let anonymous = server.anonymous();
    let req = anonymous.request("GET", path).set("X-Agent-API-Key", key);
    Client::send(req, None).status
}

#[test]
fn a_built_agent_with_an_internal_key_registers_and_keeps_registering_after_restarts() {
    let server = TestServer::start();
    // Build time: the deployer (a user) registers the build and mints the pod's key.
    let deployer = server.user("deployer");
    let name = unique_name("runtime-a");
    let built = deployer.register_build(&name);
    let agent_id = text(&built, "id");
    let minted = deployer.post(
        "/agent_api_keys",
        &json!({"agent_id": agent_id, "name": "runtime", "api_key_type": "internal"}),
    );
    assert_eq!(minted.status, 200, "{}", minted.body);
    let key = text(&minted.json(), "api_key");

    // Deploy time: the pod's environment carries the key and the id.
    let pod = [
        ("AGENT_NAME", name.as_str()),
        ("AGENT_ID", agent_id.as_str()),
        ("AGENT_API_KEY", key.as_str()),
        ("ACP_URL", "http://runtime-a"),
        ("ACP_PORT", "8000"),
    ];
    let mut outcomes = Vec::new();
    for run in ["first start", "restart"] {
        let result = run_runtime(&server, &pod);
        assert_eq!(result["ok"], true, "{run}: {result}\n{}", server.logs());
        assert_eq!(
            statuses(&result),
            [200],
            "{run}: one attempt, 200: {result}"
        );
        assert_eq!(result["sleeps"], json!([]), "{run}: no retry: {result}");
        assert_eq!(result["agent_id"], agent_id.as_str(), "{run}: {result}");
        // The agent already has an internal key, so none is shown again; the runtime keeps the
        // one from its environment.
        assert_eq!(result["response_key"], Value::Null, "{run}: {result}");
        assert_eq!(result["env_key"], key.as_str(), "{run}: {result}");
        let agent = deployer.get(&format!("/agents/{agent_id}")).json();
        assert_eq!(agent["status"], "Ready", "{run}: {agent}");
        let acp_url = stored_acp_url(&server, &agent_id);
        assert_eq!(acp_url, "http://runtime-a:8000", "{run}");
        assert_eq!(
            get_as_agent(&server, &key, &format!("/agents/{agent_id}")),
            200,
            "{run}: the pod's key still authenticates"
        );
        outcomes.push(format!(
            "{run}: 200 on attempt 1, status Ready, acp_url {acp_url}, agent_api_key null, key kept"
        ));
    }
    let keys = deployer
        .get(&format!("/agent_api_keys?agent_id={agent_id}"))
        .json();
    assert_eq!(
        keys.as_array().unwrap().len(),
        1,
        "registering minted no further key: {keys}"
    );
    println!(
        "agentex runtime case a (built + internal key): {}",
        outcomes.join("; ")
    );
}

#[test]
fn without_authentication_a_new_agent_registers_at_the_first_attempt_and_gets_a_key() {
    let server = TestServer::start_with(&[("INSECURE_NO_AUTH", "true")]);
    let name = unique_name("runtime-b");
    let result = run_runtime(
        &server,
        &[
            ("AGENT_NAME", name.as_str()),
            ("ACP_URL", "http://runtime-b"),
            ("ACP_PORT", "8000"),
        ],
    );
    assert_eq!(result["ok"], true, "{result}\n{}", server.logs());
    assert_eq!(
        statuses(&result),
        [200],
        "registered on the first attempt: {result}"
    );
    assert_eq!(result["sleeps"], json!([]), "no retry: {result}");
    let key = result["response_key"]
        .as_str()
        .unwrap_or_else(|| panic!("the response carried no agent key: {result}"));
    assert!(key.starts_with("agk_"), "{key}");
    assert_eq!(
        result["env_key"], key,
        "the runtime adopted the key it was given: {result}"
    );
    let agent_id = result["agent_id"].as_str().unwrap();
    let agent = server
        .anonymous()
        .get(&format!("/agents/{agent_id}"))
        .json();
    assert_eq!(agent["name"], name.as_str(), "{agent}");
    assert_eq!(agent["status"], "Ready", "{agent}");
    let acp_url = stored_acp_url(&server, agent_id);
    assert_eq!(acp_url, "http://runtime-b:8000");
    let keys = server
        .anonymous()
        .get(&format!("/agent_api_keys?agent_id={agent_id}"))
        .json();
    assert_eq!(keys.as_array().unwrap().len(), 1, "{keys}");
    assert_eq!(keys[0]["api_key_type"], "internal", "{keys}");
    println!(
        "agentex runtime case b (INSECURE_NO_AUTH, new agent): 200 on attempt 1 (no retry), \
         status Ready, acp_url {acp_url}, response carried an internal key ({}…)",
        &key[..8]
    );
}

#[test]
fn without_a_key_a_normal_server_refuses_with_a_401_that_says_how_to_get_one() {
    let server = TestServer::start();
    let name = unique_name("runtime-c");
    let result = run_runtime(
        &server,
        &[
            ("AGENT_NAME", name.as_str()),
            ("ACP_URL", "http://runtime-c"),
            ("ACP_PORT", "8000"),
        ],
    );
    assert_eq!(result["ok"], false, "registration must fail: {result}");
    assert!(
        result["error"]
            .as_str()
            .unwrap()
            .contains("Failed to register agent. Status: 401"),
        "{result}"
    );
    // The runtime retries three times with its back-off (stubbed: no real waiting).
    assert_eq!(statuses(&result), [401, 401, 401], "{result}");
    assert_eq!(result["sleeps"], json!([5, 10]), "{result}");
    let body = &result["attempts"][0]["body"];
    assert_eq!(body["status"], 401, "{body}");
    assert_eq!(body["status_code"], 401, "{body}");
    assert_eq!(body["code"], "unauthenticated", "{body}");
    let detail = body["detail"].as_str().unwrap();
    for needle in [
        "AGENT_API_KEY",
        "/agents/register-build",
        "internal",
        "docs/agentex-runtime.md",
    ] {
        assert!(detail.contains(needle), "detail lacks {needle:?}: {detail}");
    }
    let listed = server.admin().get(&format!("/agents/name/{name}")).status;
    assert_eq!(listed, 404, "a refused registration creates nothing");
    println!(
        "agentex runtime case c (no key, normal server): refused, 3 attempts all 401 \
         (back-off 5 s, 10 s stubbed), detail: {detail}"
    );
}
