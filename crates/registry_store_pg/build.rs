//! Rebuilds the crate when anything under `migrations/` changes: `embed_migrations!` reads the
//! directory at compile time, and a new migration's directory is not a file the compiler saw,
//! so without this a local build kept embedding the old set.

fn main() {
    println!("cargo:rerun-if-changed=../../migrations");
}
