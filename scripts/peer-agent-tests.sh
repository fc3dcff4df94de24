#!/usr/bin/env bash
# Runs the peer's (Agentex's) own agent HTTP integration tests against the built agent-registry.
#
# Usage: scripts/peer-agent-tests.sh <dir> [pytest args...]
#
# <dir> holds the peer's test files, taken unchanged from scaleapi/scale-agentex
# (agentex/tests/integration/api/agents/): test_agents_api.py, test_agents_crud.py,
# test_acp_type_backwards_compatibility_api.py. They are not part of this repository; e.g.
#   git clone --depth 1 https://github.com/scaleapi/scale-agentex /tmp/scale-agentex
#   scripts/peer-agent-tests.sh /tmp/scale-agentex/agentex/tests/integration/api/agents
#
# Our fixtures (tests/compat/peer_agents/conftest.py) give the tests `isolated_client` (an
# httpx.AsyncClient, as the admin, on a fresh database and a fresh server per test) and
# `test_data_factory`. pytest, pytest-asyncio and httpx live in target/peer-tests-venv (created
# here when absent). Needs PostgreSQL at TEST_DATABASE_URL (default 127.0.0.1:5432, user postgres).
# See docs/compatibility.md for the expected result.
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
peer_dir="${1:?usage: scripts/peer-agent-tests.sh <dir holding the peer agent test files> [pytest args...]}"
shift
files=(test_agents_api.py test_agents_crud.py test_acp_type_backwards_compatibility_api.py)
for f in "${files[@]}"; do
  [[ -f "$peer_dir/$f" ]] || { echo "missing $peer_dir/$f (the peer's agent tests)" >&2; exit 2; }
done

venv="$root/target/peer-tests-venv"
if ! "$venv/bin/python" -c 'import pytest, pytest_asyncio, httpx' 2>/dev/null; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check \
    pytest==8.3.5 pytest-asyncio==1.0.0 httpx==0.28.1
fi

"$root/scripts/ensure-postgres.sh"
(cd "$root" && cargo build -q -p registry_server --bin agent-registry)
target_dir="${CARGO_TARGET_DIR:-$root/target}"
export AGENT_REGISTRY_BIN="$target_dir/debug/agent-registry"

# The peer's files and our conftest side by side in a scratch directory, so pytest finds the
# fixtures without the peer's own conftest (which needs its FastAPI app and test containers).
run_dir="$(mktemp -d -t peer-agent-tests.XXXXXX)"
trap 'rm -rf "$run_dir"' EXIT
cp "$root/tests/compat/peer_agents/conftest.py" "$run_dir/"
for f in "${files[@]}"; do cp "$peer_dir/$f" "$run_dir/"; done

cd "$run_dir"
"$venv/bin/python" -m pytest -p no:cacheprovider --strict-markers -v --rootdir "$run_dir" \
  "${files[@]}" "$@"
