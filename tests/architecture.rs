//! The dependency rules of docs/ARCHITECTURE.md, checked with `cargo tree`.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::process::Command;

/// Normal (non-dev) dependency names of `package`, one per line.
fn dependency_names(package: &str) -> Vec<String> {
    let output = Command::new(env!("CARGO"))
        .args([
            "tree",
            "--offline",
            "-e",
            "normal",
            "--prefix",
            "none",
            "--format",
            "{p}",
            "-p",
            package,
        ])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("cargo tree runs");
    assert!(
        output.status.success(),
        "cargo tree failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout)
        .unwrap()
        .lines()
        .filter_map(|l| l.split_whitespace().next().map(str::to_owned))
        .collect()
}

fn assert_free_of_io(package: &str) {
    let deps = dependency_names(package);
    assert!(
        deps.iter().any(|d| d == package),
        "cargo tree listed nothing for {package}: {deps:?}"
    );
    for forbidden in ["diesel", "actix-web", "r2d2", "tokio", "actix-rt"] {
        assert!(
            !deps.iter().any(|d| d == forbidden),
            "{package} must not depend on {forbidden}; its tree: {deps:?}"
        );
    }
}

#[test]
fn domain_has_no_io_dependencies() {
    assert_free_of_io("registry_domain");
}

#[test]
fn ports_have_no_io_dependencies() {
    assert_free_of_io("registry_ports");
}

#[test]
fn usecases_have_no_io_dependencies() {
    assert_free_of_io("registry_usecases");
}
