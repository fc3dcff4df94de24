# Agent Registry — developer commands. `just --list` shows them all.

set shell := ["bash", "-euo", "pipefail", "-c"]

# Server used by `just run` and the tests (trust auth on this machine kind).
pg_admin_url := env_var_or_default("TEST_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/postgres")
run_db := "agent_registry"

default:
    @just --list

# Run the service on 127.0.0.1:8080 against a local database (created if absent).
run *ARGS:
    scripts/ensure-postgres.sh
    psql "{{pg_admin_url}}" -tAc "select 1 from pg_database where datname = '{{run_db}}'" | grep -q 1 \
        || psql "{{pg_admin_url}}" -qc 'create database {{run_db}}'
    DATABASE_URL="${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/{{run_db}}}" \
    ADMIN_TOKEN="${ADMIN_TOKEN:-dev-admin-token-change-me}" \
    KEY_HASH_SECRET="${KEY_HASH_SECRET:-dev-key-hash-secret-change-me-0123456789}" \
    cargo run -p registry_server --bin agent-registry -- serve {{ARGS}}

# The installs (`just tools`, the failover engine: network and disk) run beside the compilation
# (CPU), their output in target/tools.log; the tests start when both are done. An install is
# never cut short: a failing check waits for it before exiting.
# Everything CI checks: formatting, lints, and every test (unit, contract, PostgreSQL, HTTP, e2e).
test:
    #!/usr/bin/env bash
    set -euo pipefail
    scripts/ensure-postgres.sh
    mkdir -p target
    ( {{just_executable()}} tools && scripts/ensure-pg-auto-failover.sh ) > target/tools.log 2>&1 &
    installs=$!
    trap 'wait "$installs" 2>/dev/null || true' EXIT
    cargo fmt --all -- --check
    cargo clippy --workspace --all-targets --locked -- -D warnings
    cargo build -p registry_server --bin agent-registry --locked
    if ! wait "$installs"; then
        cat target/tools.log >&2
        echo "error: the test tools did not install (output above)" >&2
        exit 1
    fi
    cat target/tools.log
    cargo nextest run --workspace --locked --no-fail-fast

# Only the concurrency tests, N times in a row (default 20).
test-concurrency N="20": tools
    scripts/ensure-postgres.sh
    for i in $(seq 1 {{N}}); do echo "== run $i/{{N}}"; cargo nextest run --workspace --locked -E 'test(/concurren|parallel|racing/)' --no-fail-fast --status-level fail || exit 1; done

# Abuse figures (issue 13; docs/security.md): /healthz p99 under 2,000 stalled bodies, one user's
# GET p99 while another floods limit=1000 lists. Release build, loopback only, about a minute.
abuse:
    scripts/ensure-postgres.sh
    cargo build --release --locked -p registry_server --bin agent-registry
    AGENT_REGISTRY_BIN="$PWD/target/release/agent-registry" cargo run --release --locked -q -p registry_e2e --example abuse

# Load benchmark against the PostgreSQL floor (see docs/benchmarks.md).
bench:
    scripts/ensure-postgres.sh
    scripts/bench.sh

# The per-request log line's cost in instructions (callgrind: immune to the machine's load):
# the release server at its default level against RUST_LOG=warn, 2,000 GETs each, a few minutes.
bench-log:
    scripts/ensure-postgres.sh
    command -v valgrind >/dev/null || { apt-get update -qq && apt-get install -y -qq valgrind; }
    cargo build --release --locked -p registry_server --bin agent-registry
    psql "{{pg_admin_url}}" -qc 'drop database if exists agent_registry_logcost' -c 'create database agent_registry_logcost'
    cd scripts/bench && python3 logcost.py "$OLDPWD/target/release/agent-registry" \
        "$(python3 -c 'import sys,urllib.parse as u; p=u.urlsplit(sys.argv[1]); print(p._replace(path="/agent_registry_logcost").geturl())' '{{pg_admin_url}}')"

# Install missing tools: cargo-nextest, the official Agentex client (target/agentex-venv), the
# Agentex agent runtime (target/agentex-sdk-venv, needs a Python >= 3.12) for the compat tests,
# the A2A Python SDK with signing (target/a2a-venv) for the agent-card cross-checks,
# schemathesis (target/schemathesis-venv) for the OpenAPI conformance test, the Standard
# Webhooks verifier (target/webhooks-venv) for the webhook delivery e2e test, and Debian's
# chromium and chromium-driver with Selenium (target/selenium-venv) for the console's browser tests.
tools:
    @command -v cargo-nextest >/dev/null || cargo install cargo-nextest --locked
    @test -x target/agentex-venv/bin/python || python3 -m venv target/agentex-venv
    @target/agentex-venv/bin/python -c 'import agentex' 2>/dev/null \
        || target/agentex-venv/bin/pip install --quiet --disable-pip-version-check agentex-client==0.28.4
    @test -x target/agentex-sdk-venv/bin/python \
        || { py="$(scripts/python312.sh)" && "$py" -m venv target/agentex-sdk-venv; }
    @target/agentex-sdk-venv/bin/python -c 'import agentex.lib.utils.registration' 2>/dev/null \
        || target/agentex-sdk-venv/bin/pip install --quiet --disable-pip-version-check agentex-sdk==0.28.4
    @test -x target/a2a-venv/bin/python || python3 -m venv target/a2a-venv
    @target/a2a-venv/bin/python -c 'import cryptography, importlib.metadata as m; assert m.version("a2a-sdk") == "1.3.0"' 2>/dev/null \
        || target/a2a-venv/bin/pip install --quiet --disable-pip-version-check \
            'a2a-sdk[signing]==1.3.0' PyJWT==2.15.1 cryptography==50.0.2 protobuf==7.36.2
    @test -x target/schemathesis-venv/bin/python || python3 -m venv target/schemathesis-venv
    @target/schemathesis-venv/bin/python -c 'import importlib.metadata as m; assert m.version("schemathesis") == "4.32.5"' 2>/dev/null \
        || target/schemathesis-venv/bin/pip install --quiet --disable-pip-version-check schemathesis==4.32.5
    @test -x target/webhooks-venv/bin/python || python3 -m venv target/webhooks-venv
    @target/webhooks-venv/bin/python -c 'import importlib.metadata as m; assert m.version("standardwebhooks") == "1.0.0"' 2>/dev/null \
        || target/webhooks-venv/bin/pip install --quiet --disable-pip-version-check standardwebhooks==1.0.0
    @scripts/ensure-chromium.sh
    @test -x target/selenium-venv/bin/python || python3 -m venv target/selenium-venv
    @target/selenium-venv/bin/python -c 'import importlib.metadata as m; assert m.version("selenium") == "4.38.0"' 2>/dev/null \
        || target/selenium-venv/bin/pip install --quiet --disable-pip-version-check selenium==4.38.0
