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

#[test]
fn official_agentex_client_works_unchanged() {
    let server = TestServer::start();
    let script = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("compat/agentex_client_check.py");
    let out = Command::new(python())
        .arg(script)
        .arg(&server.base)
        .arg(ADMIN_TOKEN)
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
