//! The dependency rules of docs/ARCHITECTURE.md, checked with `cargo tree`.

use std::process::Command;

/// Dependency names of `package` along the `edges` kinds (`cargo tree -e`), one per line.
fn dependency_names(package: &str, edges: &str) -> Vec<String> {
    let output = Command::new(env!("CARGO"))
        .args([
            "tree",
            "--offline",
            "-e",
            edges,
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

/// Asserts that none of `forbidden` is in `package`'s tree along `edges`.
fn assert_tree_free_of(package: &str, edges: &str, forbidden: &[&str]) {
    let deps = dependency_names(package, edges);
    assert!(
        deps.iter().any(|d| d == package),
        "cargo tree listed nothing for {package}: {deps:?}"
    );
    for forbidden in forbidden {
        assert!(
            !deps.iter().any(|d| d == forbidden),
            "{package} must not depend on {forbidden}; its tree ({edges}): {deps:?}"
        );
    }
}

fn assert_free_of_io(package: &str) {
    assert_tree_free_of(
        package,
        "normal",
        &["diesel", "actix-web", "r2d2", "tokio", "actix-rt"],
    );
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

/// The HTTP adapter reaches the database only through the ports: no diesel or r2d2 anywhere in
/// its tree, its tests included (they run on the in-memory store).
#[test]
fn http_has_no_database_dependencies() {
    assert_tree_free_of(
        "registry_http",
        "normal,build,dev",
        &["diesel", "r2d2", "registry_store_pg"],
    );
}

/// Adapters depend on the ports and the domain, never on each other.
#[test]
fn the_stores_do_not_depend_on_each_other() {
    let all = "normal,build,dev";
    assert_tree_free_of("registry_store_pg", all, &["registry_store_memory"]);
    assert_tree_free_of("registry_store_memory", all, &["registry_store_pg"]);
}

/// Signing keys and signature algorithms live in the signing adapter: the domain computes the
/// canonical bytes, the ports name the signer, neither signs. The signer itself is pure
/// computation over a key read once at start-up (no runtime, no database, no HTTP).
#[test]
fn cryptography_stays_in_the_signing_adapter() {
    for package in ["registry_domain", "registry_ports", "registry_usecases"] {
        assert_tree_free_of(
            package,
            "normal",
            &["ed25519-dalek", "curve25519-dalek", "pkcs8", "base64"],
        );
    }
    assert_free_of_io("registry_signing");
    assert_tree_free_of(
        "registry_signing",
        "normal,build,dev",
        &[
            "registry_usecases",
            "registry_store_pg",
            "registry_store_memory",
            "registry_http",
        ],
    );
}
