//! The `agent-registry` binary (the HTTP service lands with issue 4; this is its placeholder entry point).

fn main() {
    eprintln!("agent-registry: the HTTP service is not built yet (issue 4)");
    std::process::exit(2);
}
