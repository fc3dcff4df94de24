//! The A2A Python SDK (`a2a-sdk`, in `target/a2a-venv`, installed by `just tools`) verifies the
//! cards this signer signs, with the keys of its JWK Set, and rejects them once altered.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use ed25519_dalek::SigningKey;
use registry_domain::AgentCard;
use registry_ports::CardSigner;
use registry_signing::Ed25519CardSigner;
use serde_json::Value;
use std::path::PathBuf;
use std::process::Command;

const SAMPLES: &str =
    include_str!("../../registry_domain/tests/fixtures/a2a_canonical_samples.json");

fn workspace() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn python() -> PathBuf {
    let python = workspace().join("target/a2a-venv/bin/python");
    assert!(
        python.exists(),
        "the A2A Python SDK is not installed: run `just tools` (it creates target/a2a-venv with \
         the pinned a2a-sdk[signing]); by hand: python3 -m venv target/a2a-venv && \
         target/a2a-venv/bin/pip install 'a2a-sdk[signing]==1.3.0' PyJWT==2.15.1 \
         cryptography==50.0.2 protobuf==7.36.2"
    );
    python
}

#[test]
fn the_a2a_sdk_verifies_registry_signatures_and_rejects_altered_cards() {
    let python = python();
    // Cards signed before a rotation (the old key) and after it (the new key); the JWK Set
    // publishes both.
    let old = Ed25519CardSigner::new(SigningKey::from_bytes(&[1; 32]), []);
    let new = Ed25519CardSigner::new(
        SigningKey::from_bytes(&[2; 32]),
        [SigningKey::from_bytes(&[1; 32]).verifying_key()],
    );
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("cards")).unwrap();
    std::fs::write(
        dir.path().join("jwks.json"),
        new.jwks().to_json().to_string(),
    )
    .unwrap();
    let samples: Value = serde_json::from_str(SAMPLES).unwrap();
    let samples = samples["samples"].as_array().unwrap();
    for (i, sample) in samples.iter().enumerate() {
        let card = AgentCard::parse(sample["card"].clone()).unwrap();
        let signer = if i % 2 == 0 { &new } else { &old };
        let signed = signer.sign_card(&card);
        let name = sample["name"].as_str().unwrap();
        std::fs::write(
            dir.path().join("cards").join(format!("{name}.json")),
            serde_json::to_string(&signed.to_value()).unwrap(),
        )
        .unwrap();
    }
    let output = Command::new(&python)
        .arg(workspace().join("tests/compat/a2a_verify.py"))
        .arg(dir.path())
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success(),
        "a2a-sdk refused:\n{stdout}\n{stderr}"
    );
    let expected = format!(
        "{n} signed cards verified, {n} altered cards rejected",
        n = samples.len()
    );
    assert!(stdout.contains(&expected), "{stdout}\n{stderr}");
    assert!(
        stdout.contains(old.kid()) && stdout.contains(new.kid()),
        "{stdout}"
    );
    println!("{stdout}");
}
