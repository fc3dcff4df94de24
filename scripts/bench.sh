#!/usr/bin/env bash
# `just bench`: load benchmark of agent-registry against the PostgreSQL floor (docs/benchmarks.md).
# Installs wrk and pgbench when missing (Debian/Ubuntu apt), builds the release binary, then hands
# over to scripts/bench/run.py (fresh database, server, seeding, wrk, pgbench, report).
# Environment: BENCH_SECONDS (10), BENCH_CONNECTIONS (1,16), BENCH_ONLY, BENCH_PRINCIPALS
# (admin,user,agent), BENCH_RUST_LOG (unset: server default), BENCH_LOG_AB_ROUNDS (4),
# BENCH_SCALE_AGENTS (100000), BENCH_SCALE_CONNECTIONS (16), BENCH_DB_POOL_SIZE, BENCH_AGENTS (10000),
# BENCH_HEARTBEAT_AGENTS (1000), BENCH_WRITE_DOCS (1),
# TEST_DATABASE_URL (postgres://postgres@127.0.0.1:5432/postgres).
set -euo pipefail
cd "$(dirname "$0")/.."

apt_install() {
  local sudo=""
  if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
  if ! command -v apt-get >/dev/null 2>&1; then
    echo "bench: please install $* (no apt-get here)" >&2
    exit 1
  fi
  echo "bench: installing $*" >&2
  $sudo apt-get update -qq || true
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "$@" >/dev/null
}

command -v wrk >/dev/null 2>&1 || apt_install wrk
# pgbench ships with the PostgreSQL server package on Debian (postgresql-contrib pulls it in).
pgbench --version >/dev/null 2>&1 || apt_install postgresql-contrib
command -v psql >/dev/null 2>&1 || apt_install postgresql-client
command -v python3 >/dev/null 2>&1 || apt_install python3

cargo build --release --locked -p registry_server --bin agent-registry

export BENCH_COMMAND="${BENCH_COMMAND:-just bench}"
exec python3 scripts/bench/run.py
