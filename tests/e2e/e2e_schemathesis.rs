//! Schemathesis (PyPI, `just tools` installs 4.32.5 into `target/schemathesis-venv`) generates
//! requests from the binary's own `/openapi.json` and checks that none is answered with a 5xx
//! and that every request the schema calls valid is accepted (`positive_data_acceptance`: no
//! 400, no 422). So the published schema states what the server enforces, and a client or a
//! validator generated from it agrees with the server. What the run is configured to accept,
//! and why, is in `tests/compat/schemathesis.toml`.

use registry_e2e::{text, unique_name, Client, TestServer, ADMIN_TOKEN};
use serde_json::{json, Value};
use std::io::Read;
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// Examples per operation and phase: enough to reach every rule of a schema, few enough that
/// the whole run takes well under a minute on two cores.
const MAX_EXAMPLES: u32 = 25;
/// The run is killed (and the test fails) past this.
const TIME_LIMIT: Duration = Duration::from_secs(150);

/// The `schemathesis` command: `SCHEMATHESIS`, or the venv `just tools` creates.
fn schemathesis() -> PathBuf {
    if let Some(p) = std::env::var_os("SCHEMATHESIS") {
        return PathBuf::from(p);
    }
    let venv = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../target/schemathesis-venv/bin/schemathesis");
    assert!(
        venv.exists(),
        "schemathesis is not installed: run `just tools` (creates target/schemathesis-venv with \
         schemathesis==4.32.5) or set SCHEMATHESIS to a schemathesis command"
    );
    venv
}

/// The ids and names of one seeded agent and its resources, which the run addresses besides
/// the values it generates (else every path with an id would only ever meet 404).
struct Seeded {
    agent_id: String,
    agent_name: String,
    deployment_id: String,
    history_id: String,
    key_id: String,
    key_name: String,
    principal: String,
    token_id: String,
}

/// An agent registered at deploy time with a commit (so it has a history row), a Ready
/// deployment, an external key, a grant, and a service token, all made by the admin.
fn seed(admin: &Client, prefix: &str) -> Seeded {
    let agent_name = unique_name(prefix);
    let ok = |r: registry_e2e::Resp, what: &str| {
        assert!(r.status < 300, "seeding {what}: {} {}", r.status, r.body);
        r.json()
    };
    let metadata = json!({"agent_commit": "0123abc", "branch_name": "main"});
    let agent = ok(
        admin.post(
            "/agents/register",
            &json!({"name": agent_name, "description": "seeded for schemathesis",
                    "acp_url": "http://seeded:8000", "acp_type": "async",
                    "registration_metadata": metadata}),
        ),
        "the agent",
    );
    let agent_id = text(&agent, "id");
    let deployment = ok(
        admin.post(
            &format!("/agents/{agent_id}/deployments"),
            &json!({"docker_image": "registry.example.com/seeded:1"}),
        ),
        "a deployment",
    );
    let deployment_id = text(&deployment, "id");
    ok(
        admin.post(
            "/agents/register",
            &json!({"name": agent_name, "description": "seeded for schemathesis",
                    "acp_url": "http://seeded-deployment:8000", "acp_type": "async",
                    "registration_metadata": {"deployment_id": deployment_id}}),
        ),
        "the deployment's registration",
    );
    let history = ok(
        admin.get(&format!("/deployment-history?agent_id={agent_id}")),
        "the history",
    );
    let history_id = text(&history[0], "id");
    let key_name = format!("{agent_name}-key");
    let key = ok(
        admin.post(
            "/agent_api_keys",
            &json!({"agent_id": agent_id, "name": key_name}),
        ),
        "a key",
    );
    let principal = format!("user:{agent_name}-user");
    ok(admin.grant(&agent_id, &principal, "editor"), "a grant");
    let token = ok(
        admin.post(
            "/service_tokens",
            &json!({"name": format!("{agent_name}-token")}),
        ),
        "a service token",
    );
    Seeded {
        agent_id,
        agent_name,
        deployment_id,
        history_id,
        key_id: text(&key, "id"),
        key_name,
        principal,
        token_id: text(&token, "id"),
    }
}

/// The committed configuration, plus the dictionaries of seeded values it names and the
/// run-wide bindings of path parameters to them.
fn config(kept: &Seeded, doomed: &Seeded) -> String {
    let template = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("compat/schemathesis.toml");
    let mut config = std::fs::read_to_string(&template).expect("tests/compat/schemathesis.toml");
    let both = |f: fn(&Seeded) -> &String| json!([f(kept), f(doomed)]);
    let only_doomed = |f: fn(&Seeded) -> &String| json!([f(doomed)]);
    let dictionaries = [
        ("agent_ids", both(|s| &s.agent_id)),
        ("agent_names", both(|s| &s.agent_name)),
        ("deployment_ids", both(|s| &s.deployment_id)),
        ("history_ids", both(|s| &s.history_id)),
        ("key_ids", both(|s| &s.key_id)),
        ("key_names", both(|s| &s.key_name)),
        ("principals", both(|s| &s.principal)),
        ("token_ids", both(|s| &s.token_id)),
        ("doomed_agent_ids", only_doomed(|s| &s.agent_id)),
        ("doomed_agent_names", only_doomed(|s| &s.agent_name)),
        ("doomed_deployment_ids", only_doomed(|s| &s.deployment_id)),
        ("doomed_key_ids", only_doomed(|s| &s.key_id)),
        ("doomed_key_names", only_doomed(|s| &s.key_name)),
        ("doomed_principals", only_doomed(|s| &s.principal)),
    ];
    for (name, values) in &dictionaries {
        config.push_str(&format!("\n[dictionaries.{name}]\nvalues = {values}\n"));
    }
    config.push_str("\n[parameters]\n");
    for (parameter, dictionary) in [
        ("path.agent_id", "agent_ids"),
        ("path.agent_name", "agent_names"),
        ("path.deployment_id", "deployment_ids"),
        ("path.id", "key_ids"),
        ("path.name", "key_names"),
        ("path.principal", "principals"),
    ] {
        config.push_str(&format!(
            "\"{parameter}\" = {{ dictionary = \"{dictionary}\", probability = 0.8 }}\n"
        ));
    }
    config
}

/// Runs `command` to completion or until [`TIME_LIMIT`] (then kills it): its status (None when
/// killed) and its output, stdout then stderr.
fn run_bounded(mut command: Command) -> (Option<std::process::ExitStatus>, String) {
    let mut child = command
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("schemathesis starts");
    let mut stdout = child.stdout.take().expect("piped stdout");
    let mut stderr = child.stderr.take().expect("piped stderr");
    let out = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = stdout.read_to_string(&mut s);
        s
    });
    let err = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = stderr.read_to_string(&mut s);
        s
    });
    let deadline = Instant::now() + TIME_LIMIT;
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait on schemathesis") {
            break Some(status);
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            break None;
        }
        std::thread::sleep(Duration::from_millis(100));
    };
    let output = format!(
        "{}\n{}",
        out.join().unwrap_or_default(),
        err.join().unwrap_or_default()
    );
    (status, output)
}

#[test]
fn every_schema_valid_request_is_accepted_and_none_is_a_server_error() {
    let server = TestServer::start();
    let admin = server.admin();
    let kept = seed(&admin, "st-kept");
    let doomed = seed(&admin, "st-doomed");
    let document: Value = admin.get("/openapi.json").json();
    let operations: usize = document["paths"]
        .as_object()
        .expect("paths")
        .values()
        .map(|item| item.as_object().map_or(0, |methods| methods.len()))
        .sum::<usize>()
        // `GET /events/stream` never finishes and `POST /webhooks` refuses made-up hosts:
        // both disabled in schemathesis.toml; `GET /openapi.json` is the document schemathesis
        // loads, which it does not test.
        - 3;

    let dir = std::env::temp_dir().join(format!("schemathesis-e2e-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("a scratch directory");
    let config_path = dir.join("schemathesis.toml");
    std::fs::write(&config_path, config(&kept, &doomed)).expect("config written");

    let mut command = Command::new(schemathesis());
    command
        .current_dir(&dir)
        .env("NO_COLOR", "1")
        .arg("--config-file")
        .arg(&config_path)
        .arg("run")
        .arg(format!("{}/openapi.json", server.base))
        .args(["--header", &format!("Authorization: Bearer {ADMIN_TOKEN}")])
        .args([
            "--max-examples",
            &MAX_EXAMPLES.to_string(),
            "--mode",
            "positive",
        ])
        // The checks are chosen in the config's `[checks]` (a `--checks` here would override the
        // per-operation exceptions there).
        .args(["--generation-with-security-parameters", "false"])
        .args([
            "--generation-allow-x00",
            "false",
            "--generation-database",
            "none",
        ])
        // One worker: with two, Hypothesis sometimes trips over CPython 3.11's `ast.parse` in a
        // second thread ("AST constructor recursion depth mismatch") while describing a strategy.
        .args(["--seed", "20261122", "--workers", "1", "--no-color"])
        .args(["--request-timeout", "10"]);
    let started = Instant::now();
    let (status, output) = run_bounded(command);
    let took = started.elapsed();
    let _ = std::fs::remove_dir_all(&dir);

    // The server's log lines worth reading next to a failure: warnings, errors, 5xx answers.
    let tail: String = server
        .logs()
        .lines()
        .filter(|l| {
            l.contains("\"WARN\"")
                || l.contains("\"ERROR\"")
                || (l.contains("\"status\":5") && !l.contains("\"status\":501"))
        })
        .collect::<Vec<_>>()
        .join("\n");
    let Some(status) = status else {
        panic!("schemathesis did not finish within {TIME_LIMIT:?}:\n{output}\nserver warnings, errors and 5xx:\n{tail}");
    };
    assert!(
        status.success(),
        "schemathesis failed ({status}, {took:.1?}):\n{output}\nserver warnings, errors and 5xx:\n{tail}"
    );
    // Every operation of the document was tested, each with the two checks.
    assert!(
        output.contains(&format!("Tested: {operations}")),
        "schemathesis did not test all {operations} operations:\n{output}"
    );
    // Its summary (phases, warnings, cases generated) in the test's output.
    let summary = output.find("WARNINGS").or_else(|| output.find("SUMMARY"));
    println!(
        "schemathesis: {operations} operations in {took:.1?}\n{}",
        summary.map_or("", |at| &output[at..])
    );
}
